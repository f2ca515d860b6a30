#!/usr/bin/env bash
# initial.from (docs/run-file.md, "Starting from a file"):
#  - a run started from snapshot day T of another run and followed for 30 days equals that run
#    at T .. T+30: its first snapshot bit for bit, the later ones within the runs' tolerance
#    (|a - b| <= 10 (atol·scale + rtol·|b|): each run keeps its own local errors below
#    atol·scale + rtol·|u| per step; 10 allows for their accumulation over the steps of a
#    different step sequence);
#  - a file a script wrote with one field only: that field is the start, every other species
#    keeps the model's own initial value and is named on stderr; the outcome changes are
#    relative to the loaded state (0 at t = 0);
#  - refused with exit 2, a message naming the key, no output file, and every file unchanged
#    (hashed): a day that is not a snapshot, another grid, a wrong unit, a negative density, a
#    missing file, a file that is not HDF5, and the output file being the source (--force);
#  - cisim check validates the same and says where the state comes from.
#   tests/cli/test_initial_from.sh CISIM SOURCE_DIR
set -u
cisim=$1 src=$2
cfg=$src/configs/default.yaml
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
fail=0
bad() { echo "FAIL: $*"; [ -f err.txt ] && sed 's/^/    /' err.txt | tail -4; fail=1; }
ok() { echo "PASS: $*"; }

# coarse cells, one session, tolerances tight enough that their effect is well below the
# differences a wrong start would make
S=(--set grid.spacing_um=50 --set time.output_every_day=10 --set checkpoint.every_minutes=0
   --set 'output.summary_days=[]' --set time.rtol=1e-3 --set time.atol=1e-3)
"$cisim" run "$cfg" "${S[@]}" --set 'protocol.sessions.day=[0]' --set time.end_day=50 \
  -q -o orig.h5 >/dev/null 2>err.txt || bad "original run"
# the continuation: no session of its own (the original's only session is in its past)
"$cisim" run "$cfg" "${S[@]}" --set 'protocol.sessions.day=[]' --set time.end_day=30 \
  --set initial.from=orig.h5 --set initial.day=20 -q -o cont.h5 >/dev/null 2>err.txt ||
  bad "continuation from day 20"

/usr/bin/python3 - <<'PY' || bad "continuation differs from the original run"
import h5py, numpy as np
o, c = h5py.File("orig.h5", "r"), h5py.File("cont.h5", "r")
to, tc = o["time"][:], c["time"][:]
assert list(tc) == [0, 10, 20, 30], tc
rtol = atol = 1e-3
worst = (0, "")
for sp, ds in c["fields"].items():
    if ds.attrs.get("CLASS") is not None:
        continue                                   # the coordinates
    scale = float(ds.attrs["tolerance_scale"])
    for n, t in enumerate(tc):
        i = int(np.flatnonzero(to == t + 20)[0])
        a, b = ds[n], o["fields"][sp][i]
        if n == 0:
            assert np.array_equal(a, b), f"{sp}: the start is not the day-20 snapshot bit for bit"
            continue
        r = np.max(np.abs(a - b) / (atol * scale + rtol * np.abs(b)))
        worst = max(worst, (r, f"{sp} at day {t + 20:g}"))
print(f"largest difference: {worst[0]:.3g} x its tolerance ({worst[1]})")
assert worst[0] <= 10, worst
PY
[ $fail = 0 ] && ok "from day 20 for 30 days: equal to the original run within its tolerance"

# a file a script wrote: /time and one field, collagen 10 % above the untreated state
/usr/bin/python3 - <<'PY' || bad "writing the script's file"
import h5py
o = h5py.File("orig.h5", "r")
with h5py.File("built.h5", "w") as f:
    f["time"] = [0.0]
    c0 = o["fields/collagen"][0]
    f.create_dataset("fields/collagen", data=1.1 * c0[None])
    f["fields/collagen"].attrs["units"] = "1"
PY
"$cisim" run "$cfg" "${S[@]}" --set 'protocol.sessions.day=[]' --set time.end_day=1 \
  --set initial.from=built.h5 -o built_run.h5 2>err.txt >/dev/null
sed -i '/^cisim: day /d' err.txt
grep -q "initial state from built.h5 at day 0 (snapshot 0).*model's own initial value: signal, fibroblasts, platelet_gf" err.txt \
  && ok "a one-field file: the other species named on stderr" || bad "no note of the species the file lacks"
/usr/bin/python3 - <<'PY' || bad "the one-field start"
import h5py, numpy as np
r, o = h5py.File("built_run.h5", "r"), h5py.File("orig.h5", "r")
assert np.array_equal(r["fields/collagen"][0], 1.1 * o["fields/collagen"][0]), "collagen start"
assert np.array_equal(r["fields/fibroblasts"][0], o["fields/fibroblasts"][0]), "model's fibroblasts"
s = r["series"]
assert s["collagen_change_papillary"][0] == 0, "the change is relative to the loaded state"
PY
[ $fail = 0 ] && ok "a one-field file: its field and the model's others; changes relative to it"

# refusals: exit 2, the key named, no output, nothing changed
/usr/bin/python3 - <<'PY'
import h5py, numpy as np
o = h5py.File("orig.h5", "r")
with h5py.File("unit.h5", "w") as f:
    f["time"] = [0.0]
    f["fields/collagen"] = o["fields/collagen"][:1]
    f["fields/collagen"].attrs["units"] = "mg mL-1"
with h5py.File("neg.h5", "w") as f:
    f["time"] = [0.0]
    c = o["fields/fibroblasts"][:1].copy()
    c[0, 3, 0, 5] = -1.0
    f["fields/fibroblasts"] = c
PY
echo "not hdf5" >text.h5
sha() { sha256sum orig.h5 orig.xmf unit.h5 neg.h5 text.h5 built.h5 | sha256sum; }
before=$(sha)
refused() { # NAME PATTERN ARGS...: exit 2, PATTERN on stderr, no new.h5
  local name=$1 pat=$2
  shift 2
  rm -f new.h5 new.xmf
  "$cisim" run "$cfg" "${S[@]}" --set time.end_day=1 -q "$@" >/dev/null 2>err.txt
  local rc=$?
  if [ $rc = 2 ] && grep -q -- "$pat" err.txt && [ ! -e new.h5 ] && [ ! -e new.xmf ]; then
    ok "refused: $name"
  else
    bad "$name: exit $rc (want 2), message or output file (new.h5: $(ls new.h5 2>&1))"
  fi
}
refused "a day that is not a snapshot" \
  "initial.day (from --set): orig.h5 has no snapshot at day 15 (initial.day must be one of its /time days: 0, 10, 20, 30, 40, 50)" \
  --set initial.from=orig.h5 --set initial.day=15 -o new.h5
refused "another grid" "initial.from (from --set): orig.h5: its cells are 50 µm, this run's grid.spacing_um is 20" \
  --set initial.from=orig.h5 --set grid.spacing_um=20 -o new.h5
refused "a wrong unit" "/fields/collagen is in 'mg mL-1', the species' unit is '-'" \
  --set initial.from=unit.h5 -o new.h5
refused "a negative density" "/fields/fibroblasts holds a negative value -1 at cell" \
  --set initial.from=neg.h5 -o new.h5
refused "a missing file" "initial.from (from --set): nothere.h5: no such file" \
  --set initial.from=nothere.h5 -o new.h5
refused "not an HDF5 file" "text.h5: not a readable HDF5 file" --set initial.from=text.h5 -o new.h5
"$cisim" run "$cfg" "${S[@]}" --set time.end_day=1 --set initial.from=orig.h5 -o orig.h5 --force \
  >/dev/null 2>err.txt
rc=$?
[ $rc = 2 ] && grep -q "orig.h5 is this run's output file too" err.txt &&
  ok "refused: the source as the output file, with --force" || bad "source as output: exit $rc"
[ "$(sha)" = "$before" ] && ok "every file unchanged by the refusals" || bad "a refusal changed a file"

# cisim check: the same checks, and where the state comes from
"$cisim" check "$cfg" "${S[@]}" --set initial.from=orig.h5 --set initial.day=20 >out.txt 2>err.txt &&
  grep -q "^# initial state from orig.h5 at day 20 (snapshot 2, run [0-9a-f]\{32\})" out.txt &&
  ok "check: the initial state's source" || bad "check with initial.from"
"$cisim" check "$cfg" "${S[@]}" --set initial.from=orig.h5 --set initial.day=15 >out.txt 2>err.txt
rc=$?
[ $rc = 2 ] && grep -q "no snapshot at day 15" err.txt && ok "check: refuses a day that is not a snapshot" ||
  bad "check with a wrong day: exit $rc"
exit $fail
