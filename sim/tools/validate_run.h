/* validate_run: the model's predictions of the observation table's studies: each study's
 * protocol is one `cisim run` of the base config with the study's overrides, made and cached
 * by calibrate's run machinery (calib_runs.h: DIR/runs/<hash>.h5, never redone while its
 * overrides and base config are unchanged), and its outcomes are read with sweep_outcome's
 * series reader, the one reader of a run file's /series. A series the run file does not
 * hold is a metric this model does not predict: the row says so instead of failing. */
#ifndef CISIM_VALIDATE_RUN_H
#define CISIM_VALIDATE_RUN_H

#include "calib_runs.h"
#include "error.h"
#include "validate_spec.h"

typedef struct {
  int predicted; /* the run file has the series (and, for more_than, the other study too) */
  double pred;   /* the predicted change (%) at the read-out day */
  double other;  /* VQ_MORE_THAN: the compared study's change */
} val_row;

/* Runs the studies whose flag in which[] is set (all when which is NULL), each with the extra
   overrides ("key=value\n" lines, may be NULL) after its own, into paths[s]. */
cs_status val_run_studies(const val_spec *vs, calib_runner *r, const char *extra, const int *which,
                          char (*paths)[CALIB_PATH]);
/* The predictions of study s's observations from the run files paths (rows: [nobs]). */
cs_status val_read_study(const val_spec *vs, int s, char (*paths)[CALIB_PATH], val_row *rows);

#endif
