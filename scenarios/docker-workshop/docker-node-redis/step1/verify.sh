#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' app 2>/dev/null) || fail "There is no container called app yet."
[ "$state" != "running 0" ] || fail "app is still starting: look again in a moment (docker ps -a)."
[ "${state#* }" != 0 ] || fail "app did not fail? Look at docker logs app."
docker logs app 2>&1 | grep -q redis || fail "Look at docker logs app: what is it looking for?"
