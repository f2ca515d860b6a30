#!/usr/bin/env bash
# cisim validate (docs/validation.md):
#  - the shipped table validation/observations.yaml: every study has a citation and a doi entry,
#    every observation a metric of the table's metrics, a day, either a value or an expectation,
#    an assay and a reliability note (read here with PyYAML, independently of the program); and
#    the program reads it and loads every study's run config (--check);
#  - a tiny table (coarse grid, 20 days): the CSV and markdown tables are written; the score
#    equals the RMS log-ratio recomputed here from the CSV's observed and predicted columns,
#    each prediction equals the run file's series at the read-out day (read with h5py), a
#    metric the model lacks is a "not predicted by this model" row, more sessions pass
#    more_than, a wrong expectation fails; leave-one-study-out reports both folds;
#  - the same command again refuses to overwrite (exit 2, files unchanged); with --force it
#    reuses every run; another build of the program (its executable's bytes differ) runs
#    them again, and reuses its own;
#  - bad input (a missing citation, an unknown metric, an unknown study, a bad --set key, an
#    unknown option, no -o): exit 2, a message naming file:line or the key, files unchanged.
# Under CISIM_TEST_QUICK (the sanitizer suite) the leave-one-study-out fit is left out.
# usage: test_validate.sh BUILD_DIR SOURCE_DIR
set -u
if [ -d "$1" ]; then CISIM=$(realpath "$1/cisim"); else CISIM=$(realpath "$1"); fi
SRC=$(realpath "$2")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -5; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
if ! $PY -c 'import h5py, yaml' 2> /dev/null; then echo "SKIP: /usr/bin/python3 lacks h5py or yaml"; exit 77; fi

# --- the shipped table
$PY - "$SRC/validation/observations.yaml" > "$T/err" 2>&1 <<'PY'
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
metrics = t["metrics"]
assert all("series" in m for m in metrics.values()), "a metric without series"
n = 0
for s in t["studies"]:
    assert s.get("citation"), "%s: no citation" % s.get("id")
    assert "doi" in s, "%s: no doi entry" % s["id"]
    assert s["protocol"]["set"], "%s: no protocol overrides" % s["id"]
    for o in s["observations"]:
        assert o["metric"] in metrics, "%s: unknown metric %s" % (s["id"], o["metric"])
        assert ("value" in o) != ("expect" in o), "%s: value or expect" % s["id"]
        assert o["day"] > 0 and o.get("assay") and o.get("reliability"), s["id"]
        if "value" in o: assert isinstance(o["value"], (int, float))
        n += 1
assert n >= 10, n
print(len(t["studies"]), "studies,", n, "observations")
PY
check "shipped table: citations, values or expectations, metrics (PyYAML)" '[ $? -eq 0 ]'
(cd "$SRC" && "$CISIM" validate --check > "$T/check.out" 2> "$T/err")
check "shipped table: the program reads it and loads every run config" \
  '[ $? -eq 0 ] && grep -q "the table and every run config load" "$T/check.out"'

# --- a tiny table
cd "$T"
cat > tiny.yaml <<YAML
run:
  base: $SRC/configs/default.yaml
  set: {grid.spacing_um: 100}
metrics:
  collagen_change: {series: collagen_change}
  epidermis_thickness_change: {series: epidermis_thickness_change}
calibrate:
  fit:
    microneedling.collagen.stimulated_production: {start: 0.03, bounds: [0.003, 0.3], scale: log}
studies:
  - id: one
    citation: "test: one session"
    doi: null
    protocol: {set: {protocol.sessions.day: [0]}}
    observations:
      - {metric: collagen_change, layer: papillary, day: 20, value: 10, sd: 5, assay: a, reliability: r}
      - {metric: epidermis_thickness_change, day: 20, value: 5, assay: a, reliability: r}
  - id: two
    citation: "test: two sessions"
    doi: 10.0/test
    protocol: {set: {protocol.sessions.day: [0, 10]}}
    observations:
      - {metric: collagen_change, layer: papillary, day: 20, value: 30, assay: a, reliability: r}
      - {metric: collagen_change, layer: papillary, day: 20, expect: {more_than: one}, assay: a, reliability: r}
      - {metric: collagen_change, layer: reticular, day: 20, expect: down, assay: a, reliability: r}
YAML
loso=""
[ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ] && loso=--no-loso
"$CISIM" validate tiny.yaml -o out --workers 2 $loso > run.out 2> err
check "tiny table: runs, exit 0" '[ $? -eq 0 ] && [ -s out/validation.csv ] && [ -s out/validation.md ]'
$PY - out > err 2>&1 <<'PY'
import csv, math, re, sys, h5py, numpy as np
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/validation.csv")))
assert len(rows) == 5, len(rows)
num = [r for r in rows if r["result"] == "numeric"]
assert len(num) == 2, [r["result"] for r in rows]
lr = [math.log((100 + float(r["predicted"])) / (100 + float(r["observed"]))) for r in num]
for r, l in zip(num, lr):
    # (the CSV's numbers carry 10 significant digits)
    assert abs(float(r["log_ratio"]) - l) < 1e-8, (r["log_ratio"], l)
    assert abs(float(r["difference"]) - (float(r["predicted"]) - float(r["observed"]))) < 1e-8 * 100
rms = math.sqrt(sum(l * l for l in lr) / len(lr))
md = open(d + "/validation.md").read()
m = re.search(r"Score: RMS log-ratio ([0-9.]+) over 2 numeric", md)
assert m and abs(float(m.group(1)) - rms) < 6e-4, (m and m.group(1), rms)
for r in rows:  # each prediction is the run file's series at the read-out day
    if r["predicted"] == "": continue
    with h5py.File(r["run_file"], "r") as f:  # series rows on their own axis (older files: /time)
        t = f["series/time"][()] if "time" in f["series"] else f["time"][()]
        v = np.interp(float(r["day"]), t, f["series/" + r["series"]][()])
    assert abs(v - float(r["predicted"])) < 1e-6 * max(1, abs(v)), (r["series"], v, r["predicted"])
res = {(r["study"], r["metric"], r["layer"], r["kind"], r["observed"]): r for r in rows}
assert res[("one", "epidermis_thickness_change", "", "numeric", "5")]["result"] == "not predicted by this model"
assert res[("one", "collagen_change", "papillary", "numeric", "10")]["within_spread"] in ("yes", "no")
assert res[("two", "collagen_change", "papillary", "numeric", "30")]["within_spread"] == "no spread reported"
mt = res[("two", "collagen_change", "papillary", "qualitative", "more than one")]
assert mt["result"] == "pass" and float(mt["predicted"]) > float(mt["compared_with"]), mt
assert res[("two", "collagen_change", "reticular", "qualitative", "down")]["result"] == "fail"
print("rms", rms)
PY
check "tiny table: score = RMS log-ratio recomputed from the CSV; predictions = run files' series; row kinds" '[ $? -eq 0 ]'
if [ -z "$loso" ]; then
  check "tiny table: leave-one-study-out, both folds fitted and predicted" \
    '[ "$(grep -c "^| one \|^| two " out/validation.md)" -ge 5 ] && grep -q "Leave-one-study-out: RMS log-ratio [0-9.]* over 2 held-out" out/validation.md'
fi

# --- outputs are never replaced without --force; --force reuses the runs
hashes() { sha256sum out/validation.csv out/validation.md out/base.yaml; }
hashes > before
"$CISIM" validate tiny.yaml -o out $loso > again.out 2> err
rc=$?
check "again without --force: exit 2, names the file, nothing changed" \
  '[ $rc -eq 2 ] && grep -q "validation.csv: exists; use --force" err && hashes | cmp -s - before'
"$CISIM" validate tiny.yaml -o out --force $loso > force.out 2> err
check "--force: replaced, every run reused" '[ $? -eq 0 ] && grep -q "runs: 0, reused" force.out'
# another build of the program (here: the same binary with one byte more, so that its hash
# differs) does not reuse the runs another program made; the same build again does
cp "$CISIM" other-cisim && printf x >> other-cisim
./other-cisim validate tiny.yaml -o out --force --no-loso > other.out 2> err
check "another program: every run made again" \
  '[ $? -eq 0 ] && grep -q "runs: [1-9][0-9]*, reused 0)" other.out'
./other-cisim validate tiny.yaml -o out --force --no-loso > other2.out 2> err
check "that program again: every run reused" '[ $? -eq 0 ] && grep -q "runs: 0, reused" other2.out'
hashes > before

# --- bad input: exit 2, a located message, nothing changed
expect_bad() { # name, pattern of the message, command...
  local name=$1 pat=$2; shift 2
  "$@" > /dev/null 2> err
  local rc=$?
  if [ $rc -eq 2 ] && grep -q -- "$pat" err && hashes | cmp -s - before; then ok "$name"
  else bad "$name (exit $rc)"; fi
}
sed '/citation: "test: two sessions"/d' tiny.yaml > nocite.yaml
expect_bad "missing citation" "nocite.yaml:[0-9]*:[0-9]*: .*missing two.*citation\|nocite.yaml:[0-9]*:[0-9]*:.*citation" \
  "$CISIM" validate nocite.yaml -o out --force
sed 's/metric: epidermis_thickness_change/metric: epidermis_thicknes/' tiny.yaml > badmetric.yaml
expect_bad "unknown metric" "badmetric.yaml:[0-9]*:[0-9]*: .*unknown metric.*epidermis_thicknes" \
  "$CISIM" validate badmetric.yaml -o out --force
sed 's/protocol.sessions.day: \[0, 10\]/protocol.sessions.dya: [0, 10]/' tiny.yaml > badkey.yaml
expect_bad "unknown key in a study's protocol" "badkey.yaml:[0-9]*:[0-9]*: .*two.*sessions.dya" \
  "$CISIM" validate badkey.yaml -o out --force
expect_bad "unknown study" "no study with that id" "$CISIM" validate tiny.yaml -o out --force --study three
expect_bad "bad --set key" "grid.spacing_uu" "$CISIM" validate tiny.yaml -o out --force --set grid.spacing_uu=50
expect_bad "unknown option" "unknown option --frobnicate" "$CISIM" validate tiny.yaml -o out --frobnicate
expect_bad "no -o" "needs -o DIR" "$CISIM" validate tiny.yaml
"$CISIM" validate --help > help.out 2> err
check "--help: exit 0, the usage" '[ $? -eq 0 ] && grep -q "^usage: cisim validate" help.out'

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
