#!/usr/bin/env bash
# The man page says what the program says: it holds the usage lines of every subcommand (and
# of every sweep subcommand) exactly as `cisim <command> --help` prints them, the version of
# `cisim --version`, and renders without a groff warning.
#   tests/packaging/test_manpage.sh CISIM MANPAGE
set -u
cisim=$1 man1=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
[ -s "$man1" ] || { echo "FAIL: no man page at $man1"; exit 1; }

# the page's text with the roff escapes the generator adds taken out again
text=$(sed -e 's/^\\&//' -e 's/\\-/-/g' -e 's/\\e/\\/g' "$man1")

cmds=$("$cisim" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
[ "$(echo "$cmds" | wc -w)" -ge 8 ] || bad "found only '$cmds' in cisim --help"
checked=0
check_usage() { # the "usage:" line of a help text, and the lines that continue it
  local usage
  usage=$("$@" --help | awk 'NR == 1 || (/^       *[[a-z-]/ && !seen_blank) {print; next} {exit}')
  [ -n "$usage" ] || { bad "'$* --help' prints no usage line"; return; }
  while IFS= read -r line; do
    grep -qxF -- "$line" <<<"$text" || bad "man page lacks the line of '$* --help': $line"
  done <<<"$usage"
  checked=$((checked + 1))
}
for c in $cmds; do
  check_usage "$cisim" "$c"
  grep -qxF ".SS \"cisim $c\"" "$man1" || bad "no section for cisim $c"
done
for s in $("$cisim" sweep --help | sed -n 's/.*cisim sweep \([a-z][a-z]*\) .*/\1/p'); do
  check_usage "$cisim" sweep "$s"
done
[ "$checked" -ge 12 ] || bad "checked only $checked usage texts"

version=$("$cisim" --version | awk '{print $2}')
grep -q "^\.TH CISIM 1 .*\"cisim $version\"" "$man1" || bad "the .TH line does not name cisim $version"

if command -v groff >/dev/null; then
  warn=$( { preconv -e utf-8 "$man1" 2>&1 || cat "$man1"; } | groff -man -Tutf8 -ww -z 2>&1)
  [ -z "$warn" ] || bad "groff warns: $warn"
  rendered=$(preconv -e utf-8 "$man1" | groff -man -Tutf8 2>/dev/null | sed 's/.\x08//g')
  grep -q "cisim compare A.h5 B.h5" <<<"$rendered" || bad "rendered page lacks the compare usage"
else
  echo "note: groff not installed, rendering not checked"
fi
[ $fail = 0 ] && echo "man page: $checked usage texts found, version $version, renders cleanly"
exit $fail
