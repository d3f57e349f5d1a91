#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker inspect -f '{{.State.Running}}' nocaps 2>/dev/null)" = true ] || fail "There is no running container called nocaps yet."
docker inspect -f '{{.HostConfig.CapDrop}}' nocaps | grep -qiw all || fail "nocaps keeps its capabilities: --cap-drop ALL."
[ "$(docker exec nocaps awk '/^CapEff/ {print $2}' /proc/1/status)" = 0000000000000000 ] || fail "nocaps still has capabilities."
