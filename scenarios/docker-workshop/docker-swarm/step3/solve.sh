#!/bin/bash
set -e
docker network create -d overlay --attachable skynet
docker service create --detach=false --name http --network skynet --replicas 2 --endpoint-mode dnsrr dockyard/http-server:v1
for i in 1 2 3 4; do docker run --rm --network skynet busybox:1.35 wget -qO- http://http; done
