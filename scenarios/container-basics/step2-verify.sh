#!/bin/bash
# Step 2 passes when /root/ip.txt holds the IPv4 address of eth0.
set -u

fail() {
  echo "FAIL: $1"
  if [ -n "${VERIFICATION_FAILURE_REASON:-}" ]; then echo "$1" > "$VERIFICATION_FAILURE_REASON"; fi
  exit 1
}

file=/root/ip.txt
expected=$(ip -4 -o addr show dev eth0 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
if [ -z "$expected" ]; then
  # No eth0 (an unusual network setup): take the first global IPv4 address instead.
  expected=$(ip -4 -o addr show scope global 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
fi
[ -n "$expected" ] || fail "This container has no IPv4 address on eth0, so there is nothing to compare with."
[ -f "$file" ] || fail "There is no $file yet: run the hostname -I command that writes it."
actual=$(head -n 1 "$file" | tr -d '[:space:]')
[ -n "$actual" ] || fail "$file is empty: run the hostname -I command that writes it again."
[ "$actual" = "$expected" ] || fail "$file says \"$actual\", but eth0 has the address $expected (see ip addr)."
echo "eth0 has the address $expected."
