#!/bin/bash
set -e
docker run -d --name client --net skynet busybox:1.35 sleep 3600
docker exec client ping -c 2 redis
