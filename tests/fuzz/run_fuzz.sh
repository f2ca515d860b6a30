#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time from the committed seeds (README.md here).
#
#   run_fuzz.sh FUZZER WORKDIR [LIBFUZZER_FLAG...]
#
# FUZZER: the built target (build/tests/fuzz/fuzz_config or fuzz_runfile). WORKDIR keeps what
# the run learns: WORKDIR/corpus/TARGET (new inputs; the committed corpus is only read) and
# WORKDIR/artifacts/ (crash-*, leak-*, timeout-*, oom-* reproducers). Environment:
#   CISIM_FUZZ_SECONDS     time to fuzz, default 60
#   CISIM_FUZZ_KEEP_GOING  1: do not stop at the first crash (fork mode; for long runs)
#   CISIM_FUZZ_REPLAY_CRASHES  0: leave out crashes/TARGET (the known findings, replayed
#                          first by default: while one is unfixed the run stops at once)
#   CISIM_FUZZ_RAW_BYTES   1: fuzz_runfile also mutates raw bytes (finds libhdf5 crashes;
#                          interceptor reports from inside libhdf5 are then suppressed)
# Exit status: 0 when the time ran out without a finding, else libFuzzer's (non-zero).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 FUZZER WORKDIR [LIBFUZZER_FLAG...]" >&2
  exit 2
fi
fuzzer=$1
work=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$fuzzer")
seeds=$here/corpus/$name
crashes=$here/crashes/$name
seconds=${CISIM_FUZZ_SECONDS:-60}
[ -x "$fuzzer" ] || { echo "$0: $fuzzer: no such fuzz target (build with -DCISIM_FUZZ=ON)" >&2; exit 2; }
[ -d "$seeds" ] || { echo "$0: $seeds: no seed corpus" >&2; exit 2; }
mkdir -p "$work/corpus/$name" "$work/artifacts"

extra=()
case $name in
  fuzz_config) max_len=65536 ;;     # configs are a few kB; room for long lists
  # a run file and its checkpoint (the largest seed is ~260 kB); cisim info's own messages on
  # stderr silenced (libFuzzer's reports and the harness's checks still appear)
  # (-len_control=0: a mutated HDF5 file is never shorter than the seed it came from)
  fuzz_runfile) max_len=400000; extra=(-close_fd_mask=2 -len_control=0) ;;
  *) max_len=65536 ;;
esac

# -timeout: one input taking 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: a config may
# legitimately ask for 96 MB of punctures, but not for gigabytes.
flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048
       -max_len="$max_len" -dict="$here/cisim.dict" -print_final_stats=1
       -artifact_prefix="$work/artifacts/$name-" "${extra[@]}")
if [ "${CISIM_FUZZ_KEEP_GOING:-0}" = 1 ]; then
  flags+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# The first corpus directory receives new inputs; the seeds and the reproducers of crashes
# already found (they must stay fixed) are read only.
dirs=("$work/corpus/$name" "$seeds")
[ -d "$crashes" ] && [ "${CISIM_FUZZ_REPLAY_CRASHES:-1}" = 1 ] && dirs+=("$crashes")

export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
asan=detect_leaks=1:abort_on_error=1:symbolize=1
if [ "${CISIM_FUZZ_RAW_BYTES:-0}" = 1 ]; then
  asan=$asan:suppressions=$here/libhdf5.asan.supp
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/libhdf5.lsan.supp}
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-$asan}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "$name: fuzzing for ${seconds} s; corpus $work/corpus/$name + $seeds; artifacts $work/artifacts" >&2
exec "$fuzzer" "${flags[@]}" "$@" "${dirs[@]}"
