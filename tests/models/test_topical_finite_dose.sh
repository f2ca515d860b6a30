#!/usr/bin/env bash
# test_topical_finite_dose.sh CISIM SOURCE_DIR PYTHON: `topical.dose: finite` against exact
# results (docs/topical.md, "Verification"):
#  (e) a film of a = 20 µm (the vehicle layer, its diffusivity 10⁹ µm²/day: well mixed, its
#      resistance a/D_v 10⁻⁶ of the membrane's) on a membrane L = 100 µm (D = 10⁴ µm²/day,
#      K = 0.5) over a perfect sink: the amount left in the film, /series amount_vehicle,
#      against the exact series of finite_dose_exact.py at six times, within 1 % (h = 2 µm:
#      O(h²) ≈ 4e-4; the time error is held below 1e-4 by rtol 1e-5);
#  (f) the same with a no-flux deep wall, a film diffusivity of 10⁵ µm²/day (with 10⁹ the
#      round-off of each solve is amplified by D_v dt/h² and adds up over the steps to 1e-9),
#      and the film on the skin only from hour 6 to hour 30: the film's amount is its initial
#      a·C0 exactly before hour 6 and constant after hour 30 (to round-off), and film +
#      membrane together stay a·C0 (conservation, 1e-12);
#  (g) the channels are measured from the skin, not from the film's top: after a session the
#      channel fraction under a 50 µm film equals, cell for cell and to rounding, that of the same skin
#      without a film (an infinite dose), and the film has none.
set -eu
cisim=$1 src=$2 py=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-finite.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
write() { # NAME DEEP START_H DURATION_H WIPE VEHICLE_D
  cat > "$tmp/$1.yaml" <<YAML
model: topical
grid: {dims: 2, size_um: [4, 120], spacing_um: 2, boundary: {x: noflux, surface: noflux, deep: $2}}
layers:
  - {name: vehicle, thickness_um: 20}
  - {name: membrane, thickness_um: 100}
time: {end_day: 2, output_every_day: 0.05, dt_initial_day: 1e-8, dt_max_day: 0.01, rtol: 1e-5, atol: 1e-6}
output: {file: $tmp/$1.h5}
protocol: {sessions: {day: []}}
topical:
  dose: finite
  vehicle: {diffusivity_um2_per_day: $6}
  compound: {coefficients: direct, diffusivity_um2_per_day: 1e4, partition: 0.5}
  applications:
    - {concentration_mg_per_ml: 1, session: -1, start_h: $3, duration_h: $4, wipe_off: $5}
YAML
}
write exact dirichlet 0 1 false 1e9
write closed noflux 6 24 true 1e5
for d in finite infinite; do
  cat > "$tmp/ch_$d.yaml" <<YAML
model: topical
grid: {dims: 2, size_um: [2580, $([ $d = finite ] && echo 1050 || echo 1000)], spacing_um: 10, boundary: {x: periodic, surface: noflux, deep: dirichlet}}
layers:
$([ $d = finite ] && echo "  - {name: vehicle, thickness_um: 50}")
  - {name: stratum_corneum, thickness_um: 20}
  - {name: dermis, thickness_um: 980}
time: {end_day: 1e-6, output_every_day: 1e-6, dt_initial_day: 1e-10, dt_min_day: 1e-13}
output: {file: $tmp/ch_$d.h5}
protocol:
  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250, tip: cone, halo_um: 20}
  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random, seed: 1}
  sessions: {day: [0]}
topical:
  dose: $d
  applications: [{concentration_mg_per_ml: 1, session: 0, start_h: 0, duration_h: 1}]
YAML
done
for c in exact closed ch_finite ch_infinite; do
  "$cisim" run "$tmp/$c.yaml" --quiet --threads 1 > "$tmp/$c.log" 2>&1 || { echo "FAIL: $c: run"; cat "$tmp/$c.log"; exit 1; }
done
HDF5_USE_FILE_LOCKING=FALSE PYTHONPATH="$src/tests/models" "$py" - "$tmp" <<'PY'
import sys
import h5py
import numpy as np
from finite_dose_exact import donor_fraction

tmp = sys.argv[1]
a, L, D, K, C0 = 20.0, 100.0, 1e4, 0.5, 1000.0   # µm, µm, µm²/day, -, µg/mL
full = a * 1e-4 * C0                               # µg/cm² in the film at the start
fails = 0

def check(name, value, bound, why, lower=False):
    global fails
    ok = value >= bound if lower else value <= bound
    print(f"{'PASS' if ok else 'FAIL'}  {name:<58} = {value:<12.5g} ({'>=' if lower else '<='} {bound:g}; {why})")
    fails += not ok

def series(path):
    f = h5py.File(path, "r")
    s = f["series"]
    return f, np.array(s["time"][:]), {k: np.array(s[k][:]) for k in s if k.startswith("amount_")}

f, t, am = series(f"{tmp}/exact.h5")
with f:
    for tq in (0.05, 0.1, 0.2, 0.5, 1.0, 2.0):
        row = int(np.flatnonzero(np.abs(t - tq) < 1e-12)[0])
        want = full * donor_fraction(tq, a, L, D, K)
        check(f"(e) film amount(t = {tq:g} day) / exact - 1", abs(am["amount_vehicle"][row] / want - 1),
              0.01, "1 %")
    check("(e) film amount(t = 0) / a C0 - 1", abs(am["amount_vehicle"][0] / full - 1), 1e-12, "filled")

f, t, am = series(f"{tmp}/closed.h5")
with f:
    veh, tot = am["amount_vehicle"], am["amount_vehicle"] + am["amount_membrane"]
    before, after = t <= 0.25 + 1e-12, t >= 1.25 - 1e-12
    check("(f) film before the application: max |amount/(a C0) - 1|", np.abs(veh[before] / full - 1).max(),
          1e-12, "not yet on the skin")
    check("(f) film after the wipe-off: (max - min)/(a C0)", np.ptp(veh[after]) / full, 1e-12, "off the skin")
    check("(f) film's loss while on the skin, / (a C0)", 1 - veh[after][0] / full, 0.05, "it delivered", lower=True)
    check("(f) max |film + membrane - a C0| / (a C0), no-flux walls", np.abs(tot / full - 1).max(), 1e-12,
          "conservation")
fin, inf = h5py.File(f"{tmp}/ch_finite.h5", "r"), h5py.File(f"{tmp}/ch_infinite.h5", "r")
with fin, inf:
    pf, pi = fin["fields/pore"][-1], inf["fields/pore"][-1]
    check("(g) channel fraction in the film", float(pf[:5].max()), 0, "none")
    check("(g) channel fraction under the film: max |finite - infinite|", float(np.abs(pf[5:] - pi).max()),
          1e-12, "the same channels; rounding of the depth (k + ½) h − 50 µm")
    check("(g) channel fraction's largest value", float(pi.max()), 0.05, "channels were made", lower=True)
sys.exit(1 if fails else 0)
PY
