#!/usr/bin/env bash
# The bad-input corpus (tests/bad_inputs/README.md): every case is one file in cases/, a YAML
# config (NAME.yaml, its expectations in the leading comment block) or a command line
# (NAME.cli). Each must exit with its expected status (2), print its message fragments on
# stderr, say where the problem is (FILE:LINE:COL: key for a config error, the option or file
# for a command-line error), print no sanitizer report or raw HDF5 error stack, and write
# nothing: every file in the case's scratch directory (the config, any run file or checkpoint)
# is hashed before and after, and nothing may change or appear.
#
# usage: run_bad_inputs.sh PATH/TO/cisim [-v] [--strict] [-j N] [CASE...]
#   CASE     case names (file names without .yaml/.cli) to run; default: all
#   -v       show the stderr of every case, not only of failing ones
#   --strict ignore KNOWN_FAILING (show what still fails)
#   -j N     cases run at a time (default 2, or $BAD_INPUTS_JOBS)
# Prints one PASS/FAIL/XFAIL/XPASS/SKIP line per case, then "N passed, N failed"; exit 0 when
# nothing failed. Cases listed in KNOWN_FAILING that fail are XFAIL (not failures); listed
# cases that pass are XPASS and count as failures, so that the list gets pruned.
set -u
usage() { echo "usage: $0 PATH/TO/cisim [-v] [--strict] [-j N] [CASE...]" >&2; exit 2; }
[ $# -ge 1 ] || usage
case $1 in /*) CISIM=$1 ;; *) CISIM=$PWD/$1 ;; esac
shift
[ -x "$CISIM" ] && [ -f "$CISIM" ] || { echo "$0: $CISIM is not an executable" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
VERBOSE=0 STRICT=0 JOBS=${BAD_INPUTS_JOBS:-2}
SELECTED=()
while [ $# -gt 0 ]; do
  case $1 in
    -v) VERBOSE=1 ;;
    --strict) STRICT=1 ;;
    -j) [ $# -ge 2 ] || usage; JOBS=$2; shift ;;
    -*) usage ;;
    *) SELECTED+=("$1") ;;
  esac
  shift
done
case $JOBS in ''|*[!0-9]*|0) usage ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cisim-bad-inputs.XXXXXX")
FIX=$WORK/fixtures
mkdir -p "$FIX" "$WORK/res"
cleanup_all() {
  command -v chattr >/dev/null 2>&1 && chattr -R -i "$WORK" 2>/dev/null
  chmod -R u+rwX "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup_all EXIT
trap 'exit 130' INT TERM
export CISIM HERE FIX
export OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE HDF5_USE_FILE_LOCKING=FALSE LC_ALL=C.UTF-8
# Bad inputs must fail fast and small: 512 MiB of address space (a config read without bound
# reaches it in seconds); under AddressSanitizer, which reserves terabytes of address space,
# its own RSS limit instead.
MEM_KB=524288
if grep -q __asan_init "$CISIM" 2>/dev/null; then
  MEM_KB=unlimited
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=512"
fi

# Known failures: "NAME  reason" per line, # comments.
declare -A KNOWN=()
if [ $STRICT = 0 ] && [ -f "$HERE/KNOWN_FAILING" ]; then
  while read -r name reason; do
    case $name in ''|'#'*) continue ;; esac
    KNOWN[$name]=${reason:-listed}
  done <"$HERE/KNOWN_FAILING"
fi

# ---------------------------------------------------------------------------------------
# Helpers for the cases' setup: lines (run by bash in the case's scratch directory)

# make_runs: builds, once, the run files that resume cases start from, in $FIX/runs
# (fixtures/resume.yaml, stopped with a checkpoint; each well under a second):
#   a.h5, a.h5.ckpt          the run to resume (2 steps, 1 snapshot)
#   same.h5, same.h5.ckpt    another configuration (decay 1/day), created in the same second as a
#   other.h5, other.h5.ckpt  a's configuration, created a second later
#   b.h5, b.h5.ckpt          a's configuration, a second after a, stopped after 6 steps
#                            (2 snapshots)
# Returns 77 (skip) if they cannot be made.
make_runs() {
  local d=$FIX/runs
  [ -f "$d/.done" ] && return 0
  mkdir -p "$d" && cp "$HERE/fixtures/resume.yaml" "$d/" || return 77
  (
    cd "$d" || exit 77
    mk() { # mk NAME STEPS [--set ...]: a run stopped with a checkpoint (exit 3)
      local n=$1 s=$2; shift 2
      rm -f "$n.h5" "$n.h5.ckpt" "$n.xmf"
      timeout -k 2 30 "$CISIM" run resume.yaml -o "$n.h5" -q --threads 1 --stop-after-steps "$s" "$@" \
        >/dev/null 2>"$n.err"
      [ $? = 3 ] && [ -f "$n.h5.ckpt" ] || { echo "make_runs: run $n failed:"; cat "$n.err"; exit 77; }
    }
    created() { h5dump -a /created "$1" 2>/dev/null | sed -n 's/.*(0): "\(.*\)"/\1/p'; }
    tick() { local s; s=$(date +%s); while [ "$(date +%s)" = "$s" ]; do sleep 0.05; done; }
    for _ in 1 2 3; do   # a and same in one second (just after a tick; both take ~50 ms)
      tick
      mk a 2 && mk same 2 --set diffusion.decay_per_day=1
      if command -v h5dump >/dev/null; then
        [ -n "$(created a.h5)" ] && [ "$(created a.h5)" = "$(created same.h5)" ] && break
      else
        break
      fi
    done
    tick
    mk other 2
    mk b 6
    touch .done
  ) || return 77
}

# fixture_run NAME: copies run NAME (.h5 and .h5.ckpt) of make_runs into the current directory.
fixture_run() { make_runs || return 77; cp "$FIX/runs/$1.h5" "$FIX/runs/$1.h5.ckpt" . ; }

# find_bytes FILE HEX...: offsets (decimal, one per line) where the bytes HEX... (e.g. 00 f8 3f)
# occur in FILE.
find_bytes() {
  local f=$1; shift
  od -An -v -tx1 "$f" | tr -s ' \n' '\n\n' | sed '/^$/d' |
    awk -v pat="$*" 'BEGIN { n = split(pat, p, " ") }
      { b[NR - 1] = $1 }
      END { for (i = 0; i + n <= NR; i++) { ok = 1
              for (j = 1; j <= n; j++) if (b[i + j - 1] != p[j]) { ok = 0; break }
              if (ok) print i } }'
}

# put_bytes FILE OFFSET HEX...: overwrites bytes at OFFSET.
put_bytes() {
  local f=$1 off=$2 esc="" h; shift 2
  for h in "$@"; do esc="$esc\\$(printf '%03o' "0x$h")"; done
  # shellcheck disable=SC2059
  printf "$esc" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

# flip_bit FILE OFFSET: flips the lowest bit of the byte at OFFSET.
flip_bit() {
  local b; b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  put_bytes "$1" "$2" "$(printf '%02x' $((b ^ 1)))"
}

# attr_bytes FILE ATTR: the bytes of a root attribute of an HDF5 file, as hex words
# (h5dump, from hdf5-tools; 77 without it).
attr_bytes() {
  command -v h5dump >/dev/null || { echo "h5dump not found"; return 77; }
  local bin; bin=$(mktemp "$FIX/attr.XXXXXX")
  h5dump -a "/$2" -b LE -o "$bin" "$1" >/dev/null 2>&1 || { echo "h5dump cannot read attribute $2"; return 77; }
  od -An -v -tx1 "$bin" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# only_offset FILE HEX...: the single offset of HEX... in FILE; skips (77) unless unique.
only_offset() {
  local offs; offs=$(find_bytes "$@")
  case $offs in ''|*[!0-9]*) echo "byte pattern '${*:2}' not found exactly once in $1"; return 77 ;; esac
  echo "$offs"
}
# same_second A.h5 B.h5: 0 if the two run files were created in the same second (their root
# attribute created), else 77 (skip: the case needs it).
same_second() {
  command -v h5dump >/dev/null || { echo "h5dump not found"; return 77; }
  local a b
  a=$(h5dump -a /created "$1" 2>/dev/null | grep '(0)')
  b=$(h5dump -a /created "$2" 2>/dev/null | grep '(0)')
  [ -n "$a" ] && [ "$a" = "$b" ] || { echo "could not make two runs in the same second"; return 77; }
}
export -f make_runs fixture_run find_bytes put_bytes flip_bit attr_bytes only_offset same_second

# ---------------------------------------------------------------------------------------
# The run of one case

# read_directives FILE KIND: fills the case variables from its "key: value" lines (yaml: the
# leading comment block, "# key: value"; cli: every line that is not a comment).
read_directives() {
  local line k v
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$2" = yaml ]; then
      case $line in '#'*) line=${line#\#}; line=${line# } ;; *) break ;; esac
    else
      case $line in ''|'#'*|[[:space:]]*'#'*) continue ;; esac
    fi
    case $line in [a-z]*:*) ;; *) continue ;; esac
    k=${line%%:*}
    case $k in *[!a-z-]*) continue ;; esac
    v=${line#*:}; v=${v# }
    case $k in
      what) WHAT=$v ;;
      exit) EXIT=$v ;;
      timeout) TIMEOUT=$v ;;
      cmd) CMDS=$v ;;
      args) ARGS=$v ;;
      config) CONFIG=$v ;;
      files) FILES=$v ;;
      setup) SETUP+="$v"$'\n' ;;
      cleanup) CLEANUP+="$v"$'\n' ;;
      expect) EXPECT+=("$v") ;;
      reject) REJECT+=("$v") ;;
      where) WHERE+=("$v") ;;
      option) OPTION+=("$v") ;;
      *) REASONS+=("unknown directive '$k' in the case file") ;;
    esac
  done <"$1"
}

snapshot() { # everything under DIR: hashes of regular files, names of the rest
  ( cd "$1" && find . \( -type f -exec sha256sum {} + \) -o -print )
}

ere() { # ere VAR TEXT: TEXT as an extended regular expression matching it literally
  local t=$2 o="" c i
  for ((i = 0; i < ${#t}; i++)); do
    c=${t:i:1}
    case $c in [].[*^\$+?\(\){}\|\\]) o+="\\$c" ;; *) o+=$c ;; esac
  done
  printf -v "$1" '%s' "$o"
}

describe_rc() {
  case $1 in
    124|137) echo "timed out after ${2}s (killed)" ;;
    0) echo "exit 0 (accepted)" ;;
    *) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128)) (exit $1)"; else echo "exit $1"; fi ;;
  esac
}

# check_one DIR LABEL CONFIG ARGS...: runs cisim in DIR and appends failures to REASONS.
# Uses the case's EXIT EXPECT REJECT WHERE OPTION TIMEOUT.
check_one() {
  local dir=$1 label=$2 config=$3; shift 3
  local before after rc err=$dir/../stderr.${label:-cli}
  before=$(snapshot "$dir")
  { ( cd "$dir" && ulimit -v $MEM_KB 2>/dev/null
      exec timeout -k 2 "$TIMEOUT" "$CISIM" "$@" </dev/null >"$err.out" 2>"$err" ); } 2>/dev/null
  rc=$?
  after=$(snapshot "$dir")
  local pre=""; [ -n "$label" ] && pre="$label: "
  [ "$rc" = "$EXIT" ] || REASONS+=("${pre}$(describe_rc "$rc" "$TIMEOUT"), expected exit $EXIT")
  local f args=()
  for f in "${EXPECT[@]}"; do
    grep -qF -- "$f" "$err" || REASONS+=("${pre}message lacks '$f'")
  done
  for f in "${OPTION[@]}"; do
    grep -qF -- "$f" "$err" || REASONS+=("${pre}message does not name '$f'")
  done
  for f in "${REJECT[@]}"; do args+=(-e "$f"); done
  if grep -qF "${args[@]}" "$err"; then
    for f in "${REJECT[@]}"; do
      grep -qF -- "$f" "$err" && REASONS+=("${pre}message contains '$f'")
    done
  fi
  local fre key
  if [ -n "$config" ]; then ere fre "$config"; else fre='[^ :]+'; fi
  for f in "${WHERE[@]}"; do
    if [ "$f" = - ]; then # located, no key to name (YAML syntax, nesting)
      grep -qE -- "(^|[ '\"(])$fre:[0-9]+:[0-9]+: " "$err" ||
        REASONS+=("${pre}not located: no '${config:-FILE}:LINE:COL: '")
    else
      ere key "$f"
      grep -qE -- "(^|[ '\"(])$fre:[0-9]+:[0-9]+: (.*[^[:alnum:]_.])?$key([^[:alnum:]_]|$)" "$err" ||
        REASONS+=("${pre}not located: no '${config:-FILE}:LINE:COL: ... $f'")
    fi
  done
  if [ "$before" != "$after" ]; then
    local changed
    changed=$(diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") |
              sed -n 's/^> \([0-9a-f]*  \)\{0,1\}\.\///p' | LC_ALL=C sort -u | tr '\n' ' ')
    REASONS+=("${pre}wrote or changed: ${changed:-?}")
  fi
  LASTERR+=("$err")
}

# run_case FILE: runs one case; prints its report and writes its verdict to $WORK/res/NAME.
run_case() {
  local file=$1 base kind name t0=${EPOCHREALTIME:-0}
  base=${file##*/}
  kind=${base##*.}
  name=${base%.*}
  EXIT=2 TIMEOUT=10 WHAT="" CMDS="run" ARGS="" CONFIG="" FILES="" SETUP="" CLEANUP=""
  # never: a sanitizer report, an HDF5 error stack or the internals of an HDF5 message
  EXPECT=() REJECT=("AddressSanitizer" "runtime error:" "LeakSanitizer" "HDF5-DIAG" "#000:" "o_flags ="
                    "sblock->" "file descriptor =")
  WHERE=() OPTION=() REASONS=() LASTERR=()
  read_directives "$file" "$kind"
  [ ${#WHERE[@]} -gt 0 ] || [ ${#OPTION[@]} -gt 0 ] ||
    REASONS+=("the case names neither where: (config key) nor option: (what the message must name)")
  [ ${#EXPECT[@]} -gt 0 ] || REASONS+=("the case has no expect: fragment")

  local cdir=$WORK/cases/$name skipmsg="" label labels="cli"
  [ "$kind" = yaml ] && labels=$CMDS
  if [ ${#REASONS[@]} = 0 ]; then
    for label in $labels; do
      local dir=$cdir/$label f
      mkdir -p "$dir"
      for f in $FILES; do cp "$HERE/fixtures/$f" "$dir/" || REASONS+=("no fixture '$f'"); done
      [ "$kind" = yaml ] && cp "$file" "$dir/$base"
      if [ -n "$SETUP" ]; then
        local out src
        out=$(cd "$dir" && bash -c "set -e; $SETUP" 2>&1); src=$?
        if [ $src = 77 ]; then skipmsg=$(printf '%s\n' "$out" | tail -1); break; fi
        [ $src = 0 ] || { REASONS+=("setup failed ($src): $(printf '%s' "$out" | tail -2 | tr '\n' ' ')"); break; }
      fi
      local -a argv=()
      if [ "$kind" = yaml ]; then
        eval "argv=($label \"\$base\" $ARGS)"
        check_one "$dir" "$label" "${CONFIG:-$base}" "${argv[@]}"
      else
        eval "argv=($ARGS)"
        check_one "$dir" "" "$CONFIG" "${argv[@]}"
      fi
      [ -n "$CLEANUP" ] && (cd "$dir" && bash -c "$CLEANUP" >/dev/null 2>&1)
    done
  fi

  local verdict known=${KNOWN[$name]:-} took=""
  if [ "$t0" != 0 ]; then # bash 5: say how long cases of more than a second took
    local ds=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 100000 ))
    [ $ds -ge 10 ] && took=" ($((ds / 10)).$((ds % 10)) s)"
  fi
  if [ -n "$skipmsg" ]; then
    verdict=SKIP; echo "SKIP  $name: $skipmsg"
  elif [ ${#REASONS[@]} = 0 ]; then
    if [ -n "$known" ]; then
      verdict=XPASS; echo "XPASS $name$took: passes, but KNOWN_FAILING lists it: remove it from the list"
    else
      verdict=PASS; echo "PASS  $name$took"
    fi
  else
    local why; why=$(printf '%s; ' "${REASONS[@]}"); why=${why%; }
    if [ -n "$known" ]; then
      verdict=XFAIL; echo "XFAIL $name$took: $why"
    else
      verdict=FAIL; echo "FAIL  $name$took: $why"
      [ -n "$WHAT" ] && echo "      case: $WHAT"
    fi
  fi
  if [ $VERBOSE = 1 ] || [ $verdict = FAIL ] || [ $verdict = XPASS ]; then
    local e
    for e in "${LASTERR[@]}"; do
      [ -s "$e" ] && { echo "      stderr (${e##*/stderr.}):"; head -c 2000 "$e" | head -8 | sed 's/^/        /'; }
    done
  fi
  echo "$verdict" >"$WORK/res/$name"
  [ -n "$CLEANUP" ] || rm -rf "$cdir"
}

# ---------------------------------------------------------------------------------------

cases=()
if [ ${#SELECTED[@]} -gt 0 ]; then
  for n in "${SELECTED[@]}"; do
    if [ -f "$HERE/cases/$n.yaml" ]; then cases+=("$HERE/cases/$n.yaml")
    elif [ -f "$HERE/cases/$n.cli" ]; then cases+=("$HERE/cases/$n.cli")
    else echo "FAIL  $n: no such case"; echo FAIL >"$WORK/res/$n"; fi
  done
else
  for f in "$HERE"/cases/*.yaml "$HERE"/cases/*.cli; do [ -f "$f" ] && cases+=("$f"); done
fi

# The resume cases' run files, once, before the cases run side by side.
if [ ${#cases[@]} -gt 0 ] && grep -q 'fixture_run\|make_runs' "${cases[@]}"; then
  make_runs >"$WORK/make_runs.log" 2>&1 || { echo "NOTE  the resume fixtures could not be made: their cases skip"; sed 's/^/      /' "$WORK/make_runs.log" | head -5; }
fi

# Cases side by side, JOBS at a time: worker k runs cases k, k+JOBS, ...; each prints into its
# own file, shown in case order once all are done.
worker() {
  local k=$1 i
  for ((i = k; i < ${#cases[@]}; i += JOBS)); do
    run_case "${cases[$i]}" >"$WORK/res/$i.out" 2>&1
  done
}
pids=()
for ((k = 0; k < JOBS; k++)); do worker $k & pids+=($!); done
wait "${pids[@]}"
for ((i = 0; i < ${#cases[@]}; i++)); do cat "$WORK/res/$i.out" 2>/dev/null; done

pass=0 fail=0 xfail=0 xpass=0 skipped=0
FAILED_NAMES=()
for f in "$WORK"/res/*; do
  case $f in *.out) continue ;; esac
  [ -f "$f" ] || continue
  n=${f##*/}
  case $(cat "$f") in
    PASS) pass=$((pass + 1)) ;;
    XFAIL) xfail=$((xfail + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
    XPASS) xpass=$((xpass + 1)); FAILED_NAMES+=("$n") ;;
    *) fail=$((fail + 1)); FAILED_NAMES+=("$n") ;;
  esac
done
# a case that ran but left no verdict (the runner itself broke)
for f in "${cases[@]}"; do
  n=${f##*/}; n=${n%.*}
  [ -f "$WORK/res/$n" ] || { echo "FAIL  $n: no verdict (the runner failed on it)"; fail=$((fail + 1)); FAILED_NAMES+=("$n"); }
done

# Names in KNOWN_FAILING that are no case: the list must not rot.
if [ ${#SELECTED[@]} = 0 ]; then
  for n in "${!KNOWN[@]}"; do
    [ -f "$HERE/cases/$n.yaml" ] || [ -f "$HERE/cases/$n.cli" ] ||
      { echo "FAIL  $n: listed in KNOWN_FAILING, but there is no such case"; fail=$((fail + 1)); FAILED_NAMES+=("$n"); }
  done
fi

echo "cases: ${#cases[@]}; known failing (XFAIL): $xfail; unexpectedly passing (XPASS): $xpass; skipped: $skipped"
[ ${#FAILED_NAMES[@]} -gt 0 ] && echo "failed: ${FAILED_NAMES[*]}"
echo "$pass passed, $((fail + xpass)) failed"
[ $((fail + xpass)) = 0 ]
