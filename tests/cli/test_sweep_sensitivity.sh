#!/usr/bin/env bash
# Sensitivity designs of `cisim sweep plan` (docs/sweeps.md): a Saltelli plan has N (k + 2)
# design points in blocks A, AB_1..AB_k, B (AB_i = A but column i from B); paired seeds give
# every design point the same replicate seeds; list values go to the point files as lists and
# to the manifest by their labels; log-uniform and truncated-normal ranges map the Sobol points
# through their inverse distribution functions (sample mean = the truncated normal's mean, the
# middle point = the geometric mean); a Morris plan has r (k + 1) points, each step one key
# moving by Δ = p / (2 (p - 1)) of its range; bad design entries are refused with
# FILE:LINE:COL, exit 2, nothing written. Then collect --days/--series on a Saltelli sweep of a
# short diffusion run, and analyze on it and on a Morris sweep, checked against estimators
# computed here from the collected table; plot_indices.py.
# usage: test_sweep_designs.sh BUILD_DIR (or PATH/TO/cisim)
set -u
if [ -d "$1" ]; then CISIM=$(realpath "$1/cisim"); else CISIM=$(realpath "$1"); fi
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -5; }

cp "$SRC/configs/single_channel.yaml" base.yaml
cat > sal.yaml <<'YAML'
base: base.yaml
mode: saltelli
points: 8
replicates: 2
replicate_key: protocol.pattern.seed
paired_seeds: true
seed: 10
vary:
  microneedling.signal.decay_per_day: {range: [5, 30], dist: log-uniform}
  microneedling.fibroblast.apoptosis_per_day: {range: [0.05, 0.2], dist: truncated-normal, mean: 0.12, sd: 0.03}
  protocol.sessions.day: {values: [[0], [0, 28, 56]], labels: [once, three]}
YAML
if "$CISIM" sweep plan sal.yaml -o sal > out 2> err && grep -q '^80 points' out &&
   grep -qx 'mode saltelli' sal/design.txt && grep -qx 'n 8' sal/design.txt &&
   $PY - sal/manifest.csv > err 2>&1 <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = ["microneedling.signal.decay_per_day", "microneedling.fibroblast.apoptosis_per_day",
        "protocol.sessions.day"]
assert len(rows) == 8 * 5 * 2, len(rows)
k = 3
design = [rows[2 * d] for d in range(len(rows) // 2)]
for r0, r1 in zip(rows[0::2], rows[1::2]):      # paired seeds: 10, 11 at every point
    assert (r0["seed"], r1["seed"]) == ("10", "11"), (r0, r1)
    assert [r0[c] for c in keys] == [r1[c] for c in keys]
for j in range(8):
    blk = design[j * (k + 2):(j + 1) * (k + 2)]
    A, B = blk[0], blk[k + 1]
    for i in range(k):
        ab = blk[i + 1]
        for c in range(k):
            assert ab[keys[c]] == (B if c == i else A)[keys[c]], (j, i, c)
    assert any(A[c] != B[c] for c in keys)
assert {r[keys[2]] for r in rows} == {"once", "three"}
d = [float(r[keys[0]]) for r in rows]
assert min(d) >= 5 and max(d) <= 30
PY
then ok "saltelli plan: N (k + 2) x R points, AB blocks, paired seeds, labels"
else bad "saltelli plan"; cat out; fi
grep -l '^protocol.sessions.day=\[0, 28, 56\]$' sal/points/0/*.set > three 2> /dev/null
if [ -s three ] && ! grep -q 'three' sal/points/0/*.set &&
   grep -q '^protocol.pattern.seed=11$' sal/points/0/79.set
then ok "a list value goes to the point file as a list, its label only to the manifest"
else bad "list value in point files"; fi

# 256 Sobol points through the truncated normal follow its distribution function (largest
# distance of the empirical one < 2/256) and its mean; the first point (u = 1/2) of a
# log-uniform range is the geometric mean of its ends
cat > tn.yaml <<'YAML'
base: base.yaml
mode: sobol
points: 256
vary:
  microneedling.fibroblast.apoptosis_per_day: {range: [0.05, 0.2], dist: truncated-normal, mean: 0.1, sd: 0.05}
  microneedling.signal.decay_per_day: {range: [5, 30], dist: log-uniform}
YAML
if "$CISIM" sweep plan tn.yaml -o tn > out 2> err && $PY - tn/manifest.csv > err 2>&1 <<'PY'
import csv, math, sys
x = [float(r["microneedling.fibroblast.apoptosis_per_day"]) for r in csv.DictReader(open(sys.argv[1]))]
mu, sd, lo, hi = 0.1, 0.05, 0.05, 0.2
phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
Phi = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))
a, b = (lo - mu) / sd, (hi - mu) / sd
want = mu + sd * (phi(a) - phi(b)) / (Phi(b) - Phi(a))
got = sum(x) / len(x)
assert min(x) >= lo and max(x) <= hi
F = lambda v: (Phi((v - mu) / sd) - Phi(a)) / (Phi(b) - Phi(a))
ks = max(max(abs(F(v) - i / len(x)), abs(F(v) - (i + 1) / len(x))) for i, v in enumerate(sorted(x)))
assert ks < 2 / 256, ks
assert abs(got - want) < 1e-3, (got, want)
first = float(next(csv.DictReader(open(sys.argv[1])))["microneedling.signal.decay_per_day"])
assert abs(first - math.sqrt(5 * 30)) < 1e-8, first
print("mean %.5f, exact %.5f, KS %.4f" % (got, want, ks))
PY
then ok "truncated normal: sample mean $(cat err)"; else bad "truncated normal"; fi

# Morris: r (k + 1) points, one key moving by Δ = 2/3 of its range per step (p = 4)
cat > mor.yaml <<'YAML'
base: base.yaml
mode: morris
trajectories: 5
levels: 4
seed: 3
vary:
  microneedling.signal.decay_per_day: {range: [6, 30]}
  microneedling.fibroblast.apoptosis_per_day: {range: [0.1, 1], dist: log-uniform}
  microneedling.inflammation.clearance_per_day: {range: [0.1, 0.4]}
YAML
if "$CISIM" sweep plan mor.yaml -o mor > out 2> err && grep -q '^20 points' out &&
   grep -qx 'mode morris' mor/design.txt && $PY - mor/manifest.csv > err 2>&1 <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
keys = list(rows[0].keys())[1:4]
unit = [lambda v: (v - 6) / 24, lambda v: math.log(v / 0.1) / math.log(10), lambda v: (v - 0.1) / 0.3]
u = [[unit[i](float(r[keys[i]])) for i in range(3)] for r in rows]
for p in u:
    for x in p:
        assert min(abs(x - l / 3) for l in range(4)) < 1e-9, p
for t in range(5):
    for s in range(1, 4):
        a, b = u[t * 4 + s - 1], u[t * 4 + s]
        moved = [i for i in range(3) if abs(a[i] - b[i]) > 1e-9]
        assert len(moved) == 1 and abs(abs(a[moved[0]] - b[moved[0]]) - 2 / 3) < 1e-9, (t, s, a, b)
PY
then ok "morris plan: r (k + 1) points on the 4-level grid, one key per step by Δ"
else bad "morris plan"; cat out; fi

# bad design entries: FILE:LINE:COL, exit 2, nothing written
refused() { # name spec-text expected-message
  printf "$2" > "$1.yaml"
  "$CISIM" sweep plan "$1.yaml" -o "sw_$1" > out 2> err; local rc=$?
  if [ $rc = 2 ] && grep -q -- "$3" err && [ ! -e "sw_$1" ]
  then ok "refused: $1"; else bad "refused $1 (rc $rc)"; cat err; fi
}
refused odd_levels 'base: base.yaml\nmode: morris\ntrajectories: 3\nlevels: 3\nvary:\n  protocol.pattern.passes: {range: [1, 4]}\n' 'odd_levels.yaml:4:9: levels: expected an even number'
refused no_traj 'base: base.yaml\nmode: morris\npoints: 3\nvary:\n  protocol.pattern.passes: {range: [1, 4]}\n' 'morris mode needs trajectories'
refused traj_saltelli 'base: base.yaml\nmode: saltelli\npoints: 4\ntrajectories: 3\nvary:\n  protocol.pattern.passes: {range: [1, 4]}\n' 'traj_saltelli.yaml:4:15: spec: trajectories and levels belong to mode: morris'
refused paired 'base: base.yaml\nmode: saltelli\npoints: 3\npaired_seeds: true\nvary:\n  protocol.pattern.passes: {range: [1, 4]}\n' 'paired_seeds needs replicate_key'
refused tn_no_sd 'base: base.yaml\nmode: sobol\npoints: 3\nvary:\n  protocol.pattern.passes: {range: [1, 4], dist: truncated-normal, mean: 2}\n' 'tn_no_sd.yaml:5:28: protocol.pattern.passes: dist: truncated-normal needs mean and sd'
refused tn_grid 'base: base.yaml\nvary:\n  protocol.pattern.passes: {range: [1, 4], count: 3, dist: truncated-normal, mean: 2, sd: 1}\n' 'truncated-normal is for random, sobol, saltelli and morris'
refused bad_dist 'base: base.yaml\nmode: sobol\npoints: 3\nvary:\n  protocol.pattern.passes: {range: [1, 4], dist: gauss}\n' 'bad_dist.yaml:5:50: protocol.pattern.passes: dist: expected uniform, log-uniform or truncated-normal, got gauss'
refused labels 'base: base.yaml\nvary:\n  protocol.sessions.day: {values: [[0], [0, 28]], labels: [a]}\n' 'labels.yaml:3:59: protocol.sessions.day: labels: expected one name per value'
refused labels_twice 'base: base.yaml\nvary:\n  protocol.sessions.day: {values: [[0], [0, 28]], labels: [a, a]}\n' 'labels: the same name twice: a'
refused list_value 'base: base.yaml\nvary:\n  protocol.sessions.day: [[0], [0, 1000000000]]\n' 'list_value.yaml:3:3: point 1'
refused big_saltelli 'base: base.yaml\nmode: saltelli\npoints: 300000\nvary:\n  protocol.pattern.passes: {range: [1, 4]}\n  protocol.pattern.seed: {range: [1, 4]}\n' 'more than 10^6 design points'

# set: the same overrides at every point, first in each point file; checked like vary
printf 'base: base.yaml\nset:\n  time.end_day: 20\n  output.summary_days: [10, 20]\nvary:\n  protocol.device.needle_length_um: [1000, 1500]\n' > fixed.yaml
if "$CISIM" sweep plan fixed.yaml -o fx > out 2> err &&
   [ "$(head -2 fx/points/0/1.set)" = "$(printf 'time.end_day=20\noutput.summary_days=[10, 20]')" ] &&
   [ "$(sed -n 3p fx/points/0/1.set)" = "protocol.device.needle_length_um=1500" ] &&
   head -1 fx/manifest.csv | grep -qx 'index,protocol.device.needle_length_um,seed'
then ok "set: fixed overrides in every point file, not in the manifest"; else bad "set"; cat out; fi
refused set_unknown 'base: base.yaml\nset:\n  time.nonsense: 1\nvary:\n  protocol.pattern.passes: [1, 2]\n' 'set_unknown.yaml:3:3: set: unknown parameter key for the base config.s model: time.nonsense'
refused set_varied 'base: base.yaml\nset:\n  protocol.pattern.passes: 3\nvary:\n  protocol.pattern.passes: [1, 2]\n' 'set_varied.yaml:3:3: set: a key of set may not be varied too: protocol.pattern.passes'
refused set_value 'base: base.yaml\nset:\n  time.end_day: -3\nvary:\n  protocol.pattern.passes: [1, 2]\n' 'point 0: .*time.end_day'

# collect --days and --series: a Saltelli sweep of a short diffusion run (4 base samples, 2
# keys: 16 points); the values at the chosen days are the run files' /series at the snapshots,
# linear between them, NaN beyond the end; the HDF5 table carries dimension scales that h5py
# and xarray (h5netcdf) read as named dimensions with coordinates
cat > dbase.yaml <<'YAML'
model: diffusion
grid:
  dims: 2
  size_um: [400, 300]
  spacing_um: 20
  boundary: {x: periodic, surface: noflux, deep: dirichlet}
time: {end_day: 0.5, output_every_day: 0.25, dt_max_day: 0.05}
output: {file: base.h5}
diffusion:
  D_um2_per_day: 4e5
  decay_per_day: 15
  source: {kind: channel, position_um: [200, 0], depth_um: 150, radius_um: 40, rate: 100, stop_day: 1}
YAML
printf 'base: dbase.yaml\nmode: saltelli\npoints: 4\nvary:\n  diffusion.decay_per_day: {range: [1, 10]}\n  diffusion.D_um2_per_day: {range: [2e5, 4e5]}\n' > dsal.yaml
"$CISIM" sweep plan dsal.yaml -o dsw > /dev/null 2> err
seq 0 15 | xargs -P 2 -I{} "$CISIM" sweep run dsw --task {} > /dev/null 2> err
if "$CISIM" sweep collect dsw --days 0.1,0.25,0.5,1 --series > out 2> err &&
   grep -q '^16 rows (16 done' out &&
   head -1 dsw/results.csv | grep -q ',c_total,c_total@0.1,c_total@0.25,c_total@0.5,c_total@1$' &&
   $PY - dsw > err 2>&1 <<'PY'
import csv, math, sys, h5py
import numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/results.csv")))
with h5py.File(d + "/results.h5", "r") as f:
    assert list(f["day"][()]) == [0.1, 0.25, 0.5, 1.0]
    at, ser = f["metrics_at_day/c_total"], f["series/c_total"]
    assert at.shape == (16, 4) and ser.shape == (16, 3)
    assert [s.name for s in at.dims[0].values()] == ["/index"] and [s.name for s in at.dims[1].values()] == ["/day"]
    assert [s.name for s in ser.dims[1].values()] == ["/time"] and list(f["time"][()]) == [0, 0.25, 0.5]
    assert [s.name for s in f["metrics/c_total"].dims[0].values()] == ["/index"]
    for n, r in enumerate(rows):
        with h5py.File("%s/runs/0/%d.h5" % (d, n), "r") as run:
            # the series rows have their own axis (a row per step), which holds the snapshots
            t, v, snaps = run["series/time"][()], run["series/c_total"][()], run["time"][()]
        k = int(np.searchsorted(t, 0.1)) - 1  # the rows around day 0.1
        at_snap = [v[int(np.where(t == s)[0][0])] for s in snaps]
        want = [v[k] + (0.1 - t[k]) / (t[k + 1] - t[k]) * (v[k + 1] - v[k]), at_snap[1], at_snap[2]]
        for j in range(3):
            assert abs(at[n, j] - want[j]) <= 1e-12 * abs(want[j]), (n, j, at[n, j], want[j])
            assert repr(float(r["c_total@%g" % [0.1, 0.25, 0.5][j]])) == repr(float(at[n, j]))
        assert math.isnan(at[n, 3]) and r["c_total@1"] == ""
        assert list(ser[n]) == at_snap and float(r["c_total"]) == v[-1]
try:
    import xarray as xr
except ImportError:
    print("xarray missing: its check skipped"); sys.exit(0)
root = xr.open_dataset(d + "/results.h5", engine="h5netcdf")
g = xr.open_dataset(d + "/results.h5", engine="h5netcdf", group="metrics_at_day")
assert list(root["day"].values) == [0.1, 0.25, 0.5, 1.0] and list(root["index"].values) == list(range(16))
assert g["c_total"].dims == ("index", "day"), g["c_total"].dims
PY
then ok "collect --days/--series: interpolated values, NaN past the end, dimension scales (h5py, xarray)"
else bad "collect --days/--series"; cat out; fi
refused_collect() { # name args expected-message
  cp dsw/results.csv before.csv
  "$CISIM" sweep collect dsw $2 > out 2> err; local rc=$?
  if [ $rc = 2 ] && grep -q -- "$3" err && cmp -s before.csv dsw/results.csv
  then ok "collect refused: $1"; else bad "collect $1 (rc $rc)"; cat err; fi
}
refused_collect bad_day "--days 30,x" "--days: expected days >= 0 separated by commas, got '30,x'"
refused_collect neg_day "--days -1" "--days: expected days"
refused_collect twice "--days 3,3" "day 3 given twice"

# analyze: S1 and ST of every outcome (final and at each day) equal the estimators computed
# here from results.csv (Saltelli 2010 S1 with centred outputs, Jansen ST); the intervals
# hold the estimates' bootstrap spread; a Morris sweep's mu* and sigma equal the elementary
# effects computed from the manifest's values mapped back to unit coordinates
if "$CISIM" sweep analyze dsw --bootstrap 200 > out 2> err && [ -s dsw/indices.csv ] &&
   grep -q 'c_total@0.25: Sobol indices (4 of 4 base samples' out &&
   $PY - dsw > err 2>&1 <<'PY'
import csv, math, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/results.csv")))
idx = list(csv.DictReader(open(d + "/indices.csv")))
k, n = 2, 4
keys = ["diffusion.decay_per_day", "diffusion.D_um2_per_day"]
for col in ["c_total", "c_total@0.1", "c_total@0.25", "c_total@0.5"]:
    y = [float(r[col]) for r in rows]
    A = [y[j * (k + 2)] for j in range(n)]
    B = [y[j * (k + 2) + k + 1] for j in range(n)]
    both = A + B
    mean = sum(both) / len(both)
    V = sum((v - mean) ** 2 for v in both) / (len(both) - 1)
    for i in range(k):
        AB = [y[j * (k + 2) + 1 + i] for j in range(n)]
        s1 = sum((B[j] - mean) * (AB[j] - A[j]) for j in range(n)) / n / V
        st = sum((A[j] - AB[j]) ** 2 for j in range(n)) / (2 * n) / V
        got = [r for r in idx if r["outcome"] == col and r["key"] == keys[i]]
        assert len(got) == 1, (col, keys[i])
        g = got[0]
        assert abs(float(g["S1"]) - s1) < 1e-8 and abs(float(g["ST"]) - st) < 1e-8, (col, i, g, s1, st)
        assert float(g["S1_low"]) <= float(g["S1_high"]) and float(g["ST_low"]) <= float(g["ST_high"])
        assert g["base_samples"] == "4"
assert not [r for r in idx if r["outcome"] == "c_total@1"] or all(r["S1"] == "nan" for r in idx if r["outcome"] == "c_total@1")
PY
then ok "analyze (saltelli): S1, ST of each outcome and day equal the estimators computed independently"
else bad "analyze saltelli"; cat out; fi
PLOTI=$SRC/scripts/plot_indices.py
if python3 "$PLOTI" dsw -o ind.png > /dev/null 2> perr &&
   [ "$(od -An -tx1 -N8 ind.png | tr -d ' ')" = 89504e470d0a1a0a ] &&
   [ "$(python3 "$PLOTI" dsw/indices.csv --outcome c_total --print -o ind2.png 2> /dev/null | wc -l)" = 3 ]
then ok "plot_indices.py: a bar chart per outcome"; else bad "plot_indices.py"; cat perr; fi
python3 "$PLOTI" dsw --outcome nonsense -o x.png > /dev/null 2> perr; rp=$?
if [ $rp = 2 ] && grep -q "unknown outcome 'nonsense'" perr && ! grep -q Traceback perr
then ok "plot_indices.py: unknown outcome exit 2"; else bad "plot_indices unknown outcome ($rp)"; fi

printf 'base: dbase.yaml\nmode: morris\ntrajectories: 4\nlevels: 4\nseed: 9\nvary:\n  diffusion.decay_per_day: {range: [1, 10]}\n  diffusion.D_um2_per_day: {range: [2e5, 4e5]}\n' > dmor.yaml
"$CISIM" sweep plan dmor.yaml -o dmw > /dev/null 2> err
seq 0 11 | xargs -P 2 -I{} "$CISIM" sweep run dmw --task {} > /dev/null 2> err
"$CISIM" sweep collect dmw > /dev/null 2> err
if "$CISIM" sweep analyze dmw > out 2> err && grep -q 'Morris elementary effects (4 of 4 trajectories' out &&
   $PY - dmw > err 2>&1 <<'PY'
import csv, math, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/results.csv")))
idx = {r["key"]: r for r in csv.DictReader(open(d + "/indices.csv")) if r["outcome"] == "c_total"}
keys = ["diffusion.decay_per_day", "diffusion.D_um2_per_day"]
lo, hi = [1, 2e5], [10, 4e5]
u = [[(float(r[c]) - lo[i]) / (hi[i] - lo[i]) for i, c in enumerate(keys)] for r in rows]
y = [float(r["c_total"]) for r in rows]
ee = {0: [], 1: []}
for t in range(4):
    for s in range(1, 3):
        a, b = t * 3 + s - 1, t * 3 + s
        i = [c for c in range(2) if abs(u[a][c] - u[b][c]) > 1e-9]
        assert len(i) == 1
        i = i[0]
        ee[i].append((y[b] - y[a]) / (u[b][i] - u[a][i]))
for i, c in enumerate(keys):
    e = ee[i]
    mus = sum(abs(v) for v in e) / len(e)
    m = sum(e) / len(e)
    sd = math.sqrt(sum((v - m) ** 2 for v in e) / (len(e) - 1))
    g = idx[c]
    assert abs(float(g["mu_star"]) - mus) <= 1e-6 * mus, (c, g, mus)
    assert abs(float(g["sigma"]) - sd) <= 1e-6 * max(sd, 1e-12) + 1e-12, (c, g, sd)
PY
then ok "analyze (morris): mu*, sigma equal the elementary effects computed independently"
else bad "analyze morris"; cat out; fi

refused_analyze() { # name dir args expected-message
  "$CISIM" sweep analyze "$2" $3 > out 2> err; local rc=$?
  if [ $rc = 2 ] && grep -q -- "$4" err; then ok "analyze refused: $1"; else bad "analyze $1 (rc $rc)"; cat err; fi
}
refused_analyze not_collected mor "" "results.h5: cannot open (run cisim sweep collect first)"
refused_analyze grid_mode tn "" "this sweep's mode is sobol: analyze needs mode saltelli or morris"
refused_analyze boot dsw "--bootstrap 3" "--bootstrap: expected 10 to 10^6, got '3'"
refused_analyze level dsw "--level 2" "--level: expected a number in (0, 1)"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
