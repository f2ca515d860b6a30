"""plot_run.py's figures of each run file given: no legend overlaps a text of the axes it sits in
(the layer names) nor an axis label. Draws the figures and compares window extents.
    plot_legends.py SCRIPTS_DIR RUN.h5...   (tests/test_plots.sh)"""
import os, sys
sys.path.insert(0, sys.argv[1])
import matplotlib
matplotlib.use("Agg")
import plot_run, cisim_h5
figs = []
plot_run.save = lambda fig, outdir, name, dpi: figs.append((name, fig)) or name
plot_run.style()
bad = []
for path in sys.argv[2:]:
    run = cisim_h5.Run(path, "test")
    figs.clear()
    plot_run.figure_profiles(run, "/tmp", 100)
    plot_run.figure_map(run, "/tmp", None, 100)
    plot_run.figure_layers(run, "/tmp", 100)
    for name, fig in figs:
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        for ax in fig.axes:
            leg = ax.get_legend()
            if leg is None:
                continue
            lb = leg.get_window_extent(r)
            others = [(t.get_text(), t.get_window_extent(r)) for t in ax.texts if t.get_visible() and t.get_text()]
            for a in fig.axes:
                for t in (a.xaxis.label, a.yaxis.label):
                    if t.get_text():
                        others.append((t.get_text(), t.get_window_extent(r)))
            for text, bb in others:
                if lb.overlaps(bb):
                    bad.append("%s %s: the legend covers '%s'" % (os.path.basename(path), name, text))
    run.close()
for b in bad:
    print("FAIL:", b)
print("legends: %d overlaps" % len(bad))
sys.exit(1 if bad else 0)
