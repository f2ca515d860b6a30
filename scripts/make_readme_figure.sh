#!/usr/bin/env bash
# Regenerates docs/figures/default_collagen_change.png, the README's figure (the collagen change
# map of the default run, configs/default.yaml, at days 30, 90 and 180) and its table (days 90, 180).
#
# usage: scripts/make_readme_figure.sh [BUILD_DIR]     (default: build)
#
# Builds cisim if needed (cmake), runs configs/default.yaml into a temporary directory (about
# half a minute on 2 cores), plots it with scripts/plot_run.py at 100 dpi and copies the map.
# The PNG is committed, so keep it small (the script refuses one over 200 kB).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
OUT=$SRC/docs/figures/default_collagen_change.png
MAX_BYTES=200000

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -B "$BUILD" -S "$SRC" -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" --target cisim
CISIM=$BUILD/cisim
[ -x "$CISIM" ] || { echo "make_readme_figure.sh: no $CISIM after the build" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cisim_readme.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "running configs/default.yaml ..."
"$CISIM" run "$SRC/configs/default.yaml" -o "$TMP/default.h5" --quiet --force > "$TMP/summary.txt"
# plot_run.py re-runs itself with /usr/bin/python3 when this python3 lacks h5py or matplotlib.
# 100 dpi; should the map ever come out over the limit, 90 and then 80 dpi.
mkdir -p "$(dirname "$OUT")"
for dpi in 100 90 80; do
  python3 "$SRC/scripts/plot_run.py" "$TMP/default.h5" -o "$TMP/figures" --dpi "$dpi" > /dev/null
  bytes=$(wc -c < "$TMP/figures/collagen_change_map.png")
  [ "$bytes" -le "$MAX_BYTES" ] && break
  echo "at $dpi dpi the map is $((bytes / 1024)) kB, over $((MAX_BYTES / 1000)) kB: trying less" >&2
done
if [ "$bytes" -gt "$MAX_BYTES" ]; then
  echo "make_readme_figure.sh: the map is still $((bytes / 1024)) kB: too big to commit" >&2
  exit 1
fi
cp "$TMP/figures/collagen_change_map.png" "$OUT"
echo "wrote $OUT ($((bytes / 1024)) kB, $dpi dpi); the run's summary:"
sed -n '/collagen, change/,/^session/p' "$TMP/summary.txt" | sed '$d'
# The README's table: its day-90 and day-180 rows, replaced by the run's own (so the two
# cannot disagree; the ctest readme_table checks the committed README against a run's summary).
/usr/bin/python3 - "$SRC/README.md" "$TMP/summary.txt" <<'PY'
import re, sys
readme, summary = sys.argv[1], open(sys.argv[2]).read()
block = summary[summary.index("collagen, change"):]
rows = {}
for m in re.finditer(r"^ +(90|180) .*$", block, re.M):
    rows.setdefault(m.group(1), m.group(0))  # the collagen table's own rows, not a later table's
text = open(readme).read()
for day, row in rows.items():
    text = re.sub(r"^ +%s +[+-].*$" % day, row, text, count=1, flags=re.M)
open(readme, "w").write(text)
print("README.md: day 90 and 180 rows updated")
PY
