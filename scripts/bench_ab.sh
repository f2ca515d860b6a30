#!/usr/bin/env bash
# scripts/bench_ab.sh [--repeat N] [--no-run] OLD_CISIM NEW_CISIM
#
# Two builds side by side, alternated N times (default 5) so that a shared machine's drift hits
# both alike; prints the median and the minimum of each figure, with the CPU as /proc/cpuinfo
# names it and the load average before and after:
#   transport   `cisim bench --grid 128 128 64 --steps 5 --part kernels`, ns per cell·species·step
#               (a synthetic model: no partition, per-cell coefficients or surface hook), 1 and 2
#               threads;
#   reaction    `cisim bench --part microneedling --threads 1 --mn-steps 40`, the microneedling
#               reaction alone, ns per cell·species·half step (best sample and median sample);
#   default     `cisim run configs/default.yaml -j 1` and `-j 2`, wall seconds (each build with the config
#               of this checkout; an older build must accept it; --no-run: left out).
# Build the old one from a worktree, e.g.
#   git worktree add /tmp/old REV && cmake -S /tmp/old -B /tmp/old/build -DCMAKE_BUILD_TYPE=Release
#   cmake --build /tmp/old/build -j2 --target cisim
#   scripts/bench_ab.sh /tmp/old/build/cisim build/cisim
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
n=5 run=1
while [ $# -gt 2 ]; do
  case $1 in
    --repeat) n=$2; shift 2 ;;
    --no-run) run=0; shift ;;
    *) break ;;
  esac
done
[ $# = 2 ] || { echo "usage: bench_ab.sh [--repeat N] [--no-run] OLD_CISIM NEW_CISIM" >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
for b in "$old" "$new"; do [ -x "$b" ] || { echo "bench_ab: $b: not an executable" >&2; exit 2; }; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# each build with its own default wait policy (what a user gets) unless the caller sets one
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$n"); do
  for tag in old new; do
    bin=$old
    [ $tag = new ] && bin=$new
    "$bin" bench --grid 128 128 64 --steps 5 --threads 2 --part kernels 2>&1 |
      awk -v t=$tag '$1 == "1" || $1 == "2" {print t, "transport_" $1 "thread", $2}' >> "$tmp/rows"
    "$bin" bench --part microneedling --threads 1 --mn-steps 40 2>&1 |
      awk -v t=$tag '$1 == "1" {print t, "reaction_best", $2; print t, "reaction_median", $3}' >> "$tmp/rows"
    [ $run = 1 ] || continue
    for th in 1 2; do
      s=$(date +%s.%N)
      (cd "$tmp" && "$bin" run "$root/configs/default.yaml" -o "$tmp/d_$tag.h5" --force --quiet -j $th > /dev/null 2>&1) ||
        { echo "bench_ab: $bin: the default run failed" >&2; exit 1; }
      echo "$tag default_${th}thread_s $(echo "$(date +%s.%N) - $s" | bc)" >> "$tmp/rows"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $n runs of each, alternated"
awk '{v[$2 " " $1] = v[$2 " " $1] " " $3} END {for (k in v) print k, v[k]}' "$tmp/rows" | sort |
  while read -r what tag vals; do
    printf '%-22s %-4s median %8.3f  min %8.3f\n' "$what" "$tag" \
      "$(printf '%s\n' $vals | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}')" \
      "$(printf '%s\n' $vals | sort -g | head -1)"
  done
