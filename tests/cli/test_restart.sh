#!/usr/bin/env bash
# Crash safety, checkpoints and restart through the command line (docs/checkpoint.md):
#  - kill -9 at arbitrary moments leaves a run file that opens and holds every completed
#    snapshot (compared with an uninterrupted run's);
#  - --stop-after-steps, SIGTERM, SIGINT and --max-walltime stop with exit status 3 and a
#    checkpoint; SIGUSR1 checkpoints and goes on; --resume continues to a run file whose fields
#    and series are bitwise identical to an uninterrupted run's (cisim compare, zero tolerance),
#    with several interruptions, including during a session's first hours and between snapshots;
#  - a changed configuration is refused naming the differences; a later end with --allow-change;
#  - damaged, truncated or missing checkpoints, missing output directory, a full disk (tmpfs,
#    skipped with a note where mounting is not allowed), cisim info.
# usage: test_restart.sh PATH/TO/cisim
set -u
CISIM=$(realpath "$1")
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
MNT=""
cleanup() { [ -n "$MNT" ] && umount "$MNT" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
cd "$T"
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
export HDF5_USE_FILE_LOCKING=FALSE # readers (h5ls) look at files a killed or live run holds
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -5; }

CFG=$SRC/configs/single_channel.yaml
# CISIM_TEST_QUICK (the sanitizer pass): the same code paths, fewer simulated days and fewer
# disk-full moments (the Release suite runs them all)
if [ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ]; then
  KEND=8 FULL_MOMENTS="0 4 8"
else
  KEND=40 FULL_MOMENTS="0 1 2 3 4 5 6 7 8 9"
fi
# a second session at day 1.5: interruptions around it fall during a session's first hours
SETS=(--set grid.spacing_um=50 --set time.end_day=4 --set time.output_every_day=1
      --set "protocol.sessions.day=[0, 1.5]" --set checkpoint.every_minutes=0)
run() { "$CISIM" run "$CFG" "${SETS[@]}" -j 2 -q "$@"; }

run -o ref.h5 >ref.out 2>err || bad "reference run"
nref=$("$CISIM" info ref.h5 | sed -n 's/^snapshots: \([0-9]*\).*/\1/p')
[ "$nref" = 5 ] && ok "reference run: 5 snapshots" || bad "reference run has '$nref' snapshots"

same() { # same NAME FILE: bitwise identical to the reference (fields, series, time), and every
          # series row (a row per step: compare sees the snapshot times) with h5diff
  if "$CISIM" compare "$2" ref.h5 --quiet >cmp 2>&1 && h5diff "$2" ref.h5 /series /series >>cmp 2>&1
  then ok "$1: bitwise identical to the uninterrupted run"
  else cat cmp >err; bad "$1: differs from the uninterrupted run"; fi
}

# --- stops after N steps, resumed in a chain: 2 (the session's first hour), 30, 31 (between
#     snapshots), 60 (around the second session), then to the end
run -o a.h5 --stop-after-steps 2 >/dev/null 2>err; rc=$?
[ $rc = 3 ] && [ -f a.h5.ckpt ] && ok "stop after 2 steps: exit 3 and a checkpoint" || bad "stop after 2 steps: exit $rc"
for n in 30 31 60; do
  "$CISIM" run --resume a.h5 -j 1 -q --stop-after-steps $n >/dev/null 2>err; rc=$?
  [ $rc = 3 ] && ok "resume, stop again after $n steps: exit 3" || bad "resume to $n steps: exit $rc"
done
"$CISIM" run --resume a.h5 -j 2 -q >a.out 2>err && ok "resume to the end: exit 0" || bad "resume to the end"
same "4 interruptions" a.h5
cmp -s a.out ref.out && ok "outcome summary identical to the uninterrupted run's" || { diff a.out ref.out >err; bad "outcome summary differs"; }
[ ! -e a.h5.ckpt ] && ok "checkpoint removed once the run finished" || bad "checkpoint left after finishing"
"$CISIM" info a.h5 >info 2>err
grep -q "^finished: yes; resumed 4 times" info && ok "info: finished, resumed 4 times" || { cp info err; bad "info of a resumed run"; }

# --- a checkpoint on the simulated-time interval, then kill -9 between snapshots; resume
# (to day 400, so that it is still running when killed; resumed to day 40 below)
"$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=400 --set checkpoint.every_day=0.5 -j 2 -q -o k.h5 >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 400); do  # poll the file's /time until at least 3 snapshots are complete
  len=$(h5ls k.h5/time 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
  [ -n "$len" ] && [ "$len" -ge 3 ] && break
  sleep 0.05
done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
len=$(h5ls k.h5/time 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
if [ -n "$len" ] && [ "$len" -ge 3 ]; then ok "kill -9: the run file opens and holds $len snapshots"
else bad "kill -9: run file unreadable or short ('$len')"; fi
# each completed snapshot equals the uninterrupted run's (first 4 days: ref.h5's first 5)
allok=1
for sp in signal fibroblasts collagen; do
  m=$(( len < 5 ? len : 5 ))
  h5dump -d "/fields/$sp" -s "0,0,0,0" -c "$m,50,1,60" -y -w 0 k.h5 2>/dev/null | sed -n '/DATA {/,$p' >k.txt
  h5dump -d "/fields/$sp" -s "0,0,0,0" -c "$m,50,1,60" -y -w 0 ref.h5 2>/dev/null | sed -n '/DATA {/,$p' >r.txt
  [ -s k.txt ] && cmp -s k.txt r.txt || allok=0
done
[ $allok = 1 ] && ok "kill -9: every completed snapshot equals the uninterrupted run's" || bad "kill -9: snapshots differ"
"$CISIM" info k.h5 >info 2>err && grep -q "^finished: no (running, or killed" info && ok "info on a killed run: not finished" || bad "info on a killed run"
if [ -f k.h5.ckpt ]; then
  "$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=$KEND -j 2 -q -o kref.h5 >/dev/null 2>err
  "$CISIM" run --resume k.h5 -j 2 -q --set time.end_day=$KEND --allow-change >/dev/null 2>err && ok "resume after kill -9: exit 0" || bad "resume after kill -9"
  if "$CISIM" compare k.h5 kref.h5 --quiet >err 2>&1 && h5diff k.h5 kref.h5 /series /series >>err 2>&1; then ok "resume after kill -9: bitwise identical"; else bad "resume after kill -9: differs"; fi
else
  bad "kill -9: no checkpoint although checkpoint.every_day = 0.5"
fi

# --- SIGTERM and SIGINT stop with a checkpoint (exit 3); SIGUSR1 checkpoints and goes on
for sig in TERM INT; do
  rm -f s.h5 s.h5.ckpt
  "$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=400 -j 2 -o s.h5 >/dev/null 2>err &
  pid=$!
  for i in $(seq 1 400); do
    len=$(h5ls s.h5/time 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
    [ -n "$len" ] && [ "$len" -ge 2 ] && break
    sleep 0.05
  done
  kill -$sig $pid; wait $pid; rc=$?
  if [ $rc = 3 ] && [ -f s.h5.ckpt ] && grep -q "(SIG$sig)" err; then ok "SIG$sig: exit 3 with a checkpoint"
  else bad "SIG$sig: exit $rc"; fi
done
"$CISIM" run --resume s.h5 -j 2 -q --set time.end_day=3 --allow-change >/dev/null 2>err; rc=$?
[ $rc = 0 ] || [ $rc = 2 ] && ok "resume after SIGINT (end moved earlier: $rc)" || bad "resume after SIGINT: exit $rc"
rm -f u.h5 u.h5.ckpt
"$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=400 -j 2 -o u.h5 >/dev/null 2>err &
pid=$!
for i in $(seq 1 400); do
  len=$(h5ls u.h5/time 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
  [ -n "$len" ] && [ "$len" -ge 2 ] && break
  sleep 0.05
done
kill -USR1 $pid
for i in $(seq 1 400); do [ -f u.h5.ckpt ] && break; sleep 0.05; done
kill -0 $pid 2>/dev/null && [ -f u.h5.ckpt ] && ok "SIGUSR1: checkpoint written, run goes on" || bad "SIGUSR1"
kill -TERM $pid; wait $pid

# --- --max-walltime: stops cleanly with exit 3; resumed run identical
run -o w.h5 --max-walltime 0.001 >/dev/null 2>err; rc=$?
[ $rc = 3 ] && [ -f w.h5.ckpt ] && ok "--max-walltime: exit 3 with a checkpoint" || bad "--max-walltime: exit $rc"
"$CISIM" run --resume w.h5 -j 2 -q >/dev/null 2>err && same "--max-walltime then --resume" w.h5 || bad "resume after --max-walltime"
"$CISIM" run "$CFG" --max-walltime 1:75 >/dev/null 2>err; [ $? = 2 ] && grep -q "max-walltime" err && ok "--max-walltime 1:75 refused" || bad "bad --max-walltime accepted"

# --- resuming with a changed configuration
run -o c.h5 --stop-after-steps 20 >/dev/null 2>err
cp c.h5 c0.h5; cp c.h5.ckpt c0.h5.ckpt
"$CISIM" run --resume c.h5 -q --set time.rtol=1e-4 --set grid.boundary.x=periodic >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "time.rtol: 0.003 -> 0.0001" err && grep -q "grid.boundary.x: noflux -> periodic" err && ok "changed rtol and boundary refused, both named" || bad "changed config: exit $rc"
"$CISIM" run --resume c.h5 -q --set time.end_day=6 >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "time.end_day: 4 -> 6" err && grep -q -- "--allow-change" err && ok "later end refused without --allow-change" || bad "later end without --allow-change: exit $rc"
"$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=6 -j 2 -q -o ref6.h5 >/dev/null 2>err
"$CISIM" run --resume c.h5 -q -j 2 "$CFG" "${SETS[@]}" --set time.end_day=6 --allow-change >/dev/null 2>err; rc=$?
if [ $rc = 0 ] && "$CISIM" compare c.h5 ref6.h5 --quiet >err 2>&1; then ok "later end with --allow-change: identical to a run to day 6"; else bad "later end with --allow-change: exit $rc"; fi
"$CISIM" info c.h5 | grep -q "changed on resume: time.end_day: 4 -> 6" && ok "info records the change" || bad "info lacks the change"

# --- damaged checkpoints: a clear message, exit 2, the run file untouched
cp c0.h5 d.h5; head -c 10000 c0.h5.ckpt > d.h5.ckpt
"$CISIM" run --resume d.h5 -q >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "d.h5.ckpt: damaged or incomplete checkpoint" err && ok "truncated checkpoint: exit 2, named" || bad "truncated checkpoint: exit $rc"
cmp -s d.h5 c0.h5 && ok "truncated checkpoint: run file untouched" || bad "run file changed"
echo garbage > d.h5.ckpt
"$CISIM" run --resume d.h5 -q >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "not a readable HDF5 file" err && ok "garbage checkpoint: exit 2" || bad "garbage checkpoint: exit $rc"
rm d.h5.ckpt
"$CISIM" run --resume d.h5 -q >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "no checkpoint" err && ok "missing checkpoint: exit 2" || bad "missing checkpoint: exit $rc"
cp c0.h5.ckpt d.h5.ckpt; cp ref.h5 e.h5; cp c0.h5.ckpt e.h5.ckpt
"$CISIM" run --resume e.h5 -q >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "belongs to another run" err && ok "checkpoint of another run refused" || bad "foreign checkpoint: exit $rc"

# --- output directory missing; not writable (not testable as root)
run -o "$T/nodir/x.h5" >/dev/null 2>err; rc=$?
[ $rc = 2 ] && grep -q "directory $T/nodir does not exist" err && ok "missing output directory: exit 2" || bad "missing directory: exit $rc"
if [ "$(id -u)" != 0 ]; then
  mkdir ro && chmod 555 ro
  run -o ro/x.h5 >/dev/null 2>err; rc=$?
  [ $rc = 2 ] && grep -q "not writable" err && ok "read-only directory: exit 2" || bad "read-only directory: exit $rc"
else
  echo "NOTE read-only directory not tested: running as root"
fi

# --- disk full: a 1 MB tmpfs (the 13-species microneedling file fills it after a few snapshots)
mkdir -p mnt
if mount -t tmpfs -o size=1024k tmpfs mnt 2>/dev/null; then
  MNT=$T/mnt
  "$CISIM" run "$CFG" "${SETS[@]}" --set time.end_day=40 -j 2 -q -o mnt/full.h5 >/dev/null 2>err; rc=$?
  [ $rc = 1 ] && grep -q "mnt/full" err && grep -q "No space left on device" err && ok "disk full: exit 1 naming the file and the cause" || bad "disk full: exit $rc"
  len=$(h5ls mnt/full.h5/time 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
  h5dump -d /fields/signal -s "0,0,0,0" -c "1,1,2,2" mnt/full.h5 >/dev/null 2>&1 && [ -n "$len" ] && [ "$len" -ge 2 ] && ok "disk full: earlier snapshots readable ($len)" || bad "disk full: file unreadable ('$len')"
  umount mnt && MNT=""
  # the disk filling up at every moment of the last snapshots and the final flush: a tmpfs a
  # little smaller than the finished file, in 4 KiB steps. Whatever fails, the root attribute
  # `status` stays readable (it is overwritten in place, never reallocated) and says either
  # how the run ended or that it was still running.
  run -o whole.h5 --set time.end_day=6 >/dev/null 2>&1
  size=$(stat -c %s whole.h5)
  unreadable=0 tried=0
  for k in $FULL_MOMENTS; do
    kb=$(( size / 1024 - k * 4 + 4 ))
    mount -t tmpfs -o size=${kb}k tmpfs mnt 2>/dev/null || continue
    MNT=$T/mnt
    run -o mnt/f.h5 --set time.end_day=6 >/dev/null 2>&1
    tried=$((tried + 1))
    /usr/bin/python3 -c "
import sys, h5py
with h5py.File('mnt/f.h5', 'r') as f:
    s = f.attrs['status']
    s = s.decode() if isinstance(s, bytes) else str(s)
    assert s == 'finished' or s == 'running' or s.startswith('failed: '), s
" 2>/dev/null || { unreadable=$((unreadable + 1)); echo "    tmpfs ${kb} kB: status unreadable"; }
    umount mnt && MNT=""
  done
  [ $tried -gt 0 ] && [ $unreadable = 0 ] && ok "disk full at $tried moments near the end: status always readable" ||
    bad "disk full near the end: status unreadable in $unreadable of $tried"
else
  echo "NOTE disk-full test skipped: mount -t tmpfs not permitted here"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
