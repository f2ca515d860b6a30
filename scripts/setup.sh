#!/usr/bin/env bash
# Set up cisim on a fresh Debian 12 machine.
#   scripts/setup.sh run    install dependencies, build, run configs/default.yaml
#   scripts/setup.sh test   install dependencies, build with warnings as errors, run the test
#                           suite, then build with AddressSanitizer + UBSan and run it again
# Environment: BUILD_DIR (default build), JOBS (default: number of cores), SKIP_APT=1 to skip
# the package installation (e.g. when the packages are known to be there).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
case "$mode" in
  run|test) ;;
  *) echo "usage: scripts/setup.sh run|test" >&2; exit 2 ;;
esac

PACKAGES=(build-essential cmake pkg-config libgsl-dev libhdf5-dev zlib1g-dev hdf5-tools libyaml-dev
          python3-h5py python3-numpy python3-scipy python3-matplotlib)
# The tests also open the XDMF sidecar with ParaView's reader (pvbatch, no display needed) and
# render it under a virtual display (xvfb-run), open run files with xarray (h5netcdf), run
# sweeps on a private single-node Slurm (munged, slurmctld and slurmd started by the test) and
# load the installed modulefile with Lmod.
[ "$mode" = test ] && PACKAGES+=(paraview python3-paraview xvfb xauth python3-xarray python3-h5netcdf python3-yaml
                                 slurm-wlm munge lmod)

install_packages() {
  [ "${SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-build}

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

install_packages
if [ "$mode" = run ]; then
  build "$BUILD_DIR"
  config=${CONFIG:-configs/default.yaml}
  [ -f "$config" ] || config=configs/diffusion_channel.yaml
  out=${OUT:-run.h5}
  "$BUILD_DIR/cisim" run "$config" -o "$out" --force
  echo "setup: run file written to $out (open it with h5py, or: h5ls -r $out)"
  # Figures next to the run file (Debian's python3-h5py/-matplotlib; the script finds them).
  python3 scripts/plot_run.py "$out" || echo "setup: plotting failed (see above); the run file is fine" >&2
else
  build "$BUILD_DIR" -DCISIM_WERROR=ON
  # The Slurm tests must run, not skip, where this script installed Slurm (as root or with sudo).
  if [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then export CISIM_REQUIRE_SLURM=1; fi
  # On a CI machine (CI set) as root, the .deb is also installed with apt, run and removed
  # (tests/packaging/test_package.sh); elsewhere the suite leaves the system's packages alone.
  if [ -n "${CI:-}" ] && [ "$(id -u)" -eq 0 ]; then export CISIM_TEST_DEB_INSTALL=1; fi
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
  # The same suite under AddressSanitizer and UBSan (a debug build with -O1), less the tests
  # labelled long (tests/CMakeLists.txt): months-long model runs over code the rest covers.
  BUILD_TYPE=Debug build "$BUILD_DIR-asan" -DCISIM_WERROR=ON -DCISIM_SANITIZE=ON \
    -DCMAKE_C_FLAGS_DEBUG="-O1 -g"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 CISIM_TEST_QUICK=1 \
    ctest --test-dir "$BUILD_DIR-asan" --output-on-failure -j "$JOBS" -LE long
fi
