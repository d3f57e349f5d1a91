#!/bin/bash
fail() { echo "FAIL: $1"; [ -n "${VERIFICATION_FAILURE_REASON:-}" ] && echo "$1" > "$VERIFICATION_FAILURE_REASON"; exit 1; }
f=/root/app/Dockerfile
[ -f "$f" ] || fail "There is no /root/app/Dockerfile yet."
from=$(grep -m1 -iE '^FROM ' "$f" | awk '{print $2}')
case "$from" in *:latest|"") fail "FROM needs an explicit tag, not ${from:-nothing}." ;; *:*) ;; *) fail "FROM $from has no tag: name one, such as node:18." ;; esac
manifests=$(grep -n -iE '^COPY .*package' "$f" | head -n1 | cut -d: -f1)
install=$(grep -n -iE '^RUN .*npm (ci|install)' "$f" | head -n1 | cut -d: -f1)
source=$(grep -n -iE '^COPY \. ' "$f" | head -n1 | cut -d: -f1)
[ -n "$manifests" ] && [ -n "$install" ] && [ -n "$source" ] || fail "The Dockerfile needs COPY package.json ..., RUN npm ci and COPY . . lines."
[ "$manifests" -lt "$install" ] && [ "$install" -lt "$source" ] || fail "Copy the manifests and install before copying the source (COPY . .), or every change to the code reinstalls the dependencies."
