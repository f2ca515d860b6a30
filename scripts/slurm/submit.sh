#!/usr/bin/env bash
# Submit the points of a planned sweep that are still to run (interrupted, failed or never
# started; done and running points are left alone) as Slurm job arrays of sweep.sbatch.
#
#   scripts/slurm/submit.sh DIR [--max-running K] [--dry-run] [SBATCH OPTIONS...]
#
# The first submission runs every point; after a cancellation, a node failure or failed
# points, the same command submits only what is missing. Arrays are split so that no index
# exceeds the cluster's MaxArraySize (each part runs points OFFSET + index). SBATCH OPTIONS
# (e.g. --time=4:00:00 --cpus-per-task=4 --partition=short) override the template's #SBATCH
# lines. CISIM=/path/to/cisim selects the program (default: cisim on PATH, else build/cisim,
# else the installed one beside this script's share/cisim).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
case "$1" in -h|--help) usage ;; esac
[ -d "$1" ] || { echo "submit.sh: $1: no such sweep directory" >&2; exit 2; }
dir=$(cd "$1" && pwd)
shift
throttle="" dry=0 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max-running) [ $# -ge 2 ] || usage; throttle="%$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    *) extra+=("$1"); shift ;;
  esac
done

cisim=${CISIM:-}
if [ -z "$cisim" ]; then
  if command -v cisim > /dev/null; then cisim=$(command -v cisim)
  elif [ -x "$here/../../build/cisim" ]; then cisim=$(cd "$here/../../build" && pwd)/cisim
  # installed: PREFIX/share/cisim/scripts/slurm/submit.sh beside PREFIX/bin/cisim
  elif [ -x "$here/../../../../bin/cisim" ]; then cisim=$(cd "$here/../../../../bin" && pwd)/cisim
  else echo "submit.sh: cisim not found: put it on PATH or set CISIM=/path/to/cisim" >&2; exit 2; fi
fi

todo=$("$cisim" sweep status "$dir" --todo)
if [ -z "$todo" ]; then
  echo "submit.sh: nothing to run in $dir"
  "$cisim" sweep status "$dir" | head -1
  exit 0
fi

max=1001 # Slurm's default MaxArraySize
if command -v scontrol > /dev/null; then
  # no controller answering is not an error for --dry-run: say so and use the default
  if conf=$(scontrol show config 2>/dev/null); then
    m=$(awk '$1 == "MaxArraySize" {print $3}' <<< "$conf")
    [ -n "$m" ] && max=$m
  else
    echo "submit.sh: no Slurm controller answers (scontrol show config failed): arrays split" \
         "for MaxArraySize $max, Slurm's default" >&2
  fi
else
  echo "submit.sh: scontrol not found: arrays split for MaxArraySize $max, Slurm's default" >&2
fi
if [ "$dry" = 0 ] && ! command -v sbatch > /dev/null; then
  echo "submit.sh: sbatch not found: not on a Slurm cluster? (--dry-run prints the commands)" >&2
  exit 2
fi

# "3,7-9,1200" -> one line "OFFSET LIST" per block of MaxArraySize indices, the list relative
# to the offset.
parts=$(echo "$todo" | tr ',' '\n' | awk -F- -v max="$max" '
  { lo = $1; hi = (NF > 1 ? $2 : $1); for (i = lo; i <= hi; i++) print i }' |
  awk -v max="$max" '
  function flush() { if (n) print cur, list; n = 0; list = "" }
  function add(a, b) { list = list (n++ ? "," : "") (a == b ? a : a "-" b) }
  NR == 1 { cur = int($1 / max) * max }
  { off = int($1 / max) * max; r = $1 - off
    if (off != cur) { if (have) { add(a, b); flush() } cur = off; have = 0 }
    if (have && r == b + 1) b = r; else { if (have) add(a, b); a = r; b = r; have = 1 } }
  END { if (have) { add(a, b); flush() } }')

while read -r off list; do
  cmd=(sbatch --parsable "--array=$list$throttle" "--export=ALL,CISIM=$cisim,CISIM_SWEEP_OFFSET=$off"
       "${extra[@]}" "$here/sweep.sbatch" "$dir")
  if [ "$dry" = 1 ]; then
    printf '%q ' "${cmd[@]}"; echo
  else
    jid=$("${cmd[@]}")
    echo "submitted job $jid: points $off + [$list] of $dir"
  fi
done <<< "$parts"
