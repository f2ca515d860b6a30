#!/usr/bin/env bash
# scripts/make_docs.sh [BUILD_DIR]
#
# Regenerates every number of the README and docs/ that a run produces, from runs of the
# program in BUILD_DIR (default build), in place:
#   README.md's default-run table and its figure   scripts/make_readme_figure.sh
#   docs/model.md §5 (published protocols, skin conditions)   scripts/model_outcomes.sh
#   docs/validation.md's results                   scripts/validation_report.sh
#   docs/verification.md                           scripts/verification_report.sh
# Each has a ctest that fails when the committed page and a run disagree (readme_table,
# model_outcomes, validation_docs, and the verification tests' own bounds), so after a model
# change: run this, read `git diff`, commit. Takes about 15 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build}")
[ -x "$build/cisim" ] || { echo "make_docs: $build/cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "make_docs: README table and figure" >&2
bash "$root/scripts/make_readme_figure.sh" "$build"

echo "make_docs: docs/model.md §5" >&2
bash "$root/scripts/model_outcomes.sh" --build "$build" > "$tmp/outcomes.md"
# The page's table runs from its header row to the first line that is not a table row (as
# tests/cli/test_model_outcomes.sh reads it); it is replaced by the script's table rows.
"$py" - "$root/docs/model.md" "$tmp/outcomes.md" <<'PY'
import sys
page, table = sys.argv[1], sys.argv[2]
rows = [l for l in open(table).read().splitlines() if l.startswith("|")]
lines = open(page).read().split("\n")
start = next((i for i, l in enumerate(lines) if l.startswith("| protocol | day | collagen I+III")), None)
if start is None or not rows:
    sys.exit("make_docs: docs/model.md has no §5 table header, or the script printed no table")
end = start
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[start:end] = rows
open(page, "w").write("\n".join(lines))
print(f"docs/model.md: §5 table replaced ({len(rows)} rows)", file=sys.stderr)
PY

echo "make_docs: docs/validation.md" >&2
bash "$root/scripts/validation_report.sh" "$build/cisim"

echo "make_docs: docs/verification.md" >&2
bash "$root/scripts/verification_report.sh" "$build"
echo "make_docs: done; review with git diff" >&2
