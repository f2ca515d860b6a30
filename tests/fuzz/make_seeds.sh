#!/usr/bin/env bash
# Regenerates the seed corpora that come from elsewhere in the repository or from cisim runs
# (README.md here):
#
#   tests/fuzz/make_seeds.sh build/cisim
#
# corpus/fuzz_config/: copies of configs/*.yaml and tests/regression/*.yaml (as cfg_*.yaml;
#   the hand-written 3D and edge-case seeds next to them are kept as they are).
# corpus/fuzz_runfile/: run files and checkpoints of tiny runs, stopped early with
#   --stop-after-steps (exit 3, a checkpoint waiting) or finished. A pair (run file and its
#   checkpoint) is stored as fuzz_runfile.c reads it: "CSFZ", the run file's length as 4 bytes
#   little-endian, the run file, the checkpoint; a single file is used as both.
# Each seed is small (most < 100 kB; a microneedling run file holds ~50 chunked series, ~220 kB).
set -euo pipefail
cisim=$(cd "$(dirname "${1:?usage: $0 PATH/TO/cisim}")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cfg=$here/corpus/fuzz_config
rf=$here/corpus/fuzz_runfile
mkdir -p "$cfg" "$rf"

for f in "$top"/configs/*.yaml; do cp "$f" "$cfg/cfg_configs_$(basename "$f")"; done
for f in "$top"/tests/regression/*.yaml; do cp "$f" "$cfg/cfg_regression_$(basename "$f")"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE

pair() { # pair RUN CKPT OUT
  python3 - "$1" "$2" "$3" <<'PY'
import struct, sys
run, ck = open(sys.argv[1], 'rb').read(), open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(b'CSFZ' + struct.pack('<I', len(run)) + run + ck)
PY
}
run() { # run NAME CONFIG-ARGS... : expects exit 0 or 3
  local name=$1; shift
  local rc=0
  "$cisim" run "$@" --quiet -j 1 || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "$0: $name: cisim run exited $rc" >&2; exit 1; }
}

cat > d2.yaml <<'Y'
model: diffusion
grid: {dims: 2, size_um: [100, 100], spacing_um: 20, boundary: {deep: dirichlet}}
time: {end_day: 1, output_every_day: 0.25, dt_max_day: 0.05}
diffusion:
  D_um2_per_day: 1e4
  decay_per_day: 1
  source: {kind: channel, position_um: [50, 0], depth_um: 40, radius_um: 10, rate: 1, stop_day: 0.5}
Y
run d2 d2.yaml -o d2.h5 --stop-after-steps 35
pair d2.h5 d2.h5.ckpt "$rf/pair_diffusion_2d_stopped"
run d2-finished d2.yaml -o d2f.h5
cp d2f.h5 "$rf/run_diffusion_2d_finished"

cat > d3.yaml <<'Y'
model: diffusion
grid: {dims: 3, size_um: [60, 60, 80], spacing_um: 20, boundary: {x: noflux}}
time: {end_day: 1, output_every_day: 0.5, dt_max_day: 0.1, error_estimate: after_transport}
output: {precision: single, compression: 1}
diffusion:
  D_um2_per_day: 1e3
  source: {kind: point, position_um: [30, 30, 30], rate: 1}
Y
run d3 d3.yaml -o d3.h5 --stop-after-steps 14
pair d3.h5 d3.h5.ckpt "$rf/pair_diffusion_3d_after_transport"

cat > fi.yaml <<'Y'
model: fisher
grid: {dims: 2, size_um: [200, 40], spacing_um: 20, boundary: {x: noflux}}
layers: [{name: top, thickness_um: 20}, {name: bottom, thickness_um: 20}]
time: {end_day: 2, output_every_day: 0.5, dt_max_day: 0.1}
output: {precision: single, compression: 0}
checkpoint: {every_day: 0.5, every_minutes: 0}
fisher:
  D_um2_per_day: {top: 1e3, bottom: 1e4}
  initial: {kind: step_x, value: 0, step_x_um: 60}
Y
run fi fi.yaml -o fi.h5 --stop-after-steps 150
pair fi.h5 fi.h5.ckpt "$rf/pair_fisher_2d_stopped"
# resumed with an allowed change (a later end_day), stopped again: resumed = 1,
# /parameters/changed_on_resume
run fi-resumed --resume fi.h5 --set time.end_day=3 --allow-change --stop-after-steps 250
pair fi.h5 fi.h5.ckpt "$rf/pair_fisher_2d_resumed"

cat > mn2.yaml <<'Y'
model: microneedling
grid: {dims: 2, size_um: [200, 400], spacing_um: 20, boundary: {x: periodic}}
time: {end_day: 1, output_every_day: 0.25, dt_max_day: 0.05}
output: {precision: single}
protocol:
  device: {needle_length_um: 300, penetration: 0.5, needle_diameter_um: 40, halo_um: 10}
  pattern: {kind: square, spacing_um: 100, passes: 2, seed: 3}
  sessions: {day: [0, 0.5]}
Y
run mn2 mn2.yaml -o mn2.h5 --stop-after-steps 1200
pair mn2.h5 mn2.h5.ckpt "$rf/pair_microneedling_2d_stopped"

cat > mn3.yaml <<'Y'
model: microneedling
grid: {dims: 3, size_um: [100, 100, 400], spacing_um: 25}
time: {end_day: 1, output_every_day: 0.5, dt_max_day: 0.05, error_estimate: after_transport}
protocol:
  device: {needle_length_um: 200, penetration: 0.5, needle_diameter_um: 40, tip: cylinder, halo_um: 10}
  pattern: {kind: hex, spacing_um: 50, seed: 5}
  sessions: {day: [0, 0.2]}
Y
run mn3 mn3.yaml -o mn3.h5 --stop-after-steps 1000
cp mn3.h5.ckpt "$rf/ckpt_microneedling_3d_after_transport"

ls -l "$rf"
