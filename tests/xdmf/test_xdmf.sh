#!/usr/bin/env bash
# The .xmf sidecar opens in ParaView's XDMF reader (Debian's paraview + python3-paraview,
# pvbatch, no display needed) with every time step and species (named with their units), the
# layer index and the session's channel fraction, the right grid, the skin surface on top
# (depth along -z) and the same values as the HDF5 file.   usage: test_xdmf.sh PATH/TO/cisim
set -u
CISIM=$1
HERE=$(cd "$(dirname "$0")" && pwd)
if ! command -v pvbatch >/dev/null 2>&1; then
  echo "test_xdmf: pvbatch not found (apt-get install paraview python3-paraview); cannot test"
  exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$CISIM" run "$HERE/../../configs/single_channel.yaml" -o "$T/run.h5" --quiet \
  --set time.end_day=2 --set time.output_every_day=0.5 --set grid.spacing_um=50 >/dev/null || exit 1
/usr/bin/python3 - "$T/run.h5" "$T/expected.txt" <<'PY' || exit 1
import sys, h5py
f = h5py.File(sys.argv[1], "r")
sp = sorted(k for k in f["fields"] if f["fields"][k].attrs.get("CLASS") != b"DIMENSION_SCALE")  # not the coordinates
n, nz, ny, nx = f["fields"][sp[0]].shape
def array_name(s):  # the sidecar names arrays with their unit
    u = f["fields"][s].attrs["unit_label"]
    return s if u in ("", "-") else "%s (%s)" % (s, u)
cf = f["punctures/channel_fraction"]
with open(sys.argv[2], "w") as o:
    o.write("%d %d %d %r\n" % (nx, ny, nz, float(f["grid"].attrs["spacing_um"])))
    o.write(" ".join(repr(float(t)) for t in f["time"][:]) + "\n")
    names = [array_name(s) for s in sp] + ["layer"] + ["channel_fraction_session%d" % (k + 1) for k in range(cf.shape[0])]
    o.write("\t".join(names) + "\n")
    cells = ((0, 0, 0), (nz // 3, 0, nx // 2), (nz - 1, ny - 1, nx - 1))
    for s in sp:
        for snap in (0, n // 2, n - 1):
            for (k, j, i) in cells:
                o.write("%s\t%d %d %d %d %r\n" % (array_name(s), snap, k, j, i, float(f["fields"][s][snap, k, j, i])))
    for (k, j, i) in cells:
        o.write("layer\t%d %d %d %d %r\n" % (n - 1, k, j, i, float(f["grid/layer"][k])))
    # the cells of the channel, and one outside it
    ks, js, is_ = (cf[0] > 0).nonzero()
    for (k, j, i) in list(zip(ks, js, is_))[:: max(1, len(ks) // 4)] + [(nz - 1, 0, 0)]:
        o.write("channel_fraction_session1\t%d %d %d %d %r\n" % (0, k, j, i, float(cf[0, k, j, i])))
PY
# the array names docs/run-file.md quotes as examples ("`signal (ng/mL)`, ...") are the sidecar's
doc=$HERE/../../docs/run-file.md
names=$(sed -n '/units are in the array names/,/^- \*\*layer/p' "$doc" | tr '\n' ' ' | tr -s ' ' | grep -o '`[a-z_]* ([^`]*)`' | tr -d '`')
[ "$(echo "$names" | grep -c .)" -ge 2 ] || { echo "FAIL: no array name examples found in $doc"; exit 1; }
while IFS= read -r name; do
  grep -qF "Attribute Name=\"$name\"" "$T/run.xmf" ||
    { echo "FAIL: docs/run-file.md names an array '$name' the sidecar lacks"; exit 1; }
done <<<"$names"
cd "$T" && pvbatch "$HERE/read_xdmf.py" "$T/run.xmf" "$T/expected.txt" 2>&1 | grep -v "^$"
exit "${PIPESTATUS[0]}"
