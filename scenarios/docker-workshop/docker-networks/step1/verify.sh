#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
driver=$(docker network inspect -f '{{.Driver}}' skynet 2>/dev/null) || fail "There is no network called skynet yet."
[ "$driver" = bridge ] || fail "skynet is a $driver network: make it a bridge (the default)."
