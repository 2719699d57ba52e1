#!/usr/bin/env bash
# Memory per relayed flow of `jtcp forward` (10,000 concurrent connections by default), all of it
# released after close, and memory under a SYN flood: `jtcp bench flows` in a server namespace with
# its TUN in a client namespace, both made here and removed on exit.
#
#   sudo bench/flows.sh [jtcp bench flows options, e.g. --flows 10000 --syn-flood 100000]
#
# Needs root, ip and python3; addresses in 198.18.0.0/15 only.
set -euo pipefail
cd "$(dirname "$0")/.."
c=jtcp-flb-c-$$
s=jtcp-flb-s-$$
trap 'ip netns del "$c" 2>/dev/null || true; ip netns del "$s" 2>/dev/null || true' EXIT
ip netns add "$c"
ip netns add "$s"
ip -n "$c" link set lo up
ip -n "$s" link set lo up
ip -n "$s" addr add 198.19.0.10/32 dev lo
./jtcp --version >/dev/null
ip netns exec "$s" ./jtcp bench flows --netns "$c" "$@"
