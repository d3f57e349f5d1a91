#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
nets=$(docker inspect -f '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}' redis 2>/dev/null) || fail "There is no container called redis."
grep -qw backend <<<"$nets" || fail "redis is not on the backend network yet."
docker inspect -f '{{json .NetworkSettings.Networks.backend.Aliases}}' redis | grep -q '"db"' || fail "redis has no alias db on backend: docker network connect --alias db backend redis."
! grep -qw skynet <<<"$nets" || fail "redis is still on skynet: docker network disconnect skynet redis."
