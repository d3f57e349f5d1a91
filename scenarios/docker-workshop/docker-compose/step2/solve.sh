#!/bin/bash
set -e
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
cd /root/shop
docker compose up -d
for _ in $(seq 1 60); do curl -sf localhost:3000 && exit 0; sleep 0.5; done
exit 1
