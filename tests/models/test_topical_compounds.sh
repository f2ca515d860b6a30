#!/usr/bin/env bash
# test_topical_compounds.sh CISIM SOURCE_DIR PYTHON: the serum configs pass `cisim check`; every
# compound snippet of configs/compounds/ merged into configs/serum_after_session.yaml (its
# `topical:` keys replace the config's) passes `cisim check`, and a short, coarse run of each
# (2 h at 25 µm) finishes with finite, non-negative values, and its /series amounts per layer
# (µg/cm²) are the snapshot fields summed.
set -eu
cisim=$1 src=$2 py=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cisim-compounds.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for c in serum_after_session serum_intact_skin; do
  "$cisim" check "$src/configs/$c.yaml" > "$tmp/$c.check" || { echo "FAIL: configs/$c.yaml: cisim check"; cat "$tmp/$c.check"; exit 1; }
  echo "PASS  configs/$c.yaml: cisim check"
done
for snip in "$src"/configs/compounds/*.yaml; do
  name=$(basename "$snip" .yaml)
  "$py" - "$src/configs/serum_after_session.yaml" "$snip" "$tmp/$name.yaml" <<'PY'
import sys, yaml
base = yaml.safe_load(open(sys.argv[1]))
snip = yaml.safe_load(open(sys.argv[2]))
for k, v in snip["topical"].items():
    base["topical"][k] = v
base["grid"]["spacing_um"] = 25
thick = {"vehicle": 25, "stratum_corneum": 25, "viable_epidermis": 50}
for layer in base["layers"]:
    layer["thickness_um"] = thick.get(layer["name"], layer["thickness_um"])
base["grid"]["size_um"] = [2575, sum(layer["thickness_um"] for layer in base["layers"])]
base["time"]["end_day"] = 2 / 24
yaml.safe_dump(base, open(sys.argv[3], "w"), allow_unicode=True)
PY
  "$cisim" check "$tmp/$name.yaml" > "$tmp/$name.check" || { echo "FAIL: $name: cisim check"; cat "$tmp/$name.check"; exit 1; }
  "$cisim" run "$tmp/$name.yaml" -o "$tmp/$name.h5" --quiet --threads 1 || { echo "FAIL: $name: run"; exit 1; }
  HDF5_USE_FILE_LOCKING=FALSE "$py" -c "
import h5py, numpy as np, sys
f = h5py.File('$tmp/$name.h5', 'r')
c = f['fields/compound'][:]
assert np.isfinite(c).all() and c.min() >= 0, 'bad values'
print('PASS  $name: checked and ran 2 h; largest compound %.4g µg/mL' % c.max())
# /series amount_<layer> and cleared_amount_<layer> (the model's layer means times the layer's
# depth) against the snapshot fields summed here cell by cell: µg/mL × h µm × 1e-4 cm/µm, the
# lateral mean; equal to rounding at every snapshot time
b = f['fields/bound'][:]
cl = f['fields/cleared'][:]
h = float(f['grid'].attrs['spacing_um'])
lay = f['grid/layer'][:]
names = f['grid'].attrs['layer_names']
names = (names.decode() if isinstance(names, bytes) else str(names)).split(',')
st, s = f['series/time'][:], f['series']
worst = 0.0
for n, t in enumerate(f['time'][:]):
    row = int(np.flatnonzero(np.abs(st - t) < 1e-12)[0])
    for l, ln in enumerate(names):
        rows = lay == l
        for ser, val in (('amount_', (c[n] + b[n])[rows]), ('cleared_amount_', cl[n][rows])):
            want = val.mean(axis=(1, 2)).sum() * h * 1e-4
            have = float(s[ser + ln][row])
            worst = max(worst, abs(have - want) / max(abs(want), 1e-300) if want else abs(have))
assert worst < 1e-9, worst
print('PASS  $name: /series amounts per layer equal the fields summed (largest rel. diff %.2g)' % worst)
"
done
# topical.reference: intact against a separate run on intact skin (the sessions removed): the
# in-run intact amounts per layer equal the separate run's amounts within 3 × rtol (each run
# holds its local error to rtol = 1e-2; the two step sequences differ), where they exceed 1e-3 of
# the dose; the enhancement series is (amount + cleared) over the intact copy's; without the
# reference (the run above) the run has neither the intact fields nor their series.
"$cisim" run "$tmp/ascorbic_acid.yaml" -o "$tmp/ref.h5" --quiet --threads 1 --set topical.reference=intact ||
  { echo "FAIL: reference run"; exit 1; }
"$cisim" run "$tmp/ascorbic_acid.yaml" -o "$tmp/intact.h5" --quiet --threads 1 --set 'protocol.sessions.day=[]' \
  --set 'topical.applications[0].session=-1' ||
  { echo "FAIL: intact run"; exit 1; }
# ... and stopped after 100 steps and resumed on 2 threads: the same bits (the reference's species
# come back from the checkpoint's configuration)
set +e
"$cisim" run "$tmp/ascorbic_acid.yaml" -o "$tmp/ref_rs.h5" --quiet --threads 1 --set topical.reference=intact \
  --stop-after-steps 100 > /dev/null
rc=$?
set -e
[ $rc = 3 ] || { echo "FAIL: stopped reference run: exit $rc (3 expected)"; exit 1; }
"$cisim" run --resume "$tmp/ref_rs.h5" --quiet --threads 2 > /dev/null || { echo "FAIL: resume"; exit 1; }
HDF5_USE_FILE_LOCKING=FALSE "$py" - "$tmp" <<'PY'
import sys
import h5py
import numpy as np
tmp = sys.argv[1]
with h5py.File(f"{tmp}/ref.h5", "r") as r, h5py.File(f"{tmp}/ref_rs.h5", "r") as q:
    for k in ("compound", "compound_intact", "bound_intact", "cleared_intact"):
        assert np.array_equal(r["fields/" + k][:], q["fields/" + k][:]), k
    assert np.array_equal(r["series/enhancement_papillary"][:], q["series/enhancement_papillary"][:])
print("PASS  topical.reference: intact: stopped, resumed on 2 threads: the same bits")
with h5py.File(f"{tmp}/ref.h5", "r") as r, h5py.File(f"{tmp}/intact.h5", "r") as i, \
        h5py.File(f"{tmp}/ascorbic_acid.h5", "r") as n:
    names = r["grid"].attrs["layer_names"]
    names = (names.decode() if isinstance(names, bytes) else str(names)).split(",")
    rs, is_ = r["series"], i["series"]
    dose = float(is_["amount_vehicle"][0])
    worst = 0.0
    for t in r["time"][:]:
        a = int(np.flatnonzero(np.abs(rs["time"][:] - t) < 1e-12)[0])
        b = int(np.flatnonzero(np.abs(is_["time"][:] - t) < 1e-12)[0])
        for l in names:
            x, y = float(rs["amount_intact_" + l][a]), float(is_["amount_" + l][b])
            if max(x, y) > 1e-3 * dose:
                worst = max(worst, abs(x / y - 1))
        # delivered_<layer> from the fields: what is in that layer and below (free, bound,
        # cleared) plus the sink (the film's initial content less everything in the grid)
        h, lay = float(r["grid"].attrs["spacing_um"]), r["grid/layer"][:]
        snap = int(np.flatnonzero(np.abs(r["time"][:] - t) < 1e-12)[0])
        for sfx in ("", "_intact"):
            tot = sum(r["fields/" + k + sfx][snap] for k in ("compound", "bound", "cleared"))
            tot0 = sum(r["fields/" + k + sfx][0] for k in ("compound", "bound", "cleared"))
            prof = tot.mean(axis=(1, 2)) * h * 1e-4
            sink = (tot0.mean(axis=(1, 2)).sum() - tot.mean(axis=(1, 2)).sum()) * h * 1e-4
            sink = 0.0 if abs(sink) < 1e-9 * tot0.mean(axis=(1, 2)).sum() * h * 1e-4 else sink
            for li, l in enumerate(names[1:], start=1):
                want = prof[lay >= li].sum() + sink
                have = float(rs["delivered" + sfx + "_" + l][a])
                assert abs(have - want) <= 1e-9 * max(abs(want), 1e-3), (sfx, l, t, have, want)
        for l in names[1:]:
            num, den = float(rs["delivered_" + l][a]), float(rs["delivered_intact_" + l][a])
            e = float(rs["enhancement_" + l][a])
            assert (e == 1.0 if num == 0 and den == 0 else abs(e / (num / den) - 1) < 1e-12), (l, t, e, num, den)
    assert worst <= 3e-2, worst
    print(f"PASS  topical.reference: intact: in-run intact amounts / a separate intact run - 1: largest {worst:.2g} (<= 3e-2)")
    print("PASS  topical.reference: intact: delivered_<layer> (and its intact copy) = the fields below "
          "the layer + the sink, at every snapshot; enhancement_<layer> = their ratio")
    assert not any(k.startswith("amount_intact") for k in n["series"]), "series without the reference"
    assert "compound_intact" not in n["fields"] and "compound_intact" in r["fields"]
    print("PASS  topical.reference: none: no intact fields and no intact series")
PY
# scripts/plot_topical.py on the ascorbic acid run (itself as the "intact" pair): the three
# figures written, at the size the script sets (11 × 4.4, 10 × 5 and 7 × 4.4 in at 60 dpi), and
# not blank; a
# file that is not a topical run gives exit status 2 and one line.
out=$("$py" "$src/scripts/plot_topical.py" "$tmp/ascorbic_acid.h5" --intact "$tmp/ascorbic_acid.h5" \
        -o "$tmp/figs" --dpi 60) || { echo "FAIL: plot_topical.py"; exit 1; }
"$py" - "$tmp/figs" <<'PY'
import sys
from PIL import Image
for name, size in (("topical_amounts.png", (660, 264)), ("topical_depth_profiles.png", (600, 300)),
                   ("topical_arrival.png", (420, 264))):
    im = Image.open(f"{sys.argv[1]}/{name}").convert("L")
    lo, hi = im.getextrema()
    assert im.size == size, (name, im.size)
    assert hi - lo > 100, (name, lo, hi)
    print(f"PASS  plot_topical.py: {name} {im.size[0]}×{im.size[1]}, not blank")
PY
echo "not a run" > "$tmp/junk.h5"
set +e
msg=$("$py" "$src/scripts/plot_topical.py" "$tmp/junk.h5" -o "$tmp/figs2" 2>&1); rc=$?
set -e
[ $rc = 2 ] && [ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] || { echo "FAIL: plot_topical.py on junk: rc $rc: $msg"; exit 1; }
echo "PASS  plot_topical.py: a non-run file: exit 2, one line ($msg)"
