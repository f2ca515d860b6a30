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

void series_of(const series_ctx *sr, double *const *state, double *values) {
  const grid *g = sr->g;
  const int rows = g->ny * g->nz, per = 2 + g->nlayers, ns = sr->m->nspecies;
  double *row_buf = sr->row_buf;
  double mxs[MODEL_MAX_SPECIES];
  for (int q = 0; q < MODEL_MAX_SPECIES; q++) mxs[q] = -INFINITY;
  /* Row sums in parallel, then added in row order: the same bits for any thread count. One
     parallel region for every species: this runs after every accepted step. */
#pragma omp parallel for schedule(static) reduction(max : mxs[:MODEL_MAX_SPECIES]) \
    num_threads(sr->nthreads)
  for (int row = 0; row < rows; row++)
    for (int q = 0; q < ns; q++) {
      const double *ur = state[q] + (size_t)row * (size_t)g->nx;
      double sum = 0, mx = mxs[q];
      for (int i = 0; i < g->nx; i++) {
        sum += ur[i];
        mx = ur[i] > mx ? ur[i] : mx;
      }
      mxs[q] = mx;
      row_buf[(size_t)q * (size_t)rows + (size_t)row] = sum;
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
