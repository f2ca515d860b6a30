#include "step2.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_state.h"

/* Per row and species: the mass the positivity remedy adds (cells set to 0), the sum of the
   positive corrections it takes that mass from, and the number of cells set to 0 (-1: the
   row holds a value that is not finite). */
enum { ROW_ADD, ROW_POS, ROW_CLIPPED, ROW_N };

struct step2 {
  double *coarse[MODEL_MAX_SPECIES]; /* the coarse solution: s->du, free in this scheme */
  double *rows;                      /* [(q * rows + row) * ROW_N] */
  size_t bytes;
};

cs_status step2_create(step2 **out, const sim *s) {
  step2 *w = calloc(1, sizeof *w);
  if (!w) return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  *out = w;
  for (int q = 0; q < s->ns; q++) w->coarse[q] = s->du[q];
  const size_t rows = (size_t)s->g->ny * (size_t)s->g->nz;
  w->bytes = sizeof(double) * ROW_N * rows * (size_t)s->ns;
  w->rows = malloc(w->bytes);
  if (!w->rows) return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  return CS_OK;
}

void step2_free(step2 *w) {
  if (!w) return;
  free(w->rows);
  free(w);
}

size_t step2_bytes(const step2 *w) { return w ? w->bytes + sizeof *w : 0; }

/* One pass over both solutions: the error norm of the fine one, the finiteness check and the
   row sums of the positivity remedy. Returns the norm, or INFINITY with the first non-finite
   value (index order: rows, then species, then x) in *bq, *bc. */
static double compare(sim *s, int *bq, size_t *bc) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int rows = g->ny * g->nz, nx = g->nx, ns = s->ns;
  const double rtol = s->opt.rtol;
  const int remedy = !s->opt.signed_values;
  double e = 0;
#pragma omp parallel for schedule(static) reduction(max : e) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++) {
    const size_t i0 = (size_t)row * (size_t)nx;
    double er = 0;
    for (int q = 0; q < ns; q++) {
      const double atol = s->atol[q];
      const double *uf = s->u[q] + i0, *uc = w->coarse[q] + i0;
      double add = 0, pos = 0, clipped = 0;
      int finite = 1;
      for (int i = 0; i < nx; i++) {
        const double d = uf[i] - uc[i], ue = uf[i] + d;
        const double r = fabs(d) / (atol + rtol * fabs(uf[i]));
        finite &= isfinite(d) && isfinite(uf[i]);
        er = r > er ? r : er;
        if (remedy && ue < 0 && uf[i] >= 0 && uc[i] >= 0) {
          add -= ue;
          clipped += 1;
        }
        pos += d > 0 ? d : 0.0;
      }
      double *rs = w->rows + ((size_t)q * (size_t)rows + (size_t)row) * ROW_N;
      rs[ROW_ADD] = add;
      rs[ROW_POS] = pos;
      rs[ROW_CLIPPED] = finite ? clipped : -1.0;
    }
    e = er > e ? er : e;
  }
  for (int row = 0; row < rows; row++) {
    int bad = 0;
    for (int q = 0; q < ns; q++)
      bad |= w->rows[((size_t)q * (size_t)rows + (size_t)row) * ROW_N + ROW_CLIPPED] < 0;
    if (!bad) continue;
    const size_t i0 = (size_t)row * (size_t)nx;
    for (int q = 0; q < ns; q++)
      for (int i = 0; i < nx; i++) {
        const double uf = s->u[q][i0 + (size_t)i], uc = w->coarse[q][i0 + (size_t)i];
        if (!isfinite(uf) || !isfinite(uf - uc)) {
          *bq = q;
          *bc = i0 + (size_t)i;
          return INFINITY;
        }
      }
  }
  /* Every value finite, yet an infinite ratio: atol = 0 and a value exactly 0 in u_f. A pure
     relative tolerance cannot be met there; a huge error makes the control shrink the step
     until time.dt_min_day stops the run with its advice, rather than report a non-finite
     value that is not there. */
  return isinf(e) ? DBL_MAX : e;
}

cs_status step2_begin(sim *s, double dt, double *err, int *bad_species, size_t *bad_cell) {
  step2 *w = s->s2;
  /* The step's start is s->un (sim_advance_to swapped it there); both solutions start from it
     inside their first reaction pass, which copies it block by block as it goes. */
  /* coarse: one Lie step over dt; fine: two over dt/2 (the same arithmetic, smaller h) */
  cs_status st = reaction_step_from(s->rx, w->coarse, s->un, s->t, dt, &s->nsubsteps);
  if (st != CS_OK) { /* the failed state is the coarse one; u shows the start, as it did */
    for (int q = 0; q < s->ns; q++) memcpy(s->u[q], s->un[q], sizeof(double) * s->g->ncell);
    return st;
  }
  transport_step(s->tr, w->coarse, dt);
  CS_TRY(reaction_step_from(s->rx, s->u, s->un, s->t, 0.5 * dt, &s->nsubsteps));
  transport_step(s->tr, s->u, 0.5 * dt);
  CS_TRY(reaction_step(s->rx, s->u, s->t + 0.5 * dt, 0.5 * dt, &s->nsubsteps));
  transport_step(s->tr, s->u, 0.5 * dt);
  *err = compare(s, bad_species, bad_cell);
  return CS_OK;
}

void step2_finish(sim *s) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int rows = g->ny * g->nz, nx = g->nx, ns = s->ns;
  double take[MODEL_MAX_SPECIES];
  for (int q = 0; q < ns; q++) {
    const double *rs = w->rows + (size_t)q * (size_t)rows * ROW_N;
    double add = 0, pos = 0, clipped = 0;
    for (int row = 0; row < rows; row++) { /* in row order: thread-count independent */
      add += rs[(size_t)row * ROW_N + ROW_ADD];
      pos += rs[(size_t)row * ROW_N + ROW_POS];
      clipped += rs[(size_t)row * ROW_N + ROW_CLIPPED];
    }
    /* Share of each positive correction given back for the mass the clipped cells gained;
       at most all of it (only where the walls do not conserve can add exceed pos). */
    take[q] = add > 0 ? (add < pos ? add / pos : 1.0) : 0.0;
    s->nlimited += (long)clipped;
  }
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++)
    for (int q = 0; q < ns; q++) {
      double *uf = s->u[q] + (size_t)row * (size_t)nx;
      const double *uc = w->coarse[q] + (size_t)row * (size_t)nx;
      const double tq = take[q];
      if (tq == 0) {
        for (int i = 0; i < nx; i++) uf[i] += uf[i] - uc[i];
      } else {
        for (int i = 0; i < nx; i++) {
          const double d = uf[i] - uc[i], ue = uf[i] + d;
          uf[i] = ue < 0 && uf[i] >= 0 && uc[i] >= 0 ? 0.0 : d > 0 ? ue - tq * d : ue;
        }
      }
    }
}
