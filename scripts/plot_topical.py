#!/usr/bin/env python3
"""plot_topical.py: PNG figures of a topical-delivery run (model: topical, docs/topical.md).

usage: plot_topical.py RUN.h5 [--intact INTACT.h5] [-o DIR] [--dpi N]

Writes into DIR (default: RUN_figures/ next to the run file) and prints the path of each file:
  topical_amounts.png         left: compound (free + bound) per layer, µg/cm², over hours, from
                              /series (every accepted step, so the peaks between snapshots show);
                              right: delivered (everything below the stratum corneum, cleared
                              and, with a finite dose, the deep sink included) and cleared. The
                              same on intact skin dashed: the paired run of --intact, or the
                              run's own copy (topical.reference: intact).
  topical_depth_profiles.png  lateral mean of the free compound against depth below the skin's
                              surface at a few snapshot times, the layer boundaries dashed.
  topical_arrival.png         the deepest depth the free compound's lateral mean has reached the
                              run's level at (topical.arrival_threshold_ug_per_ml) over hours,
                              from /series' compound_arrival_depth_um (followed after every
                              accepted step), the layer tops dashed; the same on intact skin
                              dashed. Left out (a note on stderr) for a run file without it.

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib; started by a python3 without
them, it re-runs itself with /usr/bin/python3 (or $CISIM_PYTHON). Exit status: 0 success, 2 bad
usage, a missing file, or not a topical run file.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cisim_h5  # noqa: E402  (standard library only at import time)

SCRIPT = "plot_topical.py"
LAYER_COLOURS = ["#999999", "#E69F00", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load(path, intact=False):
    """intact: the run's in-run intact copy (topical.reference: intact) instead."""
    import h5py
    import numpy as np
    if not os.path.isfile(path):
        cisim_h5.fail(SCRIPT, "%s: no such file" % path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        cisim_h5.fail(SCRIPT, "%s: not an HDF5 file (%s)" % (path, e))
    with f:
        if "fields/compound" not in f or "series/time" not in f:
            cisim_h5.fail(SCRIPT, "%s: not a topical run file (no /fields/compound or /series)" % path)
        names = text(f["grid"].attrs["layer_names"]).split(",")
        dose = text(f["parameters"].attrs.get("topical.dose", "infinite")) if "parameters" in f else "infinite"
        s = f["series"]
        sfx = "_intact" if intact else ""
        if intact and "amount_intact_" + names[0] not in s:
            return None
        run = {
            "path": path, "names": names, "sc": 1 if dose == "finite" else 0,
            "t_h": np.array(s["time"][:]) * 24,
            "amount": {n: np.array(s["amount" + sfx + "_" + n][:]) for n in names
                       if "amount" + sfx + "_" + n in s},
            "cleared": sum(np.array(s["cleared_amount" + sfx + "_" + n][:]) for n in names
                           if "cleared_amount" + sfx + "_" + n in s),
            "snap_h": np.array(f["fields/time"][:]) * 24,
            "z": np.array(f["fields/z"][:]),
            "layer": np.array(f["grid/layer"][:]),
            "h": float(f["grid"].attrs["spacing_um"]),
        }
        run["profile"] = np.array(f["fields/compound" + sfx][:]).mean(axis=(2, 3))  # (snapshots, nz)
        arr = "compound" + sfx + "_arrival_depth_um"
        run["arrival"] = np.array(s[arr][:]) if arr in s else None
        run["level"] = float(f["parameters"].attrs.get("topical.arrival_threshold_ug_per_ml", 1.0)) \
            if "parameters" in f else 1.0
    if len(run["amount"]) != len(names):
        cisim_h5.fail(SCRIPT, "%s: /series lacks amount_<layer> (written by cisim 0.1 topical runs)" % path)
    run["surface"] = float(run["z"][run["layer"] == run["sc"]][0] - run["h"] / 2)
    held = sum(run["amount"][n] for n in names) + run["cleared"]
    below = sum(run["amount"][n] for n in names[run["sc"] + 1:]) + run["cleared"]
    if run["sc"] == 1:  # finite dose: the film's content less all in the grid left through the sink
        sink = held[0] - held
        below = below + np.where(np.abs(sink) < 1e-9 * held[0], 0.0, sink)
    run["delivered"] = below
    return run


def figure_amounts(run, ref, outdir, dpi):
    import matplotlib.pyplot as plt
    import numpy as np
    fig, (a1, a2) = plt.subplots(1, 2, figsize=cisim_h5.inches(11, 4.4), constrained_layout=True)
    floor = 1e-6
    for li, n in enumerate(run["names"]):
        c = LAYER_COLOURS[li % len(LAYER_COLOURS)]
        a1.plot(run["t_h"], np.maximum(run["amount"][n], floor), color=c, label=n.replace("_", " "))
        if ref is not None and n in ref["amount"]:
            a1.plot(ref["t_h"], np.maximum(ref["amount"][n], floor), color=c, ls="--")
    a2.plot(run["t_h"], np.maximum(run["delivered"], floor), color="#000000", label="delivered")
    a2.plot(run["t_h"], np.maximum(run["cleared"], floor), color="#0072B2", label="cleared")
    if ref is not None:
        a2.plot(ref["t_h"], np.maximum(ref["delivered"], floor), color="#000000", ls="--")
        a2.plot(ref["t_h"], np.maximum(ref["cleared"], floor), color="#0072B2", ls="--")
    for ax, title in ((a1, "compound per layer (free + bound)"), (a2, "delivered below the stratum corneum")):
        ax.set_yscale("log")
        ax.set_xlabel("hours")
        ax.set_ylabel("µg/cm²")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    return save(fig, run, ref, outdir, "topical_amounts.png", dpi)


def save(fig, run, ref, outdir, name, dpi):
    """The run's (and the paired run's) file names as the title; NAME written under OUTDIR."""
    sub = os.path.basename(run["path"]) + ("   (dashed: %s)" % os.path.basename(ref["path"]) if ref else "")
    fig.suptitle(sub, fontsize=10)
    path = os.path.join(outdir, name)
    cisim_h5.save_png(fig, path, dpi)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def figure_profiles(run, outdir, dpi):
    """Two panels: the whole depth, and the top 400 µm where the thin layers are."""
    import matplotlib.pyplot as plt
    import numpy as np
    fig, axes = plt.subplots(1, 2, figsize=cisim_h5.inches(10, 5), constrained_layout=True, sharex=True)
    depth = run["z"] - run["surface"]
    want = [h for h in (1, 2, 4, 8, 24, 48) if h <= run["snap_h"][-1] + 1e-9] or [run["snap_h"][-1]]
    idx = sorted({int(np.argmin(abs(run["snap_h"] - h))) for h in want})
    cmap = plt.get_cmap("viridis")
    tops = [(run["z"][run["layer"] == li][0] - run["h"] / 2 - run["surface"], run["names"][li])
            for li in range(1, len(run["names"]))]
    for ax, (lo, hi) in zip(axes, ((depth[0], depth[-1]), (depth[0], min(depth[-1], 400.0)))):
        for k, i in enumerate(idx):
            p = run["profile"][i]
            ax.plot(np.where(p > 1e-9, p, np.nan), depth, color=cmap(k / max(1, len(idx) - 1)),
                    label="%g h" % run["snap_h"][i])
        last = -1e30
        for top, name in tops:
            ax.axhline(top, color="#777777", ls="--", lw=0.8)
            if top - last > 0.03 * (hi - lo):  # a label only where it does not overlap the last
                ax.text(1.01, top, " " + name.replace("_", " "), transform=ax.get_yaxis_transform(),
                        fontsize=7.5, va="top", ha="left")
                last = top
        ax.set_xscale("log")
        ax.set_ylim(hi, min(lo, 0))
        ax.set_xlabel("free compound, lateral mean (µg/mL)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("depth below the skin's surface (µm)")
    axes[0].legend(fontsize=8, loc="lower left")
    axes[0].set_title("whole depth", fontsize=10)
    axes[1].set_title("top 400 µm", fontsize=10)
    fig.suptitle(os.path.basename(run["path"]), fontsize=10)
    path = os.path.join(outdir, "topical_depth_profiles.png")
    cisim_h5.save_png(fig, path, dpi)
    plt.close(fig)
    return path


def figure_arrival(run, ref, outdir, dpi):
    """The arrival depth over hours (a step line: it moves when a deeper row reaches the level)."""
    import matplotlib.pyplot as plt
    import numpy as np
    fig, ax = plt.subplots(figsize=cisim_h5.inches(7, 4.4), constrained_layout=True)
    ax.step(run["t_h"], run["arrival"], where="post", color="#D55E00", label="after the session")
    if ref is not None and ref.get("arrival") is not None:
        ax.step(ref["t_h"], ref["arrival"], where="post", color="#0072B2", ls="--", label="intact skin")
    deepest = np.nanmax(run["arrival"]) if np.isfinite(run["arrival"]).any() else 0.0
    for li in range(run["sc"] + 1, len(run["names"])):
        top = run["z"][run["layer"] == li][0] - run["h"] / 2 - run["surface"]
        ax.axhline(top, color="#777777", ls=":", lw=0.8)
        ax.text(1.01, top, " " + run["names"][li].replace("_", " "), transform=ax.get_yaxis_transform(),
                fontsize=7.5, va="top", ha="left")
    depth = run["z"][-1] + run["h"] / 2 - run["surface"]
    ax.set_ylim(max(depth, deepest), 0)
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set_xlim(0, max(run["t_h"][-1], 0.02))
    ax.set_xlabel("hours (linear below 0.01 h)")
    ax.set_ylabel("depth below the skin's surface (µm)")
    ax.set_title("deepest depth reached by %g µg/mL of free compound (lateral mean)" % run["level"], fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center right")
    return save(fig, run, ref, outdir, "topical_arrival.png", dpi)


def main():
    ap = argparse.ArgumentParser(prog=SCRIPT, description="PNG figures of a topical run file.")
    ap.add_argument("run", metavar="RUN.h5")
    ap.add_argument("--intact", metavar="INTACT.h5", help="the paired run on intact skin (dashed)")
    ap.add_argument("-o", "--outdir", metavar="DIR")
    ap.add_argument("--dpi", type=int, default=150)
    a = ap.parse_args()
    if a.dpi < 20 or a.dpi > 600:
        ap.error("--dpi must be between 20 and 600")
    cisim_h5.need_modules(SCRIPT)
    run = load(a.run)
    ref = load(a.intact) if a.intact else load(a.run, intact=True)  # the in-run copy, if any
    outdir = a.outdir or os.path.splitext(os.path.abspath(a.run))[0] + "_figures"
    try:
        os.makedirs(outdir, exist_ok=True)
        print(figure_amounts(run, ref, outdir, a.dpi))
        print(figure_profiles(run, outdir, a.dpi))
        if run["arrival"] is not None:
            print(figure_arrival(run, ref, outdir, a.dpi))
        else:
            print("%s: %s has no /series/compound_arrival_depth_um (an older run file): no "
                  "topical_arrival.png" % (SCRIPT, a.run), file=sys.stderr)
    except OSError as e:
        cisim_h5.fail(SCRIPT, "cannot write into %s: %s" % (outdir, e.strerror or e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
