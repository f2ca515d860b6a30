/* verify_util: small helpers shared by the verification tests (tests/test_verify_*.c).
 *
 * Static inline functions only. Include this header first in a test (it asks for POSIX
 * interfaces: mkstemp, clock_gettime). Every check prints one line with the measured value
 * and its bound, PASS or FAIL, so that a passing run documents the numbers too. */
#ifndef CISIM_VERIFY_UTIL_H
#define CISIM_VERIFY_UTIL_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "grid.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sim.h"

/* CISIM_TEST_QUICK=1 (set by CI under sanitizers if it wants): smaller grids. */
static inline int vu_quick(void) {
  const char *q = getenv("CISIM_TEST_QUICK");
  return q && *q && strcmp(q, "0") != 0;
}

/* Wall-clock seconds. */
static inline double vu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The reaction term of a two-species model with no reactions: transport alone is tested. */
static inline void vu_no_reaction2(const void *inst, const cell_info *c, double t,
                                   const double *u, double *f, double *k) {
  (void)inst;
  (void)c;
  (void)t;
  (void)u;
  f[0] = f[1] = 0;
  k[0] = k[1] = 0;
}

/* Abort the test with the engine's message when a call fails (setup is not what is tested). */
static inline void vu_try(cs_status st, const char *what) {
  if (st != CS_OK) {
    fprintf(stderr, "FAIL: %s: status %d: %s\n", what, (int)st, cs_error_message());
    exit(1);
  }
}

/* One checked quantity: prints "PASS|FAIL  name = value  (relation bound; why)" and returns
   1 on failure, 0 on success, so that a test can sum its failures. */
static inline int vu_report(int ok, const char *name, double value, const char *rel, double bound,
                            const char *why) {
  printf("%s  %-48s = %-12.5g (%s %.5g%s%s)\n", ok ? "PASS" : "FAIL", name, value, rel, bound,
         why && *why ? "; " : "", why ? why : "");
  fflush(stdout);
  return !ok;
}
static inline int vu_le(const char *name, double value, double bound, const char *why) {
  return vu_report(value <= bound, name, value, "<=", bound, why); /* NaN fails */
}
static inline int vu_ge(const char *name, double value, double bound, const char *why) {
  return vu_report(value >= bound, name, value, ">=", bound, why);
}
/* |value - target| <= tol */
static inline int vu_near(const char *name, double value, double target, double tol,
                          const char *why) {
  int ok = fabs(value - target) <= tol;
  printf("%s  %-48s = %-12.6g (target %.6g ± %.3g%s%s)\n", ok ? "PASS" : "FAIL", name, value,
         target, tol, why && *why ? "; " : "", why ? why : "");
  fflush(stdout);
  return !ok;
}
/* An informative number that is not asserted. */
static inline void vu_info(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("info  ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
}

/* Load YAML text as a configuration (written to a temporary file, removed afterwards). */
static inline void vu_params_from_yaml(params *p, const char *yaml) {
  const char *dir = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/cisim_verify_XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) {
    fprintf(stderr, "FAIL: cannot create a temporary file %s\n", path);
    exit(1);
  }
  size_t len = strlen(yaml);
  ssize_t w = write(fd, yaml, len);
  close(fd);
  if (w != (ssize_t)len) {
    unlink(path);
    fprintf(stderr, "FAIL: cannot write %s\n", path);
    exit(1);
  }
  cs_status st = params_load(p, path, NULL, 0, model_registry_lookup);
  unlink(path);
  if (st != CS_OK) {
    fprintf(stderr, "FAIL: config rejected: %s\n--- config ---\n%s\n", cs_error_message(), yaml);
    exit(1);
  }
}

/* A whole simulation from YAML text (the params are not needed afterwards: the grid, the
   model instance and the options are copies). */
static inline void vu_sim_from_yaml(sim *s, const char *yaml, int nthreads) {
  params p;
  vu_params_from_yaml(&p, yaml);
  vu_try(sim_create(s, &p, nthreads), "sim_create");
  params_free(&p);
}

/* Exactly nsteps steps of dt (== s->opt.dt_max, fixed-step mode): one sim_advance_to per step,
   each to s->t + dt computed as the engine computes it, so that the step lands whatever the
   rounding of t (a target like t0 + n*dt can fall an ulp beyond s->t + dt, and the engine
   would then split the step in two). */
static inline void vu_advance_steps(sim *s, double dt, long nsteps) {
  for (long n = 1; n <= nsteps; n++) vu_try(sim_advance_to(s, s->t + dt), "sim_advance_to");
}

/* Sum of species q over the cells times the cell volume (total amount). */
static inline double vu_total(const sim *s, int q) {
  const double *u = s->u[q];
  double sum = 0;
  for (size_t c = 0; c < s->g->ncell; c++) sum += u[c];
  return sum * grid_cell_volume(s->g);
}

/* Kahan-compensated version, for conservation checks at the 1e-13 level. */
static inline double vu_total_exact(const sim *s, int q) {
  const double *u = s->u[q];
  double sum = 0, comp = 0;
  for (size_t c = 0; c < s->g->ncell; c++) {
    double y = u[c] - comp, t = sum + y;
    comp = (t - sum) - y;
    sum = t;
  }
  return sum * grid_cell_volume(s->g);
}

static inline double vu_min(const double *u, size_t n) {
  double m = INFINITY;
  for (size_t c = 0; c < n; c++) m = u[c] < m ? u[c] : m;
  return m;
}
static inline double vu_max(const double *u, size_t n) {
  double m = -INFINITY;
  for (size_t c = 0; c < n; c++) m = u[c] > m ? u[c] : m;
  return m;
}

/* Least-squares slope of log(e) against log(h): the observed order of convergence. */
static inline double vu_fit_order(const double *h, const double *e, int n) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (int i = 0; i < n; i++) {
    double x = log(h[i]), y = log(e[i]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

#endif
