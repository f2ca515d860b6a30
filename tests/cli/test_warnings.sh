#!/usr/bin/env bash
# Valid but suspicious input is said, never silent: a warning on stderr naming the file and key,
# exit 0, and with --strict exit 2 with nothing written. Channels shallower than one cell (a
# needle length of 1.5 "µm", meant as mm), channels ending in the epidermis, channels that
# cover no grid cell (needles too thin for the grid), sessions and
# summary days after time.end_day; `cisim check` counts (and estimates steps for) only the
# sessions inside the run. The shipped configurations give no warning.
#   tests/cli/test_warnings.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
cfg=$src/configs/default.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# needle length 1.5: channels of 0.75 µm in 20 µm cells
"$cisim" check "$cfg" --set protocol.device.needle_length_um=1.5 >out.txt 2>err.txt
rc=$?
[ $rc = 0 ] || bad "check with a 1.5 µm needle: exit $rc, not 0"
grep -q "default.yaml: warning: protocol.device.needle_length_um (from --set): the channels of sessions 1, 2 and 3 reach at most 0.75 µm.*shallower than one grid cell (20 µm)" err.txt ||
  { cat err.txt; bad "no warning naming the key for channels shallower than a cell"; }
"$cisim" run "$cfg" --set protocol.device.needle_length_um=1.5 --set time.end_day=0.1 \
  --set 'output.summary_days=[]' -o w.h5 -q >run.txt 2>err.txt
rc=$?
[ $rc = 0 ] && [ -s w.h5 ] || bad "run with a 1.5 µm needle: exit $rc, file $(ls w.h5 2>&1)"
grep -q "warning: protocol.device.needle_length_um" err.txt || bad "run does not warn about the needle"
"$cisim" run "$cfg" --set protocol.device.needle_length_um=1.5 --set time.end_day=0.1 \
  -o strict.h5 -q --strict >run.txt 2>err.txt
rc=$?
[ $rc = 2 ] || bad "run --strict with a warning: exit $rc, not 2"
grep -q "with --strict: nothing run or written" err.txt || { cat err.txt; bad "run --strict: no message"; }
[ -e strict.h5 ] || [ -e strict.xmf ] && bad "run --strict wrote a file"
"$cisim" check "$cfg" --set protocol.device.needle_length_um=1.5 --strict >/dev/null 2>err.txt
rc=$?
[ $rc = 2 ] && grep -q "with --strict: invalid" err.txt || bad "check --strict with a warning: exit $rc"

# channels of 75 µm end in the 100 µm epidermis
"$cisim" check "$cfg" --set protocol.device.needle_length_um=150 >/dev/null 2>err.txt ||
  bad "check with a 150 µm needle failed"
grep -q "reach at most 75 µm and end inside the epidermis (0–100 µm)" err.txt ||
  { cat err.txt; bad "no warning for channels ending in the epidermis"; }

# needles of 1 µm on 20 µm cells in 3D: the rasterised channels miss every cell
"$cisim" check "$src/configs/pen_3d.yaml" --set protocol.device.needle_diameter_um=1 >/dev/null 2>err.txt ||
  bad "check with 1 µm needles failed"
grep -q "warning: protocol.device.needle_diameter_um (from --set): the channels of sessions 1, 2 and 3 cover no grid cell (needle diameter 1 µm, cells of 20 µm)" err.txt ||
  { cat err.txt; bad "no warning for channels that cover no cell"; }

# a 2-day run of a protocol with sessions at days 0, 28 and 56
"$cisim" check "$cfg" --set time.end_day=2 >out.txt 2>err.txt || bad "check of a 2-day run failed"
grep -q "default.yaml:[0-9]*:[0-9]*: warning: protocol.sessions.day: 2 of the 3 sessions (days 28, 56) are after time.end_day = 2: not simulated" err.txt ||
  { cat err.txt; bad "no located warning for sessions after end_day"; }
grep -q "warning: output.summary_days: days 7, 30, 60, 90, 120, 180 are after time.end_day = 2" err.txt ||
  bad "no warning for summary days after end_day"
grep -q "^# treatment: 1 session in the run (more after time.end_day)" out.txt ||
  { grep treatment out.txt; bad "check counts sessions outside the run"; }
steps=$(sed -n 's/.*(about \([0-9]*\) steps.*/\1/p' out.txt)
full=$("$cisim" check "$cfg" --set time.end_day=60 2>/dev/null | sed -n 's/.*(about \([0-9]*\) steps.*/\1/p')
# one session's steps against three's: the estimate counts only the sessions inside the run
[ -n "$steps" ] && [ -n "$full" ] && [ "$full" -gt $((steps * 5 / 2)) ] ||
  bad "step estimate: $steps for 2 days (1 session), $full for 60 days (3 sessions)"
"$cisim" check "$cfg" --set time.end_day=2 --strict >/dev/null 2>&1 && bad "check --strict accepted sessions after end_day"

# the shipped configurations: no warning
for c in "$src"/configs/*.yaml; do
  "$cisim" check "$c" >/dev/null 2>err.txt || bad "check $(basename "$c") failed"
  [ -s err.txt ] && { cat err.txt; bad "$(basename "$c") gives a warning"; }
  "$cisim" check "$c" --strict >/dev/null 2>&1 || bad "$(basename "$c") fails --strict"
done
[ $fail = 0 ] && echo "warnings: shallow channels, channels in the epidermis, channels in no cell, sessions and summary days after end_day; --strict; shipped configs clean"
exit $fail
