#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
[ "$(docker inspect -f '{{.State.Running}}' ro 2>/dev/null)" = true ] || fail "There is no running container called ro yet."
[ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' ro)" = true ] || fail "ro's root file system is writable: start it with --read-only."
docker inspect -f '{{range .Mounts}}{{.Destination}} {{end}}' ro | grep -qw /data || fail "ro has no volume on /data."
[ -s /root/data/log ] || fail "Nothing has been written to /root/data/log yet."
