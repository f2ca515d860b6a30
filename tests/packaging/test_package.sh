#!/usr/bin/env bash
# The Debian package: CPack builds cisim_<version>_<arch>.deb from the build tree; its
# control data names the version and the shared libraries it needs; `dpkg-deb -c` lists the
# program, man page, completion, modulefile, configurations, scripts and documentation under
# /usr; and the program unpacked from it runs a configuration unpacked from it. With
# CISIM_TEST_DEB_INSTALL=1 (CI, as root) it is also installed with apt, run and removed.
# Skipped (status 77) where dpkg-deb or dpkg-shlibdeps (Debian's dpkg-dev) is missing.
#   tests/packaging/test_package.sh BUILD_DIR PROJECT_VERSION
set -u
build=$1 version=$2
for tool in dpkg-deb dpkg-shlibdeps cpack; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed: the .deb is not built"; exit 77; }
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

(cd "$build" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; echo "FAIL: cpack -G DEB"; exit 1; }
deb=$(ls "$T"/out/cisim_"$version"_*.deb 2>/dev/null)
[ -n "$deb" ] && [ "$(echo "$deb" | wc -l)" = 1 ] || { ls -R "$T/out"; echo "FAIL: no single cisim_${version}_*.deb"; exit 1; }

[ "$(dpkg-deb -f "$deb" Package)" = cisim ] || bad "Package: $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || bad "Version: $(dpkg-deb -f "$deb" Version), not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libgsl libhdf5 libyaml libgomp1 libc6; do
  [[ $depends == *"$lib"* ]] || bad "Depends lacks $lib: $depends"
done

dpkg-deb -c "$deb" | awk '{print $6}' >"$T/list"
for f in ./usr/bin/cisim ./usr/share/man/man1/cisim.1 ./usr/share/bash-completion/completions/cisim \
         "./usr/share/cisim/modulefiles/cisim/$version.lua" ./usr/share/cisim/configs/default.yaml \
         ./usr/share/cisim/scripts/plot_run.py ./usr/share/cisim/scripts/cisim_h5.py \
         ./usr/share/cisim/python/cisim/__init__.py ./usr/share/cisim/scripts/paraview_view.py \
         ./usr/share/doc/cisim/README.md ./usr/share/doc/cisim/LICENSE \
         ./usr/share/doc/cisim/CITATION.cff ./usr/share/doc/cisim/docs/run-file.md; do
  grep -qxF "$f" "$T/list" || bad "dpkg-deb -c lacks $f"
done
grep -v '^\./usr/' "$T/list" | grep -v '^\./$' | grep -q . && bad "files outside /usr: $(grep -v '^\./usr/' "$T/list" | grep -v '^\./$' | head -3)"
dpkg-deb -c "$deb" | awk '$6 == "./usr/bin/cisim" {print $1}' | grep -q '^-rwxr-xr-x' || bad "/usr/bin/cisim is not mode 755"

# unpacked (not installed: the test leaves the system alone), the program runs a shipped config
dpkg-deb -x "$deb" "$T/root" || bad "dpkg-deb -x"
(cd "$T" && "$T/root/usr/bin/cisim" run "$T/root/usr/share/cisim/configs/default.yaml" \
   --set time.end_day=0.25 -o "$T/run.h5" --quiet >"$T/run.log" 2>&1) || { cat "$T/run.log"; bad "the packaged cisim failed to run the packaged default.yaml"; }
[ "$("$T/root/usr/bin/cisim" --version | awk '{print $2}')" = "$version" ] || bad "packaged cisim --version"

# Installed for real (CI: CISIM_TEST_DEB_INSTALL=1, as root, where no cisim package is
# installed already): apt installs it with its dependencies, the installed program runs the
# installed default.yaml, `man cisim` finds the page, and removing the package leaves nothing.
if [ "${CISIM_TEST_DEB_INSTALL:-0}" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    bad "CISIM_TEST_DEB_INSTALL=1 needs root"
  elif dpkg-query -W -f='${Status}' cisim 2>/dev/null | grep -q "install ok installed"; then
    echo "note: a cisim package is installed already: not replaced, install not tested"
  else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$T/apt.log" 2>&1 ||
      { cat "$T/apt.log"; bad "apt-get install $(basename "$deb")"; }
    (cd "$T" && /usr/bin/cisim run /usr/share/cisim/configs/default.yaml --set time.end_day=0.25 \
       -o "$T/sys.h5" --quiet >"$T/sys.log" 2>&1) || { cat "$T/sys.log"; bad "/usr/bin/cisim run /usr/share/cisim/configs/default.yaml"; }
    [ "$(man -w cisim 2>/dev/null)" = /usr/share/man/man1/cisim.1 ] || bad "man -w cisim: $(man -w cisim 2>&1)"
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq cisim >"$T/rm.log" 2>&1 || { cat "$T/rm.log"; bad "apt-get remove cisim"; }
    [ -e /usr/bin/cisim ] || [ -e /usr/share/cisim ] && bad "files left after removing the package"
    [ $fail = 0 ] && echo "installed with apt, ran /usr/share/cisim/configs/default.yaml, removed"
  fi
fi
[ $fail = 0 ] && echo "package: $(basename "$deb"), $(wc -l <"$T/list") entries, Depends: $depends"
exit $fail
