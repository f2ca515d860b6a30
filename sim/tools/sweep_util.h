/* sweep: parameter sweeps (docs/sweeps.md). A sweep directory DIR holds spec.yaml (the spec as
 * planned), base.yaml (the base config as planned), manifest.csv (index, one column per varied
 * key, seed), points/<shard>/<N>.set (a point's overrides, one key=value per line),
 * runs/<shard>/<N>.h5 (+ .ckpt, .log) and status/<shard>/<N>.txt; shard = N / 1000. */
#ifndef CISIM_SWEEP_UTIL_H
#define CISIM_SWEEP_UTIL_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#define SWEEP_SHARD 1000

int sweep_plan(int argc, char **argv);    /* sim/tools/sweep.c */
int sweep_run(int argc, char **argv);     /* sim/tools/sweep_run.c */
int sweep_status(int argc, char **argv);  /* sim/tools/sweep_run.c */
int sweep_collect(int argc, char **argv); /* sim/tools/sweep_collect.c */
int sweep_metrics(int argc, char **argv); /* sim/tools/sweep_collect.c */

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
   is wrong or missing (`needs` says what the command needs, e.g. "DIR and --task N"). */
int sweep_args(int argc, char **argv, const char *cmd, const char *usage, const sweep_opt *opts,
               const char **positional, const char *needs);

/* Shared helpers (sim/tools/sweep.c). */
cs_status sweep_mkdirs(const char *path);  /* mkdir -p */
cs_status sweep_read_text(const char *path, char **text); /* whole file, caller frees */
cs_status sweep_write_text(const char *path, const char *text); /* atomic (tmp + rename) */
/* One CSV field, in double quotes (with "" for ") when it holds a comma, quote or newline. */
void sweep_csv_field(FILE *f, const char *s);
/* "DIR/sub/<shard>/<N>suffix" into buf; 0 if it did not fit. */
int sweep_point_path(char *buf, size_t size, const char *dir, const char *sub, long n,
                     const char *suffix);

/* Point states (sim/tools/sweep_point.c). A point is missing (no status file), done, running (its
   `cisim sweep run` is alive), interrupted (stopped with a checkpoint, or recorded as running
   but its process is gone or silent) or failed. */
typedef enum { SWEEP_MISSING, SWEEP_DONE, SWEEP_RUNNING, SWEEP_INTERRUPTED, SWEEP_FAILED } sweep_state;

/* `cisim sweep run` touches a running point's status file every SWEEP_HEARTBEAT_S; a running
   point not touched for SWEEP_STALE_S is taken as killed (SIGKILL, node failure, OOM). */
#define SWEEP_HEARTBEAT_S 60
#define SWEEP_STALE_S 300

/* Number of points (the manifest's rows); the manifest's text too when manifest != NULL. */
cs_status sweep_count_points(const char *dir, long *n, char **manifest);
/* State of point n; *text receives its status line (caller frees; NULL when missing). */
sweep_state sweep_point_state(const char *dir, long n, char **text);
const char *sweep_state_name(sweep_state s);
/* The status line of a point this process runs: host, pid, Slurm job, start time. */
void sweep_running_line(char *buf, size_t size);
/* 1 if a running line was written by this same Slurm job (a requeued task's earlier life). */
int sweep_running_is_ours(const char *line);

#endif
