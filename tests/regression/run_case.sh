#!/usr/bin/env bash
# tests/regression/run_case.sh BUILD_DIR CASE [cisim compare options...]
#
# Runs regression case CASE (tests/regression/CASE.yaml; the case `restart` runs default_2d
# stopped and resumed twice) with BUILD_DIR/cisim into a temporary directory, then compares the
# new run file with the committed reference tests/regression/refs/REF.h5 using
# tests/regression/tolerances.yaml:
#     cisim compare NEW.h5 refs/REF.h5 --tolerances tolerances.yaml
# The exit status is compare's: 0 same within tolerance, 1 different, 2 unusable input (or the
# run itself failed). Extra arguments go to cisim compare (e.g. --rtol 0 --atol 0 to demand
# --format json, --quiet). CISIM_REGRESSION_EXACT=1 leaves out the tolerance file: the files
# must then be equal to the last bit (what the reference build gives). docs/regression.md
# explains the cases.
#
# The cases also run under CISIM_TEST_QUICK=1 (CI's AddressSanitizer build, -O1): that build
# reproduces the Release references bit for bit (measured, docs/regression.md) and the cases
# take 0.1-6 s there.
set -u
if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR CASE [cisim compare options...]" >&2
  exit 2
fi
build=$1 case=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cisim=$build/cisim
[ -x "$cisim" ] || { echo "run_case: $cisim: not found or not executable" >&2; exit 2; }

ref_case=$case
[ "$case" = restart ] && ref_case=default_2d
config=$here/$ref_case.yaml
ref=$here/refs/$ref_case.h5
[ -f "$config" ] || { echo "run_case: unknown case '$case' (no $config)" >&2; exit 2; }
[ -f "$ref" ] || { echo "run_case: no reference $ref (make it with scripts/bless-references.sh)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-regression-$case.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
new=$tmp/$case.h5
# Passive OpenMP waiting: with other tests sharing the cores, spinning barriers slow runs a lot.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

run() {  # run EXPECTED_STATUS cisim-arguments...
  local want=$1 rc
  shift
  "$cisim" "$@" >"$tmp/log" 2>&1
  rc=$?
  if [ $rc -ne "$want" ]; then
    echo "run_case: cisim $* exited $rc, expected $want:" >&2
    tail -n 20 "$tmp/log" >&2
    exit 2
  fi
}

start=$(date +%s.%N)
if [ "$case" = restart ]; then
  # Stop after 190 steps (day ≈ 4.0, after session 1, before the first snapshot), resume
  # and stop again after 407 steps in all (day ≈ 28.02, just after session 2), resume to the
  # end, with changing thread counts: the result must equal the uninterrupted reference.
  run 3 run -q --threads 2 "$config" -o "$new" --stop-after-steps 190
  run 3 run -q --threads 1 --resume "$new" --stop-after-steps 407
  run 0 run -q --threads 2 --resume "$new"
else
  run 0 run -q --threads 2 "$config" -o "$new"
fi
end=$(date +%s.%N)
echo "run_case: $case ran in $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.2f", b-a}') s; comparing with refs/$ref_case.h5"

if [ "${CISIM_REGRESSION_EXACT:-0}" = 1 ]; then
  "$cisim" compare "$new" "$ref" "$@"
else
  "$cisim" compare "$new" "$ref" --tolerances "$here/tolerances.yaml" "$@"
fi
