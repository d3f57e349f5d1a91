#!/bin/bash
# Step 3 passes when /root/hello.txt says "hello from <this host's name>".
set -u

fail() {
  echo "FAIL: $1"
  if [ -n "${VERIFICATION_FAILURE_REASON:-}" ]; then echo "$1" > "$VERIFICATION_FAILURE_REASON"; fi
  exit 1
}

file=/root/hello.txt
expected="hello from $(hostname)"
[ -f "$file" ] || fail "There is no $file yet: run the echo command that writes it."
actual=$(head -n 1 "$file" | sed 's/[[:space:]]*$//')
[ "$actual" = "$expected" ] || fail "$file says \"$actual\", but it should say \"$expected\"."
echo "$file says \"$actual\"."
