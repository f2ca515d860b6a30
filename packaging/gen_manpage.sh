#!/bin/sh
# Writes the cisim(1) man page from the program's own help texts, so that the two cannot
# drift: `cisim --help` gives the synopsis and the command list, `cisim <command> --help` each
# command's section, `cisim sweep <sub> --help` the sweep subcommands'.
#   packaging/gen_manpage.sh CISIM VERSION OUT.1
set -eu
cisim=$1 version=$2 out=$3
tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT

# roff-escape lines of help text: backslashes, hyphens (so options render as typed and copy
# back as ASCII), and a leading . or ' (which would read as a request)
esc() { sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
block() { printf '.PP\n.nf\n'; esc; printf '.fi\n'; }

top=$("$cisim" --help)
# the subcommands: the lines of the "commands:" list, "  NAME  ..."
cmds=$(printf '%s\n' "$top" | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$cmds" ] || { echo "gen_manpage: no commands in '$cisim --help'" >&2; exit 1; }

{
  # the help texts hold UTF-8 (µm, ×, ·): man-db's preconv reads this coding tag
  printf "'\\\\\" -*- coding: utf-8 -*-\\n"
  printf '.TH CISIM 1 "" "cisim %s" "User Commands"\n' "$version"
  printf '.SH NAME\ncisim \\- simulate skin healing and collagen induction after microneedling\n'
  printf '.SH SYNOPSIS\n'
  printf '%s\n' "$top" | sed -n '1p' | sed 's/^usage: //' | block
  printf '.SH DESCRIPTION\n'
  printf 'cisim evolves a reaction\\-diffusion\\-chemotaxis model of the dermis (a layered 2D\n'
  printf 'cross\\-section or 3D block) after needle punctures and writes one HDF5 run file per run\n'
  printf '(with an XDMF sidecar for ParaView). A run is described by a YAML configuration;\n'
  printf 'every parameter has a key, a unit, a default and an allowed range\n'
  printf '(\\fBcisim params\\fR), and any of them can be overridden with \\fB\\-\\-set\\fR.\n'
  printf '%s\n' "$top" | sed '1,2d' | block
  printf '.SH COMMANDS\n'
  for c in $cmds; do
    printf '.SS "cisim %s"\n' "$c"
    "$cisim" "$c" --help | block
    if [ "$c" = sweep ]; then
      for s in $("$cisim" sweep --help | sed -n 's/.*cisim sweep \([a-z][a-z]*\) .*/\1/p'); do
        printf '.SS "cisim sweep %s"\n' "$s"
        "$cisim" sweep "$s" --help | block
      done
    fi
  done
  cat <<'ROFF'
.SH ENVIRONMENT
.TP
.B OMP_NUM_THREADS
threads when \fB\-\-threads\fR is not given (results do not depend on it)
.TP
.B OMP_WAIT_POLICY
unless set (or GOMP_SPINCOUNT), cisim runs with PASSIVE: waiting threads sleep
.TP
.B SLURM_ARRAY_TASK_ID
the point \fBcisim sweep run\fR runs when \fB\-\-task\fR is not given
.SH EXIT STATUS
0 success, 1 run failure (compare: the files differ), 2 bad usage or configuration,
3 run stopped early with a checkpoint (continue it with \fBcisim run \-\-resume\fR).
.SH FILES
.TP
.I /usr/share/cisim/configs
example configurations (under the installation prefix)
.TP
.I /usr/share/cisim/scripts
plotting and reporting scripts (Python 3 with h5py, numpy, matplotlib)
.TP
.I /usr/share/doc/cisim
README, the model, the numerics, the run file format and the parameter reference
.SH SEE ALSO
.BR h5dump (1),
.BR pvbatch (1)
ROFF
} > "$tmp"
mv "$tmp" "$out"
trap - EXIT
