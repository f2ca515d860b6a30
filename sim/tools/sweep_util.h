/* sweep_util: what the `cisim sweep` subcommands share: the sweep directory's layout, paths in
 * it, whole-file reads and atomic writes, CSV fields, the subcommands' option parser. A sweep
 * directory DIR holds spec.yaml and base.yaml (as planned), manifest.csv (index, one column per
 * varied key, seed), points/<shard>/<N>.set (a point's overrides, one key=value per line),
 * runs/<shard>/<N>.h5 (+ .ckpt, .log) and status/<shard>/<N>.txt; shard = N / SWEEP_SHARD
 * (docs/sweeps.md). */
#ifndef CISIM_SWEEP_UTIL_H
#define CISIM_SWEEP_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#define SWEEP_SHARD 1000

/* Command-line options of the sweep subcommands: a flag (and its other spelling, or NULL)
   that takes a value (*value; required: must end up set) or, with value == NULL, sets *on. */
typedef struct {
  const char *flag, *alt;
  const char **value;
  int *on;
  int required;
} sweep_opt;
/* Parses argv[1..]: the options (a {0}-terminated list), one positional argument, --help/-h.
   Returns 0 to go on, -1 after printing the usage for --help, 2 after a message naming what
   is wrong or missing (`needs` says what the command needs, e.g. "DIR and --task N"); cmd
   names the command in messages ("sweep run", "calibrate"). */
int sweep_args(int argc, char **argv, const char *cmd, const char *usage, const sweep_opt *opts,
               const char **positional, const char *needs);

cs_status sweep_mkdirs(const char *path);  /* mkdir -p */
cs_status sweep_read_text(const char *path, char **text); /* whole file, caller frees */
cs_status sweep_write_text(const char *path, const char *text); /* atomic (tmp + rename) */
/* One CSV field, in double quotes (with "" for ") when it holds a comma, quote or newline. */
void sweep_csv_field(FILE *f, const char *s);
/* 1 if the run file h5 exists and its root attribute finished is 1 (HDF5's own error print
   silenced while it looks: a missing or half-written file is a plain 0). */
int sweep_run_finished(const char *h5);
/* "DIR/sub/<shard>/<N>suffix" into buf ("DIR/sub" for n < 0); 0 if it did not fit. */
int sweep_point_path(char *buf, size_t size, const char *dir, const char *sub, long n,
                     const char *suffix);
/* This cisim program's path (/proc/self/exe), for child runs. */
cs_status sweep_program(char *exe, size_t size);
/* How a command printed for the user names this program: "cisim" when that is what PATH
   finds, else its absolute path (a build tree's cisim is on no PATH). */
void sweep_program_for_user(char *buf, size_t size);
/* Its scripts directory: PREFIX/share/cisim/scripts beside an installed PREFIX/bin/cisim, else
   the source tree's scripts/ of a build-tree cisim, else "scripts". */
void sweep_scripts_dir(char *buf, size_t size);

#endif
