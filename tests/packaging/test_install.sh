#!/usr/bin/env bash
# `cmake --install` into a fresh prefix gives a working installation: the program, the
# shipped configurations (one of them run from there with a short end_day), the scripts with
# their Python helper, the documentation, man page, bash completion and modulefile.
#   tests/packaging/test_install.sh BUILD_DIR PROJECT_VERSION [lmod]
# With "lmod": also load the installed modulefile with Lmod and run `cisim --version` through
# it (skipped, status 77, where Debian's lmod is not installed).
set -u
build=$1 version=$2 mode=${3:-}
if [ "$mode" = lmod ] && [ ! -f /usr/share/lmod/lmod/init/bash ]; then
  echo "SKIP: Lmod not installed (Debian package lmod): the modulefile is not tested"
  exit 77
fi
P=$(mktemp -d)
trap 'rm -rf "$P"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

cmake --install "$build" --prefix "$P" >"$P.log" 2>&1 || { cat "$P.log"; rm -f "$P.log"; echo "FAIL: cmake --install"; exit 1; }
rm -f "$P.log"
for f in bin/cisim share/cisim/configs/default.yaml share/cisim/configs/pen_3d.yaml \
         share/cisim/scripts/plot_run.py share/cisim/scripts/cisim_h5.py \
         share/cisim/scripts/slurm/submit.sh share/doc/cisim/README.md share/doc/cisim/LICENSE \
         share/cisim/python/cisim/__init__.py \
         share/doc/cisim/CHANGELOG.md share/doc/cisim/CITATION.cff share/doc/cisim/docs/run-file.md \
         share/man/man1/cisim.1 share/bash-completion/completions/cisim \
         "share/cisim/modulefiles/cisim/$version.lua"; do
  [ -s "$P/$f" ] || bad "not installed: $f"
done
[ -x "$P/bin/cisim" ] || bad "bin/cisim is not executable"
[ -x "$P/share/cisim/scripts/plot_run.py" ] || bad "scripts lost their executable bit"
[ -e "$P/share/cisim/scripts/__pycache__" ] && bad "a __pycache__ was installed"

if [ "$mode" = lmod ]; then
  # shellcheck disable=SC1091
  source /usr/share/lmod/lmod/init/bash
  module use "$P/share/cisim/modulefiles"
  out=$(module load cisim 2>&1) || bad "module load cisim: $out"
  module load cisim 2>/dev/null
  [ "$(command -v cisim)" = "$P/bin/cisim" ] || bad "after module load, cisim is '$(command -v cisim)', not $P/bin/cisim"
  got=$(cisim --version) || bad "cisim --version failed after module load"
  [[ $got == "cisim $version "* ]] || bad "cisim --version after module load: '$got'"
  [ "${CISIM_ROOT:-}" = "$P" ] || bad "CISIM_ROOT='${CISIM_ROOT:-}', not $P"
  (cd / && /usr/bin/python3 -c "import cisim, sys; sys.exit(0 if cisim.__file__.startswith('$P/') else 1)") ||
    bad "after module load, python3 does not import the installed cisim reader (PYTHONPATH=${PYTHONPATH:-})"
  [[ :$MANPATH: == *":$P/share/man:"* ]] || bad "MANPATH lacks $P/share/man: $MANPATH"
  if command -v man >/dev/null; then # `man cisim` finds the installed page
    [ "$(man -w cisim 2>/dev/null)" = "$P/share/man/man1/cisim.1" ] || bad "man -w cisim: '$(man -w cisim 2>&1)'"
  fi
  [ -n "$(module avail cisim 2>&1 | grep -F "cisim/$version")" ] || bad "module avail does not list cisim/$version"
  module unload cisim
  [ "$(command -v cisim)" != "$P/bin/cisim" ] || bad "module unload left $P/bin/cisim on PATH"
  [ $fail = 0 ] && echo "Lmod: module load cisim puts cisim $version on PATH and its man page on MANPATH (man cisim)"
  exit $fail
fi

# the installed program runs an installed configuration (shortened)
got=$("$P/bin/cisim" --version) && [[ $got == "cisim $version "* ]] || bad "installed cisim --version: '$got'"
(cd "$P" && "$P/bin/cisim" run "$P/share/cisim/configs/default.yaml" --set time.end_day=0.25 \
   -o "$P/run.h5" --quiet >"$P/run.out" 2>&1) || { cat "$P/run.out"; bad "installed cisim run failed"; }
[ -s "$P/run.h5" ] && [ -s "$P/run.xmf" ] || bad "no run file or sidecar written"
"$P/bin/cisim" info "$P/run.h5" | grep -q "finished" || bad "cisim info does not report the run finished"
/usr/bin/python3 - "$P/run.h5" "$version" <<'PY' || bad "the run file does not record version $2"
import sys, h5py
with h5py.File(sys.argv[1]) as f:
    ok = f.attrs["version"] == sys.argv[2] and f["code"].attrs["version"] == sys.argv[2]
sys.exit(0 if ok else 1)
PY
# the scripts find their helper where they are installed
/usr/bin/python3 -c "import sys; sys.path.insert(0, '$P/share/cisim/scripts'); import cisim_h5" \
  || bad "the installed scripts' helper cisim_h5 does not import"
/usr/bin/python3 "$P/share/cisim/scripts/plot_run.py" --help >/dev/null || bad "installed plot_run.py --help fails"
(cd / && PYTHONPATH=$P/share/cisim/python /usr/bin/python3 -c "
import sys, cisim
r = cisim.open_run(sys.argv[1], xarray=False)
sys.exit(0 if r.units['collagen'] == '1' else 1)" "$P/run.h5") || bad "the installed Python reader (share/cisim/python) does not read the run"
# the installed submit.sh finds the installed cisim (no cisim on PATH, no CISIM, no build/)
cat >"$P/base.yaml" <<'YAML'
model: diffusion
grid: {dims: 2, size_um: [200, 100], spacing_um: 20}
time: {end_day: 0.1}
YAML
printf 'base: base.yaml\nmode: grid\nvary:\n  diffusion.decay_per_day: [1, 2]\n' >"$P/spec.yaml"
(cd "$P" && env PATH=/usr/bin:/bin "$P/bin/cisim" sweep plan spec.yaml -o sw >"$P/plan.txt") || bad "installed cisim sweep plan"
# the commands it prints name the installed program and scripts (no cisim on PATH)
grep -q "^run one point:  $P/bin/cisim sweep run sw --task N" "$P/plan.txt" &&
  grep -q "^submit (Slurm): $P/share/cisim/scripts/slurm/submit.sh sw" "$P/plan.txt" ||
  bad "installed sweep plan prints: $(cat "$P/plan.txt")"
# and so does `sweep status` for the points still to run
(cd "$P" && env PATH=/usr/bin:/bin "$P/bin/cisim" sweep status sw >"$P/status.txt") || bad "installed cisim sweep status"
grep -q "^  resubmit: $P/share/cisim/scripts/slurm/submit.sh sw   (or: $P/bin/cisim sweep status sw --todo)" "$P/status.txt" ||
  bad "installed sweep status prints: $(cat "$P/status.txt")"
out=$(cd / && env -u CISIM PATH=/usr/bin:/bin bash "$P/share/cisim/scripts/slurm/submit.sh" "$P/sw" --dry-run 2>/dev/null)
[[ ${out//\\/} == *"CISIM=$P/bin/cisim,"* ]] || bad "installed submit.sh does not find the installed cisim: $out"
# the installed man page is the one built; the installed completion works
MANWIDTH=100 man -l "$P/share/man/man1/cisim.1" >/dev/null 2>&1 || bad "man -l on the installed page fails"
bash -c "source '$P/share/bash-completion/completions/cisim' && complete -p cisim" >/dev/null || bad "installed completion"
[ $fail = 0 ] && echo "cmake --install: $(cd "$P" && find . -type f | wc -l) files; installed cisim $version ran the installed default.yaml"
exit $fail
