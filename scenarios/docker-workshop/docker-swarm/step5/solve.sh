#!/bin/bash
set -e
docker service update --detach=false --update-delay 2s --update-parallelism 1 --image dockyard/http-server:v2 http
docker service update --detach=false --image dockyard/http-server:v3 http
for i in 1 2 3; do docker run --rm --network skynet busybox:1.35 wget -qO- http://http; done
