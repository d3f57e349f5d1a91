#!/bin/bash
set -e
cd /root/app
docker run -d --name hello -p 3000:3000 hello-web:v0.1
sed -i 's/127.0.0.1/0.0.0.0/' server.js
docker build -t hello-web:v0.2 .
docker rm -f hello
docker run -d --name hello -p 3000:3000 hello-web:v0.2
for _ in $(seq 1 20); do curl -sf localhost:3000 && exit 0; sleep 0.25; done
