/* calib_batch: the calibration's runs on a batch system, through the machinery of sweeps: a
 * set of runs (a Jacobian's, or one trial point) becomes a sweep directory
 * DIR/batches/<B> (B: FNV-1a 64 hash of the runs' overrides: the same set, asked again after
 * an interruption, finds its directory again) with base.yaml, manifest.csv, one point file
 * per run and a spec.yaml that says what it is; the command `submit` (e.g.
 * `scripts/slurm/submit.sh {} --time=1:00:00`) is run by /bin/sh with the directory in place
 * of {} (appended when there is none) and
 * submits what is not done as a job array of scripts/slurm/sweep.sbatch; then the points'
 * status files are followed until every point is done, one failed, or the jobs have left the
 * queue (squeue) with points not done (scancel: start the same calibration again, and only
 * those are submitted). Finished run files are moved to the calibration's DIR/runs/<H>.h5. */
#ifndef CISIM_CALIB_BATCH_H
#define CISIM_CALIB_BATCH_H

#include "error.h"

/* Runs the m points (overrides sets[i], destination run files paths[i], 4096 bytes each, as
   calib_runs.h's CALIB_PATH) of calibration directory dir with the command submit. */
cs_status calib_batch_run(const char *dir, const char *submit, int m, char *const *sets,
                          char (*paths)[4096]);

#endif
