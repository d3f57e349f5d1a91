#!/bin/bash
set -e
# A service update can race the swarm's own bookkeeping ("update out of sequence"): try again, as a person would.
retry() { for _ in 1 2 3 4 5; do "$@" && return 0; sleep 1; done; return 1; }
retry docker service update --detach=false --limit-cpu 0.5 --limit-memory 64mb http
retry docker service scale --detach=false http=5
