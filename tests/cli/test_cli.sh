#!/usr/bin/env bash
# Command-line behaviour: every kind of bad input exits 2 with FILE:LINE:COL: key: ... on
# stderr and writes nothing; an existing run file is never replaced without --force.
# usage: test_cli.sh PATH/TO/cisim
set -u
CISIM=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

good() { cat <<'Y'
model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: 10}
time: {end_day: 0.1, output_every_day: 0.05}
Y
}

# expect_fail NAME EXPECTED_STDERR_SUBSTRING -- ARGS...   (exit 2, message, no output file)
expect_fail() {
  local name=$1 want=$2; shift 3
  rm -f "$T/out.h5"
  "$CISIM" "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$?
  if [ $rc -ne 2 ]; then
    echo "FAIL $name: exit $rc, expected 2"; cat "$T/stderr"; fail=$((fail+1)); return
  fi
  if ! grep -qF -- "$want" "$T/stderr"; then
    echo "FAIL $name: stderr lacks '$want':"; cat "$T/stderr"; fail=$((fail+1)); return
  fi
  if [ -e "$T/out.h5" ]; then
    echo "FAIL $name: an output file was written"; fail=$((fail+1)); return
  fi
  pass=$((pass+1))
}

cfg() { printf '%s\n' "$2" > "$T/$1.yaml"; echo "$T/$1.yaml"; }

f=$(cfg unknown "$(good)
diffusion: {D_um2_per_dy: 5}")
expect_fail unknown-key "unknown.yaml:4:13: unknown key 'diffusion.D_um2_per_dy' (did you mean 'diffusion.D_um2_per_day'?)" -- run "$f" -o "$T/out.h5"

f=$(cfg dup "$(good)
time: {end_day: 1}")
expect_fail duplicate-key "dup.yaml:4:1: duplicate key 'time'" -- run "$f" -o "$T/out.h5"

f=$(cfg wrongtype "model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: fast}
time: {end_day: 0.1}")
expect_fail wrong-type 'wrongtype.yaml:2:50: grid.spacing_um: expected a number' -- run "$f" -o "$T/out.h5"

f=$(cfg maptype "model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: {a: 1}}
time: {end_day: 0.1}")
expect_fail mapping-for-number 'maptype.yaml:2:50: grid.spacing_um: expected a number' -- run "$f" -o "$T/out.h5"

f=$(cfg range "$(good)
diffusion: {decay_per_day: -1}")
expect_fail out-of-range 'range.yaml:4:28: diffusion.decay_per_day: expected a number in [0, 1e+09] 1/day, got "-1"' -- run "$f" -o "$T/out.h5"

f=$(cfg nan "$(good)
diffusion: {decay_per_day: .nan}")
expect_fail nan 'nan.yaml:4:28: diffusion.decay_per_day: expected a finite number' -- run "$f" -o "$T/out.h5"

f=$(cfg inf "$(good)
diffusion: {decay_per_day: 1e999}")
expect_fail inf 'inf.yaml:4:28: diffusion.decay_per_day: expected a finite number' -- run "$f" -o "$T/out.h5"

: > "$T/empty.yaml"
expect_fail empty-file "empty.yaml: empty configuration" -- run "$T/empty.yaml" -o "$T/out.h5"

expect_fail missing-file "missing.yaml: cannot read config" -- run "$T/missing.yaml" -o "$T/out.h5"

f=$(cfg notyaml "model: diffusion
grid: [1, 2
time: {end_day: 1}")
expect_fail not-yaml "notyaml.yaml:" -- run "$f" -o "$T/out.h5"
grep -q "not valid YAML" "$T/stderr" || { echo "FAIL not-yaml: no 'not valid YAML'"; fail=$((fail+1)); }

f=$(cfg missing "model: diffusion
grid: {dims: 2, size_um: [200, 100]}")
expect_fail missing-required "missing required key 'time.end_day'" -- run "$f" -o "$T/out.h5"

f=$(cfg model "model: difusion
grid: {dims: 2, size_um: [200, 100]}
time: {end_day: 1}")
expect_fail unknown-model "model.yaml:1:8: model: unknown model 'difusion' (did you mean 'diffusion'?)" -- run "$f" -o "$T/out.h5"

f=$(cfg good "$(good)")
expect_fail set-no-equals "--set 'time.end_day': expected key.path=value" -- run "$f" -o "$T/out.h5" --set time.end_day
expect_fail set-unknown "unknown key 'time.end_dya' (did you mean 'time.end_day'?)" -- run "$f" -o "$T/out.h5" --set time.end_dya=1
expect_fail set-bad-value '--set time.end_day=soon: expected a number in [0, 1e+06] day, got "soon"' -- run "$f" -o "$T/out.h5" --set time.end_day=soon
expect_fail set-nan 'expected a finite number' -- run "$f" -o "$T/out.h5" --set time.end_day=nan
expect_fail check-set-unknown "did you mean 'grid.spacing_um'" -- check "$f" --set grid.spacng_um=5

f=$(cfg layers "model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: 10}
layers:
  - {name: a, thickness_um: 30}
  - {name: b, thickness_um: 60}
time: {end_day: 0.1}")
expect_fail layer-sum "layers.yaml:4:3: layers: thicknesses add up to 90 µm, but the depth (last element of grid.size_um) is 100 µm" -- run "$f" -o "$T/out.h5"

f=$(cfg cells "model: diffusion
grid: {dims: 2, size_um: [205, 100], spacing_um: 10}
time: {end_day: 0.1}")
expect_fail not-whole-cells "not a whole number of cells" -- run "$f" -o "$T/out.h5"

# usage errors
expect_fail no-config "missing CONFIG" -- run
expect_fail bad-threads "--threads: expected a whole number" -- run "$f" --threads zero
expect_fail unknown-option "unknown option '--frobnicate'" -- run "$f" --frobnicate
expect_fail unknown-command "unknown command 'rn'" -- rn "$f"

# an existing run file is neither overwritten nor touched without --force
f=$(cfg good "$(good)")
echo "precious" > "$T/exists.h5"
"$CISIM" run "$f" -o "$T/exists.h5" --quiet 2>"$T/stderr"
rc=$?
if [ $rc -eq 2 ] && grep -q "use --force" "$T/stderr" && [ "$(cat "$T/exists.h5")" = precious ]; then
  pass=$((pass+1))
else
  echo "FAIL existing-output: rc=$rc"; cat "$T/stderr"; fail=$((fail+1))
fi
if "$CISIM" run "$f" -o "$T/exists.h5" --quiet --force && [ "$(head -c 4 "$T/exists.h5" | od -An -c | tr -d ' ')" != prec ]; then
  pass=$((pass+1))
else
  echo "FAIL force: --force did not replace the file"; fail=$((fail+1))
fi
# a valid run: exit 0 and a readable file
if "$CISIM" run "$f" -o "$T/ok.h5" --quiet && [ -s "$T/ok.h5" ]; then pass=$((pass+1)); else echo "FAIL valid run"; fail=$((fail+1)); fi
# progress: in a log (stderr not a terminal) plain lines, no carriage returns, ending at 100 %;
# --quiet: none
"$CISIM" run "$f" -o "$T/prog.h5" 2>"$T/prog.err" >/dev/null
if grep -q "cisim: day 0.1 / 0.1 (100.0 %)" "$T/prog.err" && ! grep -q $'\r' "$T/prog.err"; then
  pass=$((pass+1)); else echo "FAIL progress lines:"; cat "$T/prog.err"; fail=$((fail+1)); fi
"$CISIM" run "$f" -o "$T/quiet.h5" --quiet 2>"$T/quiet.err" >/dev/null
if [ ! -s "$T/quiet.err" ]; then pass=$((pass+1)); else echo "FAIL --quiet printed:"; cat "$T/quiet.err"; fail=$((fail+1)); fi
# check reports cells, memory and a run-time estimate
if "$CISIM" check "$f" | grep -q "cells of" && "$CISIM" check "$f" | grep -q "rough run time"; then
  pass=$((pass+1)); else echo "FAIL check summary"; fail=$((fail+1)); fi

# help, version, listings exit 0
for args in "--help" "--version" "run --help" "check --help" "params --help" "models --help" \
            "bench --help" "params" "params diffusion" "models" "check $f"; do
  # shellcheck disable=SC2086
  if "$CISIM" $args >/dev/null 2>&1; then pass=$((pass+1)); else echo "FAIL cisim $args: non-zero exit"; fail=$((fail+1)); fi
done
"$CISIM" params nosuchmodel >/dev/null 2>&1; [ $? -eq 2 ] && pass=$((pass+1)) || { echo "FAIL params nosuchmodel"; fail=$((fail+1)); }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
