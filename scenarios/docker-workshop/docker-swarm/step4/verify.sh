#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
replicas=$(docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' http 2>/dev/null) || fail "There is no service called http."
[ "$replicas" -ge 5 ] || fail "http has $replicas replicas: docker service scale http=5."
[ "$(docker service inspect -f '{{.Spec.TaskTemplate.Resources.Limits.MemoryBytes}}' http)" = 67108864 ] || fail "http has no 64 MB memory limit yet: docker service update --limit-memory 64mb http."
[ "$(docker service inspect -f '{{.Spec.TaskTemplate.Resources.Limits.NanoCPUs}}' http)" = 500000000 ] || fail "http has no limit of half a CPU yet: docker service update --limit-cpu 0.5 http."
running=$(docker service ps http --filter desired-state=running --format '{{.CurrentState}}' | grep -c Running)
[ "$running" -ge 5 ] || fail "$running of the 5 tasks run so far: look again in a moment."
