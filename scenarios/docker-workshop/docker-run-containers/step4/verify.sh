#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ -z "$(docker ps -aq --filter name='^redis$')" ] || fail "The redis container is still there: docker stop redis, then docker rm redis."
[ -n "$(docker ps -q --filter name='^web$')" ] || fail "Keep web running: only redis goes."
