#!/usr/bin/env python3
"""topical_report.py: the outcomes of a `topical` run (docs/topical.md), from its run file.

    topical_report.py RUN.h5 [--intact INTACT.h5 | --in-run] [--depth UM]... [--threshold UG_PER_ML]
                      [--times H,H,...] [--markdown] [--json OUT.json]

From the snapshots (/fields, 2D or 3D), per snapshot time:
  - amount per skin area, µg/cm², of free + bound compound in each layer, the amount the
    capillaries cleared ("cleared"), and "delivered": everything below the stratum corneum
    (the layers under it, plus cleared; with `topical.dose: finite` the top layer is the
    vehicle film and the stratum corneum the next one, and "sink", what left through a Dirichlet
    deep boundary, is the film's initial content less everything in the grid (0 below 1e-9
    of the dose, the balance's rounding), and counts as delivered; with an infinite dose the
    sink is not counted);
  - time to reach a depth: the first snapshot at which the lateral mean of the free compound
    at that depth (interpolated between cell centres) reaches --threshold: an upper bound at
    the resolution of the snapshots (time.output_every_day); `cisim run`'s own summary has the
    time at each layer's top row followed after every accepted step, interpolated between
    steps, at topical.arrival_threshold_ug_per_ml (docs/topical.md);
  - lag time of the delivered amount Q(t): Crank's time-lag construction on the steepest
    stretch, t_m − Q(t_m) / Q'(t_m) where Q' is largest, on Q after every accepted step (from
    /series' amounts per layer; between snapshots for a run file without them); the run's
    summary prints the same construction ("delivered: viable_epidermis", tested equal);
  - with --intact (the paired run on intact skin, same compound and applications) or --in-run
    (the run's own intact copy, `topical.reference: intact`): the enhancement ratio
    delivered / delivered(intact), per layer and in all, at each time.
Needs h5py and numpy (/usr/bin/python3 has them). Exit status 2 on unusable input.
"""
import argparse
import json
import os
import sys

os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
try:
    import h5py
    import numpy as np
except ImportError as e:  # pragma: no cover
    sys.exit(f"topical_report.py: needs h5py and numpy ({e}); try /usr/bin/python3")

UM_UGML_TO_UGCM2 = 1e-4  # µg/mL (= µg/cm³) × µm (1e-4 cm) -> µg/cm²


def load(path, intact=False):
    """The run's fields; intact: its in-run intact copy (topical.reference: intact) instead."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        sys.exit(f"topical_report.py: {path}: {e}")
    with f:
        if "fields/compound" not in f:
            print(f"topical_report.py: {path}: not a topical run (no /fields/compound)", file=sys.stderr)
            sys.exit(2)
        g = f["grid"].attrs
        sfx = "_intact" if intact else ""
        ref = f["parameters"].attrs.get("topical.reference", b"none") if "parameters" in f else b"none"
        if intact and (ref.decode() if isinstance(ref, bytes) else str(ref)) != "intact":
            sys.exit(f"topical_report.py: {path}: no in-run intact copy (topical.reference: intact)")
        run = {
            "path": path,
            "t": np.array(f["fields/time"][:]),
            "c": np.array(f["fields/compound" + sfx][:]) + np.array(f["fields/bound" + sfx][:]),
            "free": np.array(f["fields/compound" + sfx][:]),
            "cleared": np.array(f["fields/cleared" + sfx][:]),
            "z": np.array(f["fields/z"][:]),
            "layer": np.array(f["grid/layer"][:]),
            "names": str(g["layer_names"]).split(","),
            "h": float(g["spacing_um"]),
            "size": np.array(g["size_um"]),
        }
        dose = f["parameters"].attrs.get("topical.dose", b"infinite") if "parameters" in f else b"infinite"
        dose = dose.decode() if isinstance(dose, bytes) else str(dose)
        # a finite dose: the top layer is the vehicle film, the stratum corneum the next one
        run["sc"] = 1 if dose == "finite" else 0
        # depths are below the skin's surface, the top of the stratum corneum (under the film)
        run["surface"] = float(run["z"][run["layer"] == run["sc"]][0] - run["h"] / 2)
        # the amounts per layer after every accepted step (cisim's /series), where written
        s = f["series"] if "series" in f else {}
        names = run["names"]
        if all("amount" + sfx + "_" + n in s and "cleared_amount" + sfx + "_" + n in s for n in names):
            run["series"] = {"t": np.array(s["time"][:]),
                             "amount": [np.array(s["amount" + sfx + "_" + n][:]) for n in names],
                             "cleared": [np.array(s["cleared_amount" + sfx + "_" + n][:]) for n in names]}
    return run


def delivered_series(run):
    """The delivered amount after every accepted step, from /series (None without it): the
    layers below the stratum corneum and what their capillaries cleared, and with a finite dose
    the sink (the same balance as amounts())."""
    s = run.get("series")
    if s is None:
        return None
    sc = run["sc"]
    q = sum(s["amount"][l] + s["cleared"][l] for l in range(sc + 1, len(run["names"])))
    if sc == 1:
        held = sum(s["amount"][l] + s["cleared"][l] for l in range(len(run["names"])))
        sink = held[0] - held
        q = q + np.where(np.abs(sink) < 1e-9 * held[0], 0.0, sink)
    return s["t"], q


def amounts(run):
    """Per snapshot: µg/cm² per layer, cleared, delivered."""
    # (nsnap, nz, ny, nx): lateral mean over y, x times h gives µg/mL·µm per unit area
    lat = run["c"].mean(axis=(2, 3)) * run["h"] * UM_UGML_TO_UGCM2
    clr = run["cleared"].mean(axis=(2, 3)).sum(axis=1) * run["h"] * UM_UGML_TO_UGCM2
    out = {}
    for li, name in enumerate(run["names"]):
        out[name] = lat[:, run["layer"] == li].sum(axis=1)
    out["cleared"] = clr
    below = [n for n in run["names"][run["sc"] + 1:]]
    out["delivered"] = sum(out[n] for n in below) + clr
    if run["sc"] == 1:
        # a finite dose: what the film held at the start and is in none of the above left
        # through the deep sink (the balance closes to rounding: the transport conserves)
        held = sum(out[n] for n in run["names"]) + clr
        # the balance is a difference of the dose and what is left: below 1e-9 of the dose it
        # is rounding (the transport conserves to about 1e-12 per 1000 steps), shown as 0
        sink = held[0] - held
        out["sink"] = np.where(np.abs(sink) < 1e-9 * held[0], 0.0, sink)
        out["delivered"] = out["delivered"] + out["sink"]
    return out


def time_to_depth(run, depth, thr):
    prof = run["free"].mean(axis=(2, 3))  # (nsnap, nz)
    z = run["z"] - run["surface"]
    if depth < z[0] or depth > z[-1]:
        return None
    vals = np.array([np.interp(depth, z, p) for p in prof])
    t = run["t"]
    for i in range(len(t)):
        if vals[i] >= thr:
            return t[i]  # the first snapshot at or above: an upper bound, at snapshot resolution
    return None


def lag_time(t, q):
    if len(t) < 2:
        return None
    slope = np.diff(q) / np.diff(t)
    m = int(np.argmax(slope))
    if not slope[m] > 0:
        return None
    return t[m + 1] - q[m + 1] / slope[m]


def pick(run, hours):
    t = run["t"] * 24
    idx = []
    for h in hours:
        i = int(np.argmin(abs(t - h)))
        if abs(t[i] - h) < 1e-6 * max(1, h) + 1e-9:
            idx.append(i)
    return idx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run")
    ap.add_argument("--intact", help="the paired run on intact skin")
    ap.add_argument("--in-run", action="store_true",
                    help="the intact reference is the run's own copy (topical.reference: intact)")
    ap.add_argument("--depth", type=float, action="append", help="µm (repeatable)")
    ap.add_argument("--threshold", type=float, default=1.0, help="µg/mL (default 1)")
    ap.add_argument("--times", default="1,2,4,8,24,48", help="hours of the table")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    run = load(a.run)
    am = amounts(run)
    hours = [float(x) for x in a.times.split(",")]
    idx = pick(run, hours)
    res = {"run": a.run, "hours": [float(run["t"][i] * 24) for i in idx],
           "ug_per_cm2": {k: [float(v[i]) for i in idx] for k, v in am.items()}}
    res["snapshot_h"] = float((run["t"][1] - run["t"][0]) * 24) if len(run["t"]) > 1 else 0.0
    res["lag_time_h"] = None
    ds = delivered_series(run)
    res["lag_from"] = "series" if ds is not None else "snapshots"
    lt = lag_time(*ds) if ds is not None else lag_time(run["t"], am["delivered"])
    if lt is not None:
        res["lag_time_h"] = float(lt * 24)
    depths = a.depth or [float(run["z"][run["layer"] == li][0] - run["surface"])
                         for li in range(run["sc"] + 1, len(run["names"]))]
    res["time_to_depth_h"] = {}
    for d in depths:
        td = time_to_depth(run, d, a.threshold)
        res["time_to_depth_h"][f"{d:g}"] = None if td is None else float(td * 24)
    if a.intact or a.in_run:
        ref = load(a.run, intact=True) if a.in_run else load(a.intact)
        ai = amounts(ref)
        ii = pick(ref, res["hours"])
        if len(ii) != len(idx):
            sys.exit("topical_report.py: the intact run lacks snapshots at the table's times")
        res["intact_ug_per_cm2"] = {k: [float(v[i]) for i in ii] for k, v in ai.items()}
        res["enhancement"] = {
            k: [float(am[k][i] / ai[k][j]) if ai[k][j] > 0 else None for i, j in zip(idx, ii)]
            for k in am}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    emit(res, run["names"], a.threshold, a.markdown)
    return 0


def fmt(v):
    return "—" if v is None else f"{v:.3g}"


def emit(res, names, thr, md):
    cols = names + ["cleared"] + (["sink"] if "sink" in res["ug_per_cm2"] else []) + ["delivered"]
    sep = " | " if md else "  "
    def row(cells):
        return ("| " + " | ".join(cells) + " |") if md else sep.join(f"{c:>14}" for c in cells)
    print(f"amount per skin area, µg/cm² ({res['run']})")
    print(row(["hours"] + cols))
    if md:
        print("|" + "---|" * (len(cols) + 1))
    for k, h in enumerate(res["hours"]):
        print(row([f"{h:g}"] + [fmt(res["ug_per_cm2"][c][k]) for c in cols]))
    if "enhancement" in res:
        print("\nenhancement ratio against intact skin (same times)")
        print(row(["hours"] + cols))
        if md:
            print("|" + "---|" * (len(cols) + 1))
        for k, h in enumerate(res["hours"]):
            print(row([f"{h:g}"] + [fmt(res["enhancement"][c][k]) for c in cols]))
    dt = res["snapshot_h"]
    print(f"\nlag time of the delivered amount: {fmt(res['lag_time_h'])} h "
          + ("(from /series: every accepted step)" if res["lag_from"] == "series"
             else f"(snapshots every {dt:.3g} h)"))
    for d, t in res["time_to_depth_h"].items():
        print(f"time for the free compound's lateral mean to reach {thr:g} µg/mL at {d} µm below the surface: "
          f"<= {fmt(t)} h (first snapshot above)")


if __name__ == "__main__":
    sys.exit(main())
