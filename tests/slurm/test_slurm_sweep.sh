#!/usr/bin/env bash
# Sweeps on a real Slurm (docs/sweeps.md): a private single-node cluster (munged, slurmctld,
# slurmd from scripts/slurm/local-cluster.sh) runs the job-array template
# scripts/slurm/sweep.sbatch through scripts/slurm/submit.sh.
#
#   array:  plan 4 points of a short 2D microneedling run, submit, wait, collect; every point
#           is done and its metrics equal those of the same configuration run directly;
#           submitting the whole array again reruns nothing.
#   cancel: 6 points; one task gets the time-limit warning (USR1 to the batch shell, as
#           --signal=B:USR1 sends it): it checkpoints, requeues itself and resumes; then the
#           array is cancelled midway (scancel); submit.sh resubmits only what is not done;
#           finished points are not rerun (run files unchanged) and interrupted ones resume to
#           the result of an uninterrupted direct run.
#
# usage: test_slurm_sweep.sh BUILD_DIR SOURCE_DIR array|cancel
# Exit 77 (skipped) when Slurm or root is not available, unless CISIM_REQUIRE_SLURM=1 (CI).
set -u
# CISIM_TEST_QUICK=1 (the sanitizer suite): skipped (77). The cluster's scheduling is the same
# for any build, the cisim code paths are the ones cli_sweep/cli_calibrate run under the
# sanitizers, and the Release suite runs this on the real Slurm (CISIM_REQUIRE_SLURM=1).
if [ -n "${CISIM_TEST_QUICK:-}" ] && [ "${CISIM_TEST_QUICK}" != 0 ]; then
  echo "SKIP: CISIM_TEST_QUICK set (the Release suite runs the Slurm tests)"; exit 77
fi
BUILD=$(realpath "$1")
SRC=$(realpath "$2")
MODE=$3
CISIM=$BUILD/cisim
T=$(mktemp -d)
CLUSTER=$T/cluster
LC=$SRC/scripts/slurm/local-cluster.sh
cleanup() { bash "$LC" stop "$CLUSTER" --purge > /dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 1
export OMP_WAIT_POLICY=PASSIVE
unset SLURM_ARRAY_TASK_ID SLURM_JOB_ID

# Two CPUs (two tasks at once) where there are two; slurmd drains a node that claims more.
CPUS=$(nproc)
[ "$CPUS" -gt 2 ] && CPUS=2
bash "$LC" start "$CLUSTER" "$CPUS" 2> cluster.err
rc=$?
if [ $rc != 0 ]; then
  cat cluster.err
  if [ $rc = 77 ] && [ "${CISIM_REQUIRE_SLURM:-0}" != 1 ]; then echo "SKIP: no Slurm here"; exit 77; fi
  echo "FAIL: could not start the test cluster"
  tail -20 "$CLUSTER"/*.log "$CLUSTER"/munge/*.log 2>/dev/null
  exit 1
fi
eval "$(bash "$LC" env "$CLUSTER")"

pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; }

# A 2D microneedling run of a few seconds (configs/single_channel.yaml, shortened).
# The cancel test needs points long enough to catch some of them running.
END=30
[ "$MODE" = cancel ] && END=60
sed -e "s/^  end_day: 60/  end_day: $END/" -e 's/^  summary_days: .*/  summary_days: [1, 7, 14]/' \
  "$SRC/configs/single_channel.yaml" > base.yaml

submit() { CISIM="$CISIM" bash "$SRC/scripts/slurm/submit.sh" "$@" --cpus-per-task=1 -o "$T/slurm-%A_%a.out"; }
jobs_of() { sed -n 's/^submitted job \([0-9]*\):.*/\1/p' "$1"; }
# Wait until none of the given jobs is pending or running (at most $2 seconds).
wait_jobs() {
  local ids=$1 limit=$2
  for _ in $(seq 1 $((limit * 5))); do
    [ -z "$(squeue -h -j "$ids" 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  echo "jobs $ids still queued after ${limit}s:"; squeue
  return 1
}
point_state() { cat "sw/status/0/$1.txt" 2>/dev/null; }
count_state() { local c=0; for f in sw/status/0/*.txt; do grep -q "^$1" "$f" 2>/dev/null && c=$((c+1)); done; echo $c; }
direct_equal() { # point: a direct cisim run with the point's overrides gives the same metrics
  local n=$1 sets=()
  while IFS= read -r l; do sets+=(--set "$l"); done < "sw/points/0/$n.set"
  [ -f "direct$n.h5" ] || "$CISIM" run base.yaml "${sets[@]}" -o "direct$n.h5" --quiet -j 1 > /dev/null 2>&1
  [ -f "direct$n.h5" ] &&
    [ -n "$("$CISIM" sweep metrics "direct$n.h5")" ] &&
    [ "$("$CISIM" sweep metrics "direct$n.h5")" = "$("$CISIM" sweep metrics "sw/runs/0/$n.h5")" ]
}

if [ "$MODE" = array ]; then
  cat > spec.yaml <<'YAML'
base: base.yaml
vary:
  protocol.device.needle_length_um: [750, 1500]
  protocol.device.penetration: [0.5, 0.8]
YAML
  "$CISIM" sweep plan spec.yaml -o sw > /dev/null 2> err || { cat err; exit 1; }
  submit sw > sub.out 2>&1
  jid=$(jobs_of sub.out)
  if [ -n "$jid" ] && grep -q 'points 0 + \[0-3\]' sub.out; then ok "submit.sh submits one array of 4 tasks"
  else bad "submit"; cat sub.out; fi
  wait_jobs "$jid" 300
  "$CISIM" sweep status sw > status
  if grep -q '^4 points: 4 done, 0 running, 0 interrupted, 0 failed, 0 missing' status
  then ok "every array task done"; else bad "status"; cat status; tail -5 slurm-*.out; fi
  "$CISIM" sweep collect sw > /dev/null 2> err
  if [ "$(tail -n +2 sw/results.csv | cut -d, -f5 | sort -u)" = "done" ] && [ "$(wc -l < sw/results.csv)" = 5 ] &&
     [ -f sw/results.h5 ]
  then ok "collect: 4 rows, all done"; else bad "collect"; cat sw/results.csv; fi
  same=0
  for n in 0 1 2 3; do direct_equal $n && same=$((same+1)); done
  if [ $same = 4 ]; then ok "each point's metrics equal a direct run of its configuration"
  else bad "direct runs: $same of 4 equal"; fi
  if [ "$(grep -l 'threads\|point' slurm-*.out | wc -l)" = 4 ] && grep -q 'job .*, restart 0' slurm-*_0.out
  then ok "one Slurm output per task"; else bad "slurm outputs"; ls; fi
  # nothing left to run; the whole array again skips every finished point
  sum0=$(sha256sum sw/runs/0/*.h5)
  if submit sw 2>&1 | grep -q 'nothing to run'; then ok "submit.sh: nothing to run"; else bad "resubmit when done"; fi
  jid2=$(sbatch --parsable --array=0-3 --cpus-per-task=1 -o "$T/again-%A_%a.out" \
           --export=ALL,CISIM="$CISIM" "$SRC/scripts/slurm/sweep.sbatch" "$T/sw")
  wait_jobs "$jid2" 120
  if [ "$(grep -l 'already done' again-*.out | wc -l)" = 4 ] && [ "$(sha256sum sw/runs/0/*.h5)" = "$sum0" ]
  then ok "the whole array again: every point skipped, run files unchanged"
  else bad "rerun of finished points"; cat again-*.out; fi

elif [ "$MODE" = cancel ]; then
  cat > spec.yaml <<'YAML'
base: base.yaml
vary:
  protocol.device.needle_length_um: [500, 1000, 1500]
  protocol.device.penetration: [0.5, 0.8]
YAML
  "$CISIM" sweep plan spec.yaml -o sw > /dev/null 2> err || { cat err; exit 1; }
  submit sw > sub.out 2>&1
  jid=$(jobs_of sub.out)
  # 1. the time-limit warning: checkpoint, requeue, resume
  for _ in $(seq 1 600); do
    point_state 0 | grep -q '^running' && [ -s sw/runs/0/0.h5 ] && break
    sleep 0.1
  done
  sleep 0.3
  # (a task that has only just started may answer "can not be altered now": try again, unless
  # the signal got through all the same)
  # the signal got through all the same). Address the task by its own job id: the array's
  # first task sometimes reads as still pending under the ARRAY_TASK name.
  task0=$(scontrol show job "${jid}_0" | sed -n 's/^JobId=\([0-9]*\) .*/\1/p')
  for _ in $(seq 1 40); do
    grep -q 'interrupted\|requeueing' "slurm-${jid}_0.out" 2> /dev/null && break
    timeout 5 scancel --batch --signal=USR1 "$task0" 2> /dev/null && break
    sleep 0.5
  done
  raw=""
  for _ in $(seq 1 300); do
    info=$(scontrol show job "${jid}_0" 2>/dev/null)
    if echo "$info" | grep -q 'JobState=PENDING' && echo "$info" | grep -q 'Restarts=1'; then
      raw=$(echo "$info" | sed -n 's/^JobId=\([0-9]*\) .*/\1/p'); break
    fi
    sleep 0.1
  done
  # Slurm holds a requeued job back for about two minutes; start it now.
  for _ in $(seq 1 40); do
    [ -n "$raw" ] || break
    scontrol show job "$raw" | grep -q 'Reason=BeginTime' || break
    scontrol update JobId="$raw" StartTime="$(date +%Y-%m-%dT%H:%M:%S)" 2> /dev/null
    sleep 0.5
  done
  if [ -n "$raw" ] && grep -q 'requeueing' "slurm-${jid}_0.out" 2>/dev/null
  then ok "time-limit warning: point 0 checkpointed and requeued itself"
  else bad "requeue (raw '$raw')"; cat "slurm-${jid}_0.out"; scontrol show job "${jid}_0"; fi

  # 2. cancel the array midway
  for _ in $(seq 1 1500); do
    [ "$(count_state "done")" -ge 2 ] && [ "$(count_state running)" -ge 1 ] && break
    sleep 0.1
  done
  sleep 0.3
  scancel "$jid"
  wait_jobs "$jid" 120
  "$CISIM" sweep status sw > status1
  ndone=$(count_state "done")
  nint=$(count_state interrupted)
  ckpts=0
  for f in sw/status/0/*.txt; do
    n=$(basename "$f" .txt)
    grep -q '^interrupted' "$f" && [ -f "sw/runs/0/$n.h5.ckpt" ] && ckpts=$((ckpts+1))
  done
  if [ "$ndone" -ge 2 ] && [ "$nint" -ge 1 ] && [ "$ckpts" = "$nint" ] && grep -q ' 0 running' status1
  then ok "scancel midway: $ndone done, $nint interrupted with checkpoints, none left running"
  else bad "after scancel ($ndone done, $nint interrupted, $ckpts checkpoints)"; cat status1; fi
  done_before=$(for f in sw/status/0/*.txt; do grep -qx "done" "$f" && basename "$f" .txt; done | sort -n)
  resumed=$(for f in sw/status/0/*.txt; do grep -q '^interrupted' "$f" && basename "$f" .txt; done | sort -n)
  sums=$(for n in $done_before; do sha256sum "sw/runs/0/$n.h5"; done)

  # 3. resubmit only what is not done
  todo=$("$CISIM" sweep status sw --todo)
  submit sw > sub2.out 2>&1
  jid2=$(jobs_of sub2.out)
  if [ -n "$jid2" ] && grep -q "points 0 + \[$todo\]" sub2.out; then ok "submit.sh resubmits only points $todo"
  else bad "resubmit"; cat sub2.out; fi
  wait_jobs "$jid2" 300
  "$CISIM" sweep status sw > status2
  if grep -q '^6 points: 6 done' status2; then ok "after the resubmission every point is done"
  else bad "final status"; cat status2; fi
  if [ "$(for n in $done_before; do sha256sum "sw/runs/0/$n.h5"; done)" = "$sums" ] &&
     ! grep -l "point \($(echo $done_before | sed 's/ /\\|/g')\) of" slurm-"$jid2"_*.out > /dev/null 2>&1
  then ok "finished points were not rerun (points $(echo $done_before))"
  else bad "finished points touched"; fi
  nres=0 nsame=0
  for n in $resumed; do
    grep -q "point $n: resuming" slurm-*.out && nres=$((nres+1))
    direct_equal "$n" && nsame=$((nsame+1))
  done
  nr=$(echo $resumed | wc -w)
  direct_equal 0 && same0=1 || same0=0
  if [ "$nres" = "$nr" ] && [ "$nsame" = "$nr" ] && [ "$same0" = 1 ] &&
     [ "$(grep -c 'point 0: resuming' slurm-*.out | awk -F: '{s+=$2} END {print s}')" -ge 1 ]
  then ok "interrupted points ($(echo $resumed)) and the requeued point 0 resumed to the direct run's result"
  else bad "resumed points: $nres of $nr resumed, $nsame equal, point 0 equal $same0"; fi
else
  echo "usage: test_slurm_sweep.sh BUILD_DIR SOURCE_DIR array|cancel" >&2
  exit 2
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
