#!/usr/bin/env bash
# The bash completion: subcommands, sweep subcommands, options from each command's --help,
# registry keys after --set (every key `cisim params` lists), models after `params`, and
# files by kind. Runs the completion function the way bash does, without a terminal.
#   tests/packaging/test_completion.sh CISIM COMPLETION_FILE
set -u
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
cisim=$(abs "$1") comp=$(abs "$2")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir" && touch base.yaml run.h5 notes.txt && mkdir sweepdir
# shellcheck disable=SC1090
source "$comp" || { echo "FAIL: cannot source $comp"; exit 1; }
complete -p cisim >/dev/null || { echo "FAIL: $comp registers no completion for cisim"; exit 1; }
fail=0
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); _cisim; }
expect() { # "wanted words" words...
  local want=$1; shift
  complete_words "$@"
  local got=" ${COMPREPLY[*]} "
  for w in $want; do
    [[ $got == *" $w "* ]] || { echo "FAIL: [${*:2}] completes to '${COMPREPLY[*]}', lacks $w"; fail=1; }
  done
}
refuse() { # "unwanted words" words...
  local no=$1; shift
  complete_words "$@"
  local got=" ${COMPREPLY[*]} "
  for w in $no; do
    [[ $got != *" $w "* ]] || { echo "FAIL: [${*:2}] offers $w: '${COMPREPLY[*]}'"; fail=1; }
  done
}

cmds=$("$cisim" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
expect "$cmds --version" "$cisim" ""
expect "compare check" "$cisim" c
refuse "run" "$cisim" c
expect "plan run status collect metrics" "$cisim" sweep ""
expect "base.yaml sweepdir/" "$cisim" run ""
refuse "run.h5 notes.txt" "$cisim" run ""
expect "run.h5" "$cisim" info ""
expect "run.h5" "$cisim" compare run.h5 ""
refuse "base.yaml" "$cisim" compare run.h5 ""
expect "sweepdir/" "$cisim" sweep status ""
expect "--set --threads --force --max-walltime --resume" "$cisim" run base.yaml --
expect "--rtol --atol --tolerances --format" "$cisim" compare run.h5 run.h5 --
expect "--todo" "$cisim" sweep status sweepdir --
expect "json" "$cisim" compare a.h5 b.h5 --format ""
expect "microneedling diffusion fisher" "$cisim" params ""

# every registry key, after --set, -s and --set=
keys=$("$cisim" params | awk '!/^#/ && $1 != "key" && NF {print $1}')
nkeys=$(echo "$keys" | wc -l)
[ "$nkeys" -gt 50 ] || { echo "FAIL: only $nkeys keys from cisim params"; fail=1; }
complete_words "$cisim" run base.yaml --set ""
[ ${#COMPREPLY[@]} = "$nkeys" ] || { echo "FAIL: --set offers ${#COMPREPLY[@]} keys, cisim params lists $nkeys"; fail=1; }
expect "time.end_day=" "$cisim" run base.yaml --set time.end
expect "time.end_day=" "$cisim" check base.yaml -s time.end
expect "time.end_day=" "$cisim" run base.yaml --set = time.end
expect "microneedling.collagen.baseline_index=" "$cisim" run base.yaml --set microneedling.collagen.base
refuse "time.end_day=" "$cisim" run base.yaml --set time.end_day=3

[ $fail = 0 ] && echo "completion: commands, options, $nkeys registry keys and files complete"
exit $fail
