#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
limit=$(docker inspect -f '{{.HostConfig.PidsLimit}}' limited 2>/dev/null) || fail "There is no container called limited yet."
[ "$limit" -gt 0 ] 2>/dev/null && [ "$limit" -le 100 ] || fail "limited has no small pids limit (it has: ${limit:-none}): docker run --pids-limit 20 ..."
[ "$(docker inspect -f '{{.State.Running}}' limited)" = true ] || fail "limited is not running."
