#!/usr/bin/env python3
"""plot_run.py: PNG figures from one cisim run file.

usage: plot_run.py RUN.h5 [-o DIR] [--days D1,D2,...] [--dpi N]

Writes into DIR (default: RUN_figures/ next to the run file) and prints the path of each file:
  collagen_change_map.png      collagen change vs the untreated baseline (%) in the depth × width
                               plane at a few days, with the needle channels of the sessions up
                               to that day outlined and the layer boundaries dashed
  collagen_depth_profiles.png  lateral mean collagen vs depth at several times, and its change
  layers_over_time.png         signal, fibroblasts and collagen per layer over time, with the
                               session days marked
A run without a collagen field (e.g. model diffusion) gets the same maps and profiles of its
first species (<species>_map.png, <species>_depth_profiles.png) and the per-layer time courses of
its species. A panel whose data is missing from the file is skipped with a note on stderr.

Needs Debian's python3-h5py, python3-numpy and python3-matplotlib; started by a python3 without
them, it re-runs itself with /usr/bin/python3 (or $CISIM_PYTHON). Exit status: 0 success, 2 bad
usage, a missing file, or not a cisim run file.
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cisim_h5  # noqa: E402  (standard library only at import time)

SCRIPT = "plot_run.py"

# One colour per layer, in layer order (colour-blind safe, Okabe-Ito).
LAYER_COLOURS = ["#E69F00", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#000000"]
# Channel outlines per session: colour and line style.
SESSION_STYLES = [("#111111", "-"), ("#6a3d9a", "--"), ("#1b7837", ":"), ("#8c510a", "-."),
                  ("#444444", (0, (5, 1, 1, 1, 1, 1)))]


def parse_args():
    ap = argparse.ArgumentParser(
        prog=SCRIPT, description="Write PNG figures of a cisim run file.",
        epilog="Figures: collagen change map, collagen depth profiles, per-layer time courses.")
    ap.add_argument("run", metavar="RUN.h5", help="cisim run file")
    ap.add_argument("-o", "--outdir", metavar="DIR",
                    help="directory for the PNGs (default: RUN_figures/ next to the run file)")
    ap.add_argument("--days", metavar="D1,D2,...",
                    help="days of the change maps (nearest snapshots; default: 30, 90, 180 or "
                         "spread over the run)")
    ap.add_argument("--dpi", type=int, default=150, help="resolution (default 150)")
    a = ap.parse_args()
    if a.days is not None:
        try:
            a.days = [float(s) for s in a.days.split(",") if s.strip()]
        except ValueError:
            ap.error("--days wants numbers separated by commas, e.g. --days 30,90,180")
        if not a.days:
            ap.error("--days wants at least one day")
    if a.dpi < 20 or a.dpi > 600:
        ap.error("--dpi must be between 20 and 600")
    return a


def style():
    import matplotlib as mpl
    mpl.rcParams.update({
        "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "legend.fontsize": 9.5,
        "xtick.labelsize": 10, "ytick.labelsize": 10, "figure.titlesize": 13,
        "axes.spines.top": False, "axes.spines.right": False, "savefig.facecolor": "white",
        "figure.facecolor": "white", "axes.grid": False,
    })


def fmt_day(d):
    return ("%g" % round(d, 2)) if abs(d - round(d)) > 1e-6 else "%d" % round(d)


def pct(v):
    """A signed percentage with one decimal, without '-0.0'."""
    return "0.0" if abs(v) < 0.05 else "%+.1f" % v


def unit_label(name, units):
    return "%s (%s)" % (name, units) if units and units != "-" else name


def cell_edges(c, h):
    import numpy as np
    c = np.asarray(c, dtype=float)
    if c.size == 1:
        return np.array([c[0] - h / 2, c[0] + h / 2])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def choose_snapshots(run, days):
    """Snapshot indices for the requested days (nearest available), without repeats.

    Default: days 30, 90 and 180 when the run reaches them, else three snapshots spread over
    the run (1/6, 1/2 and all of it), never the t = 0 baseline unless it is all there is."""
    import numpy as np
    t = run.time
    if days is None:
        tend = float(t[-1])
        pool = np.where(t > t[0])[0]
        if pool.size == 0:
            return [0]
        days = [d for d in (30.0, 90.0, 180.0) if d <= tend + 1e-9]
        if len(days) < 3:
            days = [t[0] + (tend - t[0]) / 6, t[0] + (tend - t[0]) / 2, tend]
        ks = []
        for d in days:
            k = int(pool[np.argmin(np.abs(t[pool] - d))])
            if k not in ks:
                ks.append(k)
        if len(ks) < min(3, pool.size):
            ks = sorted(set(int(pool[int(i)]) for i in np.round(np.linspace(0, pool.size - 1, 3))))
        return ks
    ks = []
    for d in days:
        k = int(np.argmin(np.abs(t - d)))
        if abs(t[k] - d) > 1e-6 * max(1.0, abs(d)):
            cisim_h5.note(SCRIPT, "no snapshot at day %s: using the nearest, day %s"
                          % (fmt_day(d), fmt_day(t[k])))
        if k not in ks:
            ks.append(k)
    return ks


def baseline_of(run, sp):
    """(B, text) with B the untreated field (nz, ny, nx) of species sp, or (None, reason).

    The t = 0 snapshot is the untreated state when it is laterally uniform in every depth row
    (an applied injury is local). Otherwise the first session's injury is already in it: then
    the per-layer baseline from the parameters, or else the lateral maximum of each row."""
    import numpy as np
    C0 = run.snapshot(sp, 0)
    t0 = float(run.time[0])
    row_min = C0.min(axis=(1, 2))
    row_max = C0.max(axis=(1, 2))
    uniform = np.allclose(row_min, row_max, rtol=1e-9, atol=1e-12 * max(1.0, np.abs(C0).max()))
    if uniform and abs(t0) < 1e-12:
        return C0, "untreated t = 0 snapshot"
    par = run.param("microneedling.%s.baseline_mg_per_ml" % sp) if sp == "collagen" else None
    if par is not None and run.layer is not None and len(np.atleast_1d(par)) == len(run.layer_top):
        per_layer = np.atleast_1d(par).astype(float)
        B = np.broadcast_to(per_layer[run.layer][:, None, None], C0.shape).copy()
        return B, "untreated per-layer baseline from the parameters (t = 0 already treated)"
    B = np.broadcast_to(row_max[:, None, None], C0.shape).copy()
    return B, "lateral maximum of the day-%s snapshot per depth" % fmt_day(t0)


def layer_means(run, A, B):
    """[(name, % change of the layer mean)] for layers with a non-zero baseline."""
    import numpy as np
    out = []
    if run.layer is None or not run.layer_names:
        return out
    for i, name in enumerate(run.layer_names):
        rows = run.layer == i
        if not np.any(rows):
            continue
        b = B[rows].mean()
        if b > 0:
            out.append((name, 100.0 * (A[rows].mean() / b - 1.0)))
    return out


def draw_layers(ax, run, label=True, x_text=None, fontsize=8.5, align="right"):
    """Dashed layer boundaries; layer names inside the axes."""
    if not run.layer_top:
        return
    for top in run.layer_top[1:]:
        ax.axhline(top, color="0.25", lw=0.9, ls=(0, (5, 3)), zorder=4)
    if not label:
        return
    import matplotlib.transforms as mtrans
    trans = mtrans.blended_transform_factory(ax.transAxes, ax.transData)
    xt = (0.985 if align == "right" else 0.015) if x_text is None else x_text
    zmax = run.size[2]
    for i, name in enumerate(run.layer_names):
        top, bot = run.layer_top[i], min(run.layer_bottom(i), zmax)
        thin = (bot - top) < 0.07 * zmax
        y = top + 0.5 * (bot - top)
        ax.text(xt, y, name, transform=trans, ha=align, va="center",
                fontsize=fontsize - (1.0 if thin else 0.0), color="0.15", zorder=6,
                bbox=dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.75))


def channel_outline(xp, dy, depth, radius, tip, n=48):
    """(xs, zs) of a channel's cut by a plane at distance dy from its axis, or None."""
    import numpy as np
    if radius <= 0 or depth <= 0 or dy >= radius:
        return None
    if tip == "cylinder":
        w = math.sqrt(radius ** 2 - dy ** 2)
        return (np.array([xp - w, xp - w, xp + w, xp + w]), np.array([0.0, depth, depth, 0.0]))
    zmax = depth * (1.0 - dy / radius)
    z = np.linspace(0.0, zmax, n)
    w = np.sqrt(np.clip((radius * (1.0 - z / depth)) ** 2 - dy ** 2, 0.0, None))
    return (np.concatenate([xp - w, (xp + w)[::-1]]), np.concatenate([z, z[::-1]]))


def draw_channels(ax, run, punct, day, y_slice, sessions_drawn):
    """Outline the channels of the sessions up to `day`, with periodic images."""
    import numpy as np
    tip = run.param("protocol.device.tip")
    tip = tip if isinstance(tip, str) else "cone"
    Lx, Ly = run.size[0], run.size[1]
    sess = punct["session"].astype(int)
    for i in range(punct["x_um"].size):
        d = punct["day"][i]
        if np.isfinite(d) and d > day + 1e-9:
            continue
        dy = 0.0
        if run.dims == 3:
            dy = abs(punct["y_um"][i] - y_slice)
            if run.periodic_y and Ly > 0:
                dy = min(dy, Ly - dy)
        out = channel_outline(punct["x_um"][i], dy, punct["depth_um"][i],
                              punct["radius_um"][i], tip)
        if out is None:
            continue
        colour, ls = SESSION_STYLES[sess[i] % len(SESSION_STYLES)]
        shifts = (-Lx, 0.0, Lx) if run.periodic_x else (0.0,)
        for s in shifts:
            xs = out[0] + s
            if xs.max() < 0 or xs.min() > Lx:
                continue
            ax.plot(xs, out[1], color=colour, ls=ls, lw=1.0, zorder=5, clip_on=True)
        sessions_drawn.add(sess[i])


def nice_limit(v):
    """Round a positive colour-bar limit up to a round number (1, 1.2, 1.5, 2, ... × 10^n)."""
    if not (v > 0) or not math.isfinite(v):
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if v <= m * e * 1.0000001:
            return m * e
    return 10 * e


def run_title(run):
    d = "%dD" % run.dims
    if run.dims == 2:
        geo = "2D cross-section %g × %g µm" % (run.size[0], run.size[2])
    else:
        geo = "3D, %g × %g × %g µm" % (run.size[0], run.size[1], run.size[2])
    del d
    return "%s — %s" % (os.path.basename(run.path), geo)


def figure_map(run, outdir, days, dpi):
    """Change vs baseline (%) maps, or plain maps when the baseline is zero everywhere."""
    import numpy as np
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    sp = "collagen" if run.has_field("collagen") else run.species[0]
    if sp != "collagen":
        cisim_h5.note(SCRIPT, "no collagen field in %s: mapping '%s' instead" % (run.path, sp))
    units = run.field_attr(sp, "units")
    long_name = run.field_attr(sp, "long_name", sp) or sp
    B, btext = baseline_of(run, sp)
    change = bool(np.any(B > 0))
    ks = choose_snapshots(run, days)

    # The plane shown: the cross-section in 2D; in 3D the slice through the first puncture's y.
    punct = run.punctures()
    j, y_slice, slice_text = 0, 0.0, ""
    if run.dims == 3 and run.y.size > 1:
        y_slice = float(punct["y_um"][0]) if punct is not None else float(run.y[run.y.size // 2])
        j = int(np.argmin(np.abs(run.y - y_slice)))
        y_slice = float(run.y[j])
        slice_text = ", slice y = %g µm%s" % (y_slice, " (first puncture)"
                                               if punct is not None else " (middle)")
    if punct is None and run.model == "microneedling":
        cisim_h5.note(SCRIPT, "no /punctures in %s: channels not drawn" % run.path)

    maps, stats = [], []
    for k in ks:
        A = run.snapshot(sp, k)
        if change:
            with np.errstate(divide="ignore", invalid="ignore"):
                m = np.where(B[:, j, :] > 0, 100.0 * (A[:, j, :] / B[:, j, :] - 1.0), np.nan)
            stats.append(layer_means(run, A, B))
        else:
            m = A[:, j, :]
            stats.append([])
        maps.append(m)

    allv = np.concatenate([m[np.isfinite(m)].ravel() for m in maps]) if maps else np.array([])
    if change:
        lim = nice_limit(np.percentile(np.abs(allv), 99.5) if allv.size else 1.0)
        norm = Normalize(vmin=-lim, vmax=lim)
        cmap = plt.get_cmap("RdBu_r").copy()
        extend = "both" if allv.size and np.abs(allv).max() > lim else "neither"
        cbar_label = "%s change vs baseline (%%)" % sp
    else:
        hi = float(np.percentile(allv, 99.8)) if allv.size else 1.0
        lo = float(min(0.0, allv.min())) if allv.size else 0.0
        norm = Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
        cmap = plt.get_cmap("viridis").copy()
        extend = "max" if allv.size and allv.max() > hi else "neither"
        cbar_label = unit_label(sp, units)
    cmap.set_bad("0.86")

    n = len(ks)
    ncols = min(n, 3)
    nrows = int(math.ceil(n / 3.0))
    Lx, Lz = run.size[0], run.size[2]
    ratio = Lz / Lx if Lx > 0 else 1.0
    if ratio > 1.25:  # tall and narrow (e.g. a 1 mm wide 3D cell): keep the height, narrow
        ph = 5.5
        pw = round(max(2.4, ph / ratio + 0.6), 1)
    else:
        pw = 4.2
        ph = round(pw * max(0.5, ratio), 1)
    # At least 7 in wide: one map of a short run must not make the title wrap to six lines
    # or cut the legend off.
    fig = plt.figure(figsize=cisim_h5.inches(max(7.0, pw * ncols + 1.5), ph * nrows + 1.9),
                     layout="constrained")
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[ph] * nrows + [0.3])
    axes = [[None] * ncols for _ in range(nrows)]
    for r in range(nrows):
        for c in range(ncols):
            axes[r][c] = fig.add_subplot(gs[r, c], sharex=axes[0][0], sharey=axes[0][0])
    map_axes = [a for row in axes for a in row]
    xe = cell_edges(run.x, run.h)
    ze = cell_edges(run.z, run.h)
    sessions_drawn = set()
    mesh = None
    for idx, (k, m) in enumerate(zip(ks, maps)):
        ax = axes[idx // 3][idx % 3]
        mesh = ax.pcolormesh(xe, ze, m, cmap=cmap, norm=norm, shading="flat", rasterized=True)
        ax.set_xlim(0, Lx)
        ax.set_ylim(Lz, 0)
        ax.set_aspect("equal")
        ax.set_title("day %s" % fmt_day(run.time[k]))
        for sdn in ("top", "right"):
            ax.spines[sdn].set_visible(True)
        if punct is not None:
            draw_channels(ax, run, punct, float(run.time[k]), y_slice, sessions_drawn)
        draw_layers(ax, run, label=(idx == 0))
        if stats[idx]:
            txt = "layer mean:\n" + "\n".join("%s %s %%" % (nm, pct(v)) for nm, v in stats[idx])
            ax.text(0.03, 0.03, txt, transform=ax.transAxes, ha="left", va="bottom",
                    fontsize=8.5, zorder=7, linespacing=1.25,
                    bbox=dict(boxstyle="round,pad=0.3", fc="white", ec="0.6", alpha=0.85))
        if idx // 3 == nrows - 1:
            ax.set_xlabel("x (µm)")
        if idx % 3 == 0:
            ax.set_ylabel("depth below the surface (µm)")
    for idx in range(n, nrows * ncols):
        axes[idx // 3][idx % 3].set_visible(False)
    cb = fig.colorbar(mesh, ax=map_axes, shrink=0.9, extend=extend, pad=0.02, aspect=25)
    cb.set_label(cbar_label)

    handles = []
    days_s = run.session_days()
    for s in sorted(sessions_drawn):
        colour, ls = SESSION_STYLES[s % len(SESSION_STYLES)]
        lab = "channels, session %d" % (s + 1)
        if s < len(days_s):
            lab += " (day %s)" % fmt_day(days_s[s])
        handles.append(Line2D([], [], color=colour, ls=ls, lw=1.2, label=lab))
    if run.layer_top and len(run.layer_top) > 1:
        handles.append(Line2D([], [], color="0.25", ls=(0, (5, 3)), lw=0.9, label="layer boundary"))
    if change and np.any(~np.isfinite(maps[0])):
        from matplotlib.patches import Patch
        handles.append(Patch(color="0.86", label="no %s at baseline" % sp))
    if handles:
        lines = legend_row(fig, gs[nrows, :], handles)
        gs.set_height_ratios([ph] * nrows + [legend_height(lines)])
        fig.set_figheight(round(ph * nrows + 1.45 + legend_height(lines), 2))
    if change:
        head = "%s change vs baseline" % sp.capitalize()
    else:
        head = long_name[:1].upper() + long_name[1:]
    suptitle(fig, ["%s — %s%s" % (head, run_title(run), slice_text), run.protocol_text(),
                   "baseline: %s" % btext if change else ""])
    name = ("%s_change_map.png" if change else "%s_map.png") % sp
    return save(fig, outdir, name, dpi)


def pick_profile_times(run):
    import numpy as np
    t = run.time
    wanted = run.param("output.summary_days")
    if wanted is None or not np.atleast_1d(wanted).size:
        wanted = np.linspace(t[-1] / 6, t[-1], 6)
    ks = [0]
    for d in np.atleast_1d(wanted):
        k = int(np.argmin(np.abs(t - float(d))))
        if k not in ks:
            ks.append(k)
    if len(ks) == 1 and t.size > 1:
        ks.append(t.size - 1)
    return ks


def figure_profiles(run, outdir, dpi):
    """Lateral mean vs depth at several times: the value, and its change vs baseline."""
    import numpy as np
    import matplotlib.pyplot as plt

    sp = "collagen" if run.has_field("collagen") else run.species[0]
    units = run.field_attr(sp, "units")
    B, btext = baseline_of(run, sp)
    bprof = B.mean(axis=(1, 2))
    change = bool(np.any(bprof > 0))
    ks = pick_profile_times(run)
    z = run.z
    ncols = 2 if change else 1
    fig = plt.figure(figsize=cisim_h5.inches(11.0 if change else 6.5, 6.4), layout="constrained")
    axes = fig.subplots(1, ncols, sharey=True, squeeze=False)[0]
    cmap = plt.get_cmap("viridis")
    tmax = max(float(run.time[-1]), 1e-12)
    for k in ks:
        prof = run.snapshot(sp, k).mean(axis=(1, 2))
        t = float(run.time[k])
        if k == 0:
            kw = dict(color="black", ls="--", lw=1.4, label="day %s" % fmt_day(t)
                      + (" (untreated)" if "untreated t = 0" in btext else ""))
        else:
            kw = dict(color=cmap(0.05 + 0.85 * t / tmax), lw=1.8, label="day %s" % fmt_day(t))
        axes[0].plot(prof, z, **kw)
        if change:
            with np.errstate(divide="ignore", invalid="ignore"):
                pc = np.where(bprof > 0, 100.0 * (prof / bprof - 1.0), np.nan)
            axes[1].plot(pc, z, **kw)
    if change and "untreated t = 0" not in btext:
        axes[0].plot(bprof, z, color="0.5", ls=":", lw=1.4, label="baseline")
    axes[0].set_xlabel(unit_label("lateral mean %s" % sp, units))
    axes[0].set_ylabel("depth below the surface (µm)")
    axes[0].set_title("%s vs depth" % sp)
    if change:
        axes[1].axvline(0, color="0.6", lw=0.8)
        axes[1].set_xlabel("change of the lateral mean vs baseline (%)")
        axes[1].set_title("change vs baseline")
    for i, ax in enumerate(axes):
        ax.set_ylim(run.size[2], 0)
        draw_layers(ax, run, label=(i == 0), x_text=0.22, align="left")
        ax.grid(True, axis="x", color="0.9", lw=0.8)
    axes[0].set_xlim(left=min(0.0, axes[0].get_xlim()[0]))
    # The legend at the left, in the thickest layer below its name (the layer names sit at
    # x = 0.22, halfway down each layer): "center left" covered the reticular dermis's name.
    legend_kw = dict(loc="center left")
    if run.layer_top:
        zmax = run.size[2]
        spans = [(min(run.layer_bottom(i), zmax) - run.layer_top[i], i)
                 for i in range(len(run.layer_names))]
        thick, i = max(spans)
        mid = run.layer_top[i] + 0.5 * thick
        if thick > 0.45 * zmax:
            legend_kw = dict(loc="upper left", bbox_to_anchor=(0.0, 1.0 - (mid + 0.035 * zmax) / zmax))
    axes[0].legend(frameon=True, framealpha=0.9, title="time", **legend_kw)
    suptitle(fig, ["Depth profiles of %s — %s" % (sp, run_title(run)), run.protocol_text(),
                   "baseline: %s" % btext if change else ""])
    return save(fig, outdir, "%s_depth_profiles.png" % sp, dpi)


def figure_layers(run, outdir, dpi):
    """Per-layer means over time, one panel per species, sessions marked."""
    import numpy as np
    import matplotlib.pyplot as plt

    names = run.series_names()
    wanted = [s for s in ("signal", "fibroblasts", "collagen") if run.has_field(s)
              or any(n.startswith(s + "_mean_") for n in names)]
    if not wanted:
        wanted = [s for s in run.species if any(n.startswith(s + "_mean_") for n in names)][:3]
    layers = list(run.layer_names)
    if not layers:  # no layer names in /grid: take them from the series names
        for n in names:
            for sp in wanted:
                if n.startswith(sp + "_mean_") and n[len(sp) + 6:] not in layers:
                    layers.append(n[len(sp) + 6:])
    panels = []
    for sp in wanted:
        lines = []
        for i, lay in enumerate(layers):
            r = run.series("%s_mean_%s" % (sp, lay))
            if r is None:
                continue
            t, v, u, _ = r
            if not np.any(np.abs(v[np.isfinite(v)]) > 0):
                continue  # e.g. no collagen in the epidermis: nothing to draw
            lines.append((i, lay, t, v, u))
        if lines:
            panels.append((sp, lines))
        else:
            cisim_h5.note(SCRIPT, "no per-layer series for '%s' in %s: panel skipped"
                          % (sp, run.path))
    if not panels:
        cisim_h5.note(SCRIPT, "no per-layer series in %s: no time-course figure" % run.path)
        return None
    # Only the sessions inside the run: a label at a planned session after the end lies far
    # outside the axes, and constrained layout then gives up making room for it.
    sessions = [d for d in run.session_days() if d <= float(run.time[-1])]
    n = len(panels)
    fig = plt.figure(figsize=cisim_h5.inches(11.0, 2.6 * n + 1.5), layout="constrained")
    gs = fig.add_gridspec(n + 1, 1, height_ratios=[2.6] * n + [legend_height(1)])
    axes = []
    for r in range(n):
        axes.append(fig.add_subplot(gs[r, 0], sharex=axes[0] if axes else None))
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    # Older run files have their series at the snapshots only (no /series/time).
    at_snapshots = run.series_time() is run.time
    dt = np.diff(run.time)
    every = float(np.median(dt)) if dt.size and at_snapshots else 0.0
    for ax, (sp, lines) in zip(axes, panels):
        units = lines[0][4] or run.field_attr(sp, "units")
        for i, lay, t, v, u in lines:
            ax.plot(t, v, color=LAYER_COLOURS[i % len(LAYER_COLOURS)], lw=1.8,
                    marker="o" if t.size <= 60 else None, ms=3, label=lay)
        ax.set_ylabel(unit_label(sp, units))
        ax.set_title("%s, mean over each layer" % (run.field_attr(sp, "long_name", sp) or sp),
                     loc="right", fontsize=11)
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.grid(True, color="0.92", lw=0.8)
        for s, d in enumerate(sessions):
            ax.axvline(d, color="0.45", ls=":", lw=1.2, zorder=0)
    # Session labels on the top panel, above the axes.
    import matplotlib.transforms as mtrans
    trans = mtrans.blended_transform_factory(axes[0].transData, axes[0].transAxes)
    for s, d in enumerate(sessions):
        axes[0].text(d, 1.0, " S%d" % (s + 1), transform=trans, ha="left", va="bottom",
                     fontsize=9, color="0.3", clip_on=False)
    axes[-1].set_xlabel("time (day)")
    axes[-1].set_xlim(float(run.time[0]), float(run.time[-1]))
    # One legend for all panels: the layers (colours are the same in every panel).
    seen = {}
    for _, lines in panels:
        for i, lay, *_ in lines:
            seen.setdefault(lay, i)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=LAYER_COLOURS[i % len(LAYER_COLOURS)], lw=1.8, label=lay)
               for lay, i in sorted(seen.items(), key=lambda kv: kv[1])]
    if sessions:
        handles.append(Line2D([], [], color="0.45", ls=":", lw=1.2,
                              label="session (S1 = day %s)" % fmt_day(sessions[0])))
    lines = legend_row(fig, gs[n, 0], handles)
    if lines > 1:
        gs.set_height_ratios([2.6] * n + [legend_height(lines)])
    note = ("layer means at the snapshots (every %s d): the first hours after a session fall "
            "between snapshots" % fmt_day(every)) if every > 0.1 else ""
    suptitle(fig, ["Per-layer time courses — %s" % run_title(run), run.protocol_text(), note])
    return save(fig, outdir, "layers_over_time.png", dpi)


def suptitle(fig, lines, fontsize=11.5):
    """A figure title from lines, each wrapped to the figure's width (empty lines dropped)."""
    import textwrap
    width = max(30, int(fig.get_figwidth() * 72.0 / (0.55 * fontsize)))
    out = []
    for ln in lines:
        if ln:
            out.extend(textwrap.wrap(ln, width=width, break_long_words=False) or [""])
    fig.suptitle("\n".join(out), fontsize=fontsize)


def legend_height(lines):
    """Height (in) of a legend row of that many lines: the row is sized to the legend, so
    that it neither covers the axis label above it nor leaves a gap."""
    return 0.3 * lines + 0.15


def legend_row(fig, spec, handles):
    """A legend in its own (axis-less) grid row, as many entries per line as the figure's
    width holds (about 2.9 in each); returns the number of lines."""
    ax = fig.add_subplot(spec)
    ax.axis("off")
    ncol = max(1, min(len(handles), int(fig.get_figwidth() / 2.9)))
    leg = ax.legend(handles=handles, loc="center", ncol=ncol, frameon=False, borderaxespad=0.0)
    # The row is sized for the legend (legend_height); left in the layout, a legend taller than
    # its empty axes makes constrained layout shrink those axes to nothing and give up.
    leg.set_in_layout(False)
    return int(math.ceil(len(handles) / float(ncol)))


def save(fig, outdir, name, dpi):
    import matplotlib.pyplot as plt
    path = os.path.join(outdir, name)
    cisim_h5.save_png(fig, path, dpi)
    plt.close(fig)
    return path


def main():
    args = parse_args()
    cisim_h5.need_modules(SCRIPT)
    style()
    run = cisim_h5.Run(args.run, SCRIPT)
    if not run.finished:
        cisim_h5.note(SCRIPT, "%s did not finish (attribute finished = 0): plotting the %d "
                      "complete snapshots up to day %s" % (run.path, run.nsnap,
                                                           fmt_day(run.time[-1])))
    outdir = args.outdir
    if outdir is None:
        base = os.path.splitext(os.path.abspath(args.run))[0]
        outdir = base + "_figures"
    try:
        os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        cisim_h5.fail(SCRIPT, "cannot create %s: %s" % (outdir, e.strerror or e))
    written = []
    for make in (lambda: figure_map(run, outdir, args.days, args.dpi),
                 lambda: figure_profiles(run, outdir, args.dpi),
                 lambda: figure_layers(run, outdir, args.dpi)):
        try:
            p = make()
        except (KeyError, ValueError, IndexError, TypeError) as e:
            cisim_h5.note(SCRIPT, "a figure was skipped: %s: %s" % (type(e).__name__, e))
            p = None
        except OSError as e:
            cisim_h5.fail(SCRIPT, "cannot write into %s: %s" % (outdir, e.strerror or e))
        if p:
            written.append(p)
            print(p)
    run.close()
    if not written:
        cisim_h5.fail(SCRIPT, "no figure could be made from %s" % args.run)


if __name__ == "__main__":
    main()
