"""Load a run's .xmf sidecar with ParaView's XDMF reader (pvbatch) and check it against the
HDF5 file: every time step, every cell array (species named with their units, "layer",
"channel_fraction_session<k>"), the grid shape, the skin surface on top (z up, depth along -z:
the first depth row is the highest) and values at a few cells.
usage: pvbatch read_xdmf.py RUN.xmf EXPECTED.txt
EXPECTED.txt (written by test_xdmf.sh with h5py): line 1 "nx ny nz spacing", line 2 the times,
line 3 the array names (tab-separated), then "array<TAB>snapshot k j i value" lines."""
import sys

from paraview import servermanager as sm
from paraview.simple import XDMFReader

xmf, expected = sys.argv[1], sys.argv[2]
lines = open(expected).read().splitlines()
nx, ny, nz = map(int, lines[0].split()[:3])
h = float(lines[0].split()[3])
times = [float(t) for t in lines[1].split()]
arrays = lines[2].split("\t")
fails = 0


def check(what, ok):
    global fails
    print(("PASS  " if ok else "FAIL  ") + what)
    fails += not ok


r = XDMFReader(FileNames=[xmf])
r.UpdatePipelineInformation()
r.CellArrayStatus = arrays
ts = list(r.TimestepValues)
check("%d time steps, as /time holds" % len(times), len(ts) == len(times))
check("time values equal /time", all(abs(a - b) <= 1e-12 * max(1, abs(b)) for a, b in zip(ts, times)))
names = sorted(r.CellData.keys())
check("cell arrays %s are %s" % (names, sorted(arrays)), names == sorted(arrays))
cache = {}
for line in lines[3:]:
    name, rest = line.split("\t")
    n, k, j, i, v = rest.split()
    n, k, j, i, v = int(n), int(k), int(j), int(i), float(v)
    if n not in cache:
        r.UpdatePipeline(ts[n])
        d = sm.Fetch(r)
        if d.IsA("vtkMultiBlockDataSet"):
            d = d.GetBlock(0)
        cache[n] = d
        check("snapshot %d: %d x %d x %d nodes (cells + 1)" % (n, nx + 1, ny + 1, nz + 1),
              tuple(d.GetDimensions()) == (nx + 1, ny + 1, nz + 1))
        b = d.GetBounds()
        check("snapshot %d: z from -depth to 0 (surface on top): bounds %s" % (n, b),
              abs(b[4] + nz * h) < 1e-9 * nz * h and abs(b[5]) < 1e-9 * nz * h)
        top, deep = d.GetCell(0).GetBounds(), d.GetCell((nz - 1) * nx * ny).GetBounds()
        check("snapshot %d: the first depth row (the surface) is the highest: z %s above %s"
              % (n, top[4:], deep[4:]), abs(top[5]) < 1e-9 * h and top[4] > deep[5] - 1e-9 * h)
    a = cache[n].GetCellData().GetArray(name)
    got = a.GetValue((k * ny + j) * nx + i) if a is not None else float("nan")
    check("%s at snapshot %d, cell (z, y, x) = (%d, %d, %d): %.17g vs %.17g in the HDF5 file"
          % (name, n, k, j, i, got, v), got == v)
print("xdmf reader: %d check(s) failed" % fails if fails else "xdmf reader: all checks passed")
sys.exit(1 if fails else 0)
