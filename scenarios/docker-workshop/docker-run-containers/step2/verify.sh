#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
port=$(docker port port-redis 6379/tcp 2>/dev/null | head -n1) || fail "There is no container called port-redis yet."
[ "${port##*:}" = 12345 ] || fail "port-redis does not bind port 12345 to 6379 (docker port port-redis says: ${port:-nothing})."
reply=$(exec 3<>/dev/tcp/127.0.0.1/12345 && printf 'PING\r\n' >&3 && timeout 3 head -c 7 <&3) || true
[ "$(printf %s "$reply" | tr -d '\r\n')" = "+PONG" ] || fail "Redis does not answer on port 12345 yet."
