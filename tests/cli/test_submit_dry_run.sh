#!/usr/bin/env bash
# scripts/slurm/submit.sh --dry-run where no Slurm controller answers (scontrol fails) or Slurm
# is not installed: it says so on stderr, prints the sbatch command of the points to run and
# exits 0 (it used to exit 1 without a word); without --dry-run and without sbatch it stops
# with a message (exit 2).
#   tests/cli/test_submit_dry_run.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
cat > base.yaml <<'YAML'
model: diffusion
grid: {dims: 2, size_um: [400, 300], spacing_um: 20, boundary: {x: periodic, surface: noflux, deep: dirichlet}}
time: {end_day: 0.5, output_every_day: 0.25, dt_max_day: 0.05}
output: {file: base.h5}
diffusion:
  D_um2_per_day: 4e5
  decay_per_day: 15
YAML
cat > spec.yaml <<'YAML'
base: base.yaml
mode: grid
vary:
  diffusion.decay_per_day: [1, 2, 3]
YAML
"$cisim" sweep plan spec.yaml -o sw >/dev/null || { echo "FAIL: sweep plan"; exit 1; }
fail=0
# a scontrol that finds no controller, as on a login node whose slurmctld is down
mkdir bin && printf '#!/bin/sh\necho "slurm_load_ctl_conf error: Unable to contact slurm controller" >&2\nexit 1\n' > bin/scontrol
chmod +x bin/scontrol
for mode in no-controller no-slurm; do
  if [ $mode = no-controller ]; then path="$T/bin:/usr/bin:/bin"; else path="/usr/bin:/bin"; fi
  if [ $mode = no-slurm ] && PATH=$path command -v scontrol >/dev/null; then
    # Slurm is installed here (and /bin is /usr/bin on Debian 12): a PATH of only the tools
    # submit.sh uses, without scontrol and sbatch
    mkdir -p tools
    for t in bash dirname sed awk tr head cat; do ln -sf "$(command -v $t)" tools/$t; done
    path="$T/tools"
    PATH=$path command -v scontrol >/dev/null && { echo "FAIL: scontrol still on PATH=$path"; fail=1; continue; }
  fi
  PATH=$path CISIM=$cisim bash "$src/scripts/slurm/submit.sh" sw --dry-run >out.txt 2>err.txt
  rc=$?
  [ $rc = 0 ] || { cat err.txt; echo "FAIL ($mode): --dry-run exit $rc"; fail=1; }
  grep -q "sbatch --parsable --array=0-2 " out.txt || { cat out.txt; echo "FAIL ($mode): no sbatch command for points 0-2"; fail=1; }
  grep -q "MaxArraySize 1001" err.txt || { cat err.txt; echo "FAIL ($mode): no word about the missing controller"; fail=1; }
  if [ $mode = no-slurm ]; then want="scontrol not found"; else want="no Slurm controller answers"; fi
  grep -q "$want" err.txt || { cat err.txt; echo "FAIL ($mode): stderr does not say '$want'"; fail=1; }
done
PATH="$T/bin:/usr/bin:/bin" CISIM=$cisim bash "$src/scripts/slurm/submit.sh" sw >out.txt 2>err.txt
rc=$?
if ! PATH="$T/bin:/usr/bin:/bin" command -v sbatch >/dev/null; then
  [ $rc = 2 ] && grep -q "sbatch not found" err.txt || { cat err.txt; echo "FAIL: submit without sbatch: exit $rc"; fail=1; }
fi
[ $fail = 0 ] && echo "submit.sh --dry-run without a controller: the commands, a note, exit 0"
exit $fail
