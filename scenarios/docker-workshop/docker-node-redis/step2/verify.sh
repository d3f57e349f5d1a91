#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker inspect -f '{{.State.Running}}' app 2>/dev/null)" = true ] || fail "app does not run: docker logs app says why."
curl -s -m 3 localhost:3000 | grep -q 'viewed' || fail "The app does not answer on port 3000 yet."
