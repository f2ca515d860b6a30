#!/bin/bash
# test_series_rows: /series has its own time axis, a row per accepted step (issue 13: outcome
# series on their own cadence, independent of the field snapshots).
#   1. /series/time increases strictly, starts at 0, holds every snapshot time and every
#      summary day;
#   2. recording a row per step changes no step: the run with a row only at the snapshots
#      (output.series_every_day = time.output_every_day) has the same fields and the same
#      series at the snapshot times, bit for bit (cisim compare, zero tolerance), and the rows
#      of the per-step run at those times are the same bits;
#   3. the peak the outcome follows every step (signal_peak, signal_peak_day) is the maximum of
#      the signal_max rows and its time — an independent route to the same number — and lies
#      between snapshots (the hourly peak a snapshot-only series misses);
#   4. output.series_every_day = 0.25: rows at exactly the multiples of 0.25 (and the snapshot
#      and summary days), no others.
set -u
cisim=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
py=/usr/bin/python3
[ -x "$py" ] && "$py" -c "import h5py" 2>/dev/null || { echo "SKIP: needs /usr/bin/python3 with h5py"; exit 77; }
cfg=$src/configs/default.yaml
common=(--set time.end_day=3 --set grid.spacing_um=50 --set time.output_every_day=1
        --set "output.summary_days=[0.6, 2]" --set "protocol.sessions.day=[0]" -q -j 2)
"$cisim" run "$cfg" "${common[@]}" -o step.h5 >/dev/null 2>err || { cat err; echo "FAIL: run"; exit 1; }
"$cisim" run "$cfg" "${common[@]}" --set output.series_every_day=1 -o snap.h5 >/dev/null 2>err ||
  { cat err; echo "FAIL: run with series_every_day = 1"; exit 1; }
"$cisim" run "$cfg" "${common[@]}" --set output.series_every_day=0.25 -o q.h5 >/dev/null 2>err ||
  { cat err; echo "FAIL: run with series_every_day = 0.25"; exit 1; }
"$cisim" compare step.h5 snap.h5 --rtol 0 --atol 0 -q >cmp 2>&1 ||
  { cat cmp; echo "FAIL: a row per step changed the run (fields or series at the snapshots)"; exit 1; }
"$py" - step.h5 snap.h5 q.h5 <<'PY'
import sys
import h5py
import numpy as np
fail = []
def check(c, m):
    if not c:
        fail.append(m)
step, snap, q = (h5py.File(p, "r") for p in sys.argv[1:4])
t = step["series/time"][()]
snaps = step["time"][()]
check(t[0] == 0 and np.all(np.diff(t) > 0), "series/time does not start at 0 and increase")
for d in list(snaps) + [0.6, 2.0]:
    check(np.any(t == d), "no series row at day %g" % d)
check(t.size > 20 * snaps.size, "%d rows for %d snapshots: not a row per step" % (t.size, snaps.size))
# 2. the per-step rows at the snapshot times are the snapshot-only run's rows
ts = snap["series/time"][()]
for name in step["series"]:
    if name == "time":
        continue
    a = step["series"][name][()]
    check(a.shape == t.shape, "%s: %d values for %d rows" % (name, a.size, t.size))
    at = np.array([a[np.where(t == d)[0][0]] for d in ts])
    b = snap["series"][name][()]
    same = np.array_equal(at, b, equal_nan=True)
    check(same, "%s: rows at the snapshot times differ from the snapshot-only run" % name)
# 3. the followed peak is the maximum over the rows
smax = step["series/signal_max"][()]
k = int(np.argmax(smax))
check(step["series/signal_peak"][-1] == smax[k], "signal_peak %r != max of signal_max rows %r"
      % (step["series/signal_peak"][-1], smax[k]))
check(step["series/signal_peak_day"][-1] == t[k], "signal_peak_day %r != time of the max row %r"
      % (step["series/signal_peak_day"][-1], t[k]))
check(not np.any(snaps == t[k]) and smax[k] > 2 * max(snap["series/signal_max"][()]),
      "the signal peak (%g at day %g) is not between snapshots" % (smax[k], t[k]))
# 4. rows at the multiples of 0.25 only (plus snapshot and summary days)
tq = q["series/time"][()]
want = np.union1d(np.union1d(np.arange(0, 3.0001, 0.25), snaps), [0.6, 2.0])
check(np.array_equal(tq, want), "series_every_day 0.25: rows at %s" % tq)
for m in fail:
    print("FAIL:", m)
if not fail:
    print("series rows: %d per-step rows, peak %.4g ng/mL at day %.4g (snapshots see %.3g)"
          % (t.size, smax[k], t[k], max(snap["series/signal_max"][()])))
sys.exit(1 if fail else 0)
PY
