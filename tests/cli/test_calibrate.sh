#!/usr/bin/env bash
# cisim calibrate (docs/calibration.md): synthetic observations made by cisim itself (the
# fisher model, uniform start: logistic growth u(t) = 1 / (1 + (1/u0 - 1) e^(-r t)), on a
# 3 x 2 grid) at r = 0.8/day, u0 = 0.02 are fitted back from a start 2x away:
#  - without noise: recovered to 1e-3 relative (in fact to the solver's tolerance), the true
#    values inside the 95 % intervals, whose half-widths equal those of (J^T W J)^-1 computed
#    here from the exact logistic solution's derivatives (1 % agreement); the residual table
#    and a prediction (linear between snapshots) with its linearised interval; calibrated.yaml runs and reproduces the
#    observations;
#  - with Gaussian noise of the stated sd (fixed seed): the true values inside the intervals;
#  - restart: the same command again redoes no run (the same fit, byte for byte); a
#    calibration killed midway and started again runs only what was missing and ends with the
#    uninterrupted fit; `calibrate status` shows the iterations;
#  - bad input: exit 2 with FILE:LINE:COL or FILE:LINE, nothing written; a directory holding
#    another calibration is refused and left unchanged.
# usage: test_calibrate.sh BUILD_DIR (or PATH/TO/cisim)
set -u
if [ -d "$1" ]; then CISIM=$(realpath "$1/cisim"); else CISIM=$(realpath "$1"); fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -5; }
if ! $PY -c 'import h5py' 2> /dev/null; then echo "SKIP: /usr/bin/python3 lacks h5py"; exit 77; fi

cat > base.yaml <<'YAML'
model: fisher
grid:
  dims: 2
  size_um: [60, 40]
  spacing_um: 20
  boundary: {x: noflux, surface: noflux, deep: noflux}
time: {end_day: 10, output_every_day: 1, dt_max_day: 0.5, rtol: 1e-8, atol: 1e-12}
output: {file: base.h5}
fisher:
  rate_per_day: 0.8
  initial: {kind: uniform, value: 0.02}
YAML
"$CISIM" run base.yaml -o truth.h5 --quiet 2> err
# observations: u_mean_tissue at days 1..10, sd 2 % of the value; noisy: plus N(0, sd), seed 5
$PY - > err 2>&1 <<'PY'
import h5py, random
f = h5py.File("truth.h5", "r")
t, u = list(f["series/time"][()]), f["series/u_mean_tissue"][()]  # a row per step, on every day
rng = random.Random(5)
for name, noise in (("obs.csv", 0), ("noisy.csv", 1)):
    with open(name, "w") as o:
        o.write("metric,layer,day,value,sd\n")
        for d in range(1, 11):
            v = u[t.index(d)]
            sd = 0.02 * v
            o.write("u_mean,tissue,%d,%.17g,%.17g\n" % (d, v + noise * rng.gauss(0, sd), sd))
PY
spec() { # observations file -> spec text
  printf 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1.6, bounds: [0.01, 10], scale: log}\n  fisher.initial.value: {start: 0.04, bounds: [1e-4, 0.5], scale: log}\nobservations: %s\npredict:\n  - {metric: u_mean, layer: tissue, day: 9.5}\n' "$1"
}
spec obs.csv > cal.yaml
spec noisy.csv > noisy.yaml

if "$CISIM" calibrate cal.yaml -o c1 --workers 2 > out 2> err && grep -q '^converged after' out &&
   $PY - c1 > err 2>&1 <<'PY'
import csv, math, sys
d = sys.argv[1]
fit = {r["parameter"]: r for r in csv.DictReader(open(d + "/fit.csv"))}
true = {"fisher.rate_per_day": 0.8, "fisher.initial.value": 0.02}
for k, v in true.items():
    b, lo, hi = float(fit[k]["best"]), float(fit[k]["ci95_low"]), float(fit[k]["ci95_high"])
    assert abs(b - v) <= 1e-3 * v, (k, b)
    assert lo < v < hi, (k, lo, hi)
    assert fit[k]["at_bound"] == "0"
# the expected intervals: J of the weighted residuals in (ln r, ln u0) from the exact solution
r, u0 = 0.8, 0.02
J = []
for t in range(1, 11):
    e = math.exp(-r * t)
    u = 1 / (1 + (1 / u0 - 1) * e)
    sd = 0.02 * u
    du_dr = u * u * (1 / u0 - 1) * t * e          # d u / d r
    du_du0 = u * u * e / (u0 * u0)                # d u / d u0
    J.append((du_dr * r / sd, du_du0 * u0 / sd))  # per ln r, ln u0; weighted
a = sum(x[0] * x[0] for x in J); b = sum(x[0] * x[1] for x in J); c = sum(x[1] * x[1] for x in J)
det = a * c - b * b
var = {"fisher.rate_per_day": c / det, "fisher.initial.value": a / det}
for k, v in var.items():
    lo, hi = float(fit[k]["ci95_low"]), float(fit[k]["ci95_high"])
    half = (math.log(hi) - math.log(lo)) / 2
    want = 1.959963984540054 * math.sqrt(v)
    assert abs(half - want) < 0.01 * want, (k, half, want)
res = list(csv.DictReader(open(d + "/residuals.csv")))
assert len(res) == 10 and all(abs(float(x["weighted_residual"])) < 1e-3 for x in res)
pred = next(csv.DictReader(open(d + "/predictions.csv")))
exact = lambda t: 1 / (1 + (1 / u0 - 1) * math.exp(-r * t))
want = exact(9.5)   # day 9.5: between two series rows (a row per step), linear between them
assert abs(float(pred["predicted"]) - want) < 1e-5, (pred, want)
assert float(pred["pi95_low"]) < want < float(pred["pi95_high"])
cov = list(csv.reader(open(d + "/covariance.csv")))
assert cov[0][1] == "ln(fisher.rate_per_day)" and abs(float(cov[1][1]) - var["fisher.rate_per_day"]) < 0.02 * var["fisher.rate_per_day"]
print("ok")
PY
then ok "noise-free fit from 2x away: recovered to 1e-3, intervals = (J^T W J)^-1 of the exact solution, prediction"
else bad "noise-free fit"; cat out; fi

"$CISIM" run c1/calibrated.yaml -o again.h5 --quiet 2> err
if $PY -c '
import h5py
def at_snapshots(path):  # the series rows at the snapshot times (the step sequences may differ)
    f = h5py.File(path, "r")
    t, v = list(f["series/time"][()]), f["series/u_mean_tissue"][()]
    return [v[t.index(s)] for s in f["time"][()]]
a, b = at_snapshots("again.h5"), at_snapshots("truth.h5")
assert len(a) == len(b) > 5 and max(abs(x - y) / y for x, y in zip(a, b)) < 1e-6
' 2> err
then ok "calibrated.yaml runs and reproduces the observations"; else bad "calibrated.yaml"; fi

if "$CISIM" calibrate noisy.yaml -o c2 --workers 2 > out 2> err && $PY - c2 > err 2>&1 <<'PY'
import csv, sys
fit = {r["parameter"]: r for r in csv.DictReader(open(sys.argv[1] + "/fit.csv"))}
for k, v in {"fisher.rate_per_day": 0.8, "fisher.initial.value": 0.02}.items():
    b, lo, hi = (float(fit[k][c]) for c in ("best", "ci95_low", "ci95_high"))
    assert lo < v < hi and b != v, (k, b, lo, hi)
PY
then ok "noisy observations: the true values inside the 95 % intervals"; else bad "noisy fit"; cat out; fi

# the same command again: no run is redone, the same fit
cp c1/fit.csv fit1.csv
nruns=$(ls c1/runs/*.h5 | wc -l)
if "$CISIM" calibrate cal.yaml -o c1 --workers 2 > out 2> err && grep -q 'runs: 0, reused' out &&
   cmp -s fit1.csv c1/fit.csv && [ "$(ls c1/runs/*.h5 | wc -l)" = "$nruns" ]
then ok "the same calibration again redoes no run ($nruns runs reused)"; else bad "rerun"; tail -3 out; fi

# killed midway: started again, it runs only what is missing and ends with the same fit
# (in its own process group, so that the kill takes its running child too)
setsid "$CISIM" calibrate cal.yaml -o c3 --workers 1 > out3 2> err &
pid=$!
for _ in $(seq 1 400); do
  [ "$(ls c3/runs/*.h5 2> /dev/null | wc -l)" -ge 8 ] && break
  sleep 0.02
done
kill -KILL -- -$pid; wait $pid 2> /dev/null
done_before=$(ls c3/runs/*.h5 2> /dev/null | wc -l)
"$CISIM" calibrate status c3 > st 2> err
"$CISIM" calibrate cal.yaml -o c3 --workers 2 > out 2> err; rc=$?
launched=$(grep -o 'runs: [0-9]*' out | tail -1 | cut -d' ' -f2)
if [ $rc = 0 ] && cmp -s fit1.csv c3/fit.csv && [ "$done_before" -ge 8 ] && [ "$launched" -lt "$nruns" ] &&
   grep -q 'iterations recorded' st
then ok "killed after $done_before runs, started again: $launched runs more, the same fit"
else bad "kill and restart (rc $rc, $done_before before, $launched launched of $nruns)"; cat st; tail -3 out; fi
"$CISIM" calibrate status c3 > st 2> err
if grep -q 'finished (fit.csv)' st && grep -q '^latest: iteration,chi2,fisher.rate_per_day' st
then ok "calibrate status: iterations and the latest best"; else bad "status"; cat st; fi

# bad input: located messages, exit 2, nothing written
refused() { # name spec-text expected-message
  printf "$2" > "$1.yaml"
  "$CISIM" calibrate "$1.yaml" -o "d_$1" > out 2> err; local rc=$?
  if [ $rc = 2 ] && grep -q -- "$3" err && [ ! -e "d_$1" ]
  then ok "refused: $1"; else bad "refused $1 (rc $rc)"; cat err; fi
}
refused unknown_key 'base: base.yaml\nfit:\n  fisher.nonsense: {start: 1, bounds: [0, 2]}\nobservations: obs.csv\n' 'unknown_key.yaml:3:3: fit: expected a real parameter of the base config.s model, got fisher.nonsense'
refused start_out 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 20, bounds: [0.01, 10]}\nobservations: obs.csv\n' 'start_out.yaml:3:32: fisher.rate_per_day: start: expected inside bounds'
refused log_bound 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1, bounds: [0, 10], scale: log}\nobservations: obs.csv\n' 'log_bound.yaml:3:43: fisher.rate_per_day: bounds: expected lo < hi (and lo > 0 on a log scale)'
refused no_obs 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1, bounds: [0.1, 10]}\n' 'no_obs.yaml:1:1: spec: missing observations'
printf 'metric,layer,day,value,sd\nu_mean,tissue,1,0.1,0.01\nu_mean,tissue,2,0.2,-1\n' > badsd.csv
refused bad_sd 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1, bounds: [0.1, 10]}\nobservations: badsd.csv\n' 'badsd.csv:3: sd: expected > 0, got -1'
refused obs_entry 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1, bounds: [0.1, 10]}\nobservations:\n  - {metric: u_mean, day: 1, value: 0.1, sigma: 1}\n' 'obs_entry.yaml:5:42: sigma: unknown entry (expected metric, layer, day, value, sd)$'
# an observation past the run's end: exit 2 naming it (the directory is made, with the spec)
printf 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1, bounds: [0.1, 10]}\nobservations:\n  - {metric: u_mean, layer: tissue, day: 50, value: 0.1, sd: 0.01}\n' > late.yaml
"$CISIM" calibrate late.yaml -o d_late > out 2> err; rc=$?
if [ $rc = 2 ] && grep -q 'no value of u_mean_tissue at day 50' err
then ok "an observation past the run's end is refused by name"; else bad "late observation (rc $rc)"; cat err; fi
# another calibration's directory: refused, left unchanged
sed 's/start: 1.6/start: 1.2/' cal.yaml > other.yaml
before=$(cd c1 && find . -type f | sort | xargs md5sum | md5sum)
"$CISIM" calibrate other.yaml -o c1 > out 2> err; rc=$?
after=$(cd c1 && find . -type f | sort | xargs md5sum | md5sum)
if [ $rc = 2 ] && grep -q 'holds a calibration with a different spec.yaml' err && [ "$before" = "$after" ]
then ok "a directory of another calibration is refused and left unchanged"; else bad "other dir (rc $rc)"; cat err; fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
