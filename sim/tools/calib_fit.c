/* calib_fit: the calibration's least-squares fit (see calib_fit.h). */
#define _POSIX_C_SOURCE 200809L

#include "calib_fit.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_outcome.h"

#define Z95 1.959963984540054 /* the normal distribution's 97.5 % quantile */

typedef struct {
  const calib_spec *cs;
  calib_runner *r;
  FILE *progress;
  double *zlo, *zhi; /* bounds in fit coordinates */
  /* the last Jacobian's runs: [g] the point itself, [(1 + j) G + g] the step in z_j of h[j],
     for each of the G groups g */
  char (*jpaths)[CALIB_PATH];
  double *h;
  cs_status failed; /* the first failure inside a GSL callback */
} fit_ctx;

static double to_x(const calib_param *p, double z) {
  double x = p->logscale ? exp(z) : z;
  return x < p->lo ? p->lo : x > p->hi ? p->hi : x;
}

cs_status calib_overrides(const calib_spec *cs, const double *x, char **text) {
  size_t len = 1;
  for (int j = 0; j < cs->np; j++) len += strlen(cs->par[j].key) + 32;
  for (int i = 0; i < cs->nfixed; i++) len += strlen(cs->fixed[i]) + 1;
  char *t = malloc(len);
  if (!t) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  size_t used = 0;
  t[0] = '\0';
  for (int i = 0; i < cs->nfixed; i++)
    used += (size_t)snprintf(t + used, len - used, "%s\n", cs->fixed[i]);
  for (int j = 0; j < cs->np; j++)
    used += (size_t)snprintf(t + used, len - used, "%s=%.17g\n", cs->par[j].key, x[j]);
  *text = t;
  return CS_OK;
}

static int ngroups(const calib_spec *cs) { return cs->ngroups > 0 ? cs->ngroups : 1; }

/* The overrides of point z, one text per group: sets[0..ngroups-1]. */
static cs_status overrides_z(const calib_spec *cs, const double *z, char **sets) {
  double x[20];
  for (int j = 0; j < cs->np; j++) x[j] = to_x(&cs->par[j], z[j]);
  for (int g = 0; g < ngroups(cs); g++) {
    char *t = NULL;
    CS_TRY(calib_overrides(cs, x, &t));
    const char *extra = cs->ngroups > 0 ? cs->group_set[g] : "";
    size_t len = strlen(t) + strlen(extra) + 1;
    sets[g] = malloc(len);
    if (sets[g]) snprintf(sets[g], len, "%s%s", t, extra);
    free(t);
    if (!sets[g]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  return CS_OK;
}

/* The observed quantities (or predictions) in the run files of one point, paths[group]:
   out[i] for list[0..n-1]. */
static cs_status read_model(char (*paths)[CALIB_PATH], const calib_obs *list, int n, double *out) {
  for (int i = 0; i < n; i++)
    CS_TRY(sweep_outcome_series(paths[list[i].group], list[i].series, &list[i].day, 1, &out[i]));
  return CS_OK;
}

static cs_status residuals(const calib_spec *cs, char (*paths)[CALIB_PATH], double *res) {
  CS_TRY(read_model(paths, cs->obs, cs->nobs, res));
  for (int i = 0; i < cs->nobs; i++) {
    if (!isfinite(res[i]))
      return CS_ERROR(CS_ERR_INPUT,
                      "%s: no value of %s at day %g (beyond the run's end?)",
                      paths[cs->obs[i].group], cs->obs[i].series, cs->obs[i].day);
    res[i] = (res[i] - cs->obs[i].value) / cs->obs[i].sd;
  }
  return CS_OK;
}

static int f_fn(const gsl_vector *zv, void *params, gsl_vector *f) {
  fit_ctx *c = params;
  int G = ngroups(c->cs);
  char **sets = calloc((size_t)G, sizeof(char *));
  char (*path)[CALIB_PATH] = calloc((size_t)G, sizeof *path);
  cs_status st = sets && path ? overrides_z(c->cs, zv->data, sets) : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) st = calib_run_points(c->r, G, sets, path);
  if (st == CS_OK) st = residuals(c->cs, path, f->data);
  for (int g = 0; sets && g < G; g++) free(sets[g]);
  free(sets);
  free(path);
  if (st != CS_OK && c->failed == CS_OK) c->failed = st;
  return st == CS_OK ? GSL_SUCCESS : GSL_EBADFUNC;
}

/* The Jacobian by forward differences: the point and its p steps run together. */
static int df_fn(const gsl_vector *zv, void *params, gsl_matrix *J) {
  fit_ctx *c = params;
  const calib_spec *cs = c->cs;
  int p = cs->np, n = cs->nobs, G = ngroups(cs);
  char **sets = calloc((size_t)((p + 1) * G), sizeof(char *));
  double z[20], *r0 = malloc((size_t)n * sizeof(double)), *r1 = malloc((size_t)n * sizeof(double));
  cs_status st = sets && r0 && r1 ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int k = 0; k <= p && st == CS_OK; k++) {
    memcpy(z, zv->data, (size_t)p * sizeof(double));
    if (k > 0) {
      int j = k - 1;
      double h = cs->fd_step * (fabs(z[j]) > 1 ? fabs(z[j]) : 1);
      c->h[j] = z[j] + h <= c->zhi[j] ? h : -h;
      z[j] += c->h[j];
    }
    st = overrides_z(cs, z, &sets[k * G]);
  }
  if (st == CS_OK) st = calib_run_points(c->r, (p + 1) * G, sets, c->jpaths);
  if (st == CS_OK) st = residuals(cs, c->jpaths, r0);
  for (int j = 0; j < p && st == CS_OK; j++) {
    st = residuals(cs, c->jpaths + (1 + j) * G, r1);
    for (int i = 0; i < n && st == CS_OK; i++) gsl_matrix_set(J, (size_t)i, (size_t)j, (r1[i] - r0[i]) / c->h[j]);
  }
  for (int k = 0; sets && k < (p + 1) * G; k++) free(sets[k]);
  free(sets);
  free(r0);
  free(r1);
  if (st != CS_OK && c->failed == CS_OK) c->failed = st;
  return st == CS_OK ? GSL_SUCCESS : GSL_EBADFUNC;
}

static void progress_line(const fit_ctx *c, size_t iter, const gsl_vector *z, double chi2) {
  const calib_spec *cs = c->cs;
  printf("iteration %3zu  chi2 %-14.8g", iter, chi2);
  if (c->progress) fprintf(c->progress, "%zu,%.17g", iter, chi2);
  for (int j = 0; j < cs->np; j++) {
    double x = to_x(&cs->par[j], gsl_vector_get(z, (size_t)j));
    printf("  %s=%.8g", cs->par[j].key, x);
    if (c->progress) fprintf(c->progress, ",%.17g", x);
  }
  printf("  (runs: %ld, reused %ld)\n", c->r->launched, c->r->reused);
  if (c->progress) {
    fputc('\n', c->progress);
    fflush(c->progress);
  }
  fflush(stdout);
}

static void callback(const size_t iter, void *params, const gsl_multifit_nlinear_workspace *w) {
  gsl_vector *f = gsl_multifit_nlinear_residual(w);
  double chi2;
  gsl_blas_ddot(f, f, &chi2);
  progress_line(params, iter, gsl_multifit_nlinear_position(w), chi2);
}

void calib_result_free(calib_result *res) {
  free(res->best);
  free(res->cov);
  free(res->lo95);
  free(res->hi95);
  free(res->at_bound);
  free(res->model);
  free(res->pred);
  free(res->pred_lo);
  free(res->pred_hi);
  memset(res, 0, sizeof *res);
}

static cs_status result_alloc(calib_result *res, int np, int nobs, int npred) {
  memset(res, 0, sizeof *res);
  res->np = np;
  res->nobs = nobs;
  res->npred = npred;
  res->best = calloc((size_t)np, sizeof(double));
  res->cov = calloc((size_t)(np * np), sizeof(double));
  res->lo95 = calloc((size_t)np, sizeof(double));
  res->hi95 = calloc((size_t)np, sizeof(double));
  res->at_bound = calloc((size_t)np, sizeof(int));
  res->model = calloc((size_t)nobs, sizeof(double));
  res->pred = calloc((size_t)npred + 1, sizeof(double));
  res->pred_lo = calloc((size_t)npred + 1, sizeof(double));
  res->pred_hi = calloc((size_t)npred + 1, sizeof(double));
  if (!res->best || !res->cov || !res->lo95 || !res->hi95 || !res->at_bound || !res->model ||
      !res->pred || !res->pred_lo || !res->pred_hi)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  return CS_OK;
}

/* Predictions at the best fit and their linearised intervals, from the last Jacobian's runs. */
static cs_status predictions(const fit_ctx *c, calib_result *res) {
  const calib_spec *cs = c->cs;
  int p = cs->np, m = cs->npred;
  if (m == 0) return CS_OK;
  double *g = malloc((size_t)(m * p) * sizeof(double)), *v = malloc((size_t)m * sizeof(double));
  int G = ngroups(cs);
  cs_status st = g && v ? read_model(c->jpaths, cs->pred, m, res->pred) : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int j = 0; j < p && st == CS_OK; j++) {
    st = read_model(c->jpaths + (1 + j) * G, cs->pred, m, v);
    for (int i = 0; i < m; i++) g[i * p + j] = (v[i] - res->pred[i]) / c->h[j];
  }
  for (int i = 0; i < m && st == CS_OK; i++) {
    double var = 0;
    for (int a = 0; a < p; a++)
      for (int b = 0; b < p; b++) var += g[i * p + a] * res->cov[a * p + b] * g[i * p + b];
    res->pred_lo[i] = res->pred[i] - Z95 * sqrt(var);
    res->pred_hi[i] = res->pred[i] + Z95 * sqrt(var);
  }
  free(g);
  free(v);
  return st;
}

/* Covariance, intervals, model values and predictions at the best fit z. */
static cs_status finish(fit_ctx *c, const gsl_vector *z, calib_result *res) {
  const calib_spec *cs = c->cs;
  int p = cs->np, n = cs->nobs;
  gsl_matrix *J = gsl_matrix_alloc((size_t)n, (size_t)p), *C = gsl_matrix_alloc((size_t)p, (size_t)p);
  if (!J || !C) {
    if (J) gsl_matrix_free(J);
    if (C) gsl_matrix_free(C);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  cs_status st = df_fn(z, c, J) == GSL_SUCCESS ? CS_OK : c->failed;
  if (st == CS_OK && gsl_multifit_nlinear_covar(J, 0.0, C) != GSL_SUCCESS)
    st = CS_ERROR(CS_ERR_RUN, "the covariance (J^T J)^-1 could not be formed");
  for (int j = 0; j < p && st == CS_OK; j++) {
    const calib_param *q = &cs->par[j];
    double zj = gsl_vector_get(z, (size_t)j), sd = sqrt(gsl_matrix_get(C, (size_t)j, (size_t)j));
    for (int k = 0; k < p; k++) res->cov[j * p + k] = gsl_matrix_get(C, (size_t)j, (size_t)k);
    res->best[j] = to_x(q, zj);
    res->lo95[j] = q->logscale ? exp(zj - Z95 * sd) : zj - Z95 * sd;
    res->hi95[j] = q->logscale ? exp(zj + Z95 * sd) : zj + Z95 * sd;
    res->at_bound[j] = zj <= c->zlo[j] || zj >= c->zhi[j];
  }
  if (st == CS_OK) st = read_model(c->jpaths, cs->obs, n, res->model);
  if (st == CS_OK) st = predictions(c, res);
  if (st == CS_OK) snprintf(res->best_run, sizeof res->best_run, "%s", c->jpaths[0]);
  gsl_matrix_free(J);
  gsl_matrix_free(C);
  return st;
}

/* The driver on the workspace w, from z0. */
static cs_status drive(fit_ctx *c, gsl_multifit_nlinear_workspace *w, gsl_vector *z0,
                       gsl_multifit_nlinear_fdf *fdf, calib_result *res) {
  const calib_spec *cs = c->cs;
  if (gsl_multifit_nlinear_init(z0, fdf, w) != GSL_SUCCESS)
    return c->failed != CS_OK ? c->failed : CS_ERROR(CS_ERR_RUN, "the fit could not start");
  gsl_vector *f = gsl_multifit_nlinear_residual(w);
  gsl_blas_ddot(f, f, &res->chi2_start); /* (the driver reports iteration 0 itself) */
  int info = 0;
  int gs = gsl_multifit_nlinear_driver((size_t)cs->max_iter, cs->xtol, cs->gtol, cs->ftol,
                                       callback, c, &info, w);
  if (c->failed != CS_OK) return c->failed;
  res->iterations = (long)gsl_multifit_nlinear_niter(w);
  res->converged = gs == GSL_SUCCESS;
  if (gs != GSL_SUCCESS && gs != GSL_EMAXITER && gs != GSL_ENOPROG)
    return CS_ERROR(CS_ERR_RUN, "the fit stopped: %s", gsl_strerror(gs));
  if (gs == GSL_ENOPROG) res->converged = 1; /* no further reduction possible: at the minimum */
  f = gsl_multifit_nlinear_residual(w);
  gsl_blas_ddot(f, f, &res->chi2);
  return finish(c, gsl_multifit_nlinear_position(w), res);
}

cs_status calib_fit(const calib_spec *cs, calib_runner *r, FILE *progress, calib_result *res) {
  int p = cs->np, n = cs->nobs;
  CS_TRY(result_alloc(res, p, n, cs->npred));
  fit_ctx c = {cs, r, progress, calloc((size_t)p, sizeof(double)), calloc((size_t)p, sizeof(double)),
               calloc((size_t)((p + 1) * ngroups(cs)), sizeof *c.jpaths), calloc((size_t)p, sizeof(double)), CS_OK};
  gsl_vector *z0 = gsl_vector_alloc((size_t)p);
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  fp.trs = gsl_multifit_nlinear_trs_lm;
  gsl_multifit_nlinear_workspace *w =
      gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, (size_t)n, (size_t)p);
  cs_status st = c.zlo && c.zhi && c.jpaths && c.h && z0 && w ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int j = 0; j < p && st == CS_OK; j++) {
    const calib_param *q = &cs->par[j];
    c.zlo[j] = q->logscale ? log(q->lo) : q->lo;
    c.zhi[j] = q->logscale ? log(q->hi) : q->hi;
    gsl_vector_set(z0, (size_t)j, q->logscale ? log(q->start) : q->start);
  }
  gsl_multifit_nlinear_fdf fdf = {f_fn, df_fn, NULL, (size_t)n, (size_t)p, &c, 0, 0, 0};
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  if (st == CS_OK) st = drive(&c, w, z0, &fdf, res);
  gsl_set_error_handler(old);
  if (w) gsl_multifit_nlinear_free(w);
  if (z0) gsl_vector_free(z0);
  free(c.zlo);
  free(c.zhi);
  free(c.jpaths);
  free(c.h);
  return st;
}
