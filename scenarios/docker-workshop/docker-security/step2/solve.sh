#!/bin/bash
set -e
mkdir -p /root/whoami && cd /root/whoami
printf 'FROM busybox:1.35\nRUN echo "non-root:x:1000:1000:non-root:/tmp:/bin/sh" >> /etc/passwd\nUSER non-root\nCMD ["id"]\n' > Dockerfile
docker build -t whoami:v1 .
docker run --rm whoami:v1
docker run -d --name as-1000 -u 1000 busybox:1.35 sleep 3600
