/* sweep: parameter sweeps (docs/sweeps.md). A sweep directory DIR holds spec.yaml (the spec as
 * planned), base.yaml (the base config as planned), manifest.csv (index, one column per varied
 * key, seed), points/<shard>/<N>.set (a point's overrides, one key=value per line),
 * runs/<shard>/<N>.h5 (+ .ckpt, .log) and status/<shard>/<N>.txt; shard = N / 1000. */
#ifndef CISIM_SWEEP_H
#define CISIM_SWEEP_H

#include <stddef.h>

#include "error.h"

#define SWEEP_SHARD 1000

int sweep_plan(int argc, char **argv);    /* sim/sweep.c */
int sweep_run(int argc, char **argv);     /* sim/sweep_run.c */
int sweep_status(int argc, char **argv);  /* sim/sweep_run.c */
int sweep_collect(int argc, char **argv); /* sim/sweep_run.c */
int sweep_metrics(int argc, char **argv); /* sim/sweep_run.c */

/* Shared helpers (sim/sweep.c). */
cs_status sweep_mkdirs(const char *path);  /* mkdir -p */
cs_status sweep_read_text(const char *path, char **text); /* whole file, caller frees */
cs_status sweep_write_text(const char *path, const char *text); /* atomic (tmp + rename) */
/* "DIR/sub/<shard>/<N>suffix" into buf; 0 if it did not fit. */
int sweep_point_path(char *buf, size_t size, const char *dir, const char *sub, long n,
                     const char *suffix);

#endif
