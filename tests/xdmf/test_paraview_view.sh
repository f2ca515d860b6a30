#!/usr/bin/env bash
# scripts/paraview_view.py renders a field at a time to a PNG, headless (pvbatch under
# xvfb-run): the image has the size asked for and is not blank (many colours, the data covering
# a good part of it); rendering the layer index shows the skin surface on top (the epidermis,
# layer 0, at the blue end of the colour map, in the top rows of the picture; the hypodermis at
# the red end in the bottom rows); an unknown field is refused with exit 2 and a message.
# Skipped (77) without Debian's paraview/python3-paraview and xvfb.
#   tests/xdmf/test_paraview_view.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
for tool in pvbatch xvfb-run; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed (Debian: paraview python3-paraview xvfb)"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
"$cisim" run "$src/configs/single_channel.yaml" -o run.h5 -q --set time.end_day=2 \
  --set grid.spacing_um=50 >/dev/null || { echo "FAIL: run"; exit 1; }
# xvfb-run -a can lose the race for a display number to another X server starting at the same
# moment ("Xvfb failed to start"): a render that fails so is tried once more, and said.
view() {
  timeout 300 xvfb-run -a pvbatch "$src/scripts/paraview_view.py" "$@" 2>view.err && { cat view.err >&2; return 0; }
  local rc=$?
  if grep -q "Xvfb failed to start\|cannot open display\|Could not open display\|bad X server connection" view.err; then
    echo "note: the virtual display did not start; once more: $(head -c 300 view.err)"
    timeout 300 xvfb-run -a pvbatch "$src/scripts/paraview_view.py" "$@"
    return
  fi
  cat view.err >&2
  return $rc
}
fail=0
view run.h5 --field fibroblasts --day 2 --size 800 600 -o fib.png >fib.log 2>&1 || { cat fib.log; echo "FAIL: render fibroblasts"; fail=1; }
view run.xmf --field layer -o layer.png --size 800 600 >layer.log 2>&1 || { cat layer.log; echo "FAIL: render layer"; fail=1; }
view run.h5 --field nosuch -o x.png >bad.log 2>&1
rc=$?
[ $rc = 2 ] && grep -q "no array 'nosuch'" bad.log || { cat bad.log; echo "FAIL: unknown field: exit $rc"; fail=1; }
[ -e x.png ] && { echo "FAIL: an image was written for an unknown field"; fail=1; }
[ $fail = 0 ] || exit 1
/usr/bin/python3 - fib.png layer.png <<'PY'
import sys
import numpy as np
from PIL import Image

fail = []
fib = np.asarray(Image.open(sys.argv[1]).convert("RGB")).astype(int)
if fib.shape[:2] != (600, 800):
    fail.append("fibroblasts image is %r, not 600 x 800" % (fib.shape[:2],))
colours = len(np.unique(fib.reshape(-1, 3), axis=0))
data = (np.abs(fib - 255).sum(axis=2) > 30)  # not the white background
if colours < 50 or data.mean() < 0.2:
    fail.append("fibroblasts image looks blank: %d colours, %.0f %% not background" % (colours, 100 * data.mean()))

lay = np.asarray(Image.open(sys.argv[2]).convert("RGB")).astype(int)
h, w, _ = lay.shape
mid = lay[:, w // 4: w // 2]  # a band of columns inside the domain, left of the colour bar
coloured = np.nonzero((np.abs(mid - 255).sum(axis=2) > 60).mean(axis=1) > 0.9)[0]
if coloured.size < h // 4:
    fail.append("layer image: the domain covers only %d rows" % coloured.size)
else:
    top, bottom = mid[coloured[0] + 2].mean(axis=0), mid[coloured[-1] - 2].mean(axis=0)
    if not (top[2] > top[0] + 40 and bottom[0] > bottom[2] + 40):
        fail.append("layer image: top rows %s and bottom rows %s (RGB): the surface (layer 0, blue) "
                    "is not on top" % (top.round(), bottom.round()))
# the colour bar: a strip of many colours right of the domain
bar = fib[:, int(0.84 * fib.shape[1]):]
bar_colours = len(np.unique(bar.reshape(-1, 3), axis=0))
if bar_colours < 30:
    fail.append("no colour bar right of the domain (%d colours there)" % bar_colours)
for m in fail:
    print("FAIL:", m)
if not fail:
    print("paraview_view.py: %d colours, surface on top, colour bar drawn" % colours)
sys.exit(1 if fail else 0)
PY
