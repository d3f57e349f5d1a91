#!/bin/bash
set -e
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
docker run -d --name redis redis:7.0
