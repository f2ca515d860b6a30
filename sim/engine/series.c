#include "series.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

cs_status series_init(series_ctx *sr, const grid *g, const model *m, int nthreads) {
  sr->g = g;
  sr->m = m;
  sr->nthreads = nthreads < 1 ? 1 : nthreads;
  sr->row_buf = malloc(sizeof(double) * (size_t)g->ny * (size_t)g->nz *
                       (size_t)(m->nspecies > 0 ? m->nspecies : 1));
  if (!sr->row_buf) return CS_ERROR(CS_ERR_NOMEM, "out of memory (series)");
  return CS_OK;
}

void series_free(series_ctx *sr) {
  free(sr->row_buf);
  sr->row_buf = NULL;
}

int series_count(const series_ctx *sr) { return sr->m->nspecies * (2 + sr->g->nlayers); }

void series_describe(const series_ctx *sr, int q, char *name, size_t namelen, char *unit,
                     size_t unitlen, char *long_name, size_t longlen) {
  const grid *g = sr->g;
  int per = 2 + g->nlayers, sp = q / per, kind = q % per;
  const species_info *si = &sr->m->species[sp];
  if (kind == 0) {
    snprintf(name, namelen, "%s_total", si->name);
    snprintf(unit, unitlen, "%s·%s", si->unit, g->dims == 3 ? "µm³" : "µm²");
    snprintf(long_name, longlen, "%s integrated over the domain%s", si->long_name,
             g->dims == 3 ? "" : " (per µm of the cross-section's thickness)");
  } else if (kind == 1) {
    snprintf(name, namelen, "%s_max", si->name);
    snprintf(unit, unitlen, "%s", si->unit);
    snprintf(long_name, longlen, "largest %s in any cell", si->long_name);
  } else {
    const char *ln = g->layers[kind - 2].name;
    snprintf(name, namelen, "%s_mean_%s", si->name, ln);
    snprintf(unit, unitlen, "%s", si->unit);
    snprintf(long_name, longlen, "mean %s over the %s layer", si->long_name, ln);
  }
}

/* The sums and maxima of four rows at once, each added in index order as one row alone would
   be: four independent chains, so the adds overlap instead of waiting on each other's latency
   (one row's sum is a chain of nx dependent adds), with the bits of the one-row loop. */
static void rows4_sum_max(const double *const *r, int nx, double *sum, double *mx) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  double m0 = mx[0], m1 = mx[1], m2 = mx[2], m3 = mx[3];
  for (int i = 0; i < nx; i++) {
    const double v0 = r[0][i], v1 = r[1][i], v2 = r[2][i], v3 = r[3][i];
    s0 += v0;
    s1 += v1;
    s2 += v2;
    s3 += v3;
    m0 = v0 > m0 ? v0 : m0;
    m1 = v1 > m1 ? v1 : m1;
    m2 = v2 > m2 ? v2 : m2;
    m3 = v3 > m3 ? v3 : m3;
  }
  sum[0] = s0, sum[1] = s1, sum[2] = s2, sum[3] = s3;
  mx[0] = m0, mx[1] = m1, mx[2] = m2, mx[3] = m3;
}

void series_of(const series_ctx *sr, double *const *state, double *values) {
  const grid *g = sr->g;
  const int rows = g->ny * g->nz, per = 2 + g->nlayers, ns = sr->m->nspecies;
  double *row_buf = sr->row_buf;
  double mxs[MODEL_MAX_SPECIES];
  for (int q = 0; q < MODEL_MAX_SPECIES; q++) mxs[q] = -INFINITY;
  /* Row sums in parallel, then added in row order: the same bits for any thread count. One
     parallel region for every species: this runs after every accepted step. The species of a
     row go four at a time; a last group of fewer repeats its last species, whose extra result
     is dropped. */
#pragma omp parallel for schedule(static) reduction(max : mxs[:MODEL_MAX_SPECIES]) \
    num_threads(sr->nthreads)
  for (int row = 0; row < rows; row++)
    for (int q0 = 0; q0 < ns; q0 += 4) {
      const double *r[4];
      double sum[4], mx[4];
      for (int j = 0; j < 4; j++) {
        const int q = q0 + j < ns ? q0 + j : ns - 1;
        r[j] = state[q] + (size_t)row * (size_t)g->nx;
        mx[j] = mxs[q];
      }
      rows4_sum_max(r, g->nx, sum, mx);
      for (int j = 0; j < 4 && q0 + j < ns; j++) {
        mxs[q0 + j] = mx[j];
        row_buf[(size_t)(q0 + j) * (size_t)rows + (size_t)row] = sum[j];
      }
    }
  for (int q = 0; q < ns; q++) {
    const double *rb = row_buf + (size_t)q * (size_t)rows;
    const double mx = mxs[q];
    double total = 0, lsum[PARAMS_MAX_LAYERS] = {0};
    long lcount[PARAMS_MAX_LAYERS] = {0};
    for (int row = 0; row < rows; row++) {
      int l = g->layer_of_z[row / g->ny];
      total += rb[row];
      lsum[l] += rb[row];
      lcount[l] += g->nx;
    }
    values[q * per] = total * grid_cell_volume(g);
    values[q * per + 1] = mx;
    for (int l = 0; l < g->nlayers; l++)
      values[q * per + 2 + l] = lcount[l] ? lsum[l] / (double)lcount[l] : NAN;
  }
}
