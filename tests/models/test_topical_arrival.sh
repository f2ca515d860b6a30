#!/usr/bin/env bash
# test_topical_arrival.sh CISIM SOURCE_DIR PYTHON: the run's own times to depth and lag times
# (the summary and /series' compound_arrival_depth_um; docs/topical.md "Outcomes") against
# scripts/topical_report.py and the snapshots of the same run file, and bit for bit across a
# checkpoint and --resume. The run: configs/serum_after_session.yaml coarsened as in
# test_topical_compounds.sh (25 µm, 4 h) with its intact copy in the run
# (topical.reference: intact), snapshots every 15 min.
#  (c) the lag time of the delivered amount (summary, delivered: viable_epidermis) equals
#      topical_report.py's (Crank's construction on /series' rows) to the summary's 6 digits;
#      for both copies and every layer top: the arrival time is no later than the script's
#      "first snapshot at or above" (an upper bound), and no snapshot before it has the
#      lateral mean at or above the level (a first arrival); /series' arrival depth never
#      decreases, is at least the deepest row at or above the level at each snapshot, and ends
#      at the summary's deepest depth.
#  (d) stopped after 40 steps with a checkpoint and resumed: /series and the summary's arrival
#      and lag lines are those of the uninterrupted run, bit for bit (h5diff, diff).
set -eu
cisim=$1 src=$2 py=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-arrival.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export HDF5_USE_FILE_LOCKING=FALSE
"$py" - "$src/configs/serum_after_session.yaml" "$tmp/a.yaml" <<'PY'
import sys, yaml
base = yaml.safe_load(open(sys.argv[1]))
base["grid"]["spacing_um"] = 25
thick = {"vehicle": 25, "stratum_corneum": 25, "viable_epidermis": 50}
for layer in base["layers"]:
    layer["thickness_um"] = thick.get(layer["name"], layer["thickness_um"])
base["grid"]["size_um"] = [2575, sum(layer["thickness_um"] for layer in base["layers"])]
base["time"]["end_day"] = 4 / 24
base["time"]["output_every_day"] = 0.25 / 24
base["topical"]["reference"] = "intact"
yaml.safe_dump(base, open(sys.argv[2], "w"), allow_unicode=True)
PY
cd "$tmp"
"$cisim" run a.yaml -o a.h5 -q -j 1 > a.out || { echo "FAIL: run"; exit 1; }
"$py" - a.h5 a.out "$src/scripts" <<'PY'
import re, sys, json, subprocess
import numpy as np, h5py
h5, out, scripts = sys.argv[1:4]
sys.path.insert(0, scripts)
import topical_report as tr
text = open(out).read()
fails = 0
def check(ok, what):
    global fails
    print(("PASS  " if ok else "FAIL  ") + what)
    fails += 0 if ok else 1
# (c) lag time: the summary's against the script's
m = re.search(r"^  delivered: .*viable_epidermis ([0-9.e+-]+) h", text, re.M)
rep = json.loads(subprocess.run([sys.executable, f"{scripts}/topical_report.py", h5, "--json", "r.json"],
                                capture_output=True, check=True, text=True) and open("r.json").read())
lag_run, lag_script = float(m.group(1)), rep["lag_time_h"]
check(abs(lag_run / lag_script - 1) < 5e-6,
      f"(c) lag time in the run {lag_run:.6g} h = topical_report.py's {lag_script:.9g} h (6 digits)")
thr = 1.0
for sfx in ("", "_intact"):
    sp = "compound" + sfx
    block = text.split(f"{sp}, first arrival")[1].split("deepest depth reached")
    rows = re.findall(r"^  (\S+)\s+at\s+([0-9.e+-]+) µm: (not reached|[0-9.e+-]+ h)", block[0], re.M)
    deepest = float(re.match(r": ([0-9.e+-]+) µm", block[1]).group(1))
    run = tr.load(h5, intact=bool(sfx))
    prof = run["free"].mean(axis=(2, 3))
    zc = run["z"] - run["surface"]
    t_snap = run["t"] * 24
    for name, depth, val in rows:
        depth = float(depth)
        k = int(np.argmin(abs(zc - depth)))
        t_script = tr.time_to_depth(run, depth, thr)
        if val == "not reached":
            check(t_script is None, f"(c) {sp} at {depth:g} µm ({name}): not reached, nor at any snapshot")
            continue
        t_run = float(val.split()[0])
        ok = t_script is not None and t_run <= t_script * 24 * (1 + 1e-12)
        before = prof[t_snap < t_run * (1 - 1e-9), k]
        ok2 = bool((before < thr).all())
        check(ok and ok2, f"(c) {sp} at {depth:g} µm ({name}): {t_run:.6g} h <= the script's first snapshot "
              f"above ({t_script * 24 if t_script is not None else float('nan'):.4g} h), none before it above")
    s = h5py.File(h5, "r")["series"]
    ad, st = np.array(s[sp + "_arrival_depth_um"]), np.array(s["time"]) * 24
    fin = np.nan_to_num(ad, nan=-1.0)
    check(bool((np.diff(fin) >= 0).all()), f"(c) {sp}_arrival_depth_um never decreases")
    worst = 0.0
    for i, t in enumerate(t_snap):
        above = np.flatnonzero(prof[i] >= thr)
        d_now = zc[above].max() if above.size else -1.0
        row = int(np.argmin(abs(st - t)))
        worst = max(worst, d_now - fin[row])
    check(worst <= 0, f"(c) {sp}_arrival_depth_um >= the deepest row at or above {thr:g} µg/mL at every snapshot")
    check(fin[-1] == deepest, f"(c) {sp}_arrival_depth_um at the end = the summary's {deepest:g} µm")
sys.exit(1 if fails else 0)
PY
# (d) stop after 40 steps with a checkpoint, resume to the end
set +e
"$cisim" run a.yaml -o b.h5 -q -j 1 --stop-after-steps 40 > /dev/null 2>b.err; rc=$?
set -e
[ $rc = 3 ] && [ -f b.h5.ckpt ] || { echo "FAIL: (d) stop after 40 steps: exit $rc"; cat b.err; exit 1; }
"$cisim" run --resume b.h5 -q -j 2 > b.out 2>b.err || { echo "FAIL: (d) resume"; cat b.err; exit 1; }
h5diff a.h5 b.h5 /series /series > d.diff 2>&1 || { echo "FAIL: (d) /series differs after resume"; head d.diff; exit 1; }
echo "PASS  (d) resumed run: /series bit for bit (h5diff)"
sed -n '/first arrival/,$p' a.out > a.sum
sed -n '/first arrival/,$p' b.out > b.sum
[ -s a.sum ] && grep -q "^  delivered:" a.sum && diff a.sum b.sum > /dev/null \
  || { echo "FAIL: (d) the summary's arrival and lag lines differ after resume"; diff a.sum b.sum | head; exit 1; }
echo "PASS  (d) resumed run: the summary's arrival and lag lines identical ($(wc -l < a.sum) lines)"
