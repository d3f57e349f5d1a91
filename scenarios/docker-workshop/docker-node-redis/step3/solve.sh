#!/bin/bash
set -e
docker network create shop
docker run -d --name db --net shop redis:7.0
docker network connect --alias redis shop db 2>/dev/null || { docker network disconnect shop db && docker network connect --alias redis shop db; }
docker rm -f app2 2>/dev/null || true
docker run -d --name app2 --net shop -p 3001:3000 dockyard/redis-node-app:1.0
for _ in $(seq 1 40); do curl -sf localhost:3001 && exit 0; sleep 0.25; done
exit 1
