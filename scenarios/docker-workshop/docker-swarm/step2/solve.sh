#!/bin/bash
# Runs on host01: host02's engine answers on port 2345 of the session's network.
set -e
for _ in $(seq 1 60); do docker -H host02:2345 info >/dev/null 2>&1 && break; sleep 0.5; done
docker -H host02:2345 swarm join host01:2377 --token "$(docker swarm join-token -q worker)"
for _ in $(seq 1 40); do [ "$(docker node ls --format '{{.Status}}' | grep -c Ready)" -ge 2 ] && break; sleep 0.5; done
docker node ls
