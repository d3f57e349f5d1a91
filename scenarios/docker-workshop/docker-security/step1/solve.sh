#!/bin/bash
set -e
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
mkdir -p /root/data
docker run -d --name ro --read-only -v /root/data:/data busybox:1.35 sh -c 'while true; do date >> /data/log; sleep 1; done'
for _ in $(seq 1 20); do [ -s /root/data/log ] && break; sleep 0.25; done
! docker exec ro touch /etc/owned
