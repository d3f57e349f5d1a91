#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
image=$(docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' http 2>/dev/null) || fail "There is no service called http."
case "$image" in dockyard/http-server:v2*|dockyard/http-server:v3*) ;; *) fail "http runs ${image%@*}: update it to dockyard/http-server:v2." ;; esac
[ "$(docker service inspect -f '{{.Spec.UpdateConfig.Parallelism}}' http)" = 1 ] || fail "http does not update one task at a time: --update-parallelism 1."
[ "$(docker service inspect -f '{{.Spec.UpdateConfig.Delay}}' http)" != 0s ] || fail "http updates with no delay between tasks: --update-delay 2s."
state=$(docker service inspect -f '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}' http)
[ "$state" = completed ] || fail "The rolling update is ${state:-not started}: look again in a moment (docker service ps http)."
