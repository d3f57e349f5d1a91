#!/bin/bash
set -e
cd /root/app
docker history hello-web:v0.2
printf 'node_modules\n*.log\n.git\n' > .dockerignore
docker build -t hello-web:v0.3 .
