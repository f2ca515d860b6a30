#!/usr/bin/env python3
"""plot_indices.py: bar charts of the sensitivity indices `cisim sweep analyze` wrote.

usage: plot_indices.py TABLE.csv [--outcome NAME]... [-o OUT.png] [--print] [--dpi N]

TABLE.csv is analyze's table (default DIR/indices.csv; a sweep directory will do). One panel
per outcome (all of them, or each --outcome), one group of bars per varied key:

  Saltelli designs: first-order S1 and total ST Sobol indices, the bootstrap intervals as error
      bars;
  Morris designs: μ* (the mean absolute elementary effect) and σ (their standard deviation).

--print writes the plotted numbers as CSV to stdout. The figure goes to OUT.png (default:
indices.png next to the table); its path is printed. Needs Debian's python3-numpy and
python3-matplotlib (re-runs itself with /usr/bin/python3, or $CISIM_PYTHON, when started by a
python3 without them). Exit status: 0 success, 2 bad usage, a missing or unreadable table, an
unknown outcome.
"""

import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cisim_h5  # noqa: E402  (standard library only at import time)

SCRIPT = "plot_indices.py"
COLOURS = ["#0072B2", "#D55E00"]


def fail(msg):
    sys.stderr.write("%s: %s\n" % (SCRIPT, msg))
    sys.exit(2)


def read_table(path):
    if os.path.isdir(path):
        path = os.path.join(path, "indices.csv")
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail("%s: cannot read: %s" % (path, e.strerror))
    if not rows:
        fail("%s: no rows (run cisim sweep analyze first)" % path)
    head = set(rows[0].keys())
    if {"S1", "ST"} <= head:
        kind, cols = "sobol", ("S1", "ST")
    elif {"mu_star", "sigma"} <= head:
        kind, cols = "morris", ("mu_star", "sigma")
    else:
        fail("%s: not a table of cisim sweep analyze (no S1/ST or mu_star/sigma columns)" % path)
    outcomes = {}
    for r in rows:
        outcomes.setdefault(r["outcome"], []).append(r)
    return path, kind, cols, outcomes


def val(r, c):
    try:
        return float(r[c])
    except (KeyError, ValueError):
        return math.nan


def panel(ax, name, rows, kind, cols):
    import numpy as np
    keys = [r["key"] for r in rows]
    x = np.arange(len(keys))
    w = 0.38
    labels = {"S1": "S1 (first order)", "ST": "ST (total)", "mu_star": "μ*", "sigma": "σ"}
    for i, c in enumerate(cols):
        v = [val(r, c) for r in rows]
        err = None
        if kind == "sobol":
            lo = [max(0.0, vi - val(r, c + "_low")) for vi, r in zip(v, rows)]
            hi = [max(0.0, val(r, c + "_high") - vi) for vi, r in zip(v, rows)]
            err = [lo, hi]
        ax.bar(x + (i - 0.5) * w, v, w, yerr=err, capsize=3, color=COLOURS[i], label=labels[c])
    ax.set_xticks(x)
    ax.set_xticklabels([k.split(".")[-1] if len(k) > 28 else k for k in keys], rotation=20,
                       ha="right", fontsize=8)
    ax.set_title(name, fontsize=10)
    ax.axhline(0, color="#888888", lw=0.6)
    ax.set_ylabel("index" if kind == "sobol" else "elementary effect (unit range)")
    ax.legend(fontsize=8)


def main():
    ap = argparse.ArgumentParser(prog=SCRIPT, description=__doc__.split("\n")[0])
    ap.add_argument("table", help="indices.csv of cisim sweep analyze, or the sweep directory")
    ap.add_argument("--outcome", action="append", default=[], help="outcome to plot (repeatable)")
    ap.add_argument("-o", "--output", help="PNG to write")
    ap.add_argument("--print", action="store_true", help="the plotted numbers as CSV on stdout")
    ap.add_argument("--dpi", type=int, default=110)
    a = ap.parse_args()
    cisim_h5.need_modules(SCRIPT)
    path, kind, cols, outcomes = read_table(a.table)
    names = a.outcome or list(outcomes)
    for n in names:
        if n not in outcomes:
            fail("unknown outcome '%s' (the table has: %s)" % (n, ", ".join(outcomes)))
    if a.print:
        w = csv.writer(sys.stdout)
        w.writerow(["outcome", "key"] + list(cols))
        for n in names:
            for r in outcomes[n]:
                w.writerow([n, r["key"]] + [repr(val(r, c)) for c in cols])
    import matplotlib.pyplot as plt
    ncol = min(2, len(names))
    nrow = (len(names) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=cisim_h5.inches(5.2 * ncol, 3.6 * nrow),
                             squeeze=False)
    for ax, n in zip(axes.flat, names):
        panel(ax, n, outcomes[n], kind, cols)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    out = a.output or os.path.join(os.path.dirname(os.path.abspath(path)), "indices.png")
    fig.savefig(out, dpi=a.dpi)
    sys.stderr.write("%s: %s\n" % (SCRIPT, out))


if __name__ == "__main__":
    main()
