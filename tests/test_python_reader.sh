#!/usr/bin/env bash
# The Python reader python/cisim (PYTHONPATH): open_run gives an xarray.Dataset with the fields
# over (time, z, y, x), series over time, coordinates and UDUNITS units when xarray is there,
# and plain numpy (cisim.Run) without it; older run files (a regression reference, and
# tests/io/fixtures/pre_scales_fisher.h5 from before dimension scales) read the same way, their
# units respelled.
#   tests/test_python_reader.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$cisim" run "$src/configs/default.yaml" -o "$T/new.h5" -q --set time.end_day=0.5 \
  --set time.output_every_day=0.25 --set 'output.summary_days=[]' >/dev/null || { echo "FAIL: run"; exit 1; }
PYTHONPATH=$src/python /usr/bin/python3 - "$T/new.h5" "$src/tests/regression/refs/diffusion.h5" \
  "$src/tests/io/fixtures/pre_scales_fisher.h5" <<'PY'
import sys
import h5py
import numpy as np
import cisim

new, old, pre = sys.argv[1:4]
fail = []
def check(c, m):
    if not c:
        fail.append(m)

r = cisim.open_run(new, xarray=False)
with h5py.File(new) as f:
    check(sorted(r.fields) == sorted(k for k in f["fields"] if f["fields"][k].attrs.get("CLASS") != b"DIMENSION_SCALE"),
          "Run.fields: %s" % sorted(r.fields))
    check(np.array_equal(r.fields["collagen"], f["fields/collagen"][()]), "Run.fields values")
    check(np.array_equal(r.coords["z"], f["grid/z"][()]) and r.coords["time"].size == 3, "Run.coords")
    check(r.units["signal"] == "ng mL-1" and r.unit_labels["signal"] == "ng/mL", "Run.units %r" % r.units["signal"])
    check(r.series_dim == "series_time" and np.array_equal(r.coords["series_time"], f["series/time"][()])
          and r.series["collagen_change_papillary"].shape == f["series/time"].shape, "Run.series")
ro = cisim.open_run(old, xarray=False)
check(ro.units["c"] == "um-3" and ro.unit_labels["c"] == "amount/µm³" and ro.units["z"] == "um",
      "old file units: %r %r" % (ro.units["c"], ro.units["z"]))
# a file from before dimension scales and UDUNITS units (tests/io/fixtures/README.md)
rp = cisim.open_run(pre, xarray=False)
check(rp.units["u"] == "1" and rp.units["z"] == "um" and rp.coords["time"].size == 6 and sorted(rp.fields) == ["u"],
      "pre-scales file: units %r, fields %s" % (rp.units, sorted(rp.fields)))
check(cisim.udunits("cells/mm³") == "mm-3" and cisim.udunits("-") == "1" and cisim.udunits("ng mL-1") == "ng mL-1",
      "udunits")
try:
    import xarray  # noqa: F401
    have_xr = True
except ImportError:
    have_xr = False
    print("note: xarray not installed: only the numpy form tested")
if have_xr:
    for path in (new, old, pre):
        ds = cisim.open_run(path)
        name = {new: "collagen", old: "c", pre: "u"}[path]
        check(ds[name].dims == ("time", "z", "y", "x"), "%s: dims %r" % (path, ds[name].dims))
        check(all(c in ds.coords for c in ("time", "z", "y", "x")), "%s: coords" % path)
        check(ds.z.attrs["units"] == "um" and ds.time.attrs["units"] == "day", "%s: coordinate units" % path)
        iz = min(3, ds.sizes["z"] - 1)  # the pre-scales file has 2 rows
        v = ds[name].sel(z=ds.z[iz], x=ds.x[2]).isel(y=0, time=-1)
        with h5py.File(path) as f:
            check(float(v) == float(f["fields"][name][-1, iz, 0, 2]), "%s: value by coordinates" % path)
        check(ds["layer"].dims == ("z",), "%s: layer" % path)
    sub = cisim.open_run(new, fields=["signal"])
    check(list(sub.data_vars)[0] == "signal" and "collagen" not in sub, "fields=[signal]")
# without xarray: numpy
sys.modules["xarray"] = None
check(isinstance(cisim.open_run(new), cisim.Run), "without xarray: not a Run")
try:
    cisim.open_run(new, fields=["nosuch"])
    check(False, "an unknown field was accepted")
except KeyError as e:
    check("nosuch" in str(e), "unknown field message: %s" % e)
for m in fail:
    print("FAIL:", m)
if not fail:
    print("python reader: Dataset%s and numpy forms, new and old run files" % ("" if have_xr else " (not tested)"))
sys.exit(1 if fail else 0)
PY
