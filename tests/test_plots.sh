#!/usr/bin/env bash
# Plot scripts: scripts/plot_run.py and scripts/plot_compare.py on two small runs (and plot_run.py
# on a short run and a small 3D block; no legend over a layer name or axis label: plot_legends.py).
#
# usage: tests/test_plots.sh BUILD_DIR
#
# Makes two short, coarse microneedling runs (configs/single_channel.yaml, 3 days, 50 µm cells;
# the second with shorter needles; model diffusion if microneedling cannot run), plots them, and
# checks that every expected PNG exists, has the expected pixel size and is not blank; that a
# non-cisim or missing file gives exit status 2 and one line without a traceback; and that a
# python3 without h5py re-runs the script with /usr/bin/python3, or says clearly what to install.
# Needs /usr/bin/python3 with h5py, numpy and matplotlib (Debian: python3-h5py python3-numpy
# python3-matplotlib); without one it says so and passes (nothing to test). Prints
# "N passed, M failed"; exit status 1 on any failure.
set -u

BUILD=${1:?usage: test_plots.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
CISIM=$BUILD/cisim
[ -x "$CISIM" ] || CISIM=$BUILD/sim/cisim
[ -x "$CISIM" ] || { echo "test_plots: no cisim executable in $BUILD"; exit 1; }
PLOT_RUN=$SRC/scripts/plot_run.py
PLOT_CMP=$SRC/scripts/plot_compare.py
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} OMP_WAIT_POLICY=PASSIVE
unset CISIM_PLOT_REEXEC CISIM_PYTHON

# The interpreter with the three modules: /usr/bin/python3 (what the scripts re-exec into).
PY=/usr/bin/python3
if ! { [ -x "$PY" ] && "$PY" -c 'import h5py, numpy, matplotlib' 2>/dev/null; }; then
  echo "test_plots: SKIPPED: /usr/bin/python3 with h5py, numpy and matplotlib is not available"
  echo "(Debian: apt-get install python3-h5py python3-numpy python3-matplotlib)"
  echo "0 passed, 0 failed"
  exit 0
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cisim_plots.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok    $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL  $*"; }

# PNG checker: PATH W H. A valid PNG of exactly W x H pixels, not blank: grey
# levels spread (std > 0.03), many distinct colours, and some coloured (non-grey) pixels.
cat > "$TMP/check_png.py" <<'EOF'
import sys
import numpy as np
import matplotlib.image as mpimg
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    a = mpimg.imread(path)
except Exception as e:
    print("not a readable PNG: %s" % e)
    sys.exit(1)
if a.ndim != 3 or a.shape[2] < 3:
    print("not an RGB(A) image: shape %s" % (a.shape,))
    sys.exit(1)
rgb = a[..., :3].astype(float)
if rgb.max() > 1.0:
    rgb /= 255.0
problems = []
if (a.shape[1], a.shape[0]) != (w, h):
    problems.append("size %dx%d, expected %dx%d" % (a.shape[1], a.shape[0], w, h))
std = float(rgb.std())
if std < 0.03:
    problems.append("blank: pixel standard deviation %.4f" % std)
colours = np.unique((rgb * 255).astype(np.uint8).reshape(-1, 3), axis=0).shape[0]
if colours < 50:
    problems.append("only %d distinct colours" % colours)
spread = rgb.max(axis=2) - rgb.min(axis=2)
coloured = float(np.mean(spread > 0.25))
if coloured < 0.001:
    problems.append("no coloured pixels (%.5f)" % coloured)
if problems:
    print("; ".join(problems))
    sys.exit(1)
print("%dx%d, std %.3f, %d colours, %.1f %% coloured" % (w, h, std, colours, 100 * coloured))
EOF
check_png() {  # NAME PATH W H
  local out
  if [ ! -f "$2" ]; then bad "$1: $2 missing"; return; fi
  if out=$("$PY" "$TMP/check_png.py" "$2" "$3" "$4" 2>&1); then ok "$1: $out"
  else bad "$1: $out"; fi
}

# ---- two small runs ---------------------------------------------------------------------------
MODE=microneedling
cp "$SRC/configs/single_channel.yaml" "$TMP/small.yaml"
SMALL=(--set time.end_day=3 --set time.output_every_day=0.5 --set grid.spacing_um=50
       --set "grid.size_um=[3000,2500]" --quiet --force)
if "$CISIM" run "$TMP/small.yaml" -o "$TMP/a.h5" "${SMALL[@]}" > "$TMP/run_a.log" 2>&1 &&
   "$CISIM" run "$TMP/small.yaml" -o "$TMP/b.h5" "${SMALL[@]}" \
     --set protocol.device.needle_length_um=1000 > "$TMP/run_b.log" 2>&1; then
  ok "two small microneedling runs"
else
  echo "note: microneedling did not run ($(tail -n 1 "$TMP/run_a.log" "$TMP/run_b.log" 2>/dev/null |
        tr '\n' ' ')); falling back to model diffusion"
  MODE=diffusion
  cp "$SRC/configs/diffusion_channel.yaml" "$TMP/small.yaml"
  SMALL=(--set grid.spacing_um=50 --set time.end_day=1 --quiet --force)
  if "$CISIM" run "$TMP/small.yaml" -o "$TMP/a.h5" "${SMALL[@]}" > "$TMP/run_a.log" 2>&1 &&
     "$CISIM" run "$TMP/small.yaml" -o "$TMP/b.h5" "${SMALL[@]}" \
       --set diffusion.decay_per_day=5 > "$TMP/run_b.log" 2>&1; then
    ok "two small diffusion runs (fallback)"
  else
    bad "no run could be made: $(tail -n 2 "$TMP/run_a.log" "$TMP/run_b.log")"
    echo "$PASS passed, $FAIL failed"
    exit 1
  fi
fi

# ---- plot_run.py ------------------------------------------------------------------------------
# Expected names and sizes at --dpi 100 (figure sizes are fixed by the layout in plot_run.py:
# the change map is 3 panels of 4.2 in + 1.5 in wide, 4.2 × depth/width + 1.9 in high).
if [ "$MODE" = microneedling ]; then
  MAP=collagen_change_map.png; MAP_W=1410; MAP_H=540; MAP2_W=990; DAYS=1,3
  PROF=collagen_depth_profiles.png; PROF_W=1100; PROF_H=640
  LAYERS_H=930
else
  MAP=c_map.png; MAP_W=1410; MAP_H=510; MAP2_W=990; DAYS=0.5,1
  PROF=c_depth_profiles.png; PROF_W=650; PROF_H=640
  LAYERS_H=410
fi

if "$PY" "$PLOT_RUN" "$TMP/a.h5" -o "$TMP/fig" --dpi 100 > "$TMP/pr.out" 2> "$TMP/pr.err"; then
  ok "plot_run.py exits 0"
else
  bad "plot_run.py exit status $?: $(cat "$TMP/pr.err")"
fi
grep -q Traceback "$TMP/pr.err" && bad "plot_run.py printed a traceback: $(cat "$TMP/pr.err")"
for f in "$MAP" "$PROF" layers_over_time.png; do
  if grep -qx "$TMP/fig/$f" "$TMP/pr.out"; then ok "plot_run.py prints the path of $f"
  else bad "plot_run.py did not print $TMP/fig/$f: $(cat "$TMP/pr.out")"; fi
done
check_png "change map" "$TMP/fig/$MAP" $MAP_W $MAP_H
check_png "depth profiles" "$TMP/fig/$PROF" $PROF_W $PROF_H
check_png "layers over time" "$TMP/fig/layers_over_time.png" 1100 $LAYERS_H

# --days: two maps; the default directory RUN_figures next to the run file.
if "$PY" "$PLOT_RUN" "$TMP/a.h5" --days $DAYS --dpi 100 > "$TMP/pr2.out" 2> "$TMP/pr2.err"; then
  check_png "change map, --days $DAYS, default directory" "$TMP/a_figures/$MAP" $MAP2_W $MAP_H
else
  bad "plot_run.py --days $DAYS: exit status $?: $(cat "$TMP/pr2.err")"
fi

# A short run with a session planned after its end and one map: at least 7 in wide (the title
# must not wrap to six lines nor the legend be cut off), and constrained layout must not give
# up (it did when a session label lay far outside the axes: the legend then covered a label).
if [ "$MODE" = microneedling ] &&
   "$CISIM" run "$TMP/small.yaml" -o "$TMP/c.h5" "${SMALL[@]}" --set time.end_day=1 \
     --set "protocol.sessions.day=[0, 28]" > "$TMP/run_c.log" 2>&1; then
  if "$PY" -W error::UserWarning "$PLOT_RUN" "$TMP/c.h5" --days 1 -o "$TMP/figc" --dpi 100 \
       > "$TMP/pr3.out" 2> "$TMP/pr3.err"; then
    ok "plot_run.py on a short run with a session after its end: no layout warning"
  else
    bad "plot_run.py on a short run: exit $? $(tail -n 3 "$TMP/pr3.err")"
  fi
  # 7 in hold two legend entries a line: three entries take two lines, 0.3 in more
  check_png "one change map of a short run" "$TMP/figc/$MAP" 700 $((MAP_H + 30))
fi

# A 3D run (a small block of configs/pen_3d.yaml): every figure, from a slice through the first
# puncture; in no figure of these runs does a legend cover a layer name or an axis label.
LEGEND_RUNS=("$TMP/a.h5")
[ -f "$TMP/c.h5" ] && LEGEND_RUNS+=("$TMP/c.h5")
if [ "$MODE" = microneedling ]; then
  if "$CISIM" run "$SRC/configs/pen_3d.yaml" -o "$TMP/p3.h5" --set time.end_day=1 \
       --set time.output_every_day=0.5 --set grid.spacing_um=50 --set "grid.size_um=[500,500,2500]" \
       --quiet --force > "$TMP/run_p3.log" 2>&1 &&
     "$PY" "$PLOT_RUN" "$TMP/p3.h5" -o "$TMP/fig3" --dpi 100 > "$TMP/p3.out" 2> "$TMP/p3.err" &&
     [ "$(grep -c '\.png$' "$TMP/p3.out")" = 3 ] && ! grep -q Traceback "$TMP/p3.err"; then
    ok "plot_run.py on a 3D run: $(tr '\n' ' ' < "$TMP/p3.out")"
    check_png "3D change map" "$TMP/fig3/$MAP" "$("$PY" -c 'import sys, matplotlib.image as m; print(m.imread(sys.argv[1]).shape[1])' "$TMP/fig3/$MAP")" \
      "$("$PY" -c 'import sys, matplotlib.image as m; print(m.imread(sys.argv[1]).shape[0])' "$TMP/fig3/$MAP")"
    LEGEND_RUNS+=("$TMP/p3.h5")
  else
    bad "plot_run.py on a 3D run: $(tail -n 3 "$TMP/run_p3.log" "$TMP/p3.err")"
  fi
fi
if out=$("$PY" "$SRC/tests/plot_legends.py" "$SRC/scripts" "${LEGEND_RUNS[@]}" 2>&1); then
  ok "$out"
else
  bad "legend placement: $out"
fi

# ---- plot_compare.py --------------------------------------------------------------------------
if "$PY" "$PLOT_CMP" "$TMP/a.h5" "$TMP/b.h5" -o "$TMP/cmp.png" --dpi 100 > "$TMP/pc.out" \
     2> "$TMP/pc.err"; then
  ok "plot_compare.py exits 0"
  check_png "comparison" "$TMP/cmp.png" 1180 600
else
  bad "plot_compare.py exit status $?: $(cat "$TMP/pc.err")"
fi
# Legend labels name the parameter that differs.
if [ "$MODE" = microneedling ]; then KEY=needle_length_um; V1=1500; V2=1000
else KEY=decay_per_day; V1=15; V2=5; fi
labels=$(cd "$SRC/scripts" && "$PY" -c '
import sys, cisim_h5, plot_compare
runs = [cisim_h5.Run(p, "test") for p in sys.argv[1:]]
print("|".join(plot_compare.labels_for(runs)[0]))' "$TMP/a.h5" "$TMP/b.h5" 2>&1)
if [ "$labels" = "$KEY = $V1|$KEY = $V2" ]; then ok "compare legend labels: $labels"
else bad "compare legend labels: '$labels', expected '$KEY = $V1|$KEY = $V2'"; fi

# ---- bad input: exit 2, one line, no traceback ------------------------------------------------
expect_clean_2() {  # NAME CMD...
  local name=$1; shift
  "$@" > "$TMP/e.out" 2> "$TMP/e.err"
  local rc=$? lines
  lines=$(wc -l < "$TMP/e.err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && ! grep -q Traceback "$TMP/e.err"; then
    ok "$name: exit 2, '$(cat "$TMP/e.err")'"
  else
    bad "$name: exit $rc, $lines line(s) on stderr: $(head -c 600 "$TMP/e.err")"
  fi
}
"$PY" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "w"); f["a"] = [1, 2]' "$TMP/plain.h5"
"$PY" -c 'import h5py, sys; f = h5py.File(sys.argv[1], "w"); f.attrs["program"] = "cisim"
f["time"] = [0.0]' "$TMP/nofields.h5"
echo "not HDF5" > "$TMP/text.h5"
for f in plain nofields text missing; do
  case $f in
    plain) what="a plain HDF5 file" ;; nofields) what="a cisim file without /fields" ;;
    text) what="a text file" ;; missing) what="a missing file" ;;
  esac
  expect_clean_2 "plot_run.py on $what" "$PY" "$PLOT_RUN" "$TMP/$f.h5" -o "$TMP/x"
done
for f in plain missing; do
  expect_clean_2 "plot_compare.py with $f.h5" "$PY" "$PLOT_CMP" "$TMP/a.h5" "$TMP/$f.h5" \
    -o "$TMP/x.png"
done

# ---- a python3 without h5py -------------------------------------------------------------------
# `python3 -S` (no site-packages) lacks h5py on any Debian; so does the PATH python3 in some
# set-ups (pyenv, venvs). Each must re-exec into /usr/bin/python3, or, where no interpreter
# with the modules is to be had ($CISIM_PYTHON pointing nowhere), print one clear line, exit 2.
NOPY=()
if ! "$PY" -S -c 'import h5py' 2>/dev/null; then NOPY+=("$PY -S"); fi
if command -v python3 > /dev/null &&
   ! python3 -c 'import h5py, numpy, matplotlib' 2> /dev/null; then
  NOPY+=("python3")
fi
[ ${#NOPY[@]} -gt 0 ] || echo "note: no python3 without h5py to be found; re-exec not tested"
for np in "${NOPY[@]}"; do
  # shellcheck disable=SC2086  # $np is a command and its option
  if env -u CISIM_PLOT_REEXEC $np "$PLOT_RUN" "$TMP/a.h5" -o "$TMP/reexec" --dpi 100 \
       > "$TMP/re.out" 2> "$TMP/re.err" && [ -f "$TMP/reexec/$MAP" ]; then
    ok "'$np' without h5py re-runs plot_run.py with /usr/bin/python3"
  else
    bad "'$np' without h5py: $(head -c 600 "$TMP/re.err")"
  fi
  rm -rf "$TMP/reexec"
  # shellcheck disable=SC2086
  env -u CISIM_PLOT_REEXEC CISIM_PYTHON=/nonexistent $np "$PLOT_RUN" "$TMP/a.h5" \
    -o "$TMP/reexec" > "$TMP/re.out" 2> "$TMP/re.err"
  rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l < "$TMP/re.err")" -eq 1 ] &&
     grep -q "needs h5py, numpy and matplotlib" "$TMP/re.err" &&
     grep -q "apt-get install python3-h5py" "$TMP/re.err" && ! grep -q Traceback "$TMP/re.err"; then
    ok "'$np', no usable interpreter: exit 2, one clear line"
  else
    bad "'$np', no usable interpreter: exit $rc: $(head -c 600 "$TMP/re.err")"
  fi
  # shellcheck disable=SC2086
  env -u CISIM_PLOT_REEXEC CISIM_PYTHON=/nonexistent $np "$PLOT_CMP" "$TMP/a.h5" -o "$TMP/x.png" \
    > "$TMP/re.out" 2> "$TMP/re.err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q "plot_compare.py needs h5py" "$TMP/re.err"; then
    ok "'$np', no usable interpreter: plot_compare.py exits 2 with the message"
  else
    bad "'$np', plot_compare.py, no usable interpreter: exit $rc: $(head -c 600 "$TMP/re.err")"
  fi
done

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
