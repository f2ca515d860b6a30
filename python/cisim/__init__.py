"""cisim: read cisim run files (HDF5) with their coordinates and units.

    import cisim
    run = cisim.open_run("run.h5")

With xarray installed (Debian's python3-xarray) `open_run` returns an ``xarray.Dataset``: every
field as a variable over (time, z, y, x), every series over (series_time: a row per accepted
step, so the hours-long peaks after a session are there), the layer index over (z),
coordinates time and series_time (day), z, y, x (cell centres, µm; z is the depth below the skin surface), each
variable's ``units`` (UDUNITS spelling, e.g. "ng mL-1"), ``unit_label`` ("ng/mL") and
``long_name`` as attributes, and the file's root, /grid and /code attributes in ``attrs``.
Without xarray (or with ``xarray=False``) it returns a :class:`Run`, plain numpy arrays in
dictionaries. Fields are read whole; pass ``fields=[...]`` to read only some, or
``fields=[]`` for none.

Run files written before cisim wrote dimension scales and UDUNITS units read the same way:
the coordinates come from /grid and /time (older files have their series over time, the
snapshots), and a unit like "ng/mL" gets its UDUNITS spelling
here. Only h5py and numpy are needed (Debian's python3-h5py, python3-numpy).
"""
import re

__all__ = ["open_run", "Run", "udunits"]

_COORDS = ("time", "z", "y", "x")


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if hasattr(v, "dtype") and v.dtype.kind in "SO" and v.shape == ():
        return _text(v[()])
    return v


def udunits(unit):
    """cisim's spelling of a unit ("ng/mL", "cells/mm³", "µm", "-") in UDUNITS form ("ng mL-1",
    "mm-3", "um", "1"); a unit already in that form comes back unchanged."""
    sup = {"¹": "1", "²": "2", "³": "3"}
    out = []
    for factor in re.split(r"[·* ]+", unit or ""):
        sign = 1
        for i, part in enumerate(factor.split("/")):
            if not part:
                continue
            if i > 0:
                sign = -1
            if part in ("-", "1", "cells", "cell", "amount"):
                continue  # dimensionless, or a count
            m = re.match(r"^([^\d¹²³^-]*)\^?(-?\d+|[¹²³])?$", part)
            if not m:
                return unit
            base = m.group(1).replace("µ", "u").replace("μ", "u")
            exp = int(sup.get(m.group(2), m.group(2) or 1))
            if base in ("", "cells", "cell", "amount"):
                continue
            e = exp * sign
            out.append(base if e == 1 else "%s%d" % (base, e))
    return " ".join(out) if out else "1"


def _attrs(obj):
    a = {}
    for k, v in obj.attrs.items():
        if k in ("DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME"):
            continue
        v = _text(v)
        if hasattr(v, "tolist"):
            v = v.tolist()
        a[k] = v
    # old files: the human spelling in `units`
    if "units" in a and "unit_label" not in a:
        a["unit_label"] = a["units"]
        a["units"] = udunits(a["units"])
    return a


class Run:
    """A run file read into numpy arrays: ``coords`` (time, z, y, x), ``fields`` (name ->
    (time, z, y, x) array), ``series`` (name -> array over ``series_dim``: "series_time", the rows' own times in
    ``coords["series_time"]``, or "time" for older files), ``layer`` (z), ``units`` and
    ``long_names`` (name -> text, for fields, series and coordinates), ``attrs`` (root),
    ``grid_attrs``, ``code_attrs``."""

    def __init__(self, path, fields=None):
        import h5py
        import numpy as np

        with h5py.File(path, "r") as f:
            if "fields" not in f or "time" not in f or "grid" not in f:
                raise ValueError("%s: not a cisim run file (no /fields, /time or /grid)" % path)
            self.path = path
            nsnap = f["time"].shape[0]
            self.coords = {"time": np.asarray(f["time"][()], dtype=float)}
            for c in "zyx":
                self.coords[c] = np.asarray(f["grid"][c][()], dtype=float)
            meta = {"time": _attrs(f["time"])}
            for c in "zyx":
                meta[c] = _attrs(f["grid"][c])
            names = [k for k in f["fields"]
                     if _text(f["fields"][k].attrs.get("CLASS", "")) != "DIMENSION_SCALE"]
            if fields is not None:
                missing = [n for n in fields if n not in names]
                if missing:
                    raise KeyError("%s: no field %s; it has %s" % (path, ", ".join(missing), ", ".join(names)))
                names = list(fields)
            # /time is extended last: its length counts the complete snapshots
            self.fields = {n: np.asarray(f["fields"][n][:nsnap]) for n in names}
            for n in names:
                meta[n] = _attrs(f["fields"][n])
            # Series rows have their own axis, /series/time (a row per accepted step), written
            # last; older run files hold them at the snapshots (/time).
            self.series = {}
            sg = f["series"] if "series" in f else {}
            own = "time" in sg
            if own:
                st = np.asarray(sg["time"][()], dtype=float)
                self.coords["series_time"] = st
                meta["series_time"] = _attrs(sg["time"])
            nrow = self.coords["series_time"].size if own else nsnap
            self.series_dim = "series_time" if own else "time"
            for n in sg:
                if n == "time":
                    continue
                self.series[n] = np.asarray(sg[n][:nrow], dtype=float)
                meta[n] = _attrs(sg[n])
            self.layer = np.asarray(f["grid/layer"][()]) if "layer" in f["grid"] else None
            self.units = {k: v.get("units", "") for k, v in meta.items()}
            self.unit_labels = {k: v.get("unit_label", "") for k, v in meta.items()}
            self.long_names = {k: v.get("long_name", k) for k, v in meta.items()}
            self._meta = meta
            self.attrs = _attrs(f)
            self.grid_attrs = _attrs(f["grid"])
            self.code_attrs = _attrs(f["code"]) if "code" in f else {}

    def to_xarray(self):
        """The same as an xarray.Dataset (needs xarray)."""
        import xarray as xr

        coords = {c: (c, self.coords[c], self._meta[c]) for c in _COORDS}
        if self.series_dim == "series_time":
            coords["series_time"] = ("series_time", self.coords["series_time"],
                                     self._meta["series_time"])
        data = {n: (_COORDS, v, self._meta[n]) for n, v in self.fields.items()}
        for n, v in self.series.items():
            data["series/" + n if n in data or n in coords else n] = (self.series_dim, v,
                                                                      self._meta[n])
        if self.layer is not None:
            data["layer"] = ("z", self.layer, {"long_name": "layer index of each depth row",
                                               "layer_names": self.grid_attrs.get("layer_names", ""),
                                               "units": "1"})
        attrs = dict(self.attrs)
        attrs.update({"grid_" + k: v for k, v in self.grid_attrs.items()})
        attrs.update({"code_" + k: v for k, v in self.code_attrs.items()})
        return xr.Dataset(data, coords=coords, attrs={k: v for k, v in attrs.items()
                                                      if isinstance(v, (str, int, float, list))})


def open_run(path, fields=None, xarray=None):
    """Read a cisim run file. xarray=None: an xarray.Dataset if xarray imports, else a Run;
    xarray=True: a Dataset (ImportError without xarray); xarray=False: a Run."""
    run = Run(path, fields)
    if xarray is False:
        return run
    try:
        import xarray  # noqa: F401
    except ImportError:
        if xarray:
            raise
        return run
    return run.to_xarray()
