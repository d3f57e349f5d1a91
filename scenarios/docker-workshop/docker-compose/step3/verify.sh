#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
cd /root/shop 2>/dev/null || fail "There is no /root/shop."
n=$(docker compose ps -q redis 2>/dev/null | wc -l)
[ "$n" -eq 3 ] || fail "The redis service has $n container(s): docker compose up -d --scale redis=3."
