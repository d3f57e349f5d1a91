#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
docker inspect -f '{{json .NetworkSettings.Networks.shop.Aliases}}' db 2>/dev/null | grep -q '"redis"' || fail "db has no alias redis on the shop network yet."
curl -s -m 3 localhost:3001 | grep -q 'viewed' || fail "Nothing answers on port 3001: run app2 again now that db answers to redis."
