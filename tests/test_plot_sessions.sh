#!/usr/bin/env bash
# Figure titles name only the sessions a run reached: a 2-day run of a protocol with sessions
# at days 0, 28 and 56 says "1 session (day 0)" and that 2 more were planned after its end
# (scripts/cisim_h5.py, the reader plot_run.py and plot_compare.py share).
#   tests/test_plot_sessions.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$cisim" run "$src/configs/default.yaml" -o "$T/short.h5" -q --set time.end_day=2 \
  --set time.output_every_day=1 >/dev/null 2>"$T/err" || { cat "$T/err"; echo "FAIL: run"; exit 1; }
/usr/bin/python3 - "$src/scripts" "$T/short.h5" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import cisim_h5
run = cisim_h5.Run(sys.argv[2], "test")
text = run.protocol_text()
ok = "1 session (day 0)" in text and "2 more planned after the run's end (day 28, 56)" in text \
    and "3 sessions" not in text
print(("" if ok else "FAIL: ") + "title: " + text)
sys.exit(0 if ok else 1)
PY
