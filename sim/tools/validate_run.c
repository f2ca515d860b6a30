/* validate_run: runs of the studies' protocols and their outcomes (see validate_run.h). */
#define _POSIX_C_SOURCE 200809L

#include "validate_run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_outcome.h"

cs_status val_run_studies(const val_spec *vs, calib_runner *r, const char *extra, const int *which,
                          char (*paths)[CALIB_PATH]) {
  char **sets = calloc((size_t)vs->nst + 1, sizeof(char *));
  char (*got)[CALIB_PATH] = calloc((size_t)vs->nst + 1, sizeof *got);
  int *idx = calloc((size_t)vs->nst + 1, sizeof(int));
  cs_status st = sets && got && idx ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  int m = 0;
  for (int s = 0; s < vs->nst && st == CS_OK; s++) {
    if (which && !which[s]) continue;
    idx[m] = s;
    st = val_study_overrides(vs, s, extra, &sets[m++]);
  }
  if (st == CS_OK && m > 0) st = calib_run_points(r, m, sets, got);
  for (int k = 0; k < m && st == CS_OK; k++) memcpy(paths[idx[k]], got[k], CALIB_PATH);
  for (int k = 0; k < m; k++) free(sets[k]);
  free(sets);
  free(got);
  free(idx);
  return st;
}

/* Series name of run file h5 at day into *v; 0 (the error cleared) when the file has no
   such series: the model does not predict it. */
static int read_one(const char *h5, const char *name, double day, double *v) {
  if (sweep_outcome_series(h5, name, &day, 1, v) != CS_OK) {
    cs_error_clear();
    *v = NAN;
    return 0;
  }
  return isfinite(*v);
}

cs_status val_read_study(const val_spec *vs, int s, char (*paths)[CALIB_PATH], val_row *rows) {
  const val_study *st = &vs->st[s];
  for (int i = 0; i < st->nobs; i++) {
    const val_obs *o = &st->obs[i];
    val_row *w = &rows[i];
    w->other = NAN;
    w->predicted = read_one(paths[s], o->series, o->day, &w->pred);
    if (w->predicted && o->kind == VQ_MORE_THAN)
      w->predicted = read_one(paths[o->other], o->series, o->day, &w->other);
  }
  return CS_OK;
}
