#!/usr/bin/env bash
# scripts/model_outcomes.sh [--build DIR]
#
# The tables of docs/model.md §5: each published study's protocol run on the default skin and
# roller (configs/default.yaml with the study's session days and needles), read at the
# study's read-out day: total, type I and type III collagen, the III share, elastin
# (mature, tropoelastin), the epidermal thickness (keratinocyte index) and, for the
# saturation question, the fibroblasts' largest layer-mean rise against their carrying
# capacity (κ − 1 = +100 %). Then the acne-scar and photo-aged starting states. Markdown on
# stdout; takes a few minutes on 2 cores.
set -u
build=
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?--build needs a directory}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "model_outcomes: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
cisim=${build:-$root/build}/cisim
[ -x "$cisim" ] || { echo "model_outcomes: $cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-outcomes.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

# label | config | session days | needle µm | read-out day
studies=(
  "Aust 2008: 1 session|default|[0]|1500|180"
  "Alam 2014: 3 sessions, 2 weeks apart|default|[0, 14, 28]|1500|180"
  "El-Domyati 2015: 6 sessions, 2 weeks apart; +3 months|default|[0, 14, 28, 42, 56, 70]|1500|160"
  "Kenkel 2021: 4 monthly sessions; +3 months|default|[0, 30, 60, 90]|1500|180"
  "Zeitter 2014 (rat, 1 mm): 1 session; 10 weeks|default|[0]|1000|70"
  "Zeitter 2014 (rat, 1 mm): 4 sessions, 2 weeks apart; 10 weeks|default|[0, 14, 28, 42]|1000|70"
  "default: 3 sessions, 4 weeks apart; day 90|default|[0, 28, 56]|1500|90"
  "default: 3 sessions, 4 weeks apart; day 180|default|[0, 28, 56]|1500|180"
  "acne scar, untreated; day 180|acne_scar|[]|1500|180"
  "acne scar, 3 sessions; day 180|acne_scar|[0, 28, 56]|1500|180"
  "photo-aged, 3 sessions; day 90|photoaged|[0, 28, 56]|1500|90"
)
i=0
for s in "${studies[@]}"; do
  IFS='|' read -r label cfg days needle day <<<"$s"
  i=$((i + 1))
  "$cisim" run "$root/configs/$cfg.yaml" -o "$tmp/$i.h5" --force --quiet \
    --set "protocol.sessions.day=$days" --set "protocol.device.needle_length_um=$needle" \
    --set "time.end_day=$day" >/dev/null 2>"$tmp/$i.err" ||
    { cat "$tmp/$i.err" >&2; exit 1; }
  printf '%s|%s|%s\n' "$label" "$day" "$tmp/$i.h5" >>"$tmp/list"
done
"$py" - "$tmp/list" <<'PY'
import sys, h5py, numpy as np
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
def at(f, name, day):
    # /series has its own time axis (a row per accepted step, landing on snapshot days);
    # files from before it index series by the snapshot times.
    if name not in f["series"]: return float("nan")
    t = f["series"]["time"][:] if "time" in f["series"] else f["time"][:]
    k = int(np.argmin(abs(t - day)))
    if abs(t[k] - day) > 1e-9 * max(1.0, day):
        sys.exit("model_outcomes: no series row at day %g in %s" % (day, f.filename))
    return float(f["series"][name][k])
print("| protocol | day | collagen I+III pap / ret | type I pap / ret | type III pap / ret "
      "| III share pap | elastin pap | tropoelastin pap | epidermis | fibroblast peak pap (capacity +100 %) | scar filled |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for label, day, path in rows:
    d = float(day)
    with h5py.File(path, "r") as f:
        g = lambda n: at(f, n, d)
        fpk = np.max(f["series"]["fibroblasts_change_papillary"][:])
        fill = g("scar_fill_papillary")
        print("| %s | %g | %+.1f / %+.1f %% | %+.1f / %+.1f %% | %+.1f / %+.1f %% | %.3f | %+.1f %% | %+.1f %% | %+.1f %% | %+.0f %% | %s |" % (
            label, d, g("collagen_change_papillary"), g("collagen_change_reticular"),
            g("collagen_I_change_papillary"), g("collagen_I_change_reticular"),
            g("collagen_III_change_papillary"), g("collagen_III_change_reticular"),
            g("collagen_III_fraction_papillary"), g("elastin_change_papillary"),
            g("tropoelastin_change_papillary"), g("keratinocytes_change_epidermis"), fpk,
            "—" if fill != fill else "%.2f" % fill))
PY
