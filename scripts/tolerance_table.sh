#!/usr/bin/env bash
# scripts/tolerance_table.sh [--build DIR] [--work DIR] [--end DAY] [--reference RTOL] [--quick]
#
# What time.rtol means for the outcomes of the default protocol (configs/default.yaml): runs it
# to day END (90) at rtol = atol = 1e-2, 3e-3 (the config's), 1e-3 and 3e-4 (second order; the
# first-order scheme at 3e-2 and 1e-2) and once at 1e-5 (the converged reference, second
# order), and prints the papillary
# and reticular collagen changes at END, their errors against the reference and the steps as a
# Markdown table; docs/numerics.md shows its output. Then it checks that the error falls at
# least in proportion to rtol (second order): error(r) <= error(r0) * r/r0 against the loosest
# rtol r0, for each outcome (errors change sign as rtol falls, so neighbours' ratios can be
# anything near a crossing). --quick: 50 µm cells and END 30 (minutes).
# --reference RTOL: the reference's tolerance instead of 1e-5 (e.g. 1e-4: about 3x faster;
# the script then also prints the 1e-3 run's distance to it, the size of the reference's own
# error times (1e-3/RTOL)^order).
#
# Runs are kept in WORK (default BUILD/tolerance[-quick]) and reused when their file and log are
# there: delete them to rerun. The reference takes hours on 2 shared cores.
# Exit status: 0 done (and the error fell in proportion), 1 a run failed or it did not, 2 usage.
set -u
build= work= end=90 quick=0 ref=1e-5
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=${2:?--build needs a directory}; shift ;;
    --work) work=${2:?--work needs a directory}; shift ;;
    --end) end=${2:?--end needs a day}; shift ;;
    --reference) ref=${2:?--reference needs a tolerance}; shift ;;
    --quick) quick=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tolerance_table: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
root=$(cd "$(dirname "$0")/.." && pwd)
build=${build:-$root/build}
cisim=$build/cisim
[ -x "$cisim" ] || { echo "tolerance_table: $cisim not found: build first" >&2; exit 2; }
py=${CISIM_PYTHON:-/usr/bin/python3}
"$py" -c 'import h5py' 2>/dev/null || { echo "tolerance_table: needs python3-h5py ($py)" >&2; exit 2; }
sets=()
if [ "$quick" = 1 ]; then
  [ "$end" = 90 ] && end=30
  sets=(--set grid.spacing_um=50)
  work=${work:-$build/tolerance-quick}
fi
work=${work:-$build/tolerance}
mkdir -p "$work" || exit 2
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

# run SCHEME RTOL: WORK/SCHEME_RTOL.h5 and .log (kept if both are there)
run() {
  local f=$work/$1_$2
  if [ -s "$f.h5" ] && grep -q 'done:' "$f.log" 2>/dev/null; then return 0; fi
  echo "tolerance_table: running $1 at rtol = atol = $2 ..." >&2
  "$cisim" run "$root/configs/default.yaml" -o "$f.h5" --force --threads 1 --set "time.end_day=$end" \
    --set "time.scheme=$1" --set "time.rtol=$2" --set "time.atol=$2" "${sets[@]}" >"$f.log" 2>&1 ||
    { echo "tolerance_table: the run $f failed (see $f.log)" >&2; return 1; }
}

rtols=(1e-2 3e-3 1e-3 3e-4)
run second_order "$ref" || exit 1
for s in second_order first_order; do
  for r in "${rtols[@]}"; do
    # the first-order scheme at tight tolerances takes hours more and is not the default
    [ "$s" = first_order ] && continue
    run "$s" "$r" || exit 1
  done
done
for r in 3e-2 1e-2; do run first_order "$r" || exit 1; done

"$py" - "$work" "$end" "$ref" "${rtols[@]}" <<'EOF'
import re, sys
import h5py
work, end, ref, rtols = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4:]

def outcome(name):
    with h5py.File(f"{work}/{name}.h5", "r") as f:
        s = f["series"]
        # the series' own time axis (a row per step); older files: the snapshot times
        t = s["time"][:] if "time" in s else f["time"][:]
        i = int(abs(t - end).argmin())
        if abs(t[i] - end) > 1e-9:
            sys.exit(f"tolerance_table: {name}.h5 has no series row at day {end:g}")
        vals = float(s["collagen_change_papillary"][i]), float(s["collagen_change_reticular"][i])
    log = open(f"{work}/{name}.log").read()
    m = re.search(r"done: (\d+) steps \((\d+) rejected\).*?, ([0-9.]+) s \(output", log)
    return vals, (int(m.group(1)), int(m.group(2)), float(m.group(3))) if m else (0, 0, 0.0)

(rp, rr), (rs, rj, rw) = outcome(f"second_order_{ref}")
print(f"Default protocol, collagen change at day {end:g}; reference: second order, "
      f"rtol = atol = {ref} ({rs} steps, {rj} rejected, {rw:.0f} s): papillary {rp:+.3f} %, "
      f"reticular {rr:+.3f} %.\n")
print("| scheme | rtol = atol | steps (rejected) | papillary | error | reticular | error |")
print("|---|---|---|---|---|---|---|")
ok = True
import os
for scheme in ("second_order", "first_order"):
    errs = []
    for r in (rtols if scheme == "second_order" else ["3e-2", "1e-2"]):
        if not os.path.exists(f"{work}/{scheme}_{r}.h5"):
            continue
        (p, q), (st, rej, wall) = outcome(f"{scheme}_{r}")
        ep, eq = (p - rp) / rp, (q - rr) / rr
        errs.append((float(r), abs(ep), abs(eq)))
        print(f"| {scheme.replace('_', ' ')} | {r} | {st} ({rej}) | {p:+.2f} % | "
              f"{100 * ep:+.3f} % | {q:+.2f} % | {100 * eq:+.3f} % |")
    if scheme != "second_order" or not errs:
        continue
    # The errors change sign on the way (a near-zero error at one rtol makes the next ratio
    # meaningless), so each is held against the loosest: error(r) <= error(r0) * r / r0.
    r0, p0, q0 = errs[0]
    for r, pe, qe in errs[1:]:
        for what, e0, e in (("papillary", p0, pe), ("reticular", q0, qe)):
            good = e <= e0 * r / r0
            ok = ok and good
            print(f"{'PASS' if good else 'FAIL'}: second order, {what}: rtol {r0:g} -> {r:g} "
                  f"(x{r / r0:.2g}): error {e0:.2e} -> {e:.2e} (x{e / e0 if e0 else 0:.2g})",
                  file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
