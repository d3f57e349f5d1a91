#!/bin/bash
set -e
docker network create backend-network
docker run -d --name redis --net backend-network redis:7.0
docker rm -f app
docker run -d --name app --net backend-network -p 3000:3000 dockyard/redis-node-app:1.0
for _ in $(seq 1 40); do curl -sf localhost:3000 && exit 0; sleep 0.25; done
exit 1
