#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
cd /root/shop 2>/dev/null || fail "There is no /root/shop."
[ -n "$(docker compose ps -q app 2>/dev/null)" ] || fail "The app service does not run: docker compose up -d."
curl -s -m 3 localhost:3000 | grep -q viewed || fail "The app does not answer on port 3000 yet: docker compose logs app."
