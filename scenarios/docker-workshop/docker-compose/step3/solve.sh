#!/bin/bash
set -e
cd /root/shop
docker compose logs app
docker compose up -d --scale redis=3
