#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
image=$(docker inspect -f '{{.Config.Image}}' hello 2>/dev/null) || fail "There is no container called hello."
[ "$image" != hello-web:v0.1 ] || fail "hello still runs v0.1, which listens on 127.0.0.1 only: build v0.2 and run that."
curl -s -m 3 localhost:3000 | grep -q '^Hello from ' || fail "Nothing answers on port 3000: does the app listen on 0.0.0.0?"
