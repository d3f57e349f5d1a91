#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ] || fail "host01 is not in a swarm yet: docker swarm init."
[ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] || fail "host01 is not a manager."
