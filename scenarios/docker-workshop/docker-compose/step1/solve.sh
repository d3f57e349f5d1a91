#!/bin/bash
mkdir -p /root/shop
cat > /root/shop/docker-compose.yml <<'YAML'
services:
  redis:
    image: redis:7.0
  app:
    image: dockyard/redis-node-app:1.0
    ports:
      - "3000:3000"
    depends_on:
      - redis
    restart: on-failure
YAML
