#!/usr/bin/env bash
# scripts/bless-references.sh [--force] [--build DIR]
#
# Regenerates the regression references tests/regression/refs/<case>.h5 after an intended
# change of results (docs/regression.md). For every case tests/regression/<case>.yaml it runs
# the case with the Release build (default: build/), prints `cisim compare NEW OLD` (what moved,
# by how much and where) and then replaces the old reference. Finally it runs the restart case
# against the new default_2d reference.
#
# Refuses (exit 2) when the engine has uncommitted changes (git status --porcelain -- sim models
# CMakeLists.txt): a reference must come from committed code so that the commit that changes
# results is the one that carries the new references. --force blesses anyway.
# Exit status: 0 blessed, 1 a run or the restart check failed, 2 refused or bad usage.
set -u
force=0 build=
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1 ;;
    --build) build=${2:?--build needs a directory}; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bless-references: unknown argument '$1' (usage: $0 [--force] [--build DIR])" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
build=${build:-build}
cisim=$build/cisim

if [ "$force" != 1 ]; then
  if ! dirty=$(git status --porcelain -- sim models CMakeLists.txt 2>&1); then
    echo "bless-references: git status failed ($dirty); use --force outside a git checkout" >&2
    exit 2
  fi
  if [ -n "$dirty" ]; then
    echo "bless-references: refusing: the engine has uncommitted changes:" >&2
    printf '%s\n' "$dirty" | sed 's/^/    /' >&2
    echo "Commit them first (references must come from committed code), or use --force." >&2
    exit 2
  fi
fi
[ -x "$cisim" ] || { echo "bless-references: $cisim not found: build first (cmake -B $build -S . && cmake --build $build)" >&2; exit 2; }
bt=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt" 2>/dev/null)
if [ "$bt" != Release ]; then
  echo "bless-references: $build is a '${bt:-unknown}' build; the references are made with a Release build (CI's)" >&2
  [ "$force" = 1 ] || exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-bless.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
status=0
for config in tests/regression/*.yaml; do
  case=$(basename "$config" .yaml)
  [ "$case" = tolerances ] && continue
  ref=tests/regression/refs/$case.h5
  echo "=== $case"
  if ! "$cisim" run -q --threads 2 "$config" -o "$tmp/$case.h5" >"$tmp/$case.log" 2>&1; then
    echo "bless-references: $case: the run failed; $ref kept:" >&2
    tail -n 20 "$tmp/$case.log" >&2
    status=1
    continue
  fi
  if [ -f "$ref" ]; then
    echo "--- cisim compare NEW $ref (tolerances.yaml):"
    "$cisim" compare "$tmp/$case.h5" "$ref" --tolerances tests/regression/tolerances.yaml
    echo "--- exit status $? (0 same, 1 different, 2 not comparable)"
  else
    echo "--- new case: no previous reference"
  fi
  mkdir -p tests/regression/refs
  cp "$tmp/$case.h5" "$ref" && echo "--- blessed $ref ($(du -h "$ref" | cut -f1))"
done
if [ $status -eq 0 ]; then
  echo "=== restart (against the new default_2d reference)"
  bash tests/regression/run_case.sh "$build" restart --quiet || status=1
fi
echo "references: $(du -ch tests/regression/refs/*.h5 | tail -n 1 | cut -f1) in all"
exit $status
