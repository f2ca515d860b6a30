#!/usr/bin/env bash
# Regenerates the generated part of docs/validation.md: runs `cisim validate` on the shipped
# table (validation/observations.yaml, base configs/default.yaml) and puts its report
# (DIR/validation.md) between the markers "<!-- validate: begin -->" and "<!-- validate: end -->".
# The runs are cached in DIR (default build/validation), so a second call redoes nothing.
# ctest `validation_docs` checks that the page holds what the program prints now.
#   scripts/validation_report.sh [CISIM [DIR]]     (from anywhere; works in the source tree)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cisim=$(realpath "${1:-$src/build/cisim}")
dir=$(realpath -m "${2:-$src/build/validation}")
doc=$src/docs/validation.md
cd "$src"
OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} "$cisim" validate validation/observations.yaml -o "$dir" \
  --force --workers "${CISIM_WORKERS:-2}" > "$dir.log" 2>&1 ||
  { echo "validation_report: cisim validate failed (see $dir.log)" >&2; exit 1; }
grep -q '^<!-- validate: begin -->$' "$doc" && grep -q '^<!-- validate: end -->$' "$doc" ||
  { echo "validation_report: $doc lacks the begin/end markers" >&2; exit 1; }
tmp=$(mktemp "$doc.XXXXXX")
awk -v rep="$dir/validation.md" '
  /^<!-- validate: begin -->$/ { print; while ((getline l < rep) > 0) print l; skip = 1; next }
  /^<!-- validate: end -->$/ { skip = 0 }
  !skip { print }' "$doc" > "$tmp"
mv "$tmp" "$doc"
echo "docs/validation.md: report of $dir/validation.md ($(grep -o 'runs: [0-9]*, reused [0-9]*' "$dir.log" | tail -1))"
