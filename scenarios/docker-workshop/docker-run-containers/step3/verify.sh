#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
image=$(docker inspect -f '{{.Config.Image}}' web 2>/dev/null) || fail "There is no container called web yet."
[ "$image" = nginx:1.22 ] || fail "web runs $image: run nginx:1.22, with its tag."
[ "$(docker port web 80/tcp 2>/dev/null | head -n1 | sed 's/.*://')" = 8080 ] || fail "web does not bind port 8080 to port 80."
docker logs web 2>/dev/null | grep -q '"GET / ' || fail "web has served no page yet: curl localhost:8080, then look at docker logs web."
