#!/bin/bash
set -e
# A service update can race the swarm's own bookkeeping ("update out of sequence"): try again, as a person would.
retry() { for _ in 1 2 3 4 5; do "$@" && return 0; sleep 2; done; return 1; }
retry docker service update --detach=false --update-delay 2s --update-parallelism 1 --image dockyard/http-server:v2 http
for i in 1 2 3; do docker run --rm --network skynet busybox:1.35 wget -qO- http://http; done
