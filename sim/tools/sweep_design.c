/* sweep_design: Saltelli and Morris designs in the unit cube (see sweep_design.h). */
#include "sweep_design.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>

cs_status sweep_design_saltelli(int k, long n, double *u) {
  if (k < 1 || k > SWEEP_SALTELLI_MAX_K || n < 1)
    return CS_ERROR(CS_ERR_INPUT, "saltelli design: needs 1 to %d keys and N >= 1 (got %d, %ld)",
                    SWEEP_SALTELLI_MAX_K, k, n);
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
  if (!q) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  double ab[2 * SWEEP_SALTELLI_MAX_K];
  /* The first points of the sequence repeat across dimensions ((1/2, ..., 1/2), then
     (3/4, 1/4, 3/4, 1/4), ...: A_j = B_j); skip 2^m >= N of them (as SALib does). */
  long skip = 1;
  while (skip < n) skip *= 2;
  for (long j = 0; j < skip; j++) gsl_qrng_get(q, ab);
  for (long j = 0; j < n; j++) {
    gsl_qrng_get(q, ab);
    double *blk = u + j * (long)(k + 2) * k;
    for (int m = 0; m < k + 2; m++)
      for (int i = 0; i < k; i++) {
        int from_b = m == k + 1 || m == i + 1;
        blk[m * k + i] = ab[from_b ? k + i : i];
      }
  }
  gsl_qrng_free(q);
  return CS_OK;
}

double sweep_morris_delta(int p) { return (double)p / (2.0 * (p - 1)); }

cs_status sweep_design_morris(int k, long r, int p, unsigned long seed, double *u) {
  if (k < 1 || r < 1 || p < 2 || p % 2)
    return CS_ERROR(CS_ERR_INPUT, "morris design: needs keys >= 1, r >= 1, even levels >= 2");
  gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
  int *order = malloc((size_t)k * sizeof(int));
  double *dirs = malloc((size_t)k * sizeof(double)); /* +1 up, -1 down, per coordinate */
  if (!g || !order || !dirs) {
    if (g) gsl_rng_free(g);
    free(order);
    free(dirs);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  gsl_rng_set(g, seed);
  double delta = sweep_morris_delta(p);
  int nbase = p / 2; /* grid levels l / (p - 1) with l / (p - 1) + Δ <= 1 */
  for (long t = 0; t < r; t++) {
    double *x = u + t * (long)(k + 1) * k;
    for (int i = 0; i < k; i++) {
      double base = (double)gsl_rng_uniform_int(g, (unsigned long)nbase) / (p - 1);
      int up = gsl_rng_uniform(g) < 0.5;
      x[i] = up ? base : base + delta; /* a step down starts Δ higher */
      dirs[i] = up ? +1.0 : -1.0;
      order[i] = i;
    }
    for (int i = k - 1; i > 0; i--) { /* Fisher-Yates: the order of the moves */
      int j = (int)gsl_rng_uniform_int(g, (unsigned long)(i + 1));
      int s = order[i];
      order[i] = order[j];
      order[j] = s;
    }
    for (int s = 1; s <= k; s++) {
      for (int i = 0; i < k; i++) x[s * k + i] = x[(s - 1) * k + i];
      int i = order[s - 1];
      x[s * k + i] += dirs[i] * delta;
    }
  }
  gsl_rng_free(g);
  free(order);
  free(dirs);
  return CS_OK;
}
