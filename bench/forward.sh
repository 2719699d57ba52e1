#!/usr/bin/env bash
# Relayed throughput of `jtcp forward` against the kernel routing the same traffic, in one run.
#
#   sudo bench/forward.sh [BYTES] [ROUNDS] [-- extra jtcp forward options]   (default 1 GiB, 3 rounds)
#
# Two namespaces: the client's (curl) and the server's (bench/bytes_server.py on 198.19.0.10 and
# .11, addresses of its loopback). The kernel path: a veth pair, the client routes 198.19.0.10 over
# it and the server's kernel answers. The relayed path: `jtcp forward` runs in the server namespace
# with its TUN in the client's, the client routes 198.19.0.11 into the TUN, and jtcp relays each
# connection through its own sockets. First one relayed download of BYTES is checked by SHA-256;
# then each round downloads BYTES by each path into /dev/null (so the client's hashing does not
# limit the figure) and prints MB/s; the last line gives the medians and the ratio, with the load.
# Needs root, ip, curl, python3; addresses in 198.18.0.0/15 only.
set -euo pipefail
cd "$(dirname "$0")/.."
bytes=${1:-1073741824}
rounds=${2:-3}
shift $(( $# > 2 ? 2 : $# )) || true
[[ ${1:-} == -- ]] && shift
extra=("$@")
c=jtcp-fwb-c-$$
s=jtcp-fwb-s-$$
tmp=$(mktemp -d)
cleanup() {
  [[ -n ${fwd:-} ]] && kill "$fwd" 2>/dev/null && wait "$fwd" 2>/dev/null
  [[ -n ${srv:-} ]] && kill "$srv" 2>/dev/null
  ip netns del "$c" 2>/dev/null || true
  ip netns del "$s" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$c"
ip netns add "$s"
ip -n "$c" link set lo up
ip -n "$s" link set lo up
ip -n "$s" addr add 198.19.0.10/32 dev lo
ip -n "$s" addr add 198.19.0.11/32 dev lo
ip link add fwb-c$$ netns "$c" type veth peer name fwb-s$$ netns "$s"
ip -n "$c" addr add 198.18.9.1/24 dev fwb-c$$
ip -n "$s" addr add 198.18.9.2/24 dev fwb-s$$
ip -n "$c" link set fwb-c$$ up
ip -n "$s" link set fwb-s$$ up
ip -n "$c" route add 198.19.0.10/32 via 198.18.9.2

ip netns exec "$s" python3 bench/bytes_server.py 0.0.0.0 8000 >"$tmp/srv.out" 2>&1 &
srv=$!
./jtcp --version >/dev/null 2>&1 || true   # builds the CLI once, outside the timing
ip netns exec "$s" ./jtcp forward --netns "$c" --quiet "${extra[@]}" 2>"$tmp/fwd.err" &
fwd=$!
for _ in $(seq 300); do grep -q forwarding "$tmp/fwd.err" 2>/dev/null && grep -q ready "$tmp/srv.out" && break; sleep 0.1; done
grep -q forwarding "$tmp/fwd.err" || { cat "$tmp/fwd.err" >&2; exit 1; }
ip -n "$c" route add 198.19.0.11/32 dev jtcp0

want=$(python3 bench/bytes_server.py --sha256 "$bytes")
# One download: prints MB/s (10^6 bytes per second), fails if the digest differs.
fetch() {
  ip netns exec "$c" curl -sS --fail --max-time 600 -w '%{speed_download}' -o /dev/null "http://$1:8000/$bytes" \
    | python3 -c 'import sys; print(f"{float(sys.stdin.read())/1e6:.0f}")'
}
mkfifo "$tmp/fifo"
ip netns exec "$c" sh -c "curl -sS --fail --max-time 600 -o '$tmp/fifo' http://198.19.0.11:8000/$bytes & sha256sum <'$tmp/fifo' >'$tmp/sum'; wait \$!"
sum=$(cut -d' ' -f1 "$tmp/sum")
[[ $sum == "$want" ]] || { echo "SHA-256 mismatch through jtcp forward: $sum" >&2; exit 1; }
echo "$bytes bytes through jtcp forward: SHA-256 ok"
kernel=()
relay=()
for r in $(seq "$rounds"); do
  k=$(fetch 198.19.0.10)
  j=$(fetch 198.19.0.11)
  kernel+=("$k")
  relay+=("$j")
  echo "round $r: kernel routing $k MB/s, jtcp forward $j MB/s"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mk=$(median "${kernel[@]}")
mj=$(median "${relay[@]}")
echo "median: kernel routing $mk MB/s, jtcp forward $mj MB/s, ratio $(python3 -c "print(f'{$mj/$mk:.3f}')") ($(uptime | sed 's/.*load/load/'))"
