#include "step2.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clones.h"
#include "sim_state.h"

/* Per row and species: the mass the positivity remedy adds (cells set to 0), the sum of the
   positive corrections it takes that mass from, and the number of cells set to 0 (-1: the
   row holds a value that is not finite). */
enum { ROW_ADD, ROW_POS, ROW_CLIPPED, ROW_N };

struct step2 {
  double *coarse[MODEL_MAX_SPECIES]; /* the coarse solution: s->du, free in this scheme */
  int nimp, imp[MODEL_MAX_SPECIES];  /* species solved with their transport (implicit_loss) */
  double *q0[MODEL_MAX_SPECIES];     /* their source at the start of a reaction pass */
  double **qrow;                     /* per thread: one row of source */
  double *rows;                      /* [(q * rows + row) * ROW_N] */
  double **ratio;                    /* per thread: one row's error ratios */
  double *emax;                      /* per thread: its rows' largest error ratio */
  int nthreads;
  size_t bytes;
};

/* The species the model solves with their transport (model->implicit_loss): held through the
   reaction, their loss in the transport solve, their source added in between. */
static cs_status implicit_create(step2 *w, const sim *s) {
  const model *m = s->m;
  for (int q = 0; m->implicit_loss && q < s->ns; q++) {
    const double k = m->implicit_loss(s->inst, q);
    if (!(k >= 0)) continue;
    if (!m->implicit_source)
      return CS_ERROR(CS_ERR_INPUT, "model %s: implicit_loss without implicit_source", m->name);
    CS_TRY(transport_set_loss(s->tr, q, k));
    reaction_freeze(s->rx, q);
    w->imp[w->nimp] = q;
    if (!(w->q0[w->nimp++] = malloc(sizeof(double) * s->g->ncell)))
      return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
    w->bytes += sizeof(double) * s->g->ncell;
  }
  if (!w->nimp) return CS_OK;
  if (!(w->qrow = calloc((size_t)w->nthreads, sizeof(double *))))
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  for (int th = 0; th < w->nthreads; th++)
    if (!(w->qrow[th] = malloc(sizeof(double) * (size_t)s->g->nx)))
      return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  w->bytes += sizeof(double) * (size_t)s->g->nx * (size_t)w->nthreads;
  return CS_OK;
}

cs_status step2_create(step2 **out, const sim *s) {
  step2 *w = calloc(1, sizeof *w);
  if (!w) return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  *out = w;
  for (int q = 0; q < s->ns; q++) w->coarse[q] = s->du[q];
  const size_t rows = (size_t)s->g->ny * (size_t)s->g->nz;
  w->bytes = sizeof(double) * ROW_N * rows * (size_t)s->ns;
  w->rows = malloc(w->bytes);
  w->nthreads = s->opt.nthreads;
  w->ratio = calloc((size_t)w->nthreads, sizeof(double *));
  w->emax = calloc((size_t)w->nthreads, sizeof(double));
  if (!w->rows || !w->ratio || !w->emax)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
  for (int th = 0; th < w->nthreads; th++) {
    w->ratio[th] = malloc(sizeof(double) * (size_t)s->g->nx);
    if (!w->ratio[th]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (second-order step)");
    w->bytes += sizeof(double) * (size_t)s->g->nx;
  }
  return implicit_create(w, s);
}

void step2_free(step2 *w) {
  if (!w) return;
  for (int q = 0; q < w->nimp; q++) free(w->q0[q]);
  for (int th = 0; w->qrow && th < w->nthreads; th++) free(w->qrow[th]);
  free(w->qrow);
  for (int th = 0; w->ratio && th < w->nthreads; th++) free(w->ratio[th]);
  free(w->ratio);
  free(w->emax);
  free(w->rows);
  free(w);
}

size_t step2_bytes(const step2 *w) { return w ? w->bytes + sizeof *w : 0; }

/* One row of species q: the error ratios (a loop of their own, without branches, so that it
   vectorises: the division is the pass's cost) and their maximum; whether the remedy has a cell to clip and
   whether every value is finite. The clipped cells' mass and count, in index order, only where
   there is one (rare). The positive corrections the remedy takes it from are summed in
   step2_finish, and only for a species that clipped somewhere. */
ENGINE_CLONES static double compare_row(const double *restrict uf, const double *restrict uc, int nx,
                          double atol, double rtol, int remedy, double *restrict ratio,
                          double *rs) {
  for (int i = 0; i < nx; i++) ratio[i] = fabs(uf[i] - uc[i]) / (atol + rtol * fabs(uf[i]));
  double er = 0;
  int neg = 0, bad = 0;
  /* A max reduction in any order gives the same value; a NaN ratio (0/0 where atol = 0)
     counts as 0, as it never won the comparison of the scalar loop. Bitwise & and |, not && and
     ||: without their branches the loop vectorises. */
#pragma omp simd reduction(max : er) reduction(| : neg, bad)
  for (int i = 0; i < nx; i++) {
    const double d = uf[i] - uc[i], ue = uf[i] + d;
    const double r = ratio[i] > 0 ? ratio[i] : 0.0;
    er = r > er ? r : er;
    neg |= (ue < 0) & (uf[i] >= 0) & (uc[i] >= 0);
    bad |= !(fabs(d) <= DBL_MAX) | !(fabs(uf[i]) <= DBL_MAX);
  }
  double add = 0, clipped = 0;
  if (remedy && neg)
    for (int i = 0; i < nx; i++) {
      const double ue = uf[i] + (uf[i] - uc[i]);
      if (ue < 0 && uf[i] >= 0 && uc[i] >= 0) {
        add -= ue;
        clipped += 1;
      }
    }
  rs[ROW_ADD] = add;
  rs[ROW_POS] = 0;
  rs[ROW_CLIPPED] = bad ? -1.0 : clipped;
  return er;
}

/* One pass over both solutions, by every thread of the step's parallel region: the error
   norm of the fine one (each thread's largest ratio in w->emax), the finiteness check and the
   row sums of the positivity remedy. */
static void compare_rows_in(sim *s) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int rows = g->ny * g->nz, nx = g->nx, ns = s->ns;
  const double rtol = s->opt.rtol;
  const int remedy = !s->opt.signed_values;
  double e = 0;
  double *ratio = w->ratio[omp_get_thread_num()];
#pragma omp for schedule(static) nowait
  for (int row = 0; row < rows; row++) {
    const size_t i0 = (size_t)row * (size_t)nx;
    double er = 0;
    for (int q = 0; q < ns; q++) {
      double *rs = w->rows + ((size_t)q * (size_t)rows + (size_t)row) * ROW_N;
      const double r =
          compare_row(s->u[q] + i0, w->coarse[q] + i0, nx, s->atol[q], rtol, remedy, ratio, rs);
      er = r > er ? r : er;
    }
    e = er > e ? er : e;
  }
  w->emax[omp_get_thread_num()] = e;
#pragma omp barrier
}

/* After compare_rows_in, on one thread: the norm (a maximum: any order gives it), or
   INFINITY with the first non-finite value (index order: rows, then species, then x) in
   *bq, *bc. */
static double compare_finish(sim *s, int *bq, size_t *bc) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int rows = g->ny * g->nz, nx = g->nx, ns = s->ns;
  double e = 0;
  for (int th = 0; th < omp_get_num_threads(); th++) e = w->emax[th] > e ? w->emax[th] : e;
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

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds since *t0 into *acc; *t0 moves on. */
static void lap(double *t0, double *acc) {
  const double t = now_s();
  *acc += t - *t0;
  *t0 = t;
}

/* The held species' source over a reaction pass from t to t + h, by the trapezoid rule on the
   states at its start and at its end, one row at a time inside the reaction's own pass
   (reaction_rows): before the row reacts, q0 = q(u0, t0) from the pass's start states u0;
   after it, u += h/2 (q0 + q(u, t)) with t the pass's end. A row's source depends on that
   row's values only, so the arithmetic is that of a pass of its own over the whole grid. */
typedef struct {
  sim *s;
  double *const *u0; /* before: q0 from these (NULL: keep the q0 there is) */
  double t0;
  double *const *u; /* after: the pass's result */
  double t, h;
} source_rows;

static void source_row(sim *s, double *const *u, double t, double h, int end, int row) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int nx = g->nx;
  const size_t o = (size_t)row * (size_t)nx;
  const double *ur[MODEL_MAX_SPECIES];
  for (int q = 0; q < s->ns; q++) ur[q] = u[q] + o;
  const int layer = g->layer_of_z[row / g->ny];
  const double hh = 0.5 * h;
  for (int j = 0; j < w->nimp; j++) {
    double *q0 = w->q0[j] + o;
    if (!end) {
      s->m->implicit_source(s->inst, w->imp[j], layer, nx, t, ur, q0);
      continue;
    }
    double *q1 = w->qrow[omp_get_thread_num()], *x = u[w->imp[j]] + o;
    s->m->implicit_source(s->inst, w->imp[j], layer, nx, t, ur, q1);
    for (int i = 0; i < nx; i++) x[i] += hh * (q0[i] + q1[i]);
  }
}

static void source_before(void *ctx, int row) {
  const source_rows *c = ctx;
  source_row(c->s, c->u0, c->t0, 0, 0, row);
}

static void source_after(void *ctx, int row) {
  const source_rows *c = ctx;
  source_row(c->s, c->u, c->t, c->h, 1, row);
}

/* A reaction pass's result, on the region's master thread (an error's message is the
   thread's own), then everyone on. */
#define STEP2_MASTER(code)  \
  do {                      \
    _Pragma("omp master") { \
      code;                 \
    }                       \
    _Pragma("omp barrier")  \
  } while (0)

cs_status step2_begin(sim *s, double dt, double *err, int *bad_species, size_t *bad_cell) {
  step2 *w = s->s2;
  double t0 = now_s();
  /* The step's start is s->un (sim_advance_to swapped it there); both solutions start from it
     inside their first reaction pass, which copies it block by block as it goes. Coarse: one
     Lie step over dt; fine: two over dt/2 (the same arithmetic, smaller h); the fine
     solution's first pass keeps the coarse one's q0, the same start. One parallel region for
     the whole step: every pass's work shared out inside it. */
  source_rows c1 = {s, s->un, s->t, w->coarse, s->t + dt, dt};
  source_rows c2 = {s, s->un, s->t, s->u, s->t + 0.5 * dt, 0.5 * dt};
  source_rows c3 = {s, s->u, s->t + 0.5 * dt, s->u, s->t + dt, 0.5 * dt};
  const reaction_rows h1 = {source_before, source_after, &c1}, h2 = {NULL, source_after, &c2};
  const reaction_rows h3 = {source_before, source_after, &c3};
  const int imp = w->nimp > 0;
  cs_status st = CS_OK;
#pragma omp parallel num_threads(s->opt.nthreads)
  {
    reaction_rows_in(s->rx, w->coarse, s->un, s->t, dt, imp ? &h1 : NULL);
    STEP2_MASTER({
      st = reaction_rows_result(s->rx, s->t, &s->nsubsteps);
      if (st != CS_OK) /* the failed state is the coarse one; u shows the start, as it did */
        for (int q = 0; q < s->ns; q++) memcpy(s->u[q], s->un[q], sizeof(double) * s->g->ncell);
      lap(&t0, &s->sec_reaction);
    });
    if (st == CS_OK) {
      transport_step_in(s->tr, w->coarse, s->t, dt);
      STEP2_MASTER(lap(&t0, &s->sec_transport));
      reaction_rows_in(s->rx, s->u, s->un, s->t, 0.5 * dt, imp ? &h2 : NULL);
      STEP2_MASTER(st = reaction_rows_result(s->rx, s->t, &s->nsubsteps);
                   lap(&t0, &s->sec_reaction));
    }
    if (st == CS_OK) {
      transport_step_in(s->tr, s->u, s->t, 0.5 * dt);
      STEP2_MASTER(lap(&t0, &s->sec_transport));
      reaction_rows_in(s->rx, s->u, NULL, s->t + 0.5 * dt, 0.5 * dt, imp ? &h3 : NULL);
      STEP2_MASTER(st = reaction_rows_result(s->rx, s->t + 0.5 * dt, &s->nsubsteps);
                   lap(&t0, &s->sec_reaction));
    }
    if (st == CS_OK) {
      transport_step_in(s->tr, s->u, s->t + 0.5 * dt, 0.5 * dt);
      STEP2_MASTER(lap(&t0, &s->sec_transport));
      compare_rows_in(s);
      STEP2_MASTER(*err = compare_finish(s, bad_species, bad_cell);
                   lap(&t0, &s->sec_control));
    }
  }
  return st;
}

static void step2_extrapolate(sim *s);

/* The extrapolation and positivity remedy, timed as step control. */
void step2_finish(sim *s) {
  const double t0 = now_s();
  step2_extrapolate(s);
  s->sec_control += now_s() - t0;
}

/* u_f + (u_f − u_c) along one row, with the positivity remedy where tq > 0 */
ENGINE_CLONES static void extrapolate_row(double *restrict uf, const double *restrict uc, int nx,
                                          double tq) {
  if (tq == 0) {
    for (int i = 0; i < nx; i++) uf[i] += uf[i] - uc[i];
  } else {
    for (int i = 0; i < nx; i++) {
      const double d = uf[i] - uc[i], ue = uf[i] + d;
      uf[i] = ue < 0 && uf[i] >= 0 && uc[i] >= 0 ? 0.0 : d > 0 ? ue - tq * d : ue;
    }
  }
}

static void step2_extrapolate(sim *s) {
  step2 *w = s->s2;
  const grid *g = s->g;
  const int rows = g->ny * g->nz, nx = g->nx, ns = s->ns;
  double take[MODEL_MAX_SPECIES], add[MODEL_MAX_SPECIES];
  int any = 0;
  for (int q = 0; q < ns; q++) {
    const double *rs = w->rows + (size_t)q * (size_t)rows * ROW_N;
    add[q] = 0;
    for (int row = 0; row < rows; row++) add[q] += rs[(size_t)row * ROW_N + ROW_ADD];
    any |= add[q] > 0;
  }
  /* the positive corrections, per row in index order, of the species that clipped */
  if (any) {
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
    for (int row = 0; row < rows; row++)
      for (int q = 0; q < ns; q++) {
        if (!(add[q] > 0)) continue;
        const double *uf = s->u[q] + (size_t)row * (size_t)nx;
        const double *uc = w->coarse[q] + (size_t)row * (size_t)nx;
        double pos = 0;
        for (int i = 0; i < nx; i++) {
          const double d = uf[i] - uc[i];
          pos += d > 0 ? d : 0.0;
        }
        w->rows[((size_t)q * (size_t)rows + (size_t)row) * ROW_N + ROW_POS] = pos;
      }
  }
  for (int q = 0; q < ns; q++) {
    const double *rs = w->rows + (size_t)q * (size_t)rows * ROW_N;
    double pos = 0, clipped = 0;
    for (int row = 0; row < rows; row++) { /* in row order: thread-count independent */
      pos += rs[(size_t)row * ROW_N + ROW_POS];
      clipped += rs[(size_t)row * ROW_N + ROW_CLIPPED];
    }
    const double a = add[q];
    /* Share of each positive correction given back for the mass the clipped cells gained;
       at most all of it (only where the walls do not conserve can add exceed pos). */
    take[q] = a > 0 ? (a < pos ? a / pos : 1.0) : 0.0;
    s->nlimited += (long)clipped;
  }
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++)
    for (int q = 0; q < ns; q++) {
      extrapolate_row(s->u[q] + (size_t)row * (size_t)nx,
                      w->coarse[q] + (size_t)row * (size_t)nx, nx, take[q]);
    }
}
