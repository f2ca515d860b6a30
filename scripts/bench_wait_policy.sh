#!/usr/bin/env bash
# The default run to day 10 on 1 and 2 threads, with cisim's default wait policy (waiting
# OpenMP threads sleep) and with spinning threads (OMP_WAIT_POLICY=active), interleaved, N
# repeats; prints every time and the medians. docs/performance.md quotes it.
#   usage: scripts/bench_wait_policy.sh [BUILD_DIR] [N]
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/cisim
N=${2:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
grep -m1 "model name" /proc/cpuinfo || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for rep in $(seq 1 "$N"); do
  for mode in "1 default" "2 default" "2 active"; do
    set -- $mode
    env=(env)
    [ "$2" = active ] && env+=(OMP_WAIT_POLICY=active)
    s=$(date +%s.%N)
    "${env[@]}" "$B" run configs/default.yaml --set time.end_day=10 -o "$T/w.h5" --force -q -j "$1" >/dev/null
    e=$(date +%s.%N)
    echo "$1 $2 $(echo "$e - $s" | bc)" | tee -a "$T/times"
  done
done
echo "medians (s):"
for mode in "1 default" "2 default" "2 active"; do
  grep "^$mode " "$T/times" | awk '{print $3}' | sort -g | awk -v m="$mode" '{a[NR]=$1} END {printf "  %-10s threads/policy: %.2f\n", m, a[int((NR+1)/2)]}'
done
