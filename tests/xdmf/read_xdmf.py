"""Load a run's .xmf sidecar with ParaView's XDMF reader (pvbatch) and check it against the
HDF5 file: every time step, every species, the grid shape, and values at a few cells.
usage: pvbatch read_xdmf.py RUN.xmf EXPECTED.txt
EXPECTED.txt (written by test_xdmf.sh with h5py): line 1 "nx ny nz", line 2 the times, line 3
the species, then "species snapshot k j i value" lines."""
import sys

from paraview import servermanager as sm
from paraview.simple import XDMFReader

xmf, expected = sys.argv[1], sys.argv[2]
lines = open(expected).read().splitlines()
nx, ny, nz = map(int, lines[0].split())
times = [float(t) for t in lines[1].split()]
species = lines[2].split()
fails = 0


def check(what, ok):
    global fails
    print(("PASS  " if ok else "FAIL  ") + what)
    fails += not ok


r = XDMFReader(FileNames=[xmf])
r.UpdatePipelineInformation()
r.CellArrayStatus = species
ts = list(r.TimestepValues)
check("%d time steps, as /time holds" % len(times), len(ts) == len(times))
check("time values equal /time", all(abs(a - b) <= 1e-12 * max(1, abs(b)) for a, b in zip(ts, times)))
names = sorted(r.CellData.keys())
check("cell arrays %s are the species %s" % (names, species), names == sorted(species))
cache = {}
for line in lines[3:]:
    sp, n, k, j, i, v = line.split()
    n, k, j, i, v = int(n), int(k), int(j), int(i), float(v)
    if n not in cache:
        r.UpdatePipeline(ts[n])
        d = sm.Fetch(r)
        if d.IsA("vtkMultiBlockDataSet"):
            d = d.GetBlock(0)
        cache[n] = d
        check("snapshot %d: %d x %d x %d nodes (cells + 1)" % (n, nx + 1, ny + 1, nz + 1),
              tuple(d.GetDimensions()) == (nx + 1, ny + 1, nz + 1))
    a = cache[n].GetCellData().GetArray(sp)
    got = a.GetValue((k * ny + j) * nx + i) if a is not None else float("nan")
    check("%s at snapshot %d, cell (z, y, x) = (%d, %d, %d): %.17g vs %.17g in the HDF5 file"
          % (sp, n, k, j, i, got, v), got == v)
print("xdmf reader: %d check(s) failed" % fails if fails else "xdmf reader: all checks passed")
sys.exit(1 if fails else 0)
