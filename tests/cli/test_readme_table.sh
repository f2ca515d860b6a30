#!/usr/bin/env bash
# The README's table of the default run (its day-90 and day-180 rows, written there by
# scripts/make_readme_figure.sh) must be what configs/default.yaml prints now: a change of
# the model or the numerics that moves it fails here until the README is regenerated.
# CISIM_TEST_QUICK=1 (the sanitizer build, where the 180 days take many minutes): skipped (77).
#   tests/cli/test_readme_table.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
if [ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ]; then
  echo "SKIP: CISIM_TEST_QUICK set (the full default run is checked by the Release suite)"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$cisim" run "$src/configs/default.yaml" -o "$T/d.h5" -q --force > "$T/summary.txt" ||
  { echo "FAIL: the default run failed"; exit 1; }
fail=0
for day in 90 180; do
  want=$(sed -n '/collagen, change/,/^session/p' "$T/summary.txt" | grep -E "^ +$day " | head -1)
  have=$(grep -E "^ +$day +[+-]" "$src/README.md" | head -1)
  if [ -z "$want" ] || [ "$want" != "$have" ]; then
    echo "FAIL: README day $day row '$have', the run prints '$want' (regenerate: scripts/make_readme_figure.sh)"
    fail=1
  else
    echo "ok: day $day: $have"
  fi
done
exit $fail
