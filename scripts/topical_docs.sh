#!/usr/bin/env bash
# scripts/topical_docs.sh [--check] [BUILD_DIR]
#
# Regenerates the results of docs/topical.md (the block between its `topical_docs: begin` and
# `topical_docs: end` markers) from runs of the program in BUILD_DIR (default build): the serum
# pair as shipped (configs/serum_after_session.yaml, configs/serum_intact_skin.yaml: ascorbic
# acid) for 48 h, and the same pair with each of the other compounds of configs/compounds/
# (its `topical:` keys merged over the config's), all read by scripts/topical_report.py, and
# the figures docs/figures/topical_amounts.png and topical_depth_profiles.png of the shipped
# pair (scripts/plot_topical.py).
# About 8 minutes on 2 cores.
#
# --check: the same runs for their first 4 hours only (about 2 minutes), and every table row of
# the block for 1, 2 and 4 hours must equal the page's row for that hour, character for
# character (a run stopped at 4 h takes the same steps up to 4 h as the 48 h one: the output
# times and the application's events are the same). The lines after the tables (lag times,
# times to depth) depend on the whole 48 h and are not checked. Exit 1 on a difference.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
build=$(realpath "${1:-$root/build}")
[ -x "$build/cisim" ] || { echo "topical_docs: $build/cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
"$py" -c 'import h5py, yaml' 2>/dev/null ||
  { echo "topical_docs: $py lacks h5py or yaml (python3-h5py, python3-yaml; set CISIM_PYTHON)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-topical.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
hours=48
[ $check = 1 ] && hours=4

# One pair per compound: ascorbic_acid is the configs as shipped.
pairs="ascorbic_acid"
for snip in "$root"/configs/compounds/*.yaml; do
  n=$(basename "$snip" .yaml)
  [ "$n" = ascorbic_acid ] || pairs="$pairs $n"
done
for cmp in $pairs; do
  for base in serum_after_session serum_intact_skin; do
    snip="$root/configs/compounds/$cmp.yaml"
    [ "$cmp" = ascorbic_acid ] && snip=""
    "$py" - "$root/configs/$base.yaml" "$snip" "$tmp/${base}_$cmp.yaml" "$hours" <<'PY'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
if sys.argv[2]:
    for k, v in yaml.safe_load(open(sys.argv[2]))["topical"].items():
        cfg["topical"][k] = v
cfg["output"]["file"] = sys.argv[3].rsplit("/", 1)[1].replace(".yaml", ".h5")
if sys.argv[4] != "48":
    cfg["time"]["end_day"] = float(sys.argv[4]) / 24
yaml.safe_dump(cfg, open(sys.argv[3], "w"), allow_unicode=True, sort_keys=False)
PY
    echo "topical_docs: run ${base}_$cmp ($hours h)" >&2
    (cd "$tmp" && "$build/cisim" run "${base}_$cmp.yaml" --quiet > "${base}_$cmp.log" 2>&1) ||
      { echo "topical_docs: ${base}_$cmp: the run failed" >&2; cat "$tmp/${base}_$cmp.log" >&2; exit 1; }
  done
done

# The verification block: the exact-solution tests' own output (run-time lines left out; the
# values are the same bits on any machine with the same build and thread count).
{
  echo '```'
  for t in test_verify_membrane test_topical_bypass test_topical_arrival; do
    echo "\$ tests/$t"
    OMP_NUM_THREADS=2 "$build/tests/$t" | grep -v '^info  run time'
  done
  echo '$ tests/models/test_topical_finite_dose.sh'
  bash "$root/tests/models/test_topical_finite_dose.sh" "$build/cisim" "$root" "$py"
  echo '```'
} > "$tmp/verify.md" || { echo "topical_docs: a verification test failed" >&2; cat "$tmp/verify.md" >&2; exit 1; }

if [ $check = 0 ]; then # the page's figures, from the shipped pair
  (cd "$tmp" && "$py" "$root/scripts/plot_topical.py" serum_after_session_ascorbic_acid.h5 \
     --intact serum_intact_skin_ascorbic_acid.h5 -o "$root/docs/figures" --dpi 100 >&2)
fi

times=1,2,4,8,24,48
[ $check = 1 ] && times=1,2,4
for cmp in $pairs; do
  (cd "$tmp" && "$py" "$root/scripts/topical_report.py" "serum_after_session_$cmp.h5" \
     --intact "serum_intact_skin_$cmp.h5" --times "$times" --markdown --json "$cmp.json" > "$cmp.md")
done

"$py" - "$root/docs/topical.md" "$tmp" "$check" $pairs <<'PY'
import json, sys
page, tmp, check, pairs = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
out = ["<!-- topical_docs: begin (scripts/topical_docs.sh writes this block; do not edit) -->", ""]
out += ["Delivered (everything below the stratum corneum, cleared and sink included, µg/cm²) per",
        "compound, after a session and on intact skin, and their ratio (the configs of the section",
        "above with each compound's `topical:` block of configs/compounds/):", "",
        "| compound | hours | after a session | intact skin | enhancement | film left after a session | film left, intact |",
        "|---|---|---|---|---|---|---|"]
fmt = lambda v: "—" if v is None else f"{v:.3g}"
for cmp in pairs:
    r = json.load(open(f"{tmp}/{cmp}.json"))
    a, i, e = r["ug_per_cm2"], r["intact_ug_per_cm2"], r["enhancement"]
    for k, h in enumerate(r["hours"]):
        if round(h, 6) in (1, 4, 24, 48):
            out.append(f"| {cmp.replace('_', ' ')} | {h:g} | {fmt(a['delivered'][k])} | {fmt(i['delivered'][k])} | "
                       f"{fmt(e['delivered'][k])} | {fmt(a['vehicle'][k])} | {fmt(i['vehicle'][k])} |")
out += ["", f"The shipped pair (ascorbic acid), in full: `scripts/topical_report.py serum_after_session.h5 "
        "--intact serum_intact_skin.h5 --markdown`:", ""]
out += open(f"{tmp}/ascorbic_acid.md").read().rstrip("\n").split("\n")
# the run's own outcomes, from the pair's `cisim run` summaries: first arrival at each layer's
# top row (every step, interpolated) and the lag times; a layer the short check run has not
# reached yet is left out of the comparison (its row is not in the check's table)
import re
arr_rows, lag_rows = [], []
for base, label in (("serum_after_session", "after a session"), ("serum_intact_skin", "intact skin")):
    log = open(f"{tmp}/{base}_ascorbic_acid.log").read()
    blk = log.split("compound, first arrival")[1].split("deepest depth reached")[0]
    for name, depth, val in re.findall(r"^  (\S+)\s+at\s+([0-9.e+-]+) µm: (not reached|[0-9.e+-]+ h)", blk, re.M):
        if val == "not reached" and check:
            continue
        arr_rows.append(f"| {label} | {name} ({float(depth):g} µm) | "
                        f"{'not reached' if val == 'not reached' else fmt(float(val.split()[0]))} |")
    m = re.search(r"^  delivered: (.*)$", log, re.M)
    for name, val in re.findall(r"(\w+) ([0-9.e+-]+|-) h?", m.group(1)):
        if name != "stratum_corneum":
            lag_rows.append(f"| {label} | {name} | {'—' if val == '-' else fmt(float(val))} |")
out += ["", "The runs' own outcomes (the end of `cisim run`'s summary, followed after every accepted step):",
        "the first time the free compound's lateral mean reaches 1 µg/mL at the top row of each",
        "layer, hours (interpolated between the two steps around it), and the lag time of what was",
        "delivered to each layer or deeper, hours:", "",
        "| skin | layer (top row's depth) | first reaches 1 µg/mL (h) |", "|---|---|---|"] + arr_rows
out += ["", "| skin | delivered to the layer or deeper | lag time (h) |", "|---|---|---|"] + lag_rows
out += ["", "<!-- topical_docs: end -->"]
text = "\n".join(out)
lines = open(page).read().split("\n")

def block(name):
    b = next((n for n, l in enumerate(lines) if l.startswith(f"<!-- {name}: begin")), None)
    e = next((n for n, l in enumerate(lines) if l.startswith(f"<!-- {name}: end")), None)
    if b is None or e is None or e < b:
        sys.exit(f"topical_docs: {page} has no {name} begin/end markers")
    return b, e

vnew = ["<!-- topical_verify: begin (scripts/topical_docs.sh writes this block; do not edit) -->"]
vnew += open(f"{tmp}/verify.md").read().rstrip("\n").split("\n") + ["<!-- topical_verify: end -->"]
vb, ve = block("topical_verify")
if check and lines[vb:ve + 1] != vnew:
    import difflib
    sys.stderr.writelines(l + "\n" for l in difflib.unified_diff(lines[vb:ve + 1], vnew, "page", "tests", lineterm=""))
    sys.exit(f"topical_docs: {page}: the verification block differs from the tests' output")
lines[vb:ve + 1] = vnew
b, e = block("topical_docs")
new = text.split("\n")
if not check:
    lines[b:e + 1] = new
    open(page, "w").write("\n".join(lines))
    print(f"topical_docs: {page}: verification and results blocks replaced", file=sys.stderr)
    sys.exit(0)
print(f"topical_docs: the verification block equals the tests' output ({len(vnew) - 2} lines)", file=sys.stderr)

def tables(ls):
    """The block's markdown tables, each a list of rows, in order; a table's row key is the
    row's leading cells up to and including its hours cell."""
    ts, cur = [], None
    for l in ls:
        if l.startswith("|"):
            if cur is None:
                cur = []
                ts.append(cur)
            cur.append(l)
        else:
            cur = None
    return ts

def key(row):
    cells = [c.strip() for c in row.strip("|").split("|")]
    return tuple(cells[:2]) if not cells[0].replace(".", "").isdigit() else (cells[0],)

have, want = tables(lines[b:e + 1]), tables(new)
bad = 0
if len(have) != len(want):
    sys.exit(f"topical_docs: {page}: {len(have)} tables in the block, the runs give {len(want)}")
nrows = 0
for ti, (h, w) in enumerate(zip(have, want)):
    hk = {key(r): r for r in h[2:]}
    for r in w[2:]:
        nrows += 1
        if hk.get(key(r)) != r:
            bad += 1
            print(f"topical_docs: table {ti + 1}: the page has\n  {hk.get(key(r))}\nthe run gives\n  {r}", file=sys.stderr)
print(f"topical_docs: {nrows} rows of {len(want)} tables checked against the runs, {bad} differ", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
