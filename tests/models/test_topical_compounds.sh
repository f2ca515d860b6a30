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
base["grid"]["size_um"] = [2575, 2000]
base["layers"][0]["thickness_um"] = 25
base["layers"][1]["thickness_um"] = 50
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
