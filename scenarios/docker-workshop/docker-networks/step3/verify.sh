#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker inspect -f '{{.State.Running}}' client 2>/dev/null)" = true ] || fail "There is no running container called client yet."
docker exec client ping -c 1 -W 2 redis >/dev/null 2>&1 || fail "client cannot reach redis by name: are both on skynet?"
