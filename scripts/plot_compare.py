#!/usr/bin/env python3
"""plot_compare.py: overlay the outcome curves of several cisim runs in one figure.

usage: plot_compare.py A.h5 B.h5 ... [-o FILE.png] [--series NAME[,NAME...]] [--dpi N]

One panel per series (default: collagen_change_papillary and collagen_change_reticular, the
collagen change of the layer mean vs untreated, in %), one line per run. Each run's legend label
names the parameters that differ between the runs (e.g. "needle_length_um = 500"), or its file
name when none do; the value at the last snapshot follows in brackets. Session days are marked.
Default output: compare.png in the current directory. Prints the path of the written file.

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib (re-runs itself with
/usr/bin/python3 or $CISIM_PYTHON when the python3 that started it lacks them). Exit status:
0 success, 2 bad usage, a missing file, not a cisim run file, or none of the series found.
"""

import argparse
import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cisim_h5  # noqa: E402  (standard library only at import time)

SCRIPT = "plot_compare.py"
DEFAULT_SERIES = ["collagen_change_papillary", "collagen_change_reticular"]
# Parameters that say how a run was stored, not what was simulated.
IGNORED_KEYS = {"output.file", "output.compression", "output.precision", "output.summary_days"}
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#8c564b", "#7f7f7f", "#bcbd22"]


def parse_args():
    ap = argparse.ArgumentParser(prog=SCRIPT,
                                 description="Overlay outcome curves of several cisim runs.")
    ap.add_argument("runs", nargs="+", metavar="RUN.h5", help="cisim run files")
    ap.add_argument("-o", "--output", metavar="FILE.png", default="compare.png",
                    help="figure to write (default: compare.png)")
    ap.add_argument("--series", metavar="NAME[,NAME...]",
                    help="series to plot, one panel each (default: %s)" % ", ".join(DEFAULT_SERIES))
    ap.add_argument("--dpi", type=int, default=150, help="resolution (default 150)")
    a = ap.parse_args()
    if a.dpi < 20 or a.dpi > 600:
        ap.error("--dpi must be between 20 and 600")
    a.series = [s.strip() for s in a.series.split(",") if s.strip()] if a.series else None
    return a


def same(a, b):
    import numpy as np
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    try:
        x, y = np.atleast_1d(a).astype(float), np.atleast_1d(b).astype(float)
    except (TypeError, ValueError):
        return str(a) == str(b)
    return x.shape == y.shape and bool(np.all((x == y) | (np.isnan(x) & np.isnan(y))))


def differ(a, b):
    if a is None or b is None:
        return (a is None) != (b is None)
    return not same(a, b)


def fmt_value(v):
    import numpy as np
    if v is None:
        return "(default)"
    if isinstance(v, str):
        return v
    a = np.atleast_1d(v)
    if a.size == 1 or (a.size > 1 and np.all(a == a[0])):  # e.g. one value in every layer
        return "%g" % a[0]
    return "[" + ", ".join("%g" % x for x in a) + "]"


def differing_keys(runs):
    """Parameter keys whose values differ between the runs, in a stable order."""
    keys = set()
    for r in runs:
        keys.update(r.params.keys())
    out = []
    for k in sorted(keys):
        if k in IGNORED_KEYS:
            continue
        vals = [r.param(k) for r in runs]
        if any(differ(vals[0], v) for v in vals[1:]):
            out.append(k)
    # model first: it changes everything else
    out.sort(key=lambda k: (k != "model", k))
    return out


def short_names(keys):
    """'protocol.device.needle_length_um' -> 'needle_length_um' where that is unambiguous
    among the keys shown and self-explaining (has an underscore); else the last two parts."""
    last = [k.split(".")[-1] for k in keys]
    out = {}
    for k, l in zip(keys, last):
        if last.count(l) == 1 and "_" in l:
            out[k] = l
        else:
            out[k] = ".".join(k.split(".")[-2:])
    return out


def labels_for(runs):
    keys = differing_keys(runs)
    if "model" in keys:  # different models: their other parameters differ wholesale
        keys = ["model"]
    names = short_names(keys)
    shown = keys[:3]
    labels = []
    for r in runs:
        parts = ["%s = %s" % (names[k], fmt_value(r.param(k))) for k in shown]
        if len(keys) > 3:
            parts.append("…")
        lab = ", ".join(parts)
        if not lab or len(lab) > 70:
            lab = os.path.basename(r.path) + (" (" + lab[:50] + "…)" if lab else "")
        labels.append(lab)
    if len(set(labels)) < len(labels):  # the same parameters (e.g. two builds): file names
        labels = [os.path.basename(r.path) for r in runs]
    if len(set(labels)) < len(labels):  # the same file twice
        labels = ["%s [%d]" % (lab, i + 1) for i, lab in enumerate(labels)]
    return labels, keys


def panel_title(run, name, long_name):
    """A short panel title: '<layer> layer: change of the mean <species> vs untreated' for
    the <species>_change_<layer> series, else the series' long name."""
    for lay in run.layer_names:
        suffix = "_change_" + lay
        if name.endswith(suffix):
            return "%s layer: change of the mean %s vs untreated" % (
                lay[:1].upper() + lay[1:], name[: -len(suffix)])
    return long_name[:1].upper() + long_name[1:]


def end_labels(ax, ends):
    """Write each run's last value just right of its curve's end, nudged apart vertically."""
    if not ends:
        return
    lo, hi = ax.get_ylim()
    span = (hi - lo) or 1.0
    ends = sorted(ends, key=lambda e: e[1])
    gap = 0.055 * span
    ys = []
    for _, y, _, _ in ends:
        ys.append(max(y, ys[-1] + gap) if ys else y)
    for (x, y, text, colour), yy in zip(ends, ys):
        ax.annotate(text, xy=(x, yy), xytext=(5, 0), textcoords="offset points", xycoords="data",
                    ha="left", va="center", fontsize=9, color=colour,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))


def pick_series(runs, requested):
    if requested:
        return requested
    present = [s for s in DEFAULT_SERIES if any(r.series(s) is not None for r in runs)]
    if present:
        return present
    # Another model: every collagen_change_<layer>, else the layer means of the first species.
    names = runs[0].series_names()
    cc = [n for n in names if n.startswith("collagen_change_")]
    if cc:
        return cc[:3]
    sp = runs[0].species[0]
    means = [n for n in names if n.startswith(sp + "_mean_")]
    cisim_h5.note(SCRIPT, "no %s in %s: comparing %s instead" % (
        " or ".join(DEFAULT_SERIES), runs[0].path, ", ".join(means[:2]) or "nothing"))
    return means[:2]


def main():
    args = parse_args()
    cisim_h5.need_modules(SCRIPT)
    import numpy as np
    import matplotlib.pyplot as plt
    import matplotlib as mpl
    mpl.rcParams.update({"font.size": 11, "axes.titlesize": 12, "legend.fontsize": 9.5,
                         "axes.spines.top": False, "axes.spines.right": False})

    runs = [cisim_h5.Run(p, SCRIPT) for p in args.runs]
    names = pick_series(runs, args.series)
    if not names:
        cisim_h5.fail(SCRIPT, "no series to compare in %s" % ", ".join(args.runs))
    labels, keys = labels_for(runs)
    panels = []
    for name in names:
        have = [(i, r.series(name)) for i, r in enumerate(runs)]
        for i, s in have:
            if s is None:
                cisim_h5.note(SCRIPT, "%s has no /series/%s: left out of that panel"
                              % (runs[i].path, name))
        have = [(i, s) for i, s in have if s is not None]
        if have:
            panels.append((name, have))
        else:
            cisim_h5.note(SCRIPT, "no run has /series/%s: panel skipped" % name)
    if not panels:
        avail = runs[0].series_names()
        more = " …" if len(avail) > 12 else ""
        cisim_h5.fail(SCRIPT, "none of %s found; %s has: %s" % (
            ", ".join(names), args.runs[0], ", ".join(avail[:12]) + more))

    n = len(panels)
    fig = plt.figure(figsize=cisim_h5.inches(5.6 * n + 0.6, 6.0), layout="constrained")
    gs = fig.add_gridspec(2, n, height_ratios=[5.0, 0.12 + 0.22 * min(len(runs), 8) / 2])
    axes = [fig.add_subplot(gs[0, c]) for c in range(n)]
    sessions = [tuple(r.session_days()) for r in runs]
    common = len(set(sessions)) == 1
    for ax, (name, have) in zip(axes, panels):
        units = ""
        long_name = name
        ends = []
        for i, (t, v, u, ln) in have:
            colour = COLOURS[i % len(COLOURS)]
            ax.plot(t, v, color=colour, lw=2.0, marker="o" if t.size <= 40 else None, ms=3)
            ok = np.isfinite(v)
            if np.any(ok):
                unit_txt = "%" if u == "%" else (" " + u if u and u != "-" else "")
                ends.append((t[ok][-1], v[ok][-1], " %.3g%s" % (v[ok][-1], unit_txt), colour))
            units = units or u
            long_name = ln or long_name
            if not common:
                for d in sessions[i]:
                    ax.axvline(d, color=colour, ls=":", lw=1.0, alpha=0.7, zorder=0)
        if common:
            for d in sessions[0]:
                ax.axvline(d, color="0.5", ls=":", lw=1.1, zorder=0)
        ax.axhline(0, color="0.75", lw=0.8, zorder=0)
        ax.grid(True, color="0.92", lw=0.8)
        ax.set_xlabel("time (day)")
        ax.set_ylabel("%s (%s)" % (name, units) if units and units != "-" else name)
        title = panel_title(runs[have[0][0]], name, long_name)
        ax.set_title("\n".join(textwrap.wrap(title, width=int(5.6 * 72 / 6.2))), fontsize=11)
        end_labels(ax, ends)
    tmax = max(float(r.time[-1]) for r in runs)
    for ax in axes:
        ax.set_xlim(0, tmax * 1.12)  # room for the end labels
    plotted = set(i for _, have in panels for i, _ in have)
    labels = [lab if i in plotted else lab + " (none of these series)"
              for i, lab in enumerate(labels)]
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=COLOURS[i % len(COLOURS)], lw=2.0, label=lab)
               for i, lab in enumerate(labels)]
    lax = fig.add_subplot(gs[1, :])
    lax.axis("off")
    longest = max(len(lab) for lab in labels)
    ncol = max(1, min(len(labels), int(5.6 * n * 72 / 6.0 / (longest + 6))))
    lax.legend(handles=handles, loc="center", ncol=ncol, frameon=False, borderaxespad=0.0)
    head = "Comparison of %d runs" % len(runs)
    if keys:
        head += ", differing in " + ", ".join(short_names(keys).get(k, k) for k in keys[:4])
        if len(keys) > 4:
            head += " and %d more" % (len(keys) - 4)
    sub = ("sessions (dotted): day %s" % ", ".join("%g" % d for d in sessions[0])
           if common and sessions[0] else ("sessions dotted, in each run's colour"
                                           if any(sessions) else ""))
    fig.suptitle(head + ("\n" + sub if sub else ""), fontsize=11.5)
    out = args.output
    d = os.path.dirname(os.path.abspath(out))
    try:
        os.makedirs(d, exist_ok=True)
        cisim_h5.save_png(fig, out, args.dpi)
    except OSError as e:
        cisim_h5.fail(SCRIPT, "cannot write %s: %s" % (out, e.strerror or e))
    print(out)
    for r in runs:
        r.close()


if __name__ == "__main__":
    main()
