#!/usr/bin/env bash
# scripts/default_run_report.sh [--build DIR] [--repeat N] [--reference RUN.h5]
#
# The default run (configs/default.yaml, 180 days) with the second-order scheme at the config's
# tolerances, against the first-order scheme at the tolerances the config had before it
# (rtol = atol = 3e-3, error_estimate after_transport: bitwise the earlier default run): wall
# time on 1 and 2 threads (median of N runs, default 3), steps and rejected steps, and the
# papillary and reticular collagen changes at day 90 and 180. With --reference (a converged
# run to day 90 or later, e.g. tolerance_table.sh's second_order_1e-5.h5) also their errors
# at day 90. The machine is named as it reports itself (/proc/cpuinfo).
set -u
build= repeat=3 ref=
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?--build needs a directory}; shift ;;
    --repeat) repeat=${2:?--repeat needs a number}; shift ;;
    --reference) ref=${2:?--reference needs a run file}; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "default_run_report: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
build=${build:-$root/build}
cisim=$build/cisim
[ -x "$cisim" ] || { echo "default_run_report: $cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-default.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
# the wait policy is the program's own (GOMP_SPINCOUNT=1000) unless the caller sets one
old=(--set time.scheme=first_order --set time.rtol=3e-3 --set time.atol=3e-3
     --set time.error_estimate=after_transport)

echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores;" \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for scheme in new old; do
  extra=()
  [ $scheme = old ] && extra=("${old[@]}")
  for th in 1 2; do
    for i in $(seq "$repeat"); do
      f=$tmp/${scheme}_$th.h5
      "$cisim" run "$root/configs/default.yaml" -o "$f" --force --threads "$th" "${extra[@]}" \
        >"$tmp/${scheme}_${th}_$i.log" 2>&1 || { echo "the $scheme run failed" >&2; exit 1; }
    done
  done
done
"$py" - "$tmp" "$repeat" "$ref" <<'EOF'
import re, statistics, sys
import h5py
tmp, repeat, ref = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def changes(path, day):
    with h5py.File(path, "r") as f:
        s = f["series"]
        # the series' own time axis (a row per step); older files: the snapshot times
        t = s["time"][:] if "time" in s else f["time"][:]
        i = int(abs(t - day).argmin())
        if abs(t[i] - day) > 1e-9:
            sys.exit(f"default_run_report: {path} has no series row at day {day}")
        return float(s["collagen_change_papillary"][i]), float(s["collagen_change_reticular"][i])

rp = rr = None
if ref:
    rp, rr = changes(ref, 90)
    print(f"reference {ref}: day 90 papillary {rp:+.3f} %, reticular {rr:+.3f} %")
print("| scheme | steps (rejected) | wall, 1 thread | wall, 2 threads | papillary, day 90 | error | "
      "reticular, day 90 | error | papillary, day 180 | reticular, day 180 |")
print("|---|---|---|---|---|---|---|---|---|---|")
for scheme, name in (("new", "second order (configs/default.yaml)"),
                     ("old", "first order, rtol = atol = 3e-3 (before)")):
    walls = {}
    for th in (1, 2):
        w = []
        for i in range(1, repeat + 1):
            log = open(f"{tmp}/{scheme}_{th}_{i}.log").read()
            m = re.search(r"done: (\d+) steps \((\d+) rejected\).*?, ([0-9.]+) s \(output", log)
            steps, rej = int(m.group(1)), int(m.group(2))
            w.append(float(m.group(3)))
        walls[th] = statistics.median(w)
    p90, r90 = changes(f"{tmp}/{scheme}_1.h5", 90)
    p180, r180 = changes(f"{tmp}/{scheme}_1.h5", 180)
    ep = f"{100 * (p90 - rp) / rp:+.2f} %" if rp is not None else "-"
    er = f"{100 * (r90 - rr) / rr:+.2f} %" if rr is not None else "-"
    print(f"| {name} | {steps} ({rej}) | {walls[1]:.2f} s | {walls[2]:.2f} s | {p90:+.2f} % | {ep} | "
          f"{r90:+.2f} % | {er} | {p180:+.2f} % | {r180:+.2f} % |")
print("\nsummary, second order:\n" + open(f"{tmp}/new_1_1.log").read().split("# outcome", 1)[-1])
print("summary, first order (before):\n" + open(f"{tmp}/old_1_1.log").read().split("# outcome", 1)[-1])
EOF
