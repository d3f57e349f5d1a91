#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
state=$(docker inspect -f '{{.State.Running}} {{.Config.Image}}' redis 2>/dev/null) || fail "There is no container called redis yet."
[ "${state%% *}" = true ] || fail "The redis container is not running: did you start it with -d?"
[ "${state#* }" = redis:7.0 ] || fail "The redis container runs ${state#* }, not redis:7.0."
