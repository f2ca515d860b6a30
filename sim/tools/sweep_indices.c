/* sweep_indices: Sobol (Saltelli 2010 / Jansen 1999) and Morris indices (see
 * sweep_indices.h). */
#include "sweep_indices.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Per usable base sample j: f(A), f(B), and per key i the terms of S1 and ST. */
typedef struct {
  long n;
  int k;
  double *fa, *fb; /* [n] */
  double *p, *q;   /* [n * k]: (f(B) − c)(f(AB_i) − f(A)), (f(A) − f(AB_i))² */
} sobol_terms;

static void terms_free(sobol_terms *t) {
  free(t->fa);
  free(t->fb);
  free(t->p);
  free(t->q);
}

static cs_status terms_make(int k, long n, const double *y, sobol_terms *t) {
  memset(t, 0, sizeof *t);
  t->k = k;
  t->fa = malloc((size_t)n * sizeof(double));
  t->fb = malloc((size_t)n * sizeof(double));
  t->p = malloc((size_t)n * (size_t)k * sizeof(double));
  t->q = malloc((size_t)n * (size_t)k * sizeof(double));
  if (!t->fa || !t->fb || !t->p || !t->q) {
    terms_free(t);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  double c = 0; /* the mean of f(A) and f(B), subtracted in S1's terms */
  long nc = 0;
  for (long j = 0; j < n; j++) {
    const double *b = y + j * (k + 2);
    int ok = 1;
    for (int m = 0; m < k + 2; m++) ok = ok && isfinite(b[m]);
    if (ok) c += b[0] + b[k + 1], nc += 2;
  }
  c = nc ? c / (double)nc : 0;
  for (long j = 0; j < n; j++) {
    const double *b = y + j * (k + 2);
    int ok = 1;
    for (int m = 0; m < k + 2; m++) ok = ok && isfinite(b[m]);
    if (!ok) continue;
    long u = t->n++;
    t->fa[u] = b[0];
    t->fb[u] = b[k + 1];
    for (int i = 0; i < k; i++) {
      t->p[u * k + i] = (b[k + 1] - c) * (b[i + 1] - b[0]);
      t->q[u * k + i] = (b[0] - b[i + 1]) * (b[0] - b[i + 1]);
    }
  }
  return CS_OK;
}

/* S1 and ST of every key over the samples pick[0..n-1] of t (pick NULL: all in order). */
static void estimate(const sobol_terms *t, const long *pick, double *s1, double *st) {
  int k = t->k;
  long n = t->n;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < k; i++) s1[i] = st[i] = 0;
  for (long a = 0; a < n; a++) {
    long j = pick ? pick[a] : a;
    sum += t->fa[j] + t->fb[j];
    for (int i = 0; i < k; i++) {
      s1[i] += t->p[j * k + i];
      st[i] += t->q[j * k + i];
    }
  }
  double mean = sum / (2.0 * n);
  for (long a = 0; a < n; a++) {
    long j = pick ? pick[a] : a;
    sum2 += (t->fa[j] - mean) * (t->fa[j] - mean) + (t->fb[j] - mean) * (t->fb[j] - mean);
  }
  double var = sum2 / (2.0 * n - 1.0);
  for (int i = 0; i < k; i++) {
    s1[i] = var > 0 ? s1[i] / n / var : NAN;
    st[i] = var > 0 ? st[i] / (2.0 * n) / var : NAN;
  }
}

/* The lo and hi quantiles of the finite ones of v[0..n-1] (a resample whose outcomes are all
   equal has no variance, hence no index); NaN when none is finite. col: scratch of n. */
static void percentiles(const double *v, long n, double *col, double lo, double hi, double *qlo,
                        double *qhi) {
  size_t m = 0;
  for (long b = 0; b < n; b++)
    if (isfinite(v[b])) col[m++] = v[b];
  *qlo = *qhi = NAN;
  if (m == 0) return;
  gsl_sort(col, 1, m);
  *qlo = gsl_stats_quantile_from_sorted_data(col, 1, m, lo);
  *qhi = gsl_stats_quantile_from_sorted_data(col, 1, m, hi);
}

/* Percentile intervals of S1 and ST from nboot resamples. */
static cs_status bootstrap(const sobol_terms *t, long nboot, unsigned long seed, double level,
                           sweep_sobol *out) {
  int k = t->k;
  long n = t->n;
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  long *pick = malloc((size_t)n * sizeof(long));
  double *bs1 = malloc((size_t)nboot * (size_t)k * sizeof(double));
  double *bst = malloc((size_t)nboot * (size_t)k * sizeof(double));
  double *s1 = malloc((size_t)k * sizeof(double)), *st = malloc((size_t)k * sizeof(double));
  double *col = malloc((size_t)nboot * sizeof(double));
  cs_status rc = CS_OK;
  if (!g || !pick || !bs1 || !bst || !s1 || !st || !col) {
    rc = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  } else {
    gsl_rng_set(g, seed);
    for (long b = 0; b < nboot; b++) {
      for (long a = 0; a < n; a++) pick[a] = (long)gsl_rng_uniform_int(g, (unsigned long)n);
      estimate(t, pick, s1, st);
      for (int i = 0; i < k; i++) {
        bs1[i * nboot + b] = s1[i];
        bst[i * nboot + b] = st[i];
      }
    }
    double lo = (1 - level) / 2, hi = 1 - lo;
    for (int i = 0; i < k; i++) {
      percentiles(bs1 + i * nboot, nboot, col, lo, hi, &out[i].s1_lo, &out[i].s1_hi);
      percentiles(bst + i * nboot, nboot, col, lo, hi, &out[i].st_lo, &out[i].st_hi);
    }
  }
  if (g) gsl_rng_free(g);
  free(pick);
  free(bs1);
  free(bst);
  free(s1);
  free(st);
  free(col);
  return rc;
}

cs_status sweep_sobol_indices(int k, long n, const double *y, long nboot, unsigned long seed,
                              double level, sweep_sobol *out, sweep_sobol_info *info) {
  if (k < 1 || n < 1 || nboot < 1 || !(level > 0 && level < 1))
    return CS_ERROR(CS_ERR_INPUT, "sobol indices: needs k >= 1, N >= 1, nboot >= 1, 0 < level < 1");
  for (int i = 0; i < k; i++)
    out[i] = (sweep_sobol){NAN, NAN, NAN, NAN, NAN, NAN};
  sobol_terms t;
  CS_TRY(terms_make(k, n, y, &t));
  info->used = t.n;
  info->variance = NAN;
  cs_status rc = CS_OK;
  if (t.n >= 2) {
    double *s1 = malloc((size_t)k * sizeof(double)), *st = malloc((size_t)k * sizeof(double));
    if (!s1 || !st) {
      rc = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    } else {
      estimate(&t, NULL, s1, st);
      for (int i = 0; i < k; i++) {
        out[i].s1 = s1[i];
        out[i].st = st[i];
      }
      double *both = malloc((size_t)(2 * t.n) * sizeof(double));
      if (both) {
        memcpy(both, t.fa, (size_t)t.n * sizeof(double));
        memcpy(both + t.n, t.fb, (size_t)t.n * sizeof(double));
        info->variance = gsl_stats_variance(both, 1, (size_t)(2 * t.n));
        free(both);
      }
      rc = both ? bootstrap(&t, nboot, seed, level, out) : CS_ERROR(CS_ERR_NOMEM, "out of memory");
    }
    free(s1);
    free(st);
  }
  terms_free(&t);
  return rc;
}

cs_status sweep_morris_indices(int k, long r, const double *u, const double *y,
                               sweep_morris *out) {
  double *ee = malloc((size_t)(r > 0 ? r : 1) * (size_t)k * sizeof(double));
  if (!ee) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  long used = 0;
  for (long t = 0; t < r; t++) {
    const double *x = u + t * (long)(k + 1) * k, *f = y + t * (k + 1);
    int ok = 1;
    for (int s = 0; s <= k; s++) ok = ok && isfinite(f[s]);
    if (!ok) continue;
    for (int s = 1; s <= k; s++) {
      int i = 0; /* the coordinate that moved at step s */
      while (i < k - 1 && x[s * k + i] == x[(s - 1) * k + i]) i++;
      double d = x[s * k + i] - x[(s - 1) * k + i];
      ee[i * r + used] = (f[s] - f[s - 1]) / d;
    }
    used++;
  }
  for (int i = 0; i < k; i++) {
    double *e = ee + i * r;
    double sum = 0, sabs = 0;
    for (long a = 0; a < used; a++) {
      sum += e[a];
      sabs += fabs(e[a]);
    }
    out[i].used = used;
    out[i].mu = used ? sum / used : NAN;
    out[i].mu_star = used ? sabs / used : NAN;
    out[i].sigma = used > 1 ? gsl_stats_sd(e, 1, (size_t)used) : NAN;
  }
  free(ee);
  return CS_OK;
}
