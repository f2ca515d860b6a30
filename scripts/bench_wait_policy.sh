#!/usr/bin/env bash
# The default run to day 10 on 1 and 2 threads with cisim's default wait policy (waiting
# OpenMP threads spin GOMP_SPINCOUNT=1000 rounds, then sleep), with threads that sleep at once
# (OMP_WAIT_POLICY=passive, the default before) and with spinning threads
# (OMP_WAIT_POLICY=active), interleaved, N repeats; with --load K, K busy loops compete for
# the cores meanwhile (a shared node). Prints every time and the medians.
# docs/performance.md quotes it.
#   usage: scripts/bench_wait_policy.sh [--load K] [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
load=0
if [ "${1:-}" = --load ]; then load=${2:?--load needs a number}; shift 2; fi
B=${1:-build}/cisim
N=${2:-3}
T=$(mktemp -d)
hogs=()
cleanup() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
grep -m1 "model name" /proc/cpuinfo || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); competing busy loops: $load"
for _ in $(seq 1 "$load"); do (while :; do :; done) & hogs+=($!); done
modes=("1 default" "2 default" "2 passive" "2 active")
for rep in $(seq 1 "$N"); do
  for mode in "${modes[@]}"; do
    set -- $mode
    env=(env)
    [ "$2" = default ] || env+=(OMP_WAIT_POLICY="$2")
    s=$(date +%s.%N)
    "${env[@]}" "$B" run configs/default.yaml --set time.end_day=10 -o "$T/w.h5" --force -q -j "$1" >/dev/null 2>&1
    e=$(date +%s.%N)
    echo "$1 $2 $(echo "$e - $s" | bc)" | tee -a "$T/times"
  done
done
echo "medians (s):"
for mode in "${modes[@]}"; do
  grep "^$mode " "$T/times" | awk '{print $3}' | sort -g | awk -v m="$mode" '{a[NR]=$1} END {printf "  %-10s threads/policy: %.2f\n", m, a[int((NR+1)/2)]}'
done
