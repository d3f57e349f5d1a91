#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
user=$(docker image inspect -f '{{.Config.User}}' whoami:v1 2>/dev/null) || fail "There is no image whoami:v1 yet."
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "whoami:v1 runs as root: add a USER line."
[ "$(docker run --rm whoami:v1 id -u)" != 0 ] || fail "whoami:v1 still runs as uid 0."
[ "$(docker exec as-1000 id -u 2>/dev/null)" = 1000 ] || fail "There is no container as-1000 running as user 1000 yet (docker run -u 1000 ...)."
