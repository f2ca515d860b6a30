#!/usr/bin/env python3
"""plot_sweep.py: an outcome of a parameter sweep against one parameter (lines) or two (heat map).

usage: plot_sweep.py TABLE [--metric NAME]... [--x KEY] [--y KEY] [--by KEY] [-o OUT.png]
                     [--print] [--dpi N]

TABLE is what `cisim sweep collect` wrote: a sweep directory (its results.h5), a results.h5 or a
results.csv (docs/sweeps.md). Parameters are named as in the spec (protocol.device.needle_length_um);
a unique suffix or part will do (needle_length).

  lines (no --y): each --metric against --x, one panel per metric and one line per combination
      of the other varied parameters (or per value of --by); replicates (points that differ only
      in their seed) are averaged, with their standard deviation as error bars
  heat map (--y): the mean of the first --metric over replicates on the x × y grid; designs
      that are not a grid (random, Sobol) are drawn as a scatter coloured by the metric

Defaults: the metric collagen_change_papillary (else the first metric), --x the first parameter
that varies. Only points whose state is done are plotted; the others are counted in the title
and on stderr, never silently dropped. --print writes the plotted numbers as CSV to stdout.
The figure goes to OUT.png (default: next to the table, named after what it shows); its path is
printed.

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib; started by a python3 without
them, it re-runs itself with /usr/bin/python3 (or $CISIM_PYTHON). Exit status: 0 success, 2 bad
usage, a missing or unreadable table, an unknown parameter or metric.
"""

import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cisim_h5  # noqa: E402  (standard library only at import time)

SCRIPT = "plot_sweep.py"
DEFAULT_METRICS = ("collagen_change_papillary", "collagen_depth_um", "c_total")
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def fail(msg):
    sys.stderr.write("%s: %s\n" % (SCRIPT, msg))
    sys.exit(2)


def parse_args():
    ap = argparse.ArgumentParser(prog=SCRIPT, description=__doc__.split("\n")[0])
    ap.add_argument("table", help="sweep directory, results.h5 or results.csv")
    ap.add_argument("--metric", action="append", default=[], help="metric column (repeatable)")
    ap.add_argument("--x", help="parameter on the x axis")
    ap.add_argument("--y", help="second parameter: heat map")
    ap.add_argument("--by", help="one line per value of this parameter")
    ap.add_argument("-o", "--output", help="PNG to write")
    ap.add_argument("--print", action="store_true", help="the plotted numbers as CSV on stdout")
    ap.add_argument("--dpi", type=int, default=120)
    return ap.parse_args()


class Table:
    """Columns of a collected sweep: params {key: list}, units {key: str}, metrics {name: list
    of float}, state [str], seed [int]."""

    def __init__(self):
        self.params, self.units, self.metrics = {}, {}, {}
        self.state, self.seed = [], []
        self.path = ""


def number(s):
    try:
        return float(s)
    except ValueError:
        return s


def read_h5(path):
    import h5py
    t = Table()
    t.path = path
    with h5py.File(path, "r") as f:
        if "metrics" not in f or "state" not in f or "parameters" not in f:
            fail("%s: not a table from cisim sweep collect (no /metrics, /state, /parameters)" % path)
        g = f["parameters"]
        order = [k for k in str(g.attrs.get("order", "")).split(",") if k in g]
        for k in order + sorted(set(g) - set(order)):
            d = g[k]
            v = d[()]
            t.params[k] = [x.decode() if isinstance(x, bytes) else float(x) for x in v]
            t.units[k] = d.attrs.get("units", "")
        for k, d in f["metrics"].items():
            t.metrics[k] = [float(x) for x in d[()]]
            t.units[k] = d.attrs.get("units", "")
        t.state = [x.decode() if isinstance(x, bytes) else str(x) for x in f["state"][()]]
        t.seed = [int(x) for x in f["seed"][()]] if "seed" in f else [-1] * len(t.state)
    return t


def read_csv(path):
    t = Table()
    t.path = path
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows or "status" not in rows[0] or rows[0][0] != "index":
        fail("%s: not a table from cisim sweep collect (no index and status columns)" % path)
    head = rows[0]
    ist, iseed = head.index("status"), head.index("seed") if "seed" in head else -1
    body = rows[1:]
    for c, name in enumerate(head):
        col = [r[c] if c < len(r) else "" for r in body]
        if c == 0 or c in (ist, iseed):
            continue
        if c < ist:
            t.params[name] = [number(v) for v in col]
        else:
            t.metrics[name] = [float(v) if v != "" else math.nan for v in col]
    # The CSV has the full status line; its first word is the state.
    t.state = [r[ist].split(":")[0].split(" ")[0] if ist < len(r) else "missing" for r in body]
    t.seed = [int(r[iseed]) if iseed >= 0 and r[iseed] != "" else -1 for r in body]
    return t


def load(arg):
    path = arg
    if os.path.isdir(arg):
        path = os.path.join(arg, "results.h5")
        if not os.path.exists(path):
            fail("%s: no results.h5 (run: cisim sweep collect %s)" % (arg, arg))
    if not os.path.exists(path):
        fail("%s: no such file" % path)
    if path.endswith(".csv"):
        return read_csv(path)
    try:
        return read_h5(path)
    except OSError as e:
        fail("%s: cannot read as HDF5 (%s)" % (path, e))


def resolve(names, key, what):
    """A parameter or metric by its full name or a unique suffix."""
    if key in names:
        return key
    for match in (lambda n: n.endswith("." + key) or n.endswith(key), lambda n: key in n):
        hits = [n for n in names if match(n)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            break
    fail("unknown %s '%s'%s; the table has: %s" % (what, key, " (ambiguous)" if hits else "",
                                                      ", ".join(sorted(names)) or "none"))


def label(t, key):
    u = t.units.get(key, "")
    short = key.split(".")[-1]
    return "%s (%s)" % (short, u) if u and u not in ("-", "") else short


def fmt(v):
    return "%.6g" % v if isinstance(v, float) else str(v)


def aggregate(values):
    """Mean, sample standard deviation (0 for one value) and count of finite values."""
    vals = [v for v in values if not math.isnan(v)]
    n = len(vals)
    if n == 0:
        return math.nan, math.nan, 0
    mean = math.fsum(vals) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in vals) / (n - 1)) if n > 1 else 0.0
    return mean, sd, n


def groups(t, rows, keys):
    """rows grouped by their values of keys, in first-seen order."""
    out = {}
    for i in rows:
        out.setdefault(tuple(t.params[k][i] for k in keys), []).append(i)
    return out


def sort_key(v):
    return (0, v, "") if isinstance(v, float) else (1, 0.0, v)


def main():
    args = parse_args()
    cisim_h5.need_modules(SCRIPT)
    import matplotlib.pyplot as plt

    t = load(args.table)
    n_all = len(t.state)
    varied = [k for k in t.params if len(set(t.params[k])) > 1]
    if not t.metrics:
        fail("%s: no metric columns (no point is done yet?)" % t.path)
    metrics = [resolve(t.metrics, m, "metric") for m in args.metric]
    if not metrics:
        metrics = [next((m for m in DEFAULT_METRICS if m in t.metrics), sorted(t.metrics)[0])]
    y = resolve(t.params, args.y, "parameter") if args.y else None
    if args.x:
        x = resolve(t.params, args.x, "parameter")
    elif [k for k in varied if k != y]:
        x = [k for k in varied if k != y][0]
    else:
        fail("no parameter varies in %s besides --y; give --x" % t.path)
    if x == y:
        fail("--x and --y are the same parameter (%s)" % x)
    by = resolve(t.params, args.by, "parameter") if args.by else None
    done = [i for i in range(n_all) if t.state[i] == "done"]
    left = n_all - len(done)
    note = ""
    if left:
        counts = {}
        for i in range(n_all):
            if t.state[i] != "done":
                counts[t.state[i]] = counts.get(t.state[i], 0) + 1
        what = ", ".join("%d %s" % (c, s) for s, c in sorted(counts.items()))
        note = "%d of %d points not done (%s), not plotted" % (left, n_all, what)
        sys.stderr.write("%s: %s\n" % (SCRIPT, note))
    if not done:
        fail("no point of %s is done: nothing to plot" % t.path)

    base = os.path.dirname(os.path.abspath(t.path))
    out = args.output
    w = csv.writer(sys.stdout) if args.print else None
    if y is None:
        others = [by] if by else [k for k in varied if k != x]
        if not out:
            out = os.path.join(base, "sweep_%s_vs_%s.png" % ("+".join(metrics), x.split(".")[-1]))
        fig, axes = plt.subplots(1, len(metrics), figsize=cisim_h5.inches(5.2 * len(metrics), 4.0),
                                 squeeze=False)
        if w:
            w.writerow(["metric"] + others + [x, "mean", "sd", "n"])
        for ax, m in zip(axes[0], metrics):
            lines = groups(t, done, others)
            for li, (gkey, rows) in enumerate(sorted(lines.items(), key=lambda kv: [sort_key(v) for v in kv[0]])):
                by_x = groups(t, rows, [x])
                xs, ms, sds = [], [], []
                for (xv,), xr in sorted(by_x.items(), key=lambda kv: sort_key(kv[0][0])):
                    mean, sd, n = aggregate([t.metrics[m][i] for i in xr])
                    if w:
                        w.writerow([m] + [fmt(v) for v in gkey] + [fmt(xv), repr(mean), repr(sd), n])
                    xs.append(xv)
                    ms.append(mean)
                    sds.append(sd)
                name = ", ".join("%s = %s" % (k.split(".")[-1], fmt(v)) for k, v in zip(others, gkey))
                numeric = all(isinstance(v, float) for v in xs)
                pos = xs if numeric else list(range(len(xs)))
                ax.errorbar(pos, ms, yerr=sds if any(s > 0 for s in sds) else None, marker="o",
                            ms=4, capsize=3, color=COLOURS[li % len(COLOURS)], label=name or None)
                if not numeric:
                    ax.set_xticks(pos, [str(v) for v in xs])
            xv = [v for v in t.params[x] if isinstance(v, float) and v > 0]
            if len(xv) > 2 and min(xv) > 0 and max(xv) / min(xv) >= 50:
                ax.set_xscale("log")  # a range planned with scale: log
            ax.set_xlabel(label(t, x))
            ax.set_ylabel(label(t, m))
            ax.grid(alpha=0.3)
            if len(lines) > 1:
                ax.legend(fontsize=7)
    else:
        m = metrics[0]
        if not out:
            out = os.path.join(base, "sweep_%s_%s_%s.png" % (m, x.split(".")[-1], y.split(".")[-1]))
        cells = groups(t, done, [x, y])
        xs = sorted({k[0] for k in cells}, key=sort_key)
        ys = sorted({k[1] for k in cells}, key=sort_key)
        fig, ax = plt.subplots(figsize=cisim_h5.inches(5.6, 4.4))
        if w:
            w.writerow(["metric", x, y, "mean", "sd", "n"])
        agg = {}
        for (xv, yv), rows in sorted(cells.items(), key=lambda kv: (sort_key(kv[0][0]), sort_key(kv[0][1]))):
            agg[(xv, yv)] = aggregate([t.metrics[m][i] for i in rows])
            if w:
                mean, sd, n = agg[(xv, yv)]
                w.writerow([m, fmt(xv), fmt(yv), repr(mean), repr(sd), n])
        if len(cells) == len(xs) * len(ys):  # a full grid
            import numpy as np
            z = np.array([[agg[(xv, yv)][0] for xv in xs] for yv in ys])
            im = ax.imshow(z, origin="lower", aspect="auto", cmap="viridis")
            ax.set_xticks(range(len(xs)), [fmt(v) for v in xs], rotation=45 if len(xs) > 6 else 0)
            ax.set_yticks(range(len(ys)), [fmt(v) for v in ys])
            if len(xs) * len(ys) <= 64:
                for a, xv in enumerate(xs):
                    for b, yv in enumerate(ys):
                        ax.text(a, b, "%.3g" % agg[(xv, yv)][0], ha="center", va="center", fontsize=7,
                                color="white")
        else:  # random or Sobol designs
            im = ax.scatter([k[0] for k in agg], [k[1] for k in agg], c=[v[0] for v in agg.values()],
                            cmap="viridis", s=30)
        fig.colorbar(im, ax=ax, label=label(t, m))
        ax.set_xlabel(label(t, x))
        ax.set_ylabel(label(t, y))
    title = os.path.basename(os.path.dirname(os.path.abspath(t.path))) or t.path
    fig.suptitle("sweep %s: %d points%s" % (title, n_all, "; " + note if note else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=args.dpi)
    sys.stderr.write("%s\n" % out) if w else print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
