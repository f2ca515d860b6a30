#!/usr/bin/env bash
# Rebuilds the hand-made reproducers in crashes/fuzz_runfile/ (README.md: "Known findings"):
# a tiny run of the diffusion model stopped with a checkpoint, then one edit per finding with
# h5py (Debian: python3-h5py, in /usr/bin/python3). Each is the smallest input that shows its bug; the fuzzer found each
# bug first on a larger input (a mutated seed).
#
#   tests/fuzz/crashes/make_runfile_crashes.sh build/cisim
set -euo pipefail
cisim=$(cd "$(dirname "${1:?usage: $0 PATH/TO/cisim}")" && pwd)/$(basename "$1")
out=$(cd "$(dirname "$0")" && pwd)/fuzz_runfile
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > d2.yaml <<'Y'
model: diffusion
grid: {dims: 2, size_um: [100, 100], spacing_um: 20, boundary: {deep: dirichlet}}
time: {end_day: 1, output_every_day: 0.25, dt_max_day: 0.05}
diffusion: {D_um2_per_day: 1e4, decay_per_day: 1}
Y
rc=0
OMP_NUM_THREADS=1 "$cisim" run d2.yaml -o d2.h5 --quiet -j 1 --stop-after-steps 12 || rc=$?
[ "$rc" = 3 ] || { echo "$0: cisim run exited $rc, expected 3 (stopped with a checkpoint)" >&2; exit 1; }
py=python3
"$py" -c 'import h5py' 2>/dev/null || py=/usr/bin/python3
"$py" - "$out" <<'PY'
import shutil, struct, sys
import h5py, numpy as np
out = sys.argv[1]

def edit(src, dst, fn):
    shutil.copy(src, dst)
    with h5py.File(dst, 'r+') as f:
        fn(f)

def pair(run, ck, dst):
    r, c = open(run, 'rb').read(), open(ck, 'rb').read()
    open(dst, 'wb').write(b'CSFZ' + struct.pack('<I', len(r)) + r + c)

# A checkpoint alone is used as both run file and checkpoint by fuzz_runfile.
# 1. dims not a whole number of cells: (int) cast of NaN in checkpoint_read_header
edit('d2.h5.ckpt', out + '/ckpt_dims_nan', lambda f: f.attrs.modify('dims', np.array([np.nan, 1, 5])))
# 2. a scalar attribute stored as an array: H5Aread writes 64 doubles into one (read_attr)
def t_array(f):
    del f.attrs['t']
    f.attrs.create('t', np.arange(64, dtype='f8'))
edit('d2.h5.ckpt', out + '/ckpt_t_array', t_array)
# 3. same, an attribute only checkpoint_restore reads
def dt_array(f):
    del f.attrs['dt_cap']
    f.attrs.create('dt_cap', np.arange(64, dtype='f8'))
edit('d2.h5.ckpt', out + '/ckpt_dt_cap_array', dt_array)
# 4. a step state the restore accepts unchecked: dt = NaN (issue 12, item 4)
edit('d2.h5.ckpt', out + '/ckpt_dt_nan', lambda f: f.attrs.modify('dt', np.nan))
# 5. nsnap = 2^31: hdf5out_open_append allocates (nsnap + 64) doubles first, 16 GiB
edit('d2.h5.ckpt', out + '/ckpt_nsnap_huge', lambda f: f.attrs.modify('nsnap', np.int64(2**31)))
# 6. the run file's `resumed` at INT_MAX: resumed + 1 overflows (hdf5out_open_append)
edit('d2.h5', 'r6.h5', lambda f: f.attrs.modify('resumed', np.int32(2**31 - 1)))
pair('r6.h5', 'd2.h5.ckpt', out + '/pair_resumed_int_max')
# 7. no snapshot in /time: cisim info leaves the group /series open
edit('d2.h5', out + '/run_no_snapshots', lambda f: f['time'].resize((0,)))
PY
ls -l "$out"
