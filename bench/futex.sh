#!/usr/bin/env bash
# futex system calls of the jtcp process (not its child JVMs; recorded system-wide, counted for its pid) per lifecycle or per MB, in
# `jtcp bench tun`: two runs of the bench that differ only in their number of measured runs (1
# and 1 + EXTRA), each recorded with `perf record -e syscalls:sys_enter_futex`; the difference in
# calls divided by the difference in work is the marginal cost, free of start-up, warm-up and JIT.
#
#   sudo bench/futex.sh lifecycles|push|pull [EXTRA runs, default 2] [more bench tun options]
#
# e.g. `bench/futex.sh lifecycles 2 --jtcp-server threads` for the thread-per-connection server
# (the default is jtcp's handlers on its event loop). LIFECYCLE_MS and MB set the sizes.
#
# Needs root and perf (linux-tools) with the syscalls tracepoints.
set -euo pipefail
cd "$(dirname "$0")/.."
figure=${1:?usage: bench/futex.sh lifecycles|push|pull [EXTRA] [options]}
extra=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
command -v perf >/dev/null || { echo "futex.sh: needs perf (apt-get install linux-tools-generic)" >&2; exit 1; }
./jtcp --version >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints "FUTEX_CALLS WORK LOOP APP OTHER": futex calls of the jtcp JVM alone, the jtcp work of the
# measured runs (lifecycles, or MB), and the calls by thread: the event loop, the application's
# (virtual threads' carriers), the rest (GC, JIT, the bench's own main thread).
measure() {
  local runs=$1
  shift
  ./jtcp bench tun --figures "$figure" --runs "$runs" --in-process off "$@" >"$tmp/out" 2>"$tmp/err" &
  local pid=$!
  perf record -q -a -e syscalls:sys_enter_futex -o "$tmp/perf.data" >/dev/null 2>&1 &
  local perf=$!
  wait "$pid"
  kill -INT "$perf" 2>/dev/null || true
  wait "$perf" 2>/dev/null || true
  local calls
  calls=$(perf script -i "$tmp/perf.data" -F pid,comm 2>/dev/null | awk -v p="$pid" '$NF == p {
      n++; if ($1 ~ /^jtcp-loop/) l++; else if ($1 ~ /^ForkJoinPool/) a++; else o++ }
      END { print n + 0, l + 0, a + 0, o + 0 }')
  local work
  work=$(awk -v f="$figure" -v ms="${LIFECYCLE_MS:-2000}" -v mb="${MB:-100}" \
    '$1 == "run" && $3 == "jtcp" && $4 == f { w += (f == "lifecycles") ? $5 * ms / 1000 : mb } END { print w + 0 }' "$tmp/err")
  set -- $calls
  echo "$1 $work $2 $3 $4"
}
case " $* " in
  *" --jtcp-server "*) ;;
  *) set -- --jtcp-server loop "$@" ;;
esac
read -r c1 w1 l1 a1 o1 < <(measure 1 --lifecycle-ms "${LIFECYCLE_MS:-2000}" --mb "${MB:-100}" "$@")
read -r c2 w2 l2 a2 o2 < <(measure $((1 + extra)) --lifecycle-ms "${LIFECYCLE_MS:-2000}" --mb "${MB:-100}" "$@")
awk -v c1="$c1" -v w1="$w1" -v c2="$c2" -v w2="$w2" -v f="$figure" -v l="$((l2 - l1))" -v a="$((a2 - a1))" \
    -v o="$((o2 - o1))" 'BEGIN {
  unit = (f == "lifecycles") ? "lifecycle" : "MB"
  d = w2 - w1
  printf "futex calls of the jtcp process: %d over %.0f %ss, %d over %.0f; marginal %.2f per %s", c1, w1, unit, c2, w2, (c2 - c1) / d, unit
  printf " (event loop %.2f, application carriers %.2f, other threads %.2f)\n", l / d, a / d, o / d
}'
