#!/usr/bin/env bash
# The examples of docs/sweeps.md and docs/calibration.md, run as a user would run them: from a
# copy of the source tree's top directory (configs/ and scripts/), with cisim on PATH. In the
# Markdown, a fenced block after `<!-- test: file NAME -->` is written to NAME, one after
# `<!-- test: run -->` is run with bash -e (in document order, sweeps.md first), one after
# `<!-- test: python ... -->` with /usr/bin/python3 after all the sh blocks, and a shell block
# marked `<!-- test: skip (why) -->` is not run; every other sh or yaml block with a cisim
# command or a spec is an error, so no example escapes the test. Each spec file is also planned
# or calibrated by the run blocks, so its keys are real parameters.
# usage: test_docs_examples.sh BUILD_DIR (or PATH/TO/cisim)
# CISIM_TEST_QUICK=1 (the sanitizer build): skipped (77): the examples' dozens of 90-day runs take
# half an hour there, and the Release suite runs them.
set -u
if [ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ]; then
  echo "SKIP: CISIM_TEST_QUICK set (the Release suite runs the documentation's examples)"; exit 77
fi
if [ -d "$1" ]; then CISIM=$(realpath "$1/cisim"); else CISIM=$(realpath "$1"); fi
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/bin" "$T/top"
ln -s "$CISIM" "$T/bin/cisim"
ln -s "$SRC/configs" "$T/top/configs"
ln -s "$SRC/scripts" "$T/top/scripts"
export PATH="$T/bin:$PATH" OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
unset SLURM_ARRAY_TASK_ID
cd "$T/top"
/usr/bin/python3 - "$SRC/docs/sweeps.md" "$SRC/docs/calibration.md" <<'PY' || exit 1
import os, re, sys
runs, pys, bad = [], [], []
for doc in sys.argv[1:]:
    lines = open(doc, encoding="utf-8").read().split("\n")
    mark, i = None, 0
    while i < len(lines):
        m = re.match(r"\s*<!-- test: (.*?) -->\s*$", lines[i])
        if m:
            mark = m.group(1)
            i += 1
            continue
        f = re.match(r"```(\w*)\s*$", lines[i])
        if f:
            lang, start = f.group(1), i + 1
            j = start
            while not lines[j].startswith("```"):
                j += 1
            body = "\n".join(lines[start:j]) + "\n"
            where = "%s:%d" % (os.path.basename(doc), start)
            if mark and mark.startswith("file "):
                open(mark[5:].strip(), "w").write(body)
            elif mark == "run":
                runs.append((where, body))
            elif mark and mark.startswith("python"):
                pys.append((where, body))
            elif mark and mark.startswith("skip"):
                pass
            elif (lang == "sh" and "cisim" in body) or (lang == "yaml" and ("vary:" in body or "fit:" in body)):
                bad.append(where)
            mark, i = None, j + 1
            continue
        if lines[i].strip():
            mark = None
        i += 1
for k, (where, body) in enumerate(runs):
    open("run_%02d.sh" % k, "w").write("# %s\nset -e\n%s" % (where, body))
for k, (where, body) in enumerate(pys):
    open("py_%02d.py" % k, "w").write("# %s\n%s" % (where, body))
if bad:
    sys.exit("example blocks without a test mark: " + ", ".join(bad))
print("%d run blocks, %d python blocks" % (len(runs), len(pys)))
PY
pass=0 fail=0
for f in run_*.sh; do
  where=$(head -1 "$f" | cut -c3-)
  if bash "$f" > "$f.out" 2>&1; then
    pass=$((pass+1)); echo "PASS $where"
  else
    fail=$((fail+1)); echo "FAIL $where"; sed 's/^/    /' "$f.out" | tail -15
  fi
done
for f in py_*.py; do
  [ -e "$f" ] || continue
  where=$(head -1 "$f" | cut -c3-)
  if /usr/bin/python3 "$f" > "$f.out" 2>&1; then
    pass=$((pass+1)); echo "PASS $where (python)"
  else
    fail=$((fail+1)); echo "FAIL $where (python)"; sed 's/^/    /' "$f.out" | tail -15
  fi
done
# what the examples promise
check() { if eval "$2"; then pass=$((pass+1)); echo "PASS $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
check "paired seeds: seeds 1, 2, 3 at every needle length" \
  '[ "$(cut -d, -f3 sw_paired/manifest.csv | tail -n +2 | tr "\n" " ")" = "1 2 3 1 2 3 1 2 3 " ]'
check "the grid sweep: 4 points done, labels in the table, values at days 30, 60, 90" \
  'grep -q "4 points: 4 done" run_*.sh.out && grep -q "^0,1000,once," sw/results.csv && head -1 sw/results.csv | grep -q "collagen_change_papillary@90"'
check "analyze wrote both index tables" \
  'grep -q "^collagen_change_papillary@90,microneedling.collagen.stimulated_production," sw_sobol/indices.csv && grep -q "^collagen_change_papillary,microneedling.fibroblast.apoptosis_per_day," sw_morris/indices.csv && [ -s sw_sobol/indices.png ]'
check "calibration: q1 and r_max found again within 1 %" \
  '/usr/bin/python3 -c "
import csv
f = {r[\"parameter\"]: float(r[\"best\"]) for r in csv.DictReader(open(\"cal/fit.csv\"))}
assert abs(f[\"microneedling.collagen.stimulated_production\"] / 4.5e-5 - 1) < 0.01, f
assert abs(f[\"microneedling.fibroblast.max_proliferation_per_day\"] / 0.924 - 1) < 0.01, f
"'
echo "$pass passed, $fail failed"
[ $fail = 0 ]
