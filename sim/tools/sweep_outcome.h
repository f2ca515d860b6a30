/* sweep_outcome: the outcome metrics of one run file that `cisim sweep collect` and
 * `cisim sweep metrics` take: every /series dataset whose name contains _change_, _depth_um,
 * _peak or _return_day_ or ends in _total (docs/sweeps.md), as its final value and, when
 * asked, at chosen days and along a whole time axis. /series datasets hold one value per
 * snapshot time (/time); a value at day d is interpolated linearly between the snapshots
 * around d (exact at a snapshot time) and is NaN outside the run's first and last snapshot.
 * Only /time and /series are read, never /fields. */
#ifndef CISIM_SWEEP_OUTCOME_H
#define CISIM_SWEEP_OUTCOME_H

#include "error.h"

typedef struct {
  char **names;
  char **units; /* the dataset's "units" attribute, "" if none */
  double *vals; /* [n] final values */
  double *at;   /* [n * ndays] values at the chosen days (NULL without days) */
  double *ser;  /* [n * ntime] values along the time axis (NULL without one) */
  int n, cap;
  int ndays, ntime;
} sweep_outcome;

/* The wanted metrics of run file h5, in name order; days (ndays, may be 0) and the time axis
   time (ntime, may be 0) choose what besides the final values is read. */
cs_status sweep_outcome_read(const char *h5, const double *days, int ndays, const double *time,
                             int ntime, sweep_outcome *o);
void sweep_outcome_free(sweep_outcome *o);
/* Any /series dataset `name` of run file h5 at the days days[0..ndays-1] into vals (NaN
   outside the run's snapshots); CS_ERR_INPUT naming the file when it has no such series. */
cs_status sweep_outcome_series(const char *h5, const char *name, const double *days, int ndays,
                               double *vals);
/* The snapshot days /time of run file h5 (caller frees *time). */
cs_status sweep_outcome_time(const char *h5, double **time, int *ntime);

#endif
