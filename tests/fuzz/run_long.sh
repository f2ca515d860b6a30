#!/usr/bin/env bash
# Runs one fuzz target for hours with a corpus that persists between runs (README.md here).
#
#   run_long.sh TARGET HOURS [BUILD_DIR]
#
# TARGET: fuzz_config or fuzz_runfile; BUILD_DIR: a -DCISIM_FUZZ=ON build (default
# build-fuzz next to this repository's top). The corpus and the reproducers live outside the
# repository, in CISIM_FUZZ_HOME (default ~/.cache/cisim-fuzz): CISIM_FUZZ_HOME/corpus/TARGET
# and CISIM_FUZZ_HOME/artifacts/. It keeps going after a finding (fork mode) unless
# CISIM_FUZZ_KEEP_GOING=0; the findings are then artifacts/TARGET-crash-* (and leak-,
# timeout-, oom-). Extra libFuzzer flags: CISIM_FUZZ_FLAGS, e.g. "-fork=4" for 4 processes
# (the later -fork wins over run_fuzz.sh's -fork=1). The other variables of run_fuzz.sh apply.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 TARGET HOURS [BUILD_DIR]" >&2
  exit 2
fi
target=$1
hours=$2
here=$(cd "$(dirname "$0")" && pwd)
build=${3:-$here/../../build-fuzz}
home=${CISIM_FUZZ_HOME:-$HOME/.cache/cisim-fuzz}
seconds=$(awk -v h="$hours" 'BEGIN { s = h * 3600; if (s < 1) s = 1; printf "%d", s }')
fuzzer=$build/tests/fuzz/$target
mkdir -p "$home"
export CISIM_FUZZ_SECONDS=$seconds CISIM_FUZZ_KEEP_GOING=${CISIM_FUZZ_KEEP_GOING:-1}
set +e
# shellcheck disable=SC2086
"$here/run_fuzz.sh" "$fuzzer" "$home" ${CISIM_FUZZ_FLAGS:-} 2>&1 | tee -a "$home/$target.log"
status=${PIPESTATUS[0]}
set -e
echo "$target: corpus $home/corpus/$target ($(ls "$home/corpus/$target" | wc -l) inputs);" \
     "findings in $home/artifacts: $(ls "$home/artifacts" | grep -c "^$target-" || true)" >&2
exit "$status"
