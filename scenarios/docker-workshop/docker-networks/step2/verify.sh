#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
docker inspect redis >/dev/null 2>&1 || fail "There is no container called redis yet."
docker inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' redis | grep -qw skynet || fail "redis is not on skynet: docker run ... --net skynet."
