#!/usr/bin/env bash
# scripts/cadence_check.sh [BUILD_DIR]
#
# Cadence independence on the default grid: the default protocol (configs/default.yaml, 20 µm)
# to day 20 with snapshots every 0.5, 1 and 5 days; every outcome of the end-of-run summary must
# agree within the run's rtol (tests/engine/test_verify_cadence.c says how each kind is compared; ctest
# runs the same on a 50 µm grid). Prints the test's lines; exit status: the test's.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
exe=$build/tests/test_verify_cadence
[ -x "$exe" ] || { echo "cadence_check: $exe not found: build first" >&2; exit 2; }
OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} exec "$exe" 20 20
