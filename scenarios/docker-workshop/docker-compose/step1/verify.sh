#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ -f /root/shop/docker-compose.yml ] || fail "There is no /root/shop/docker-compose.yml yet."
services=$(cd /root/shop && docker compose config --services 2>&1) || fail "Compose cannot read the file: $services"
grep -qx redis <<<"$services" && grep -qx app <<<"$services" || fail "The file needs two services, redis and app (it has: $(echo $services))."
