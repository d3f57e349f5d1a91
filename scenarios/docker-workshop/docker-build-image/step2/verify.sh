#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
docker image inspect hello-web:v0.1 >/dev/null 2>&1 || fail "There is no image hello-web:v0.1 yet: docker build -t hello-web:v0.1 ."
! docker image inspect hello-web:latest >/dev/null 2>&1 || fail "There is a hello-web:latest: tag your builds with a version (docker rmi hello-web:latest)."
