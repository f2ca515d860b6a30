/* calib_runs: the model evaluations of `cisim calibrate`: each is one `cisim run` of the
 * planned base config with a point's overrides, written to DIR/runs/<H>.h5 where H is the
 * FNV-1a 64 hash of the overrides' text (kept beside it as <H>.set; the run's messages in
 * <H>.h5.log; the program that made it, by the hash of its executable, in <H>.program). A point
 * whose run file is finished (root attribute finished = 1) with the same overrides, by the
 * same program, is not run again, so an interrupted calibration, started again, replays its
 * iterations from the finished runs and only runs what is missing. Up to `workers` runs go at
 * once (child processes of this same program, each with `threads` OpenMP threads), or, with
 * `submit`, as job arrays of a batch system (calib_batch.h). */
#ifndef CISIM_CALIB_RUNS_H
#define CISIM_CALIB_RUNS_H

#include "error.h"

typedef struct {
  const char *dir;  /* the calibration directory: DIR/base.yaml, DIR/runs/ */
  int workers, threads;
  long launched, reused;
  const char *submit; /* NULL: run locally; else a batch system's submit command (calib_batch.h) */
} calib_runner;

#define CALIB_PATH 4096

/* Makes sure each of the m points (sets[i]: its overrides as "key=value" lines, each ending
   in '\n') has a finished run file, whose path goes to paths[i]. A run that fails is
   CS_ERR_RUN naming its log and last message. */
cs_status calib_run_points(calib_runner *r, int m, char *const *sets, char (*paths)[CALIB_PATH]);

#endif
