#!/bin/bash
set -e
docker run -d --name web -p 8080:80 nginx:1.22
for _ in $(seq 1 20); do curl -sf localhost:8080 >/dev/null && break; sleep 0.25; done
docker logs web
