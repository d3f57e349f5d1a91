#!/bin/bash
set -e
docker service update --detach=false --limit-cpu 0.5 --limit-memory 64mb http
docker service scale --detach=false http=5
