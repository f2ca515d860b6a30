#!/usr/bin/env bash
# Parameter sweeps through the command line (docs/sweeps.md): plan a 4-point grid sweep of a
# short coarse diffusion run, run it with xargs -P 2, status, collect; a point run directly gives
# the collected values; resume from a checkpoint; skip a finished point; re-planning with a
# changed spec and an unknown key are refused (exit 2, FILE:LINE:COL, nothing written).
# usage: test_sweep.sh BUILD_DIR (or PATH/TO/cisim)
set -u
if [ -d "$1" ]; then CISIM=$(realpath "$1/cisim"); else CISIM=$(realpath "$1"); fi
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
unset SLURM_ARRAY_TASK_ID
pass=0 fail=0
ok() { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -f "$T/err" ] && sed 's/^/    /' "$T/err" | tail -5; }

cat > base.yaml <<'YAML'
model: diffusion
grid:
  dims: 2
  size_um: [400, 300]
  spacing_um: 20
  boundary: {x: periodic, surface: noflux, deep: dirichlet}
time: {end_day: 0.5, output_every_day: 0.25, dt_max_day: 0.05}
output: {file: base.h5}
diffusion:
  D_um2_per_day: 4e5
  decay_per_day: 15
  source: {kind: channel, position_um: [200, 0], depth_um: 150, radius_um: 40, rate: 100, stop_day: 1}
YAML
cat > spec.yaml <<'YAML'
base: base.yaml
mode: grid
vary:
  diffusion.decay_per_day: {range: [1, 10], count: 2, scale: linear}
  diffusion.D_um2_per_day: [2e5, 4e5]
YAML

# plan
# the commands it prints name this build's program (on no PATH) and the source tree's scripts,
# so that they work as printed
if env PATH=/usr/bin:/bin "$CISIM" sweep plan spec.yaml -o sw > out 2> err && grep -q '^4 points' out &&
   grep -q "sbatch --array=0-3 $SRC/scripts/slurm/sweep.sbatch sw" out &&
   grep -q "^run one point:  $CISIM sweep run sw --task N" out &&
   [ "$(wc -l < sw/manifest.csv)" = 5 ] && [ -f sw/spec.yaml ] && [ -f sw/points/0/3.set ] &&
   head -1 sw/manifest.csv | grep -qx 'index,diffusion.decay_per_day,diffusion.D_um2_per_day,seed'
then ok "plan writes manifest, spec and 4 point files"; else bad "plan"; cat out; fi

# same spec again: a no-op
if "$CISIM" sweep plan spec.yaml -o sw > out 2> err && grep -q 'already planned' out
then ok "re-plan with the same spec is a no-op"; else bad "re-plan same spec"; fi

# run all with xargs -P 2
seq 0 3 | xargs -P 2 -I{} "$CISIM" sweep run sw --task {} > runlog 2> err
rc=$?
"$CISIM" sweep status sw > status 2> err
if [ $rc = 0 ] && grep -q '4 points: 4 done, 0 running, 0 interrupted, 0 failed, 0 missing' status
then ok "4 points run with xargs -P 2, status 4 done"; else bad "run/status (rc $rc)"; cat status runlog; fi

# collect
if "$CISIM" sweep collect sw -o table.csv > out 2> err && [ "$(wc -l < table.csv)" = 5 ] &&
   head -1 table.csv | grep -q ',status,.*c_total' && [ "$(grep -c ',done,' table.csv)" = 4 ]
then ok "collect: 4 rows with status and c_total"; else bad "collect"; cat table.csv; fi

# the HDF5 table holds the same rows: index, parameters with units, state, metrics (read with
# h5py, as users will; Debian's python3-h5py lives under /usr/bin/python3)
if ! /usr/bin/python3 -c 'import h5py, matplotlib' 2> /dev/null; then
  echo "SKIP HDF5 table and plot_sweep.py checks: /usr/bin/python3 lacks h5py or matplotlib"
elif /usr/bin/python3 - table.csv table.h5 > out 2> err <<'PY'
import csv, sys, math, h5py
rows = list(csv.DictReader(open(sys.argv[1])))
with h5py.File(sys.argv[2], "r") as f:
    assert [int(i) for i in f["index"][()]] == [int(r["index"]) for r in rows]
    for k in ("diffusion.decay_per_day", "diffusion.D_um2_per_day"):
        assert list(f["parameters"][k][()]) == [float(r[k]) for r in rows], k
    assert f["parameters/diffusion.D_um2_per_day"].attrs["units"] == "µm²/day"
    assert [s.decode() for s in f["state"][()]] == [r["status"] for r in rows] == ["done"] * 4
    assert list(f["seed"][()]) == [-1] * 4
    got = [repr(float(v)) for v in f["metrics/c_total"][()]]
    assert [repr(float(r["c_total"])) for r in rows] == got, got
    assert f["metrics/c_total"].attrs["units"] != ""
PY
then ok "collect: HDF5 table with the CSV's values and the parameters' units"
else bad "HDF5 table"; cat err; fi

# plot_sweep.py: the plotted numbers (--print) are the table's; lines and heat map PNGs
PLOT=$SRC/scripts/plot_sweep.py
colof() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
if /usr/bin/python3 -c 'import h5py, matplotlib' 2> /dev/null; then
  # expected: c_total per (decay, D) from the CSV, in the order plot_sweep sorts them
  want_lines=$(tail -n +2 table.csv | awk -F, -v c="$(colof table.csv c_total)" '{print $3 "|" $2 "|" $c}' |
               sort -t'|' -k1,1g -k2,2g)
  got_lines=$(python3 "$PLOT" table.h5 --print -o lines.png 2> perr |
              /usr/bin/python3 -c 'import csv,sys; r=list(csv.reader(sys.stdin))[1:]; [print("%g|%g|%s" % (float(a[1]), float(a[2]), repr(float(a[3])))) for a in r]')
  want_lines=$(echo "$want_lines" | /usr/bin/python3 -c 'import sys; [print("%g|%g|%s" % (float(a), float(b), repr(float(c)))) for a, b, c in (l.strip().split("|") for l in sys.stdin)]')
  got_heat=$(python3 "$PLOT" table.csv --x decay_per_day --y D_um2_per_day --print -o heat.png 2> herr | tail -n +2 | wc -l)
  python3 "$PLOT" table.h5 --x nonsense > /dev/null 2> xerr; rx=$?
  if [ -n "$got_lines" ] && [ "$got_lines" = "$want_lines" ] && [ "$got_heat" = 4 ] &&
     [ "$(od -An -tx1 -N8 lines.png | tr -d ' ')" = 89504e470d0a1a0a ] &&
     [ "$(od -An -tx1 -N8 heat.png | tr -d ' ')" = 89504e470d0a1a0a ] &&
     [ $rx = 2 ] && grep -q "unknown parameter 'nonsense'" xerr && ! grep -q Traceback xerr
  then ok "plot_sweep.py: lines and heat map of the collected values; unknown key exit 2"
  else bad "plot_sweep.py"; echo "want: $want_lines"; echo "got:  $got_lines"; cat perr herr xerr; fi
fi

# a point run directly gives the collected values (as text)
col=$(head -1 table.csv | tr ',' '\n' | grep -nx c_total | cut -d: -f1)
set3=()
while IFS= read -r l; do set3+=(--set "$l"); done < sw/points/0/3.set
"$CISIM" run base.yaml "${set3[@]}" -o direct.h5 --quiet 2> err
want=$("$CISIM" sweep metrics direct.h5 | grep '^c_total,' | cut -d, -f2)
got=$(grep '^3,' table.csv | cut -d, -f"$col")
if [ -n "$want" ] && [ "$want" = "$got" ]
then ok "point 3 equals a direct cisim run ($got)"; else bad "direct run: '$want' vs '$got'"; fi

# running a task twice skips it
if "$CISIM" sweep run sw --task 1 > out 2> err && grep -q 'already done' out
then ok "a finished point is skipped"; else bad "skip"; cat out; fi

# SLURM_ARRAY_TASK_ID picks the task
if SLURM_ARRAY_TASK_ID=2 "$CISIM" sweep run sw > out 2> err && grep -q 'point 2: already done' out
then ok "task from SLURM_ARRAY_TASK_ID"; else bad "SLURM_ARRAY_TASK_ID"; cat out; fi

# an interrupted point resumes from its checkpoint to the same result
rm -f sw/runs/0/3.h5 sw/status/0/3.txt
"$CISIM" run sw/base.yaml "${set3[@]}" -o sw/runs/0/3.h5 --stop-after-steps 3 --quiet > /dev/null 2> err
rc=$?
"$CISIM" sweep status sw > status 2> err
if [ $rc = 3 ] && [ -f sw/runs/0/3.h5.ckpt ] && grep -q '1 missing' status &&
   "$CISIM" sweep run sw --task 3 > out 2> err && grep -q 'resuming' out &&
   [ "$("$CISIM" sweep metrics sw/runs/0/3.h5 | grep '^c_total,' | cut -d, -f2)" = "$want" ]
then ok "an interrupted point resumes to the same result"; else bad "resume (rc $rc)"; cat out status; fi

# a failing point is recorded with its reason, collect keeps it
mkdir -p sw/runs/0 && rm -f sw/runs/0/0.h5 && echo 'grid.spacing_um=oops' >> sw/points/0/0.set
"$CISIM" sweep run sw --task 0 > out 2> err
rc=$?
"$CISIM" sweep status sw > status 2> err
"$CISIM" sweep collect sw > /dev/null 2> err
if [ $rc = 2 ] && grep -q '1 failed' status && grep -q '^failed 0: failed: exit 2' status && [ "$("$CISIM" sweep status sw --todo)" = 0 ] &&
   grep -q '^0,.*,"\?failed: exit 2' sw/results.csv && [ "$(wc -l < sw/results.csv)" = 5 ]
then ok "a failed point is recorded with its reason and kept by collect"; else bad "failure (rc $rc)"; cat status; fi
if /usr/bin/python3 -c 'import h5py, matplotlib' 2> /dev/null; then
  n=$(python3 "$PLOT" sw --print -o f.png 2> ferr | tail -n +2 | wc -l)
  if [ "$n" = 3 ] && grep -q '1 of 4 points not done (1 failed), not plotted' ferr
  then ok "plot_sweep.py leaves out the failed point and says so"; else bad "plot_sweep failed point ($n)"; cat ferr; fi
fi

# a point recorded as running is interrupted once its process is gone or its heartbeat stops;
# a live one elsewhere is not started twice
st3=sw/status/0/3.txt
cp "$st3" st3.saved
dead=$(sh -c 'echo $$')   # the pid of a process that has ended
echo "running host=$(hostname) pid=$dead slurm_job=- started=x" > "$st3"
"$CISIM" sweep status sw > status 2> err
a=$(grep -c '^interrupted 3: .*process '"$dead"' .* is gone' status)
echo "running host=elsewhere.invalid pid=1 slurm_job=77 started=x" > "$st3"
"$CISIM" sweep status sw > status 2> err
b=$(grep -c '1 running' status)
"$CISIM" sweep run sw --task 3 > out 2> err; rc=$?
c=$(grep -c 'being run by another process' err)
SLURM_JOB_ID=77 "$CISIM" sweep run sw --task 3 > out 2> err; rc2=$?
echo "running host=elsewhere.invalid pid=1 slurm_job=77 started=x" > "$st3"
touch -d '-10 minutes' "$st3"
"$CISIM" sweep status sw > status 2> err
d=$(grep -c '^interrupted 3: .*no heartbeat' status)
todo=$("$CISIM" sweep status sw --todo)
if [ "$a" = 1 ] && [ "$b" = 1 ] && [ $rc = 1 ] && [ "$c" = 1 ] && [ $rc2 = 0 ] && [ "$d" = 1 ] && [ "$todo" = 0,3 ]
then ok "running points: dead pid and stale heartbeat are interrupted; live ones not run twice; --todo"
else bad "liveness ($a $b $rc $c $rc2 $d '$todo')"; cat status; fi
cp st3.saved "$st3"

# stop requests reach the run: SIGTERM to `sweep run` -> the run checkpoints (exit 3,
# interrupted) and the next `sweep run` resumes it; SIGKILL leaves it interrupted
sed 's/end_day: 0.5/end_day: 20000/' base.yaml > long.yaml
printf 'base: long.yaml\nvary:\n  diffusion.decay_per_day: [2, 3]\n' > long_spec.yaml
"$CISIM" sweep plan long_spec.yaml -o swl > /dev/null 2> err
waitrun() { for _ in $(seq 1 200); do [ -s "swl/runs/0/$1.h5" ] && grep -q '^running' "swl/status/0/$1.txt" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
"$CISIM" sweep run swl --task 0 > out0 2> err & p0=$!
waitrun 0; sleep 0.3
kill -TERM $p0; wait $p0; rc=$?
if [ $rc = 3 ] && [ -f swl/runs/0/0.h5.ckpt ] && grep -q '^interrupted: exit 3' swl/status/0/0.txt &&
   h5dump -a /status swl/runs/0/0.h5 | grep -q 'stopped (SIGUSR2)'
then ok "SIGTERM to sweep run: the run stops with a checkpoint, point interrupted"
else bad "SIGTERM forwarding (rc $rc)"; cat swl/status/0/0.txt; tail -3 swl/runs/0/0.h5.log; fi
"$CISIM" sweep run swl --task 1 > out1 2> err & p1=$!
waitrun 1; sleep 0.2
c1=$(cat "/proc/$p1/task/$p1/children")   # (no procps needed)
kill -KILL $p1 $c1; wait $p1 2>/dev/null   # parent first: nothing records the end
"$CISIM" sweep status swl > status 2> err
if grep -q '0 done, 0 running, 2 interrupted' status && grep -q '^interrupted 1: .* is gone' status &&
   [ "$("$CISIM" sweep status swl --todo)" = 0-1 ]
then ok "SIGKILL: the point shows as interrupted"; else bad "SIGKILL"; cat status; fi
"$CISIM" sweep run swl --task 0 > out0 2> err & p0=$!
waitrun 0; sleep 0.2; kill -INT $p0; wait $p0
if grep -q 'resuming' out0; then ok "an interrupted point resumes"; else bad "resume after SIGTERM"; cat out0; fi

# a changed spec is refused
sed 's/count: 2/count: 3/' spec.yaml > spec2.yaml
"$CISIM" sweep plan spec2.yaml -o sw > out 2> err; rc=$?
if [ $rc = 2 ] && grep -q 'different spec' err && cmp -s spec.yaml sw/spec.yaml
then ok "re-plan with a changed spec refused (exit 2)"; else bad "changed spec (rc $rc)"; fi

# an unknown key: FILE:LINE:COL, exit 2, DIR not created
printf 'base: base.yaml\nvary:\n  diffusion.decay_per_day: [1, 2]\n  diffusion.nonsense: [1, 2]\n' > bad.yaml
"$CISIM" sweep plan bad.yaml -o sw_bad > out 2> err; rc=$?
if [ $rc = 2 ] && grep -q 'bad.yaml:4:3: .*diffusion.nonsense' err && [ ! -e sw_bad ]
then ok "unknown key refused with FILE:LINE:COL, nothing written"; else bad "unknown key (rc $rc)"; fi

# a bad value: exit 2, DIR not created
printf 'base: base.yaml\nvary:\n  diffusion.decay_per_day: [1, -5]\n' > bad2.yaml
"$CISIM" sweep plan bad2.yaml -o sw_bad > out 2> err; rc=$?
if [ $rc = 2 ] && grep -q 'bad2.yaml:3:3: point 1' err && [ ! -e sw_bad ]
then ok "bad value refused before anything is written"; else bad "bad value (rc $rc)"; fi

# sobol and random plans, replicates with distinct seeds; a bad spec entry
printf 'base: base.yaml\nmode: sobol\npoints: 6\nreplicates: 2\nreplicate_key: protocol.pattern.seed\nvary:\n  diffusion.decay_per_day: {range: [1, 100], scale: log}\n' > sob.yaml
printf 'base: base.yaml\nmode: random\nseed: 7\npoints: 5\nvary:\n  diffusion.decay_per_day: {range: [1, 100]}\n  grid.spacing_um: [20, 25]\n' > rnd.yaml
printf 'base: base.yaml\nmodes: grid\nvary:\n  diffusion.decay_per_day: [1]\n' > bad3.yaml
"$CISIM" sweep plan sob.yaml -o sw_sob > /dev/null 2> err; rs=$?
"$CISIM" sweep plan rnd.yaml -o sw_rnd > /dev/null 2>> err; rr=$?
"$CISIM" sweep plan bad3.yaml -o sw_b3 > /dev/null 2> err3; rb=$?
# (the diffusion model has no protocol.pattern.seed: the sobol spec must be refused)
if [ $rs = 2 ] && grep -q 'replicate_key' err && [ $rr = 0 ] && [ "$(wc -l < sw_rnd/manifest.csv)" = 6 ] &&
   [ $rb = 2 ] && grep -q 'bad3.yaml:2:1: modes' err3
then ok "random plan; bad replicate_key and bad spec entry refused"; else bad "modes ($rs $rr $rb)"; fi
sed -i 's/^replicates: 2/replicates: 2/; /replicate_key/d; s/^replicates: 2/replicates: 1/' sob.yaml
if "$CISIM" sweep plan sob.yaml -o sw_sob > /dev/null 2> err && [ "$(wc -l < sw_sob/manifest.csv)" = 7 ] &&
   [ "$(cut -d, -f2 sw_sob/manifest.csv | tail -n +2 | sort -u | wc -l)" = 6 ]
then ok "sobol plan: 6 distinct points"; else bad "sobol"; cat sw_sob/manifest.csv; fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
