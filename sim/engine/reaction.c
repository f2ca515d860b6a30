#include "reaction.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

/* Past this many substeps in one split step the problem is mis-posed (or the tolerances are),
   and the user learns where rather than waiting forever. */
#define REACTION_MAX_SUBSTEPS 100000

struct reaction {
  const grid *g;
  const model *m;
  const void *inst;
  double rtol, atol;
  int nthreads;
  double *source;      /* [ncell] or NULL */
  long *row_substeps;  /* [ny*nz]: per-row counts summed in a fixed order */
  int *row_fail;       /* [ny*nz]: failing cell index + 1 within the row, 0 = fine */
};

cs_status reaction_create(reaction **out, const grid *g, const model *m, const void *inst,
                          double rtol, double atol, int nthreads) {
  reaction *r = calloc(1, sizeof *r);
  if (!r) return CS_ERROR(CS_ERR_NOMEM, "out of memory (reaction)");
  *out = r;
  r->g = g;
  r->m = m;
  r->inst = inst;
  r->rtol = rtol;
  r->atol = atol;
  r->nthreads = nthreads > 0 ? nthreads : 1;
  size_t rows = (size_t)g->ny * (size_t)g->nz;
  r->row_substeps = calloc(rows, sizeof(long));
  r->row_fail = calloc(rows, sizeof(int));
  if (!r->row_substeps || !r->row_fail) return CS_ERROR(CS_ERR_NOMEM, "out of memory (reaction)");
  if (m->cell_source) {
    r->source = malloc(sizeof(double) * g->ncell);
    if (!r->source) return CS_ERROR(CS_ERR_NOMEM, "out of memory (reaction sources)");
    reaction_update_sources(r);
  }
  return CS_OK;
}

void reaction_free(reaction *r) {
  if (!r) return;
  free(r->source);
  free(r->row_substeps);
  free(r->row_fail);
  free(r);
}

size_t reaction_bytes(const reaction *r) {
  return (r->source ? sizeof(double) * r->g->ncell : 0) +
         (sizeof(long) + sizeof(int)) * (size_t)r->g->ny * (size_t)r->g->nz;
}

static void cell_geometry(const grid *g, int i, int j, int k, cell_info *c) {
  c->layer = g->layer_of_z[k];
  c->x = (i + 0.5) * g->h;
  c->y = (j + 0.5) * g->h;
  c->z = (k + 0.5) * g->h;
  c->source = 0;
}

void reaction_cell_info(const reaction *r, int i, int j, int k, cell_info *c) {
  cell_geometry(r->g, i, j, k, c);
  if (r->source) c->source = r->source[grid_index(r->g, i, j, k)];
}

void reaction_update_sources(reaction *r) {
  if (!r->source) return;
  const grid *g = r->g;
  int rows = g->ny * g->nz;
#pragma omp parallel for schedule(static) num_threads(r->nthreads)
  for (int row = 0; row < rows; row++) {
    int j = row % g->ny, k = row / g->ny;
    for (int i = 0; i < g->nx; i++) {
      cell_info c;
      cell_geometry(g, i, j, k, &c);
      r->source[grid_index(g, i, j, k)] = r->m->cell_source(r->inst, &c, g->h, g->dims);
    }
  }
}

/* The linear loss k is frozen at the start of each substep; the remainder is
   N(t, u) = f(t, u) - (k(t, u) - k0) u. */
static void etd_remainder(const model *m, const void *inst, const cell_info *c, double t,
                          const double *u, const double *k0, double *nrem) {
  double f[MODEL_MAX_SPECIES], k[MODEL_MAX_SPECIES];
  m->reaction(inst, c, t, u, f, k);
  for (int s = 0; s < m->nspecies; s++) nrem[s] = f[s] - (k[s] - k0[s]) * u[s];
}

/* e^z, phi1(z) = (e^z - 1)/z and phi2(z) = (e^z - 1 - z)/z^2 at z = -k h, per species, for
   the last (k, h): neighbouring cells usually share both (a layer's decay rate, the split
   step), and the exponential dominates the cost of a quiet cell. */
typedef struct {
  double k[MODEL_MAX_SPECIES], h[MODEL_MAX_SPECIES];
  double e[MODEL_MAX_SPECIES], p1[MODEL_MAX_SPECIES], p2[MODEL_MAX_SPECIES];
} exp_cache;

static void exp_cache_reset(exp_cache *ec) {
  for (int s = 0; s < MODEL_MAX_SPECIES; s++) ec->k[s] = ec->h[s] = -1;
}

static void phi_functions(exp_cache *ec, int s, double k, double h) {
  if (k == ec->k[s] && h == ec->h[s]) return;
  ec->k[s] = k;
  ec->h[s] = h;
  double z = -k * h;
  if (fabs(z) < 1e-3) { /* series: the closed forms cancel catastrophically near 0 */
    ec->e[s] = exp(z);
    ec->p1[s] = 1 + z * (0.5 + z * (1.0 / 6 + z * (1.0 / 24 + z / 120)));
    ec->p2[s] = 0.5 + z * (1.0 / 6 + z * (1.0 / 24 + z * (1.0 / 120 + z / 720)));
  } else {
    double em1 = expm1(z);
    ec->e[s] = exp(z); /* not em1 + 1: e^z keeps its relative accuracy when it is tiny */
    ec->p1[s] = em1 / z;
    ec->p2[s] = (em1 - z) / (z * z);
  }
}

/* One cell over [t, t + dt]: exponential time differencing, ETD2RK (Cox & Matthews 2002,
   J Comput Phys 176:430) with the exponential Euler step (ETD1) embedded:
     a     = e^{-kh} u + h phi1 N(t, u)                         first order
     u_new = a + h phi2 (N(t + h, a) - N(t, u))                 second order
   Both are exact for pure decay and for decay with a constant source, so fast decay never
   limits the substep; the difference h phi2 (N1 - N0) estimates the first-order error and the
   second-order value is kept. Two model evaluations per substep. */
static cs_status integrate_cell(const model *m, const void *inst, const cell_info *c, double *u,
                                double t, double dt, double rtol, double atol, long *substeps,
                                exp_cache *ec) {
  const int ns = m->nspecies;
  double h = dt, tt = t, tend = t + dt;
  long nsub = 0, attempts = 0;
  int last = 0;
  while (!last) {
    if (++attempts > REACTION_MAX_SUBSTEPS)
      return CS_ERROR(CS_ERR_RUN, "reaction: more than %d substeps at t = %.9g day",
                      REACTION_MAX_SUBSTEPS, tt);
    if (tt + 1.01 * h >= tend) { /* land exactly, no sliver substep */
      h = tend - tt;
      last = 1;
    }
    double k0[MODEL_MAX_SPECIES], N0[MODEL_MAX_SPECIES], N1[MODEL_MAX_SPECIES];
    double a[MODEL_MAX_SPECIES], un[MODEL_MAX_SPECIES];
    m->reaction(inst, c, tt, u, N0, k0);
    for (int s = 0; s < ns; s++) {
      phi_functions(ec, s, k0[s], h);
      a[s] = ec->e[s] * u[s] + h * ec->p1[s] * N0[s];
    }
    etd_remainder(m, inst, c, tt + h, a, k0, N1);
    double err = 0;
    int finite = 1;
    for (int s = 0; s < ns; s++) {
      double corr = h * ec->p2[s] * (N1[s] - N0[s]);
      un[s] = a[s] + corr;
      double r = fabs(corr) / (atol + rtol * fmax(fabs(u[s]), fabs(un[s])));
      if (!isfinite(un[s]) || !isfinite(r)) finite = 0;
      if (r > err) err = r;
    }
    if (!finite) {
      if (h < 1e-14 * (dt > 0 ? dt : 1))
        return CS_ERROR(CS_ERR_RUN, "reaction: non-finite value at t = %.9g day", tt);
      h *= 0.25;
      last = 0;
      continue;
    }
    if (err <= 1.0) {
      for (int s = 0; s < ns; s++) u[s] = un[s];
      tt = last ? tend : tt + h;
      nsub++;
      if (last) break; /* the usual case in quiet tissue: one substep, no sqrt */
    } else {
      last = 0;
    }
    /* first-order error estimate: h ~ err^(-1/2) */
    double fac = err > 0 ? 0.9 / sqrt(err) : 5.0;
    h *= fmin(5.0, fmax(0.2, fac));
  }
  *substeps += nsub;
  return CS_OK;
}

cs_status reaction_integrate_cell(const model *m, const void *inst, const cell_info *c,
                                  double *u, double t, double dt, double rtol, double atol,
                                  long *substeps) {
  exp_cache ec;
  exp_cache_reset(&ec);
  return integrate_cell(m, inst, c, u, t, dt, rtol, atol, substeps, &ec);
}

cs_status reaction_step(reaction *r, double *const *u, double t, double dt, long *substeps) {
  const grid *g = r->g;
  const model *m = r->m;
  const int ns = m->nspecies, rows = g->ny * g->nz;
#pragma omp parallel for schedule(static) num_threads(r->nthreads)
  for (int row = 0; row < rows; row++) {
    int j = row % g->ny, k = row / g->ny;
    long nsub = 0;
    exp_cache ec;
    exp_cache_reset(&ec);
    r->row_fail[row] = 0;
    for (int i = 0; i < g->nx; i++) {
      size_t idx = grid_index(g, i, j, k);
      cell_info c;
      cell_geometry(g, i, j, k, &c);
      if (r->source) c.source = r->source[idx];
      double v[MODEL_MAX_SPECIES];
      for (int s = 0; s < ns; s++) v[s] = u[s][idx];
      if (integrate_cell(m, r->inst, &c, v, t, dt, r->rtol, r->atol, &nsub, &ec) != CS_OK) {
        if (!r->row_fail[row]) r->row_fail[row] = i + 1;
        continue;
      }
      for (int s = 0; s < ns; s++) u[s][idx] = v[s];
    }
    r->row_substeps[row] = nsub;
  }
  long total = 0;
  for (int row = 0; row < rows; row++) {
    total += r->row_substeps[row];
    if (r->row_fail[row]) {
      int i = r->row_fail[row] - 1, j = row % g->ny, k = row / g->ny;
      return CS_ERROR(CS_ERR_RUN,
                      "reaction step failed at t = %.9g day in cell (x, y, z) = (%g, %g, %g) µm: "
                      "non-finite value or more than %d substeps (tighten time.dt_max_day or "
                      "check the model parameters)",
                      t, (i + 0.5) * g->h, (j + 0.5) * g->h, (k + 0.5) * g->h,
                      REACTION_MAX_SUBSTEPS);
    }
  }
  *substeps += total;
  return CS_OK;
}
