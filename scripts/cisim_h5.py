"""cisim_h5: what scripts/plot_run.py and scripts/plot_compare.py share.

Reads a cisim run file (docs/run-file.md) through cisim's Python reader, python/cisim (found
beside this directory: ../python in the source tree, share/cisim/python when installed), for
the snapshot times, coordinates, series and their units, and adds what the plots need on top
(parameters, layers, punctures, one field snapshot at a time), defensively: every group the plots use may be missing
or may change a little while the model evolves, so the accessors return None (or an empty list)
instead of raising, and the scripts skip a panel with a printed note.

Also holds the interpreter check: the scripts need Debian's python3-h5py, python3-numpy and
python3-matplotlib. If the `python3` that started a script lacks them, need_modules() re-executes
the script once with /usr/bin/python3 (or $CISIM_PYTHON), guarded by $CISIM_PLOT_REEXEC against
loops; where no interpreter has them it prints one clear line and exits 2.

Only the standard library is imported at module level, so that the check can run first.
"""

import os
import sys

REEXEC_ENV = "CISIM_PLOT_REEXEC"
PYTHON_ENV = "CISIM_PYTHON"
DEFAULT_PYTHON = "/usr/bin/python3"


def need_modules(script):
    """Make sure h5py, numpy and matplotlib import; else re-exec or exit 2 with one line."""
    missing = []
    for name in ("numpy", "h5py", "matplotlib"):
        try:
            __import__(name)
        except Exception:  # ImportError, or a broken install that fails in another way
            missing.append(name)
    if not missing:
        import matplotlib
        matplotlib.use("Agg")
        return
    target = os.environ.get(PYTHON_ENV) or DEFAULT_PYTHON
    usable = os.path.isfile(target) and os.access(target, os.X_OK)
    if not os.environ.get(REEXEC_ENV) and usable:
        env = dict(os.environ)
        env[REEXEC_ENV] = "1"
        argv = [target, os.path.abspath(sys.argv[0])] + sys.argv[1:]
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            os.execve(target, argv, env)
        except OSError:
            pass  # fall through to the message
    why = "%s lacks %s" % (sys.executable or "this python", ", ".join(missing))
    if not usable:
        why += "; %s%s is not an executable" % (
            PYTHON_ENV + "=" if os.environ.get(PYTHON_ENV) else "", target)
    sys.stderr.write(
        "%s needs h5py, numpy and matplotlib: on Debian, apt-get install python3-h5py "
        "python3-numpy python3-matplotlib, and run it with /usr/bin/python3 (%s)\n"
        % (script, why))
    sys.exit(2)


def inches(width, height):
    """A figure size rounded to 0.01 in, nudged up so that size × dpi does not truncate to one
    pixel less (5.1 in × 100 dpi is 509.99999 in floating point): PNG sizes stay predictable."""
    return (round(width, 2) + 1e-4, round(height, 2) + 1e-4)


def save_png(fig, path, dpi):
    """Save fig as an opaque RGB PNG, zlib-optimised (a quarter smaller than matplotlib's RGBA;
    Pillow, which matplotlib needs anyway, does the re-encoding)."""
    fig.savefig(path, dpi=dpi, facecolor="white")
    try:
        from PIL import Image
        with Image.open(path) as im:
            im.load()
            rgb = im.convert("RGB") if im.mode != "RGB" else im.copy()
        rgb.save(path, format="PNG", optimize=True)
    except Exception:
        pass  # keep matplotlib's file


def fail(script, message):
    """One line on stderr, exit 2."""
    sys.stderr.write("%s: %s\n" % (script, message))
    sys.exit(2)


def note(script, message):
    """A skipped panel or a fallback: one line on stderr, the run goes on."""
    sys.stderr.write("%s: note: %s\n" % (script, message))


def _is_scale(ds):
    """A dimension scale (a coordinate that newer run files link into /fields), not a species."""
    return _text(ds.attrs.get("CLASS", "")) == "DIMENSION_SCALE"


def _unit(attrs, default=""):
    """The unit as written for people: `unit_label` in newer run files (whose `units` is the
    UDUNITS spelling, "ng mL-1"), `units` in older ones ("ng/mL")."""
    if "unit_label" in attrs:
        return _text(attrs["unit_label"])
    return _text(attrs.get("units", default))


def _text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def reader():
    """cisim's Python reader (python/cisim), from beside this scripts directory, else from
    sys.path (PYTHONPATH)."""
    here = os.path.dirname(os.path.abspath(__file__))
    beside = os.path.normpath(os.path.join(here, "..", "python"))
    if os.path.isdir(os.path.join(beside, "cisim")) and beside not in sys.path:
        sys.path.insert(0, beside)
    import cisim
    return cisim


class Run:
    """One cisim run file, read once into memory except for the fields (read per snapshot)."""

    def __init__(self, path, script):
        import h5py
        import numpy as np
        self.path = path
        self.script = script
        self.name = os.path.splitext(os.path.basename(path))[0]
        if not os.path.exists(path):
            fail(script, "%s: no such file" % path)
        if os.path.isdir(path):
            fail(script, "%s: is a directory, not a cisim run file" % path)
        try:
            self.f = h5py.File(path, "r")
        except Exception as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            if "lock" in msg.lower():
                fail(script, "%s: cannot open (%s); is the run still writing it? "
                     "Try HDF5_USE_FILE_LOCKING=FALSE" % (path, msg))
            fail(script, "%s: not a readable HDF5 file (%s)" % (path, msg))
        f = self.f
        program = _text(f.attrs.get("program", ""))
        if program != "cisim":
            fail(script, "%s: not a cisim run file (no program = 'cisim' attribute)" % path)
        if "fields" not in f or not isinstance(f["fields"], h5py.Group) or len(f["fields"]) == 0:
            fail(script, "%s: not a cisim run file with fields (no /fields)" % path)
        try:
            self.time = np.asarray(f["time"][()], dtype=float).ravel()
        except Exception:
            fail(script, "%s: no /time dataset" % path)
        if self.time.size == 0:
            fail(script, "%s: no complete snapshot yet (/time is empty)" % path)
        self.nsnap = self.time.size
        self.finished = int(f.attrs.get("finished", 1)) == 1
        try:  # series and units through the shared reader; fields stay per snapshot (memory)
            self.run = reader().Run(path, fields=[])
        except Exception as e:
            fail(script, "%s: cannot read its series (%s)" % (path, str(e).splitlines()[0] if str(e)
                                                            else type(e).__name__))

        # Parameters: attributes named by key; units as '<key>.unit'.
        self.params = {}
        self.param_units = {}
        if "parameters" in f:
            for k, v in f["parameters"].attrs.items():
                v = _text(v)
                if k.endswith(".unit"):
                    self.param_units[k[:-5]] = v
                else:
                    self.params[k] = v
        self.yaml = None
        try:
            self.yaml = f["parameters/yaml"].asstr()[()]
        except Exception:
            try:
                self.yaml = _text(f["parameters/yaml"][()])
            except Exception:
                self.yaml = None
        self.model = _text(self.params.get("model")) or self._yaml_value("model") or "?"

        # newer files link their coordinates (time, z, y, x) into /fields as dimension scales
        self.species = [k for k in f["fields"].keys() if isinstance(f["fields"][k], h5py.Dataset)
                        and not _is_scale(f["fields"][k])]
        self._read_grid()

    # ---- parameters -------------------------------------------------------------------------
    def _yaml_value(self, key):
        """The scalar after 'key:' in the resolved YAML text (last component of a dotted key)."""
        import re
        if not self.yaml:
            return None
        m = re.search(r"^\s*%s:\s*\"?([^\"#\n{]+?)\"?\s*(#.*)?$" % re.escape(key.split(".")[-1]),
                      self.yaml, re.M)
        return m.group(1).strip() if m else None

    def param(self, key, default=None):
        """A parameter: numbers as float or numpy array, text as str; None if absent."""
        import numpy as np
        if key in self.params:
            v = self.params[key]
            if isinstance(v, str):
                return v
            if type(v).__name__ == "Empty":  # h5py.Empty: a null attribute, e.g. an empty list
                return default
            try:
                a = np.asarray(v)
            except Exception:
                return default
            if a.dtype.kind in "fiu":
                if a.size == 0:
                    return default  # an empty (null) attribute: not set
                return float(a) if a.ndim == 0 else a.astype(float)
            if a.dtype.kind in "SUO" and a.ndim == 0:
                return _text(a[()])
            return default
        v = self._yaml_value(key)
        if v is None:
            return default
        try:
            return float(v)
        except ValueError:
            return v

    # ---- grid -------------------------------------------------------------------------------
    def _read_grid(self):
        import numpy as np
        f = self.f
        g = f["grid"] if "grid" in f else None
        shape = f["fields"][self.species[0]].shape  # (nsnap, nz, ny, nx)
        if len(shape) == 4:
            nz, ny, nx = shape[1:]
        else:  # tolerate (nsnap, nz, nx)
            nz, ny, nx = shape[-2], 1, shape[-1]
        gattrs = dict(g.attrs) if g is not None else {}
        h = float(gattrs.get("spacing_um", self.param("grid.spacing_um", 1.0) or 1.0))

        def axis(name, n):
            if g is not None and name in g:
                return np.asarray(g[name][()], dtype=float)
            return (np.arange(n) + 0.5) * h
        self.x = axis("x", nx)
        self.y = axis("y", ny)
        self.z = axis("z", nz)
        self.h = h
        self.dims = int(gattrs.get("dims", 3 if ny > 1 else 2))
        size = gattrs.get("size_um")
        if size is not None and len(np.atleast_1d(size)) == 3:
            self.size = [float(s) for s in size]
        else:
            self.size = [nx * h, ny * h, nz * h]
        self.periodic_x = _text(gattrs.get("boundary_x", "")) == "periodic"
        self.periodic_y = _text(gattrs.get("boundary_y", "")) == "periodic"
        names = _text(gattrs.get("layer_names", ""))
        self.layer_names = [s.strip() for s in names.split(",") if s.strip()] if names else []
        tops = gattrs.get("layer_top_um")
        self.layer_top = [float(t) for t in np.atleast_1d(tops)] if tops is not None else []
        if g is not None and "layer" in g:
            self.layer = np.asarray(g["layer"][()], dtype=int)
        elif self.layer_top:
            self.layer = np.searchsorted(np.asarray(self.layer_top), self.z, side="right") - 1
        else:
            self.layer = None
        if self.layer_top and len(self.layer_names) != len(self.layer_top):
            self.layer_names = ["layer %d" % (i + 1) for i in range(len(self.layer_top))]

    def layer_bottom(self, i):
        return self.layer_top[i + 1] if i + 1 < len(self.layer_top) else self.size[2]

    # ---- fields and series ------------------------------------------------------------------
    def has_field(self, name):
        return name in self.species

    def field_attr(self, name, attr, default=""):
        try:
            if attr == "units":
                return _unit(self.f["fields"][name].attrs, default)
            return _text(self.f["fields"][name].attrs.get(attr, default))
        except Exception:
            return default

    def snapshot(self, name, k):
        """Field `name` at snapshot k as a float array (nz, ny, nx)."""
        import numpy as np
        d = self.f["fields"][name]
        a = np.asarray(d[k], dtype=float)
        if a.ndim == 2:
            a = a[:, None, :]
        return a

    def series_time(self):
        """Times of the /series rows: /series/time (a row per accepted step), or in older run files,
        whose series follow the snapshots, /time (then this is self.time itself)."""
        if self.run.series_dim == "series_time":
            return self.run.coords["series_time"]
        return self.time

    def series(self, name):
        """(times, values, units, long_name) of /series/<name>, cut to the complete rows; None if
        absent. units: as cisim writes them for people ("ng/mL")."""
        if name not in self.run.series:
            return None
        t, v = self.series_time(), self.run.series[name]
        n = min(v.size, t.size)
        unit = self.run.unit_labels.get(name) or self.run.units.get(name, "")
        return t[:n], v[:n], unit, self.run.long_names.get(name, name)

    def series_names(self):
        return list(self.run.series)

    def nearest_snapshot(self, day):
        import numpy as np
        return int(np.argmin(np.abs(self.time - day)))

    # ---- protocol ---------------------------------------------------------------------------
    def punctures(self):
        """dict of 1-D arrays (x_um, y_um, depth_um, radius_um, session, day, ...) or None."""
        import numpy as np
        if "punctures" not in self.f:
            return None
        p = {}
        for k, d in self.f["punctures"].items():
            try:
                if d.ndim == 1:
                    p[k] = np.asarray(d[()]).astype(float)
            except Exception:
                pass
        if "x_um" not in p or p["x_um"].size == 0:
            return None
        n = p["x_um"].size
        for k, fallback in (("y_um", 0.0), ("session", 0.0)):
            if k not in p or p[k].size != n:
                p[k] = np.full(n, fallback)
        if "depth_um" not in p or p["depth_um"].size != n:
            L = self.param("protocol.device.needle_length_um")
            pen = self.param("protocol.device.penetration")
            if isinstance(L, float) and isinstance(pen, float):
                p["depth_um"] = np.full(n, L * pen)
            else:
                return None
        if "radius_um" not in p or p["radius_um"].size != n:
            dia = self.param("protocol.device.needle_diameter_um")
            p["radius_um"] = np.full(n, dia / 2 if isinstance(dia, float) else 0.0)
        if "day" not in p or p["day"].size != n:
            days = self.session_days(from_punctures=False)
            s = p["session"].astype(int)
            p["day"] = np.array([days[i] if 0 <= i < len(days) else np.nan for i in s])
        return p

    def session_days(self, from_punctures=True):
        """Sorted session days: from /punctures/day, else from the parameters; [] if none."""
        import numpy as np
        if from_punctures and "punctures" in self.f and "day" in self.f["punctures"]:
            try:
                d = np.asarray(self.f["punctures/day"][()], dtype=float).ravel()
                d = d[np.isfinite(d)]
                if d.size:
                    return sorted(set(float(x) for x in d))
            except Exception:
                pass
        v = self.param("protocol.sessions.day")
        if v is None:
            return []
        try:
            return sorted(float(x) for x in np.atleast_1d(v))
        except (TypeError, ValueError):
            return []

    def protocol_text(self):
        """One line for a figure title: device, pattern, sessions (as far as known)."""
        import numpy as np

        def num(v):
            return "%g" % v
        if self.model != "microneedling" and "punctures" not in self.f:
            return "model: %s" % self.model
        parts = []
        L = self.param("protocol.device.needle_length_um")
        pen = self.param("protocol.device.penetration")
        dia = self.param("protocol.device.needle_diameter_um")
        tip = self.param("protocol.device.tip")
        per_L = self.param("protocol.sessions.needle_length_um")
        if per_L is not None and np.atleast_1d(per_L).size:
            parts.append("needles %s µm" % "/".join(num(v) for v in np.atleast_1d(per_L)))
        elif isinstance(L, float):
            parts.append("%s µm needles" % num(L))
        if isinstance(pen, float):
            s = "penetration %s" % num(pen)
            if isinstance(L, float) and (per_L is None or not np.atleast_1d(per_L).size):
                shape = " " + tip if isinstance(tip, str) else ""
                s += " (%s µm%s channels)" % (num(L * pen), shape)
            parts.append(s)
        if isinstance(dia, float):
            parts.append("Ø %s µm" % num(dia))
        kind = self.param("protocol.pattern.kind")
        dens = self.param("protocol.pattern.density_per_cm2")
        spacing = self.param("protocol.pattern.spacing_um")
        passes = self.param("protocol.pattern.passes")
        pat = []
        if isinstance(kind, str):
            pat.append(kind)
        if isinstance(dens, float) and dens > 0:
            pat.append("%s/cm²" % num(dens))
        elif isinstance(spacing, float) and spacing > 0:
            pat.append("%s µm apart" % num(spacing))
        if isinstance(passes, float) and passes > 1:
            pat.append("× %s passes" % num(passes))
        if pat:
            parts.append(" ".join(pat))
        days = self.session_days()
        # only the sessions the run reached; those planned after its end are said as such
        end = self.param("time.end_day")
        if not isinstance(end, float):
            end = float(self.time[-1]) if self.time.size else None
        inside = [d for d in days if end is None or d <= end]
        later = [d for d in days if d not in inside]
        if inside:
            parts.append("%d session%s (day %s)" % (len(inside), "" if len(inside) == 1 else "s",
                                                   ", ".join(num(d) for d in inside)))
        if later:
            parts.append("%d more planned after the run's end (day %s)"
                         % (len(later), ", ".join(num(d) for d in later)))
        return "; ".join(parts) if parts else "model: %s" % self.model

    def close(self):
        try:
            self.f.close()
        except Exception:
            pass
