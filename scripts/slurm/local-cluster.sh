#!/usr/bin/env bash
# A private single-node Slurm cluster on this machine, for testing the sweep template
# (tests/slurm) or trying it out on a workstation: munged, slurmctld and slurmd run from DIR with
# their own key, socket, ports and state, so nothing in /etc or /run is touched and a system
# Slurm, if any, is not disturbed.
#
#   scripts/slurm/local-cluster.sh start DIR [CPUS]   start it (CPUS: default all cores)
#   scripts/slurm/local-cluster.sh stop DIR [--purge] stop it (and cancel its jobs); --purge
#                                                     also deletes what start wrote in DIR
#   eval "$(scripts/slurm/local-cluster.sh env DIR)"  point sbatch, squeue, ... at it
#
# Needs Debian's slurm-wlm and munge, and root (or passwordless sudo): slurmd starts jobs as the
# submitting user. Exit status 77 when either is missing, so a test can report "skipped".
set -euo pipefail

usage() { echo "usage: local-cluster.sh start DIR [CPUS] | stop DIR [--purge] | env DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if sudo -n true 2>/dev/null; then SUDO=(sudo -n); fi
fi

need() {
  local missing=()
  for p in munged mungekey slurmctld slurmd sbatch; do
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "local-cluster: ${missing[*]} not found (apt-get install slurm-wlm munge)" >&2
    exit 77
  fi
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
    echo "local-cluster: slurmd must run as root; run as root or with passwordless sudo" >&2
    exit 77
  fi
}

# A free TCP port on localhost, starting the search at $1.
free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

write_conf() {
  local cpus=$1 host
  host=$(hostname -s)
  local cport dport
  cport=$(free_port 16817)
  dport=$(free_port $((cport + 1)))
  # Memory is not tracked (no RealMemory, select/cons_tres with CR_CPU), so each array task
  # takes one CPU per --cpus-per-task and the node runs CPUS of them at once.
  cat > "$conf" <<EOF
# Written by scripts/slurm/local-cluster.sh: a single-node test cluster.
ClusterName=cisimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket.2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
KillWait=10
MinJobAge=300
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

wait_for() { # seconds, description, command...
  local n=$1 what=$2; shift 2
  for _ in $(seq 1 $((n * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "local-cluster: $what did not come up within ${n}s; logs in $dir" >&2
  return 1
}

start() {
  need
  local cpus=${1:-$(nproc)}
  # Not root: the whole start runs under sudo, so that the daemons own their files.
  if [ ${#SUDO[@]} -gt 0 ]; then exec "${SUDO[@]}" bash "$0" start "$dir" "$cpus"; fi
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    echo "local-cluster: already running in $dir" >&2
    return 0
  fi
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
  # Others may use the socket (sbatch authenticates through it) but not write the directory.
  chmod 755 "$dir/munge"
  # munged insists that its key is private and that no one else can write its directories.
  [ -f "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key"
  chmod 600 "$dir/munge/munge.key"
  munged --force --socket="$dir/munge/munge.socket.2" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/munge/munged.pid" \
    --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
  wait_for 10 munged test -S "$dir/munge/munge.socket.2"
  write_conf "$cpus"
  export SLURM_CONF=$conf
  slurmctld -i
  wait_for 20 slurmctld scontrol ping
  slurmd
  wait_for 30 "slurmd (node idle)" bash -c "sinfo -h -o %t | grep -qx idle"
  echo "local-cluster: running in $dir ($cpus CPUs); eval \"\$($0 env $dir)\" to use it" >&2
}

stop() {
  export SLURM_CONF=$conf
  if [ -f "$conf" ]; then scancel --full --quiet -u "$(id -un)" 2>/dev/null || true; fi
  for pidf in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -f "$pidf" ] || continue
    local pid
    pid=$(cat "$pidf")
    "${SUDO[@]}" kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    "${SUDO[@]}" kill -9 "$pid" 2>/dev/null || true
    "${SUDO[@]}" rm -f "$pidf"
  done
  if [ "${1:-}" = --purge ]; then
    "${SUDO[@]}" rm -rf "$dir/munge" "$dir/state" "$dir/spool" "$conf" "$dir"/slurm*.log
  fi
}

case "$cmd" in
  start) start "${3:-}" ;;
  stop) stop "${3:-}" ;;
  env) echo "export SLURM_CONF='$conf'" ;;
  *) usage ;;
esac
