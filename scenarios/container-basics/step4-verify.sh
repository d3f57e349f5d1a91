#!/bin/bash
# Step 4 passes when /root/kernel.txt holds the version of the running kernel (the host's).
set -u

fail() {
  echo "FAIL: $1"
  if [ -n "${VERIFICATION_FAILURE_REASON:-}" ]; then echo "$1" > "$VERIFICATION_FAILURE_REASON"; fi
  exit 1
}

file=/root/kernel.txt
expected=$(uname -r)
[ -f "$file" ] || fail "There is no $file yet: run uname -r > $file."
actual=$(head -n 1 "$file" | tr -d '[:space:]')
[ -n "$actual" ] || fail "$file is empty: run uname -r > $file again."
[ "$actual" = "$expected" ] || fail "$file says \"$actual\", but the kernel is $expected (see uname -r)."
echo "The kernel is $expected, the host's."
