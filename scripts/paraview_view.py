"""Render one field of a cisim run at one time to a PNG with ParaView, skin surface on top and a
colour bar that names the field and its unit.

usage: pvbatch paraview_view.py RUN.xmf|RUN.h5 [--field NAME] [--day DAY] [-o OUT.png]
                                [--size W H] [--log] [--range MIN MAX]

  --field NAME   a species (collagen, signal, ...), "layer", or channel_fraction_session<k>
                 (default: collagen if the run has it, else its first array)
  --day DAY      the snapshot nearest to DAY (default: the last)
  -o OUT.png     default: RUN_<field>_day<DAY>.png beside the run file
  --log          logarithmic colour scale (values <= 0 are clipped to the smallest positive)
  --range A B    colour range (default: the field's range at that time)

It reads the XDMF sidecar (RUN.xmf, next to the run file) with ParaView's "XDMF Reader". A 2D
cross-section is shown face on (x across, depth down); a 3D block from above at an angle.
Needs Debian's paraview and python3-paraview; on a machine without a display, run it under a
virtual one: `xvfb-run -a pvbatch scripts/paraview_view.py run.xmf` (Debian's xvfb package;
pvbatch --force-offscreen-rendering aborts with Debian's ParaView 5.11).
"""
import argparse
import os
import sys


def parse():
    p = argparse.ArgumentParser(prog="paraview_view.py", description=__doc__.split("\n")[0])
    p.add_argument("run", help="RUN.xmf or RUN.h5 (its .xmf sidecar is read)")
    p.add_argument("--field", help="array to show (default: collagen or the first)")
    p.add_argument("--day", type=float, help="snapshot nearest to DAY (default: the last)")
    p.add_argument("-o", "--output", help="PNG to write")
    p.add_argument("--size", type=int, nargs=2, default=[1200, 800], metavar=("W", "H"))
    p.add_argument("--log", action="store_true", help="logarithmic colour scale")
    p.add_argument("--range", type=float, nargs=2, metavar=("MIN", "MAX"), help="colour range")
    return p.parse_args()


def fail(msg):
    sys.stderr.write("paraview_view.py: %s\n" % msg)
    sys.exit(2)


def sidecar(path):
    stem, ext = os.path.splitext(path)
    xmf = path if ext == ".xmf" else stem + ".xmf"
    if not os.path.isfile(xmf):
        fail("%s: no XDMF sidecar (cisim run writes RUN.xmf next to RUN.h5)" % xmf)
    return xmf


def pick_array(names, field):
    if field is None:
        for n in names:
            if n == "collagen" or n.startswith("collagen ("):
                return n
        return names[0]
    for n in names:
        if n == field or n.startswith(field + " ("):
            return n
    fail("no array '%s'; the run has: %s" % (field, ", ".join(names)))


def camera(view, bounds, is2d):
    cx, cy, cz = [(bounds[2 * a] + bounds[2 * a + 1]) / 2 for a in range(3)]
    span = max(bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4])
    view.CameraFocalPoint = [cx, cy, cz]
    view.CameraViewUp = [0, 0, 1]  # z up: the skin surface (z = 0) on top
    if is2d:  # face on, looking along +y at the (x, depth) cross-section
        view.CameraPosition = [cx, cy - 4 * span, cz]
        view.CameraParallelProjection = 1
    else:  # from the front, above and to the side
        view.CameraPosition = [cx - 1.6 * span, cy - 2.2 * span, cz + 1.4 * span]
    view.ResetCamera()
    if is2d:  # fill the frame, leaving room for the colour bar on the right
        view.CameraParallelScale = 0.55 * max(bounds[5] - bounds[4], 0.62 * (bounds[1] - bounds[0]))


def main():
    args = parse()
    xmf = sidecar(args.run)
    if not os.environ.get("DISPLAY"):
        sys.stderr.write("paraview_view.py: no DISPLAY: if pvbatch cannot render, run it as "
                         "xvfb-run -a pvbatch %s ...\n" % os.path.basename(sys.argv[0]))
    from paraview import servermanager as sm
    from paraview import simple as pv

    reader = pv.XDMFReader(FileNames=[xmf])
    reader.UpdatePipelineInformation()
    names = list(reader.CellArrayStatus.Available) if hasattr(reader.CellArrayStatus, "Available") \
        else list(reader.GetProperty("CellArrayInfo")[::2])
    if not names:
        fail("%s: no cell arrays" % xmf)
    name = pick_array(names, args.field)
    reader.CellArrayStatus = [name]
    times = list(reader.TimestepValues) or [0.0]
    t = times[-1] if args.day is None else min(times, key=lambda v: abs(v - args.day))
    reader.UpdatePipeline(t)
    data = sm.Fetch(reader)
    if data.IsA("vtkMultiBlockDataSet"):
        data = data.GetBlock(0)
    bounds = data.GetBounds()
    is2d = data.GetDimensions()[1] <= 2  # one cell across y

    view = pv.CreateView("RenderView")
    view.ViewSize = args.size
    view.ViewTime = t
    view.Background = [1, 1, 1]
    if hasattr(view, "UseColorPaletteForBackground"):
        view.UseColorPaletteForBackground = 0
    view.OrientationAxesVisibility = 0 if is2d else 1
    disp = pv.Show(reader, view)
    disp.Representation = "Surface"
    pv.ColorBy(disp, ("CELLS", name))
    lut = pv.GetColorTransferFunction(name)
    arr = data.GetCellData().GetArray(name)
    lo, hi = arr.GetRange() if arr is not None else (0.0, 1.0)
    if args.range:
        lo, hi = args.range
    if args.log:
        if hi <= 0:
            fail("--log: %s has no positive value at day %g" % (name, t))
        lo = lo if lo > 0 else hi * 1e-6
        lut.UseLogScale = 1
    if hi <= lo:
        hi = lo + (abs(lo) * 1e-6 or 1.0)
    lut.RescaleTransferFunction(lo, hi)
    if hasattr(lut, "AutomaticRescaleRangeMode"):
        lut.AutomaticRescaleRangeMode = "Never"
    disp.SetScalarBarVisibility(view, True)
    bar = pv.GetScalarBar(lut, view)
    bar.Title = name  # the sidecar names arrays with their unit: "signal (ng/mL)"
    bar.ComponentTitle = ""
    bar.TitleColor = bar.LabelColor = [0, 0, 0]
    bar.WindowLocation = "Any Location"
    bar.Orientation = "Vertical"
    bar.HorizontalTitle = 1  # above the bar, where a long "name (unit)" fits
    bar.Position = [0.86, 0.12]
    bar.ScalarBarLength = 0.7
    label = pv.Text(Text="%s, day %g   (surface on top; depth %g µm)" % (name, t, bounds[5] - bounds[4]))
    tdisp = pv.Show(label, view)
    tdisp.Color = [0, 0, 0]
    tdisp.FontSize = 14
    tdisp.WindowLocation = "Upper Left Corner"
    camera(view, bounds, is2d)
    out = args.output or "%s_%s_day%g.png" % (os.path.splitext(xmf)[0], name.split(" ")[0], t)
    pv.Render(view)
    pv.SaveScreenshot(out, view, ImageResolution=args.size, TransparentBackground=0)
    if not os.path.isfile(out):
        fail("%s: not written" % out)
    print(out)


if __name__ == "__main__":
    main()
