#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
ready=$(docker node ls --format '{{.Hostname}} {{.Status}}' 2>/dev/null | grep -c ' Ready$')
[ "$ready" -ge 2 ] || fail "The swarm has $ready ready node(s): join host02 (docker swarm join on host02)."
docker node ls --format '{{.Hostname}}' | grep -qx host02 || fail "host02 is not in the swarm yet."
