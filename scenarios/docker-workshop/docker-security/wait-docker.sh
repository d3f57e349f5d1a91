#!/bin/bash
# Waits (up to 30 s) for this host's Docker engine, which starts with the sandbox.
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done
echo "the Docker engine did not start: see /var/log/dockerd.log" >&2
exit 1
