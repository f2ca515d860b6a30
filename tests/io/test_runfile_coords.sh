#!/usr/bin/env bash
# The run file describes itself: every /fields dataset has the dimension scales time, z, y, x
# and every /series dataset time (HDF5 dimension scales, read here with h5py), with units in
# UDUNITS spelling and depth marked positive down; with Debian's python3-xarray and
# python3-h5netcdf, xarray.open_dataset(f, group="fields", engine="h5netcdf") gives named
# dimensions with their coordinates (in 2D and 3D). An older run file (a run
# file written before the scales, tests/io/fixtures/pre_scales_fisher.h5) still reads with
# `cisim info`, `cisim compare` and scripts/plot_run.py.
#   tests/io/test_runfile_coords.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
"$cisim" run "$src/configs/default.yaml" -o 2d.h5 -q --set time.end_day=0.5 \
  --set time.output_every_day=0.25 >/dev/null || { echo "FAIL: 2D run"; exit 1; }
"$cisim" run "$src/configs/diffusion_channel.yaml" -o 3d.h5 -q --set grid.dims=3 \
  --set "grid.size_um=[400, 200, 1500]" --set grid.spacing_um=50 --set time.end_day=0.1 \
  --set time.output_every_day=0.05 --set "diffusion.source.position_um=[200, 100, 0]" >3d.log 2>&1 || { cat 3d.log; echo "FAIL: 3D run"; exit 1; }
/usr/bin/python3 - 2d.h5 3d.h5 <<'PY' || exit 1
import sys
import h5py
import numpy as np

fail = []
def check(cond, msg):
    if not cond:
        fail.append(msg)

for path in sys.argv[1:]:
    with h5py.File(path, "r") as f:
        species = [k for k in f["fields"] if f["fields"][k].attrs.get("CLASS") != b"DIMENSION_SCALE"]
        check(len(species) >= 1, "%s: no species" % path)
        for name, at in (("time", "time"), ("z", "grid/z"), ("y", "grid/y"), ("x", "grid/x")):
            check(f["fields"][name] == f[at], "%s: /fields/%s is not /%s" % (path, name, at))
        for s in species:
            d = f["fields"][s]
            for axis, (name, at) in enumerate((("time", "time"), ("z", "grid/z"), ("y", "grid/y"), ("x", "grid/x"))):
                scales = list(d.dims[axis].keys())
                check(scales == [name], "%s: /fields/%s axis %d scales %r" % (path, s, axis, scales))
                if scales:
                    check(np.array_equal(d.dims[axis][0][()], f[at][()]),
                          "%s: /fields/%s axis %d values" % (path, s, axis))
            check(d.attrs["units"] in ("ng mL-1", "mg mL-1", "mm-3", "1", "um-3", "day-1"),
                  "%s: /fields/%s units %r" % (path, s, d.attrs["units"]))
        st = f["series/time"]
        check(st.attrs.get("CLASS") == b"DIMENSION_SCALE" and st.attrs["units"] == "day",
              "%s: /series/time is not a dimension scale in days" % path)
        check(np.all(np.diff(st[()]) > 0) and np.all(np.isin(f["time"][()], st[()])),
              "%s: /series/time does not increase or misses a snapshot time" % path)
        for s in f["series"]:
            if s == "time":
                continue
            check(list(f["series"][s].dims[0].keys()) == ["time"] and f["series"][s].dims[0][0] == st,
                  "%s: /series/%s has not /series/time as its scale" % (path, s))
            check("/" not in f["series"][s].attrs["units"] and "µ" not in f["series"][s].attrs["units"],
                  "%s: /series/%s units %r" % (path, s, f["series"][s].attrs["units"]))
        z = f["grid/z"]
        check(z.attrs["units"] == "um" and z.attrs["positive"] == "down" and z.attrs["axis"] == "Z",
              "%s: /grid/z attributes %r" % (path, dict(z.attrs)))
        check(f["time"].attrs["units"] == "day" and f["time"].attrs["standard_name"] == "time",
              "%s: /time attributes" % path)
        check(list(f["grid/layer"].dims[0].keys()) == ["z"], "%s: /grid/layer has no z scale" % path)

try:
    import xarray as xr
    import h5netcdf  # noqa: F401
except ImportError as e:
    print("note: xarray/h5netcdf not installed (%s): read with h5py only" % e)
    xr = None
if xr is not None:
    for path in sys.argv[1:]:
        ds = xr.open_dataset(path, group="fields", engine="h5netcdf")
        with h5py.File(path, "r") as f:
            for s in ds.data_vars:
                check(ds[s].dims == ("time", "z", "y", "x"), "xarray %s: %s dims %r" % (path, s, ds[s].dims))
            for c, at in (("time", "time"), ("z", "grid/z"), ("y", "grid/y"), ("x", "grid/x")):
                check(c in ds.coords and np.array_equal(ds[c].values, f[at][()]),
                      "xarray %s: coordinate %s" % (path, c))
            check(ds["z"].attrs.get("units") == "um" and ds["time"].attrs.get("units") == "day",
                  "xarray %s: coordinate units" % path)
            check(ds["signal" if "signal" in ds else "c"].attrs.get("units") in ("ng mL-1", "um-3"),
                  "xarray %s: field units" % path)
            # a value through xarray's coordinates is the value in the file
            s = list(ds.data_vars)[0]
            v = float(ds[s].sel(time=ds.time[-1], z=ds.z[2], x=ds.x[1]).isel(y=0))
            check(v == float(f["fields"][s][-1, 2, 0, 1]), "xarray %s: value by coordinates" % path)
            check(ds.sizes["y"] == f["grid/y"].shape[0], "xarray %s: y size" % path)
        ser = xr.open_dataset(path, group="series", engine="h5netcdf")
        check(all(ser[v].dims == ("time",) for v in ser.data_vars), "xarray %s: series dims" % path)
        with h5py.File(path, "r") as f:
            check(np.array_equal(ser["time"].values, f["series/time"][()]), "xarray %s: series time" % path)
    print("xarray (h5netcdf): /fields opens with dimensions (time, z, y, x) and their coordinates")
for m in fail:
    print("FAIL:", m)
sys.exit(1 if fail else 0)
PY
# an older file, without dimension scales (tests/io/fixtures/README.md: written before them; the
# regression references have scales since their re-blessing): info, compare and the plot
# script still read it
old=$src/tests/io/fixtures/pre_scales_fisher.h5
[ -f "$old" ] || { echo "FAIL: $old missing"; exit 1; }
/usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1]); sys.exit(1 if 'DIMENSION_LIST' in f['fields/u'].attrs or 'x' in f['fields'] else 0)" "$old" ||
  { echo "FAIL: $old is not a file without dimension scales"; exit 1; }
"$cisim" info "$old" >info.txt 2>&1 && grep -q "snapshots: 6" info.txt ||
  { cat info.txt; echo "FAIL: cisim info on an older run file"; exit 1; }
"$cisim" compare "$old" "$old" -q >cmp.txt 2>&1 || { cat cmp.txt; echo "FAIL: cisim compare on an older run file"; exit 1; }
# a new file against an old one: the coordinates are not taken for species
"$cisim" run "$src/tests/regression/fisher.yaml" -o new.h5 -q >/dev/null 2>&1 || { echo "FAIL: fisher run"; exit 1; }
"$cisim" compare new.h5 "$old" --rtol 1e-2 --atol 1e-3 >cmp2.txt 2>&1
rc=$?
[ $rc -le 1 ] && ! grep -q "fields/[xyz] \|fields/time " cmp2.txt ||
  { cat cmp2.txt; echo "FAIL: cisim compare of a new file with an older one: exit $rc"; exit 1; }
if /usr/bin/python3 -c "import matplotlib" 2>/dev/null; then
  /usr/bin/python3 "$src/scripts/plot_run.py" "$old" -o oldfig --dpi 50 >plot.txt 2>&1 &&
    [ -s oldfig/u_change_map.png ] && [ -s oldfig/layers_over_time.png ] && ! grep -q Traceback plot.txt ||
    { cat plot.txt; echo "FAIL: plot_run.py on an older run file"; exit 1; }
fi
echo "run file: dimension scales on every field and series (2D, 3D); older files still read"
