#!/usr/bin/env bash
# The resolved configuration stored in a run file (/parameters/yaml), run on its own, must
# reproduce the run bit for bit (cisim compare with zero tolerance).  usage: test_reproduce.sh cisim
set -u
CISIM=$1
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$CISIM" run "$ROOT/configs/single_channel.yaml" -o "$T/a.h5" --quiet --set time.end_day=3 \
  --set grid.spacing_um=50 --set protocol.device.needle_length_um=1000 >/dev/null || exit 1
/usr/bin/python3 -c "import h5py,sys; open(sys.argv[2],'w').write(h5py.File(sys.argv[1],'r')['parameters/yaml'].asstr()[()])" \
  "$T/a.h5" "$T/resolved.yaml" || exit 1
"$CISIM" run "$T/resolved.yaml" -o "$T/b.h5" --quiet >/dev/null || exit 1
if "$CISIM" compare "$T/b.h5" "$T/a.h5" --strict-params --quiet; then
  echo "1 passed, 0 failed"
else
  echo "the stored YAML did not reproduce the run"; echo "0 passed, 1 failed"; exit 1
fi
