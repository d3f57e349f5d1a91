#!/bin/bash
set -e
docker network create backend
docker network connect --alias db backend redis
docker run --rm --net backend busybox:1.35 ping -c 2 db
docker network disconnect skynet redis
