#!/bin/bash
docker run --rm --cap-drop ALL busybox:1.35 chown nobody /tmp; echo "exit code $?"
docker run -d --name nocaps --cap-drop ALL busybox:1.35 sleep 3600
