#!/usr/bin/env bash
# scripts/serum_coupling.sh [--check] [BUILD_DIR]
#
# The growth-factor serum's effect on healing, for docs/topical.md ("Coupling to the healing
# model"): runs configs/serum_growth_factor.yaml (48 h), then configs/default.yaml without and
# with `microneedling.serum.from` set to it, and writes the outcomes of the two healing runs
# into the page's block between `serum_coupling: begin` and `serum_coupling: end`. About
# 1.5 minutes on 2 cores. --check: the same runs, and the block must equal the page's, character
# for character (exit 1 on a difference, nothing written).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
build=$(realpath "${1:-$root/build}")
[ -x "$build/cisim" ] || { echo "serum_coupling: $build/cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
"$py" -c 'import h5py' 2>/dev/null ||
  { echo "serum_coupling: $py lacks h5py (python3-h5py; set CISIM_PYTHON)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-serum.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() { # NAME CONFIG [ARGS...]
  local name=$1 cfg=$2
  shift 2
  echo "serum_coupling: run $name" >&2
  (cd "$tmp" && "$build/cisim" run "$root/$cfg" -o "$name.h5" --quiet "$@" > "$name.log" 2>&1) ||
    { echo "serum_coupling: $name: the run failed" >&2; cat "$tmp/$name.log" >&2; exit 1; }
}
run serum configs/serum_growth_factor.yaml
run without configs/default.yaml
run with configs/default.yaml --set "microneedling.serum.from=$tmp/serum.h5"

"$py" - "$root/docs/topical.md" "$tmp" "$check" <<'PY'
import sys
import h5py
import numpy as np

page, tmp, check = sys.argv[1], sys.argv[2], sys.argv[3] == "1"


def at(f, name, day):
    t = f["series/time"][:]
    i = np.flatnonzero(np.abs(t - day) <= 1e-9 * max(1, day))
    if not len(i):
        sys.exit(f"serum_coupling: {name}: no series row at day {day}")
    return float(f["series"][name][i[0]])


rows = [("collagen change, papillary, day 30 (%)", "collagen_change_papillary", 30),
        ("collagen change, papillary, day 90 (%)", "collagen_change_papillary", 90),
        ("collagen change, reticular, day 30 (%)", "collagen_change_reticular", 30),
        ("collagen change, reticular, day 90 (%)", "collagen_change_reticular", 90),
        ("collagen change, reticular, day 180 (%)", "collagen_change_reticular", 180),
        ("depth reached by +5 % collagen, day 90 (µm)", "collagen_depth_um", 90),
        ("fibroblast change, reticular, day 7 (%)", "fibroblasts_change_reticular", 7)]
with h5py.File(f"{tmp}/without.h5", "r") as a, h5py.File(f"{tmp}/with.h5", "r") as b, \
        h5py.File(f"{tmp}/serum.h5", "r") as s:
    skin = s["grid/layer"][:] > 0  # the film is layer 0 (a finite dose)
    peak = float(s["fields/compound"][:].mean(axis=(2, 3))[:, skin].max())
    out = ["<!-- serum_coupling: begin (scripts/serum_coupling.sh writes this block; do not edit) -->", "",
           f"The serum's free growth factor below the skin peaks at {peak * 1e3:.3g} ng/mL (lateral",
           "mean, the film excluded); `cisim run configs/default.yaml`, three sessions, without and",
           "with `--set microneedling.serum.from=serum_growth_factor.h5`:", "",
           "| outcome | default protocol | with the serum after each session |", "|---|---|---|"]
    for label, name, day in rows:
        out.append(f"| {label} | {at(a, name, day):.4g} | {at(b, name, day):.4g} |")
out += ["", "<!-- serum_coupling: end -->"]
lines = open(page).read().split("\n")
bgn = next((n for n, l in enumerate(lines) if l.startswith("<!-- serum_coupling: begin")), None)
end = next((n for n, l in enumerate(lines) if l.startswith("<!-- serum_coupling: end")), None)
if bgn is None or end is None or end < bgn:
    sys.exit(f"serum_coupling: {page} has no serum_coupling begin/end markers")
if check:
    if lines[bgn:end + 1] != out:
        import difflib
        sys.stderr.writelines(l + "\n" for l in difflib.unified_diff(lines[bgn:end + 1], out, "page", "runs", lineterm=""))
        sys.exit(f"serum_coupling: {page}: the block differs from the runs")
    print(f"serum_coupling: {page}: the block equals the runs ({len(rows)} rows)", file=sys.stderr)
else:
    lines[bgn:end + 1] = out
    open(page, "w").write("\n".join(lines))
    print(f"serum_coupling: {page}: block replaced", file=sys.stderr)
PY
