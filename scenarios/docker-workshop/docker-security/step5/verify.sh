#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
web=$(docker inspect -f '{{.Id}}' web 2>/dev/null) || fail "There is no container called web yet."
mode=$(docker inspect -f '{{.HostConfig.PidMode}}' debug 2>/dev/null) || fail "There is no container called debug yet."
[ "$mode" = "container:$web" ] || [ "$mode" = container:web ] || fail "debug does not share web's processes: --pid=container:web."
docker exec debug ps 2>/dev/null | grep -q nginx || fail "debug does not see nginx's processes."
