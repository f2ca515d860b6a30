/* validate_loso: leave-one-study-out calibration and prediction (see validate_loso.h). */
#define _POSIX_C_SOURCE 200809L

#include "validate_loso.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calib_fit.h"
#include "validate_report.h"

static int numeric_predicted(const val_obs *o, const val_row *w) {
  return o->kind == VQ_NUMERIC && w->predicted;
}

/* The training studies of held-out study h: the number of studies and of rows. */
static int training(const val_spec *vs, val_row *const *rows, int h, int *nrows) {
  int n = 0;
  *nrows = 0;
  for (int s = 0; s < vs->nst; s++) {
    if (s == h) continue;
    int k = 0;
    for (int i = 0; i < vs->st[s].nobs; i++) k += numeric_predicted(&vs->st[s].obs[i], &rows[s][i]);
    n += k > 0;
    *nrows += k;
  }
  return n;
}

/* The calibration spec of the fold that holds out study h: one observation group per other
   study (its protocol), its predicted numeric rows. Strings are borrowed from vs, the group
   texts owned by cs->group_set (freed by the caller). */
static cs_status fold_spec(const val_spec *vs, val_row *const *rows, int h, calib_spec *cs) {
  memset(cs, 0, sizeof *cs);
  cs->max_iter = 100;
  cs->xtol = 1e-8;
  cs->gtol = 1e-10;
  cs->fd_step = 1e-5;
  cs->par = vs->fit;
  cs->np = vs->nfit;
  int nobs = 0;
  for (int s = 0; s < vs->nst; s++) nobs += vs->st[s].nobs;
  cs->group_set = calloc((size_t)(vs->nst > 0 ? vs->nst : 1), sizeof(char *));
  cs->obs = calloc((size_t)(nobs > 0 ? nobs : 1), sizeof(calib_obs));
  if (!cs->group_set || !cs->obs) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int s = 0; s < vs->nst; s++) {
    int k = 0;
    for (int i = 0; s != h && i < vs->st[s].nobs; i++) {
      const val_obs *o = &vs->st[s].obs[i];
      if (!numeric_predicted(o, &rows[s][i])) continue;
      calib_obs *c = &cs->obs[cs->nobs++];
      c->series = o->series;
      c->metric = (char *)o->metric;
      c->layer = (char *)o->layer;
      c->day = o->day;
      c->value = o->value;
      c->sd = isnan(o->sd) ? vs->log_sd * (100 + o->value) : o->sd;
      c->group = cs->ngroups;
      k++;
    }
    if (k) CS_TRY(val_study_overrides(vs, s, NULL, &cs->group_set[cs->ngroups++]));
  }
  return CS_OK;
}

/* Fits fold f on the other studies and predicts the held-out study at the best fit. */
static cs_status run_fold(const val_spec *vs, calib_runner *r, val_row *const *rows, val_fold *f) {
  calib_spec cs;
  char *extra = NULL;
  calib_result res = {0};
  cs_status st = fold_spec(vs, rows, f->held, &cs);
  if (st == CS_OK) {
    printf("leave out %s: fitting to %d observations of %d other stud%s\n", vs->st[f->held].id,
           cs.nobs, cs.ngroups, cs.ngroups == 1 ? "y" : "ies");
    st = calib_fit(&cs, r, NULL, &res);
  }
  if (st == CS_OK) {
    f->fitted = 1;
    f->converged = res.converged;
    for (int j = 0; j < vs->nfit; j++) {
      f->best[j] = res.best[j];
      f->lo95[j] = res.lo95[j];
      f->hi95[j] = res.hi95[j];
      f->at_bound[j] = res.at_bound[j];
    }
    st = calib_overrides(&(calib_spec){.par = vs->fit, .np = vs->nfit}, res.best, &extra);
  }
  char (*paths)[CALIB_PATH] = st == CS_OK ? calloc((size_t)vs->nst, sizeof *paths) : NULL;
  int *which = st == CS_OK ? calloc((size_t)vs->nst, sizeof(int)) : NULL;
  if (st == CS_OK && (!paths || !which)) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) {
    which[f->held] = 1;
    st = val_run_studies(vs, r, extra, which, paths);
  }
  if (st == CS_OK) st = val_read_study(vs, f->held, paths, f->rows);
  free(paths);
  free(which);
  free(extra);
  for (int g = 0; g < cs.ngroups; g++) free(cs.group_set[g]);
  free(cs.group_set);
  free(cs.obs);
  calib_result_free(&res);
  return st;
}

cs_status val_loso(const val_spec *vs, calib_runner *r, val_row *const *rows, val_fold **folds,
                   int *nfolds) {
  *folds = NULL;
  *nfolds = 0;
  if (vs->nfit == 0) return CS_OK;
  val_fold *fs = calloc((size_t)vs->nst + 1, sizeof(val_fold));
  if (!fs) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  cs_status st = CS_OK;
  int n = 0;
  for (int h = 0; h < vs->nst && st == CS_OK; h++) {
    int k = 0;
    for (int i = 0; i < vs->st[h].nobs; i++) k += numeric_predicted(&vs->st[h].obs[i], &rows[h][i]);
    if (!k) continue;
    val_fold *f = &fs[n++];
    f->held = h;
    f->ntrainst = training(vs, rows, h, &f->ntrain);
    if (!(f->rows = calloc((size_t)vs->st[h].nobs, sizeof(val_row)))) {
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
      break;
    }
    if (f->ntrainst > 0 && f->ntrain >= vs->nfit) st = run_fold(vs, r, rows, f);
  }
  *folds = fs;
  *nfolds = n;
  return st;
}

void val_loso_free(val_fold *folds, int n) {
  for (int i = 0; i < n; i++) free(folds[i].rows);
  free(folds);
}

static void fold_params(FILE *f, const val_spec *vs, const val_fold *fd) {
  for (int j = 0; j < vs->nfit; j++) {
    fprintf(f, "%s`%s` = %.4g", j ? "; " : "", vs->fit[j].key, fd->best[j]);
    if (fd->at_bound[j]) fputs(" (at a bound of its range)", f);
    else fprintf(f, " [%.4g, %.4g]", fd->lo95[j], fd->hi95[j]);
  }
  if (!fd->converged) fputs(" (not converged)", f);
}

void val_write_loso(FILE *f, const val_spec *vs, val_row *const *rows, const val_fold *folds,
                    int n) {
  if (vs->nfit == 0 || n == 0) {
    fputs("No leave-one-study-out folds: no calibrate.fit parameters, or no study with a numeric "
          "observation this model predicts.\n", f);
    return;
  }
  fputs("| held-out study | fitted on | fitted values [95 % interval] | metric | layer | day | "
        "observed (%) | predicted at the base values (%) | predicted after the fit (%) | "
        "out-of-sample log-ratio |\n|---|---|---|---|---|---:|---|---|---|---:|\n", f);
  double ss = 0, ss0 = 0;
  int m = 0;
  for (int k = 0; k < n; k++) {
    const val_fold *fd = &folds[k];
    const val_study *h = &vs->st[fd->held];
    for (int i = 0; i < h->nobs; i++) {
      const val_obs *o = &h->obs[i];
      if (!numeric_predicted(o, &rows[fd->held][i])) continue;
      fprintf(f, "| %s | %d row%s of %d stud%s | ", h->id, fd->ntrain, fd->ntrain == 1 ? "" : "s",
              fd->ntrainst, fd->ntrainst == 1 ? "y" : "ies");
      if (fd->fitted) fold_params(f, vs, fd);
      else fputs("not fitted (fewer training rows than parameters)", f);
      double base = rows[fd->held][i].pred;
      fprintf(f, " | %s | %s | %g | %+.4g | %+.1f | ", o->metric, o->layer[0] ? o->layer : "-",
              o->day, o->value, base);
      if (fd->fitted && fd->rows[i].predicted) {
        double lr = val_log_ratio(fd->rows[i].pred, o->value), lr0 = val_log_ratio(base, o->value);
        fprintf(f, "%+.1f | %+.3f |\n", fd->rows[i].pred, lr);
        ss += lr * lr;
        ss0 += lr0 * lr0;
        m++;
      } else {
        fputs("- | - |\n", f);
      }
    }
  }
  if (m)
    fprintf(f, "\n**Leave-one-study-out: RMS log-ratio %.3f over %d held-out observation%s** "
               "(the same rows at the base values: %.3f).\n",
            sqrt(ss / m), m, m == 1 ? "" : "s", sqrt(ss0 / m));
  else
    fputs("\nNo fold could be fitted.\n", f);
}
