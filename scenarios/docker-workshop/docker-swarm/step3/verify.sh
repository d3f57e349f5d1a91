#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker network inspect -f '{{.Driver}}' skynet 2>/dev/null)" = overlay ] || fail "There is no overlay network called skynet yet."
docker service inspect http >/dev/null 2>&1 || fail "There is no service called http yet."
docker service inspect -f '{{range .Spec.TaskTemplate.Networks}}{{.Target}} {{end}}' http | grep -q "$(docker network inspect -f '{{.Id}}' skynet)" || fail "The service http is not on skynet."
nodes=$(docker service ps http --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' | grep Running | awk '{print $1}' | sort -u | wc -l)
[ "$nodes" -ge 2 ] || fail "The service's tasks do not run on both nodes yet (docker service ps http)."
