#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
left=$(docker ps -aq --filter label=com.docker.compose.project=shop | wc -l)
[ "$left" -eq 0 ] || fail "$left container(s) of the shop project are still there: docker compose down."
