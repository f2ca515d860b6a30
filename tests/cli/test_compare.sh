#!/usr/bin/env bash
# `cisim compare` from the command line: runs with 1 and 2 threads are bitwise the same
# (exit 0 at the default tolerance); a run with another diffusivity is DIFFERENT (exit 1) and
# its JSON report parses; unusable input exits 2 with the file named and no HDF5 error stack.
# usage: test_compare.sh PATH/TO/cisim
set -u
CISIM=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
ok() { pass=$((pass+1)); }
bad() { echo "FAIL $*"; fail=$((fail+1)); }

cat > "$T/tiny.yaml" <<'Y'
model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: 10}
time: {end_day: 0.1, output_every_day: 0.05}
diffusion: {pulse: {mass: 1, position_um: [100, 50]}}
Y

run() { "$CISIM" run "$T/tiny.yaml" --quiet "$@" || bad "cisim run $*"; }
run -o "$T/t1.h5" --threads 1
run -o "$T/t2.h5" --threads 2
run -o "$T/d2.h5" --threads 1 --set diffusion.D_um2_per_day=2e5
run -o "$T/nz.h5" --threads 1 --set output.compression=0
cat > "$T/wide.yaml" <<'Y'
model: diffusion
grid: {dims: 2, size_um: [210, 100], spacing_um: 10}
time: {end_day: 0.1, output_every_day: 0.05}
Y
"$CISIM" run "$T/wide.yaml" --quiet -o "$T/wide.h5" || bad "cisim run wide"

# expect RC NAME ARGS...: exit status RC; stdout/stderr kept in $T/out, $T/err
expect() {
  local want=$1 name=$2; shift 2
  "$CISIM" compare "$@" >"$T/out" 2>"$T/err"
  local rc=$?
  cat "$T/err" >> "$T/allerr"
  if [ $rc -eq "$want" ]; then ok; else bad "$name: exit $rc, expected $want"; cat "$T/out" "$T/err"; fi
}
has() { # has NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then ok; else bad "$1: $(basename "$2") lacks '$3'"; cat "$2"; fi
}

# any thread count: bitwise identical at the default tolerances
expect 0 threads-bitwise "$T/t1.h5" "$T/t2.h5"
has threads-verdict "$T/out" "same within tolerance"
has threads-table "$T/out" "fields/c"

# another diffusivity: different, with the parameter named
expect 1 different-D "$T/d2.h5" "$T/t1.h5"
has different-verdict "$T/out" "DIFFERENT:"
has different-param "$T/out" "diffusion.D_um2_per_day"
# a short summary before the table: how many datasets differ, the largest first
summary=$(grep -n "^summary: [0-9]* of [0-9]* datasets out of tolerance$" "$T/out" | cut -d: -f1)
table=$(grep -n "^dataset  " "$T/out" | cut -d: -f1)
[ -n "$summary" ] && [ -n "$table" ] && [ "$summary" -lt "$table" ] && ok ||
  { bad "different-summary: no summary line before the table"; cat "$T/out"; }
first=$(sed -n "$((summary + 2))p" "$T/out")
[[ $first == "    fields/c "*" points)" ]] && ok || bad "different-summary: first entry '$first', not fields/c"
# the ranking against each species' own scale: two short microneedling runs at needle lengths
# 1.5 and 1.0 mm differ most where the channels reach, not in species that are zero in most
# cells (platelet_gf, open_wound: pointwise relative differences there are infinite, the
# differences themselves ~1e-7 of the species' scale); the outcomes in percentage points
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MN=(--set grid.spacing_um=50 --set time.end_day=2 --set time.output_every_day=1
    --set 'output.summary_days=[]' --set 'protocol.sessions.day=[0]' --quiet --threads 1)
"$CISIM" run "$SRC/configs/single_channel.yaml" "${MN[@]}" -o "$T/n15.h5" >/dev/null || bad "mn run 1.5 mm"
"$CISIM" run "$SRC/configs/single_channel.yaml" "${MN[@]}" --set protocol.device.needle_length_um=1000 \
  -o "$T/n10.h5" >/dev/null || bad "mn run 1.0 mm"
expect 1 needle-lengths "$T/n10.h5" "$T/n15.h5"
if /usr/bin/python3 - "$T/out" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n\n")[1].splitlines()   # the summary block
assert lines[0].startswith("summary: "), lines[0]
lists, cur = {}, None
for l in lines[1:]:
    if l.startswith("  ") and not l.startswith("    "):
        cur = l.strip().split(",")[0]
        lists[cur] = []
    elif l.startswith("    ") and not l.strip().startswith("..."):
        name, key = l.split()[:2]
        lists[cur].append((name, float(key)))
assert set(lists) == {"fields", "outcomes (*_change_*)"}, lists.keys()
for name, entries in lists.items():
    keys = [k for _, k in entries]
    assert keys == sorted(keys, reverse=True), (name, entries)      # largest first
fields = [n for n, _ in lists["fields"]]
assert not {"fields/platelet_gf", "fields/open_wound"} & set(fields), fields
assert {"fields/signal", "fields/collagen"} <= set(fields), fields
outcomes = lists["outcomes (*_change_*)"]
assert outcomes[0][0] == "series/fibroblasts_change_papillary", outcomes
assert 0.1 < outcomes[0][1] < 10, outcomes   # percentage points, as the two summaries print
PY
then ok; else bad "needle-lengths: summary lists"; sed -n '1,20p' "$T/out"; fi
expect 0 threads-summary "$T/t1.h5" "$T/t2.h5"
has threads-summary-line "$T/out" "summary: all "
expect 1 different-D-quiet "$T/d2.h5" "$T/t1.h5" --quiet
[ "$(wc -l < "$T/out")" -eq 1 ] && ok || bad "--quiet printed more than the verdict"
expect 0 different-D-loose "$T/d2.h5" "$T/t1.h5" --atol 1
expect 1 different-D-json "$T/d2.h5" "$T/t1.h5" --format json
if /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["exit_code"] == 1, r["exit_code"]
assert r["verdict"].startswith("DIFFERENT"), r["verdict"]
f = [d for d in r["datasets"] if d["name"] == "fields/c"][0]
assert f["out_of_tolerance"] > 0 and f["points"] == 3 * 20 * 10, f
w = f["worst"]
assert set(["time_day", "z_um", "y_um", "x_um", "a", "b"]) <= set(w), w
assert any(p["name"] == "diffusion.D_um2_per_day" for p in r["parameters_differ"])
' < "$T/out"; then ok; else bad "JSON report does not parse or lacks fields"; cat "$T/out"; fi

# same data, different parameters: a warning, or an error with --strict-params
expect 0 params-warning "$T/nz.h5" "$T/t1.h5"
has params-warning-text "$T/out" "output.compression"
expect 1 params-strict "$T/nz.h5" "$T/t1.h5" --strict-params

# per-dataset tolerances from YAML, and a bad tolerance file reported FILE:LINE:COL
printf 'fields/*: {atol: 1}\nseries/*: {atol: 1}\n' > "$T/tol.yaml"
expect 0 tolerance-file "$T/d2.h5" "$T/t1.h5" --tolerances "$T/tol.yaml"
printf 'fields/c: {rtol: 1, atl: 1}\n' > "$T/badtol.yaml"
expect 2 tolerance-file-bad "$T/d2.h5" "$T/t1.h5" --tolerances "$T/badtol.yaml"
has tolerance-file-bad-msg "$T/err" "badtol.yaml:1:21: fields/c: unknown key 'atl'"

# unusable input: exit 2, the file named, no HDF5 error stack
expect 2 missing-file "$T/nosuch.h5" "$T/t1.h5"
has missing-file-msg "$T/err" "nosuch.h5: cannot read"
expect 2 missing-reference "$T/t1.h5" "$T/nosuch.h5"
expect 2 missing-json "$T/nosuch.h5" "$T/t1.h5" --format json
/usr/bin/python3 -c 'import json,sys; r = json.load(sys.stdin); assert r["exit_code"] == 2' < "$T/out" \
  && ok || bad "JSON for unusable input does not parse"
expect 2 not-hdf5 "$T/tiny.yaml" "$T/t1.h5"
has not-hdf5-msg "$T/err" "tiny.yaml: not an HDF5 file"
expect 2 grid-mismatch "$T/wide.h5" "$T/t1.h5"
has grid-mismatch-msg "$T/err" "different grids"

# usage
expect 2 one-file "$T/t1.h5"
expect 2 bad-rtol "$T/t1.h5" "$T/t2.h5" --rtol -1
expect 2 bad-format "$T/t1.h5" "$T/t2.h5" --format xml
expect 0 help --help
has help-defaults "$T/out" "default 0"

# nothing above may have printed HDF5's error stack
if grep -q "HDF5-DIAG" "$T/allerr"; then bad "an HDF5 error stack was printed"; else ok; fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
