#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
grep -qxE 'node_modules/?' /root/app/.dockerignore 2>/dev/null || fail "/root/app/.dockerignore does not list node_modules yet."
docker image inspect hello-web:v0.3 >/dev/null 2>&1 || fail "There is no image hello-web:v0.3 yet."
files=$(docker run --rm hello-web:v0.3 ls -A /app)
! grep -qx npm-debug.log <<<"$files" || fail "hello-web:v0.3 still holds npm-debug.log: ignore *.log and build again."
! docker run --rm hello-web:v0.3 test -e /app/node_modules/left-over || fail "hello-web:v0.3 still holds the left-over node_modules: build again after writing .dockerignore."
