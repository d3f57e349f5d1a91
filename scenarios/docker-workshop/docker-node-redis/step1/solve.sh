#!/bin/bash
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
docker run -d --name app -p 3000:3000 dockyard/redis-node-app:1.0
for _ in $(seq 1 240); do [ "$(docker inspect -f "{{.State.Status}}" app)" = exited ] && break; sleep 0.25; done
docker logs app
