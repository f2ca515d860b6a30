#!/usr/bin/env bash
# Share of run time spent writing output (hdf5out: field and series writes, compression,
# flushes, the XDMF sidecar) with weekly snapshots, for configs/default.yaml (2D) and a 3D pen
# (configs/pen_3d.yaml; coarser and shorter by default so that it takes about a minute). The
# target (issue 4) is under 10 %. `cisim run` reports the same numbers in its "done" line.
# usage: scripts/bench_io.sh [PATH/TO/cisim] [THREADS]   (env PEN_SETS overrides the 3D --set's)
set -eu
CISIM=${1:-build/cisim}
J=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PEN_SETS=${PEN_SETS:---set grid.spacing_um=25 --set time.end_day=28}
one() {
  local name=$1; shift
  local line
  line=$("$CISIM" run "$@" --set time.output_every_day=7 -j "$J" -o "$T/run.h5" 2>&1 >/dev/null | grep "cisim: done:")
  rm -f "$T/run.h5" "$T/run.xmf"
  # "... 12.34 s (output 0.56 s, 4.5 %) -> ..."
  echo "$line" | sed -n "s/.*, \([0-9.]*\) s (output \([0-9.]*\) s, \([0-9.]*\) %).*/$name: total \1 s, output \2 s: I\/O share \3 %/p"
}
echo "# I/O share, weekly snapshots, $J thread(s), $(hostname)"
one "default.yaml (2D, 180 days)" "$ROOT/configs/default.yaml"
# shellcheck disable=SC2086
one "pen_3d.yaml (3D, $PEN_SETS)" "$ROOT/configs/pen_3d.yaml" $PEN_SETS
