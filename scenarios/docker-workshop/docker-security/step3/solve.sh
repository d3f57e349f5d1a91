#!/bin/bash
docker run -d --name limited --pids-limit 20 busybox:1.35 sleep 3600
docker exec limited timeout 5 sh -c 'bomb() { bomb | bomb & }; bomb; wait' 2>&1 | tail -n 2
docker stats --no-stream limited
