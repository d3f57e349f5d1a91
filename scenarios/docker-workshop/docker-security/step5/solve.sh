#!/bin/bash
set -e
docker run -d --name web nginx:1.22
docker run -d --name debug --pid=container:web busybox:1.35 sleep 3600
for _ in $(seq 1 20); do docker exec debug ps | grep nginx && exit 0; sleep 0.25; done
exit 1
