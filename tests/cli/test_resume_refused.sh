#!/usr/bin/env bash
# A refused resume never touches the run file (docs/checkpoint.md): every checkpoint below is
# damaged or foreign, and the run file (and its XDMF sidecar) must hash the same before and
# after `cisim run --resume`, which must exit 2 naming the checkpoint or the run file.
#  - single-bit flips at 40 places spread over the checkpoint: each is refused, or (a byte no
#    reader looks at) accepted with a result bitwise identical to the uninterrupted run;
#  - attribute edits a checksum over the datasets alone would miss: t, dt = NaN, dt_prev < 0,
#    nsnap - 1, next_output - 1, next_session + 1, one flipped bit of t;
#  - the checkpoint of another run with a different configuration, started in the same second;
#  - a run file the user cannot write (chattr +i; skipped with a note where not allowed).
# usage: test_resume_refused.sh PATH/TO/cisim
set -u
CISIM=$(realpath "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'chattr -i "$T"/*.h5 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
PY=/usr/bin/python3
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -4; }

CFG=$SRC/configs/single_channel.yaml
SETS=(--set grid.spacing_um=50 --set time.end_day=3 --set time.output_every_day=1
      --set "protocol.sessions.day=[0, 1.5]" --set checkpoint.every_minutes=0)
run() { "$CISIM" run "$CFG" "${SETS[@]}" -j 2 -q "$@"; }

run -o ref.h5 >/dev/null 2>err || bad "reference run"
# the run to resume: stopped between snapshots, with its checkpoint kept as the original
run -o a.h5 --stop-after-steps 40 >/dev/null 2>err; rc=$?
[ $rc = 3 ] && [ -f a.h5.ckpt ] && ok "stopped with a checkpoint (exit 3)" || bad "stop: exit $rc"
cp a.h5 a.orig.h5
cp a.h5.ckpt orig.ckpt
cp a.xmf orig.xmf 2>/dev/null || true
hash_run() { sha256sum a.h5 a.xmf 2>/dev/null | awk '{print $1}' | tr '\n' ' '; }
H0=$(hash_run)

restore() { cp a.orig.h5 a.h5; cp orig.xmf a.xmf 2>/dev/null || true; }

# try NAME: resume a.h5 with the a.h5.ckpt in place; refused: exit 2, message, file unchanged
try_refused() {
  local name=$1 want=$2
  "$CISIM" run --resume a.h5 -j 2 -q >/dev/null 2>err; local rc=$?
  local h
  h=$(hash_run)
  if [ $rc = 2 ] && grep -q "$want" err && [ "$h" = "$H0" ]; then
    ok "$name: refused (exit 2, names $want), run file unchanged"
  else
    echo "    exit $rc; run file $( [ "$h" = "$H0" ] && echo unchanged || echo CHANGED)" >>err
    bad "$name"
  fi
  restore
}

# --- attribute edits (h5py rewrites one attribute; nothing else in the file changes)
edit() { # edit ATTR PYTHON-EXPRESSION-OF-v
  cp orig.ckpt a.h5.ckpt
  $PY - "$1" "$2" <<'PY'
import sys, h5py, numpy as np
name, expr = sys.argv[1], sys.argv[2]
with h5py.File("a.h5.ckpt", "r+") as f:
    v = f.attrs[name]
    new = eval(expr, {"np": np, "v": v})
    f.attrs.modify(name, np.asarray(new, dtype=np.asarray(v).dtype))
PY
}
edit t "v + 0.25";                          try_refused "t moved by 0.25 day" "a.h5.ckpt"
edit dt "np.nan";                           try_refused "dt = NaN" "a.h5.ckpt"
edit dt_prev "-1.0";                        try_refused "dt_prev < 0" "a.h5.ckpt"
edit nsnap "v - 1";                         try_refused "nsnap - 1" "a.h5.ckpt"
edit next_output "v - 1";                   try_refused "next_output - 1" "a.h5.ckpt"
edit next_session "v + 1";                  try_refused "next_session + 1" "a.h5.ckpt"
edit t "np.frombuffer((np.float64(v).view(np.uint64) ^ np.uint64(1 << 20)).tobytes(), np.float64)[0]"
try_refused "one bit of t flipped" "a.h5.ckpt"

# --- a checkpoint of another run (another config) started in the same second
run -o b.h5 --set microneedling.signal.decay_per_day=5 --stop-after-steps 40 >/dev/null 2>err &
run -o c.h5 --stop-after-steps 40 >/dev/null 2>&1
wait
cp b.h5.ckpt a.h5.ckpt
"$CISIM" run --resume a.h5 -j 2 -q >/dev/null 2>err; rc=$?
[ $rc = 2 ] && [ "$(hash_run)" = "$H0" ] && ok "checkpoint of a run with another config: refused, file unchanged" ||
  { echo "    exit $rc" >>err; bad "foreign checkpoint (other config)"; }
restore
cp c.h5.ckpt a.h5.ckpt
try_refused "checkpoint of a run with the same config (another run_id)" "belongs to another run"

# --- single-bit flips over the whole checkpoint
size=$(stat -c %s orig.ckpt)
accepted=0 refused=0
for i in $(seq 0 39); do
  cp orig.ckpt a.h5.ckpt
  off=$(( (size * i) / 40 + (i * 7919) % 97 ))
  [ $off -ge "$size" ] && off=$((size - 1))
  $PY -c "
import sys
p, off, bit = 'a.h5.ckpt', int(sys.argv[1]), int(sys.argv[2])
b = bytearray(open(p, 'rb').read()); b[off] ^= 1 << bit; open(p, 'wb').write(b)" "$off" $((i % 8))
  timeout 120 "$CISIM" run --resume a.h5 -j 2 -q >/dev/null 2>err; rc=$?
  if [ $rc = 2 ]; then
    if [ "$(hash_run)" = "$H0" ]; then refused=$((refused+1)); else echo "    byte $off" >>err; bad "bit flip at byte $off: refused but the run file changed"; fi
  elif [ $rc = 0 ] && "$CISIM" compare a.h5 ref.h5 --quiet >/dev/null 2>&1; then
    accepted=$((accepted+1)) # a byte no reader looks at: the result is the uninterrupted run's
  else
    echo "    byte $off bit $((i % 8)): exit $rc" >>err; bad "bit flip at byte $off: neither refused nor the right result"
  fi
  restore
done
[ $((accepted + refused)) = 40 ] && ok "40 bit flips: $refused refused with the run file unchanged, $accepted harmless (same result)"

# --- a run file the user cannot write
cp orig.ckpt a.h5.ckpt
if chattr +i a.h5 2>/dev/null; then
  "$CISIM" run --resume a.h5 -j 2 -q >/dev/null 2>err; rc=$?
  chattr -i a.h5
  [ $rc != 0 ] && grep -q "a.h5: cannot continue this run" err && ! grep -q "HDF5-DIAG\|H5F" err &&
    [ "$(hash_run)" = "$H0" ] && ok "unwritable run file: exit $rc, a plain message, unchanged" ||
    { echo "    exit $rc" >>err; bad "unwritable run file"; }
else
  echo "NOTE chattr +i not allowed here: the unwritable-file case is not run"
fi

# --- and the original checkpoint still resumes to the uninterrupted result
cp orig.ckpt a.h5.ckpt
"$CISIM" run --resume a.h5 -j 2 -q >/dev/null 2>err && "$CISIM" compare a.h5 ref.h5 --quiet >/dev/null 2>&1 &&
  ok "the undamaged checkpoint resumes to the uninterrupted result" || bad "undamaged resume"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
