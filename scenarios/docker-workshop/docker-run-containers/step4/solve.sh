#!/bin/bash
set -e
docker stop redis
docker rm redis
docker system prune -f
