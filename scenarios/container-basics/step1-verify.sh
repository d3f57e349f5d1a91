#!/bin/bash
# Step 1 passes when /root/pid1.txt holds the command name of PID 1 (tini in the Dockyard sandbox).
set -u

fail() {
  echo "FAIL: $1"
  if [ -n "${VERIFICATION_FAILURE_REASON:-}" ]; then echo "$1" > "$VERIFICATION_FAILURE_REASON"; fi
  exit 1
}

file=/root/pid1.txt
expected=$(ps -o comm= -p 1 | tr -d '[:space:]')
[ -f "$file" ] || fail "There is no $file yet: run the ps -o comm= -p 1 > $file command."
actual=$(tr -d '[:space:]' < "$file")
[ -n "$actual" ] || fail "$file is empty: run the ps -o comm= -p 1 > $file command again."
[ "$actual" = "$expected" ] || fail "$file says \"$actual\", but PID 1 is \"$expected\"."
echo "PID 1 is $expected."
