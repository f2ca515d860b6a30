#!/usr/bin/env bash
# cisim calibrate on a real Slurm (docs/calibration.md): a private single-node cluster
# (scripts/slurm/local-cluster.sh) runs the calibration's model runs as job arrays of
# scripts/slurm/sweep.sbatch through scripts/slurm/submit.sh (--submit).
#  - the fisher calibration of tests/cli/test_calibrate.sh, every run through Slurm (each
#    Jacobian as one array of its runs), ends with the fit of the same calibration run
#    locally, byte for byte;
#  - cancel: the first batch runs, the next one is held in the queue (--begin) and cancelled
#    with scancel: calibrate stops (exit 1, "cancelled?"); started again, it submits only what
#    is not done (the first run is not redone: the same file) and ends with the same fit.
# usage: test_slurm_calibrate.sh BUILD_DIR SOURCE_DIR
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
CISIM=$BUILD/cisim
T=$(mktemp -d)
CLUSTER=$T/cluster
LC=$SRC/scripts/slurm/local-cluster.sh
cleanup() { bash "$LC" stop "$CLUSTER" --purge > /dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
cd "$T" || exit 1
export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1
unset SLURM_ARRAY_TASK_ID SLURM_JOB_ID

CPUS=$(nproc)
[ "$CPUS" -gt 2 ] && CPUS=2
bash "$LC" start "$CLUSTER" "$CPUS" 2> cluster.err
rc=$?
if [ $rc != 0 ]; then
  cat cluster.err
  if [ $rc = 77 ] && [ "${CISIM_REQUIRE_SLURM:-0}" != 1 ]; then echo "SKIP: no Slurm here"; exit 77; fi
  echo "FAIL: could not start the test cluster"
  exit 1
fi
eval "$(bash "$LC" env "$CLUSTER")"
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; }

cat > base.yaml <<'YAML'
model: fisher
grid:
  dims: 2
  size_um: [60, 40]
  spacing_um: 20
  boundary: {x: noflux, surface: noflux, deep: noflux}
time: {end_day: 10, output_every_day: 1, dt_max_day: 0.5, rtol: 1e-8, atol: 1e-12}
output: {file: base.h5}
fisher:
  rate_per_day: 0.8
  initial: {kind: uniform, value: 0.02}
YAML
cat > obs.csv <<'CSV'
metric,layer,day,value,sd
u_mean,tissue,2,0.091802669512,0.0018
u_mean,tissue,4,0.333628259200,0.0067
u_mean,tissue,6,0.712627520800,0.0143
u_mean,tissue,8,0.924713257000,0.0185
u_mean,tissue,10,0.983828155400,0.0197
CSV
printf 'base: base.yaml\nfit:\n  fisher.rate_per_day: {start: 1.6, bounds: [0.01, 10], scale: log}\n  fisher.initial.value: {start: 0.04, bounds: [1e-4, 0.5], scale: log}\nobservations: obs.csv\n' > cal.yaml
SUBMIT="CISIM=$CISIM bash $SRC/scripts/slurm/submit.sh {} --cpus-per-task=1 -o $T/slurm-%A_%a.out"

"$CISIM" calibrate cal.yaml -o local --workers 2 > local.out 2>&1 || { cat local.out; exit 1; }
timeout 600 "$CISIM" calibrate cal.yaml -o sl --submit "$SUBMIT" > sl.out 2>&1; rc=$?
if [ $rc = 0 ] && cmp -s local/fit.csv sl/fit.csv && grep -q 'points 0 + \[0-1\]' sl.out &&
   [ "$(ls sl/runs/*.h5 | wc -l)" = "$(ls local/runs/*.h5 | wc -l)" ]
then ok "calibration through Slurm job arrays: the local fit, byte for byte"
else bad "slurm calibration (rc $rc)"; tail -20 sl.out; fi

# cancel: the first batch runs; later ones are held (--begin) and cancelled
cat > wrap.sh <<EOF
n=\$(cat $T/count 2> /dev/null || echo 0); echo \$((n + 1)) > $T/count
if [ "\$n" -ge 1 ]; then hold=--begin=now+600; else hold=; fi
CISIM=$CISIM exec bash $SRC/scripts/slurm/submit.sh "\$1" --cpus-per-task=1 -o $T/slurm-%A_%a.out \$hold
EOF
timeout 600 "$CISIM" calibrate cal.yaml -o sc --submit "bash $T/wrap.sh" > sc1.out 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  squeue -h -t PD -o %r 2> /dev/null | grep -q BeginTime && break   # the held batch
  sleep 0.1
done
scancel -u "$(id -un)"
wait $pid; rc1=$?
first=$(ls sc/runs/*.h5 2> /dev/null)
sum1=$(sha256sum $first 2> /dev/null)
firstb=$(ls -tr sc/batches | head -1)
timeout 600 "$CISIM" calibrate cal.yaml -o sc --submit "$SUBMIT" > sc2.out 2>&1; rc2=$?
if [ $rc1 = 1 ] && grep -q 'cancelled?' sc1.out && [ "$(echo "$first" | wc -w)" = 1 ] && [ $rc2 = 0 ] &&
   cmp -s local/fit.csv sc/fit.csv && [ "$(sha256sum $first)" = "$sum1" ] &&
   [ -n "$firstb" ] && ! grep -q "batch sc/batches/$firstb" sc2.out
then ok "scancel: calibrate stops; started again it redoes no finished run and ends with the same fit"
else bad "cancel and resume (rc $rc1 $rc2)"; tail -5 sc1.out; tail -8 sc2.out; fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
