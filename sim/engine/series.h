/* series: the engine's own diagnostics of a state, the same for every model: per species the
 * total amount, the largest cell value and the mean over each layer. The run file's /series,
 * the outcome metrics (outcome.h) and the tests read them.
 *
 * Layout per species q: total, max, then one mean per layer (series_count = ns·(2 + nlayers)).
 * Sums run per row in parallel and are then added in row order, so the values are the same
 * bits for any thread count. */
#ifndef CISIM_SERIES_H
#define CISIM_SERIES_H

#include <stddef.h>

#include "error.h"
#include "grid.h"
#include "model.h"

typedef struct {
  const grid *g;
  const model *m;
  int nthreads;
  double *row_buf; /* [ny*nz] per-row partial sums */
} series_ctx;

cs_status series_init(series_ctx *sr, const grid *g, const model *m, int nthreads);
void series_free(series_ctx *sr);

int series_count(const series_ctx *sr);
void series_describe(const series_ctx *sr, int q, char *name, size_t namelen, char *unit,
                     size_t unitlen, char *long_name, size_t longlen);
/* The values of the state u (one array per species) into values[series_count]. */
void series_of(const series_ctx *sr, double *const *u, double *values);

#endif
