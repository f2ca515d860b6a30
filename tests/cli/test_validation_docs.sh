#!/usr/bin/env bash
# docs/validation.md's generated block (between "<!-- validate: begin -->" and
# "<!-- validate: end -->") must be what `cisim validate` reports now on the shipped table:
# a change of the model, of a config or of the table that moves a prediction fails here until
# the page is regenerated with scripts/validation_report.sh.
# CISIM_TEST_QUICK=1 (the sanitizer build; the 30-odd runs take minutes there): skipped (77).
#   tests/cli/test_validation_docs.sh CISIM SOURCE_DIR
set -u
cisim=$(realpath "$1") src=$(realpath "$2")
if [ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ]; then
  echo "SKIP: CISIM_TEST_QUICK set (the Release suite checks the page)"; exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
cd "$src"
"$cisim" validate validation/observations.yaml -o "$T/v" --workers 2 > "$T/log" 2>&1 ||
  { echo "FAIL: cisim validate failed"; tail -5 "$T/log"; exit 1; }
sed -n '/^<!-- validate: begin -->$/,/^<!-- validate: end -->$/p' docs/validation.md | sed '1d;$d' > "$T/page"
if diff -u "$T/page" "$T/v/validation.md" > "$T/diff"; then
  echo "ok: docs/validation.md holds the report of cisim validate ($(wc -l < "$T/page") lines)"
else
  echo "FAIL: docs/validation.md differs from cisim validate's report (regenerate: scripts/validation_report.sh)"
  head -40 "$T/diff"
  exit 1
fi
