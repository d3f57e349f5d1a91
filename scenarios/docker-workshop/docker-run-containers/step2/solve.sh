#!/bin/bash
set -e
docker run -d --name port-redis -p 12345:6379 redis:7.0
for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/12345) 2>/dev/null && exit 0; sleep 0.25; done
