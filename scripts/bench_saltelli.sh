#!/usr/bin/env bash
# scripts/bench_saltelli.sh [--build DIR] [--work DIR] [--points N] [--jobs J]
#
# The sweep benchmark of docs/sweeps.md ("Scale"): a Saltelli design of the default 2D protocol
# (configs/default.yaml, 180 days) in 4 keys with N base samples (default 33: N (k + 2) = 198
# points), run locally J at a time with 1 thread each (default J = number of cores), then
# collected and analysed. Prints the wall time of each phase and the share of planning,
# collecting and analysis in the whole. The machine is named as it reports itself.
# WORK (default: a temporary directory, removed after) holds the sweep.
set -euo pipefail
build= work= points=33 jobs=$(nproc)
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?}; shift ;;
    --work) work=${2:?}; shift ;;
    --points) points=${2:?}; shift ;;
    --jobs) jobs=${2:?}; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_saltelli: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
cisim=${build:-$root/build}/cisim
[ -x "$cisim" ] || { echo "bench_saltelli: $cisim not found: build first" >&2; exit 2; }
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/cisim-saltelli.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
cat > "$work/spec.yaml" <<SPEC
# 4 rates of the default protocol around their registry values
base: $root/configs/default.yaml
mode: saltelli
points: $points
vary:
  microneedling.fibroblast.max_proliferation_per_day: {range: [0.6, 1.2]}
  microneedling.collagen.stimulated_production: {range: [2.2e-5, 9e-5], dist: log-uniform}
  microneedling.fibroblast.apoptosis_per_day: {range: [0.08, 0.16]}
  microneedling.signal.decay_per_day: {range: [7.5, 30], dist: log-uniform}
SPEC
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
now() { date +%s.%N; }
t0=$(now)
"$cisim" sweep plan "$work/spec.yaml" -o "$work/sw" > /dev/null
t1=$(now)
n=$(($(wc -l < "$work/sw/manifest.csv") - 1))
seq 0 $((n - 1)) | xargs -P "$jobs" -I{} "$cisim" sweep run "$work/sw" --task {} --threads 1 > /dev/null
t2=$(now)
"$cisim" sweep collect "$work/sw" > /dev/null
t3=$(now)
"$cisim" sweep analyze "$work/sw" > "$work/indices.txt"
t4=$(now)
awk -v p="$t0" -v a="$t1" -v r="$t2" -v c="$t3" -v z="$t4" -v n="$n" -v j="$jobs" \
    -v cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" -v cores="$(nproc)" 'BEGIN {
  printf "machine: %s, %d cores; %d points, %d at a time, 1 thread each\n", cpu, cores, n, j
  printf "plan %.2f s, runs %.1f s (%.2f s per point and core), collect %.2f s, analyze %.2f s\n",
         a - p, r - a, (r - a) * j / n, c - r, z - c
  printf "whole %.1f s; planning, collecting and analysis %.3f %% of it\n", z - p,
         100 * ((a - p) + (z - r)) / (z - p)
}'
