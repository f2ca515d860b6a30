#include "reaction.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Past this many substeps in one split step the problem is mis-posed (or the tolerances are),
   and the user learns where rather than waiting forever. */
#define REACTION_MAX_SUBSTEPS 100000

/* Cells per block along an x row, at most; rows are cut into blocks of equal length. Each
   block runs a few loops per species whose setup it pays once, so longer is better up to
   where its working set (4 arrays per species: 7 species x 256 cells, 57 KiB) leaves L2:
   blocks of 44 cells took 10 % longer than of 130 (the default grid's rows). */
#define RX_BLOCK 256

/* e^z, phi1(z) = (e^z - 1)/z and phi2(z) = (e^z - 1 - z)/z^2 at z = -k h, per species, for
   the last (k, h): neighbouring cells usually share both (a layer's decay rate, the split
   step), and the exponential dominates the cost of a quiet cell. A pure function of (k, h),
   so what the cache holds never changes a result. */
typedef struct {
  double k[MODEL_MAX_SPECIES], h[MODEL_MAX_SPECIES];
  double e[MODEL_MAX_SPECIES], p1[MODEL_MAX_SPECIES], p2[MODEL_MAX_SPECIES];
} exp_cache;

/* Rows of the working set 2240 bytes apart, not a power of two: with rows 4 KiB apart the
   loads of one loop can wait on the stores of another (4K aliasing; measured 4 % slower). */
#define RX_ROW (RX_BLOCK + 24)

/* One thread's working set for a block: allocated once per thread in reaction_create.
   k0, k1 and hp2 are used only for rates that differ between the cells of a block. */
typedef struct {
  double f0[MODEL_MAX_SPECIES][RX_ROW], k0[MODEL_MAX_SPECIES][RX_ROW];
  double a[MODEL_MAX_SPECIES][RX_ROW], f1[MODEL_MAX_SPECIES][RX_ROW];
  double k1[MODEL_MAX_SPECIES][RX_ROW], hp2[MODEL_MAX_SPECIES][RX_ROW];
  double u0[MODEL_MAX_SPECIES][RX_ROW]; /* the state the block started from */
  long long ok[RX_ROW]; /* -1 or 0, the width of a double: vectorises with the values */
  exp_cache ec;           /* the block's shared rates */
  exp_cache ec_cell;      /* cells taken alone, whose substeps vary */
} __attribute__((aligned(64))) rx_scratch;

typedef int (*first_substep_fn)(const struct reaction *r, model_block_fn fn, rx_scratch *w,
                                const cell_block *b, double *const *u, double t, double h);

struct reaction {
  const grid *g;
  const model *m;
  const void *inst;
  double rtol, atol[MODEL_MAX_SPECIES]; /* atol per species: time.atol x its scale */
  int atol_pos;                         /* every atol > 0 */
  int nthreads, isa, block;
  first_substep_fn first_substep;
  double *source;      /* [ncell] or NULL */
  double *xc;          /* [nx] cell centres along x */
  rx_scratch *scratch; /* [nthreads] */
  long *row_substeps;  /* [ny*nz]: per-row counts summed in a fixed order */
  int *row_fail;       /* [ny*nz]: failing cell index + 1 within the row, 0 = fine */
  unsigned char frozen[MODEL_MAX_SPECIES]; int nfrozen; /* reaction_freeze: f, k read as 0 */
};

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

/* ---- the model's right-hand side ---------------------------------------------------- */

/* One cell, through the model's block form when it has one (a block of one), so that a cell
   gets the same arithmetic on every path. */
typedef struct {
  const model *m;
  const void *inst;
  const unsigned char *frozen; /* NULL: none */
  model_block_fn fn; /* NULL: m->reaction */
  cell_block b;      /* n = 1 */
  cell_info c;
} one_cell;

static void one_cell_init(one_cell *o, const model *m, const void *inst, model_block_fn fn,
                          const cell_info *c, const unsigned char *frozen) {
  o->m = m;
  o->inst = inst;
  o->frozen = frozen;
  o->fn = fn;
  o->c = *c;
  o->b = (cell_block){1, c->layer, &o->c.x, c->y, c->z, &o->c.source};
}

static void one_cell_eval(const one_cell *o, double t, const double *u, double *f, double *k) {
  const int ns = o->m->nspecies;
  if (!o->fn) {
    o->m->reaction(o->inst, &o->c, t, u, f, k);
  } else {
    const double *up[MODEL_MAX_SPECIES] = {0};
    double *fp[MODEL_MAX_SPECIES] = {0}, *kp[MODEL_MAX_SPECIES] = {0}, kb[MODEL_MAX_SPECIES];
    for (int s = 0; s < ns; s++) {
      up[s] = u + s;
      fp[s] = f + s;
      kp[s] = k + s;
      kb[s] = -1;
    }
    o->fn(o->inst, &o->b, t, up, fp, kp, kb);
    for (int s = 0; s < ns; s++)
      if (kb[s] >= 0) k[s] = kb[s];
  }
  for (int s = 0; o->frozen && s < ns; s++) /* held: reaction_freeze */
    if (o->frozen[s]) f[s] = k[s] = 0.0;
}

/* A model without a block form, cell by cell: what reaction_block would give. */
static void eval_cells(const model *m, const void *inst, const cell_block *b, double t,
                       const double *const *u, double *const *f, double *const *k) {
  const int ns = m->nspecies;
  for (int c = 0; c < b->n; c++) {
    cell_info ci = {b->layer, b->x[c], b->y, b->z, b->source ? b->source[c] : 0.0};
    double v[MODEL_MAX_SPECIES], fc[MODEL_MAX_SPECIES], kc[MODEL_MAX_SPECIES];
    for (int s = 0; s < ns; s++) v[s] = u[s][c];
    m->reaction(inst, &ci, t, v, fc, kc);
    for (int s = 0; s < ns; s++) {
      f[s][c] = fc[s];
      k[s][c] = kc[s];
    }
  }
}

/* ---- one cell, with substeps ------------------------------------------------------- */

/* The linear loss k is frozen at the start of each substep; the remainder is
   N(t, u) = f(t, u) - (k(t, u) - k0) u. */
static void etd_remainder(const one_cell *o, double t, const double *u, const double *k0,
                          double *nrem) {
  double f[MODEL_MAX_SPECIES], k[MODEL_MAX_SPECIES];
  one_cell_eval(o, t, u, f, k);
  for (int s = 0; s < o->m->nspecies; s++) nrem[s] = f[s] - (k[s] - k0[s]) * u[s];
}

/* One cell over [t, t + dt]: exponential time differencing, ETD2RK (Cox & Matthews 2002,
   J Comput Phys 176:430) with the exponential Euler step (ETD1) embedded:
     a     = e^{-kh} u + h phi1 N(t, u)                         first order
     u_new = a + h phi2 (N(t + h, a) - N(t, u))                 second order
   Both are exact for pure decay and for decay with a constant source, so fast decay never
   limits the substep; the difference h phi2 (N1 - N0) estimates the first-order error and the
   second-order value is kept. Two model evaluations per substep. */
static cs_status integrate_cell(const one_cell *o, double *u, double t, double dt, double rtol,
                                const double *atol, long *substeps, exp_cache *ec) {
  const int ns = o->m->nspecies;
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
    one_cell_eval(o, tt, u, N0, k0);
    for (int s = 0; s < ns; s++) {
      phi_functions(ec, s, k0[s], h);
      a[s] = ec->e[s] * u[s] + h * ec->p1[s] * N0[s];
    }
    etd_remainder(o, tt + h, a, k0, N1);
    double err = 0;
    int finite = 1;
    for (int s = 0; s < ns; s++) {
      double corr = h * ec->p2[s] * (N1[s] - N0[s]);
      un[s] = a[s] + corr;
      double r = fabs(corr) / (atol[s] + rtol * fmax(fabs(u[s]), fabs(un[s])));
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

/* ---- a block of cells, vectorised ------------------------------------------------- */

/* The model's right-hand side for a block; k_block[s] >= 0 on return: species s's rate is
   that for every cell (k[s][] then unused). A model without a block form gives its rates per
   cell; where they are the same to the bit (a layer's decay) they count as the block's, which
   changes no result (the same phi-functions, and k1 - k0 from the same two values). */
MODEL_ALWAYS_INLINE void eval_block(const reaction *r, model_block_fn fn, const cell_block *b,
                                    double t, const double *const *u, double *const *f,
                                    double *const *k, double *k_block) {
  const int ns = r->m->nspecies;
  for (int s = 0; s < ns; s++) k_block[s] = -1;
  if (fn) {
    fn(r->inst, b, t, u, f, k, k_block);
  } else {
    eval_cells(r->m, r->inst, b, t, u, f, k);
    for (int s = 0; s < ns; s++) {
      const double k0 = k[s][0];
      int same = k0 >= 0;
      for (int c = 1; c < b->n && same; c++) same = memcmp(&k[s][c], &k0, sizeof k0) == 0;
      if (same) k_block[s] = k0;
    }
  }
  for (int s = 0; r->nfrozen && s < ns; s++) /* held: no source, no loss (reaction_freeze) */
    if (r->frozen[s]) {
      k_block[s] = 0.0;
      for (int c = 0; c < b->n; c++) f[s][c] = 0.0;
    }
}

/* Whether a cell's species passes integrate_cell's error test, without its division: the
   test is |corr| / tol <= 1 with u_new and the quotient finite, and |corr| <= tol implies the
   quotient is <= 1 (rounding keeps a quotient <= 1 at <= 1). With atol, rtol > 0 a finite
   tol also says that u and u_new are finite and that tol > 0; otherwise both are checked. */
MODEL_ALWAYS_INLINE long long passes(double corr, double tol, double av, int tol_says_all) {
  /* all bits set or none, as a vector compare gives them: no conversion to 0/1 */
  if (tol_says_all) return -(long long)((tol <= DBL_MAX) & (fabs(corr) <= tol));
  return -(long long)((av <= DBL_MAX) & (tol > 0) & (fabs(corr) <= tol));
}

/* The loops of block_first_substep over the cells of one species, each in a function of its
   own: gcc trusts restrict on parameters (also once inlined), not on local pointers, and would
   otherwise add a run-time overlap check and a scalar copy to every loop. */
MODEL_ALWAYS_INLINE void stage_a(int n, const double *restrict us, const double *restrict fs,
                                 double *restrict as, double *restrict u0, double e,
                                 double hp1) {
  for (int c = 0; c < n; c++) {
    u0[c] = us[c];
    as[c] = e * us[c] + hp1 * fs[c];
  }
}

/* u_new = a + h phi2 (N1 - N0), N1 = f1 - (k1 - k0) a, into the state, and the test;
   per_cell: k0, k1, h phi2 per cell, else dk = k1 - k0 and h phi2 for the block */
MODEL_ALWAYS_INLINE void stage_b(int n, double *restrict us, const double *restrict fs,
                                 const double *restrict as, const double *restrict f1s,
                                 const double *restrict k0s, const double *restrict k1s,
                                 const double *restrict hp2s, long long *restrict ok, double dk,
                                 double hp2, double atol, double rtol, const int per_cell,
                                 const int tol_says_all) {
  for (int c = 0; c < n; c++) {
    const double N1 = f1s[c] - (per_cell ? k1s[c] - k0s[c] : dk) * as[c];
    const double corr = (per_cell ? hp2s[c] : hp2) * (N1 - fs[c]), v = as[c] + corr;
    const double au = fabs(us[c]), av = fabs(v);
    /* max(|u|, |u_new|): where it differs from fmax (a NaN) the cell fails anyway */
    const double tol = atol + rtol * (au > av ? au : av);
    ok[c] &= passes(corr, tol, av, tol_says_all);
    us[c] = v;
  }
}

/* The first substep of integrate_cell for every cell of the block at once: h is the whole
   split step, and a cell whose error is within tolerance is done, which in a quiet tissue is
   nearly every cell. The operations are integrate_cell's, in its order, so an accepted cell
   has the bits integrate_cell would give it; passes() accepts only what integrate_cell's test
   accepts. A cell it does not accept (w->ok[c] = 0) gets its state back from w->u0 and goes
   to integrate_cell whole, which then decides exactly as before. Returns the number of
   accepted cells. */
MODEL_ALWAYS_INLINE int block_first_substep_t(const reaction *r, model_block_fn fn,
                                              rx_scratch *w, const cell_block *b,
                                              double *const *u, double t, double h,
                                              const int tol_says_all) {
  const int ns = r->m->nspecies, n = b->n;
  const double rtol = r->rtol, *atol = r->atol;
  const double *u_c[MODEL_MAX_SPECIES] = {0}, *a_c[MODEL_MAX_SPECIES] = {0};
  double *f0[MODEL_MAX_SPECIES] = {0}, *k0[MODEL_MAX_SPECIES] = {0};
  double *f1[MODEL_MAX_SPECIES] = {0}, *k1[MODEL_MAX_SPECIES] = {0};
  double kb0[MODEL_MAX_SPECIES], kb1[MODEL_MAX_SPECIES], hp2b[MODEL_MAX_SPECIES];
  for (int s = 0; s < ns; s++) {
    u_c[s] = u[s];
    a_c[s] = w->a[s];
    f0[s] = w->f0[s];
    k0[s] = w->k0[s];
    f1[s] = w->f1[s];
    k1[s] = w->k1[s];
  }
  eval_block(r, fn, b, t, u_c, f0, k0, kb0);
  exp_cache *ec = &w->ec;
  for (int s = 0; s < ns; s++) {
    if (kb0[s] >= 0) { /* one rate for the block: the phi-functions once */
      phi_functions(ec, s, kb0[s], h);
      hp2b[s] = h * ec->p2[s];
      stage_a(n, u[s], f0[s], w->a[s], w->u0[s], ec->e[s], h * ec->p1[s]);
    } else {
      for (int c = 0; c < n; c++) {
        phi_functions(ec, s, k0[s][c], h);
        w->u0[s][c] = u[s][c];
        w->a[s][c] = ec->e[s] * u[s][c] + h * ec->p1[s] * f0[s][c];
        w->hp2[s][c] = h * ec->p2[s];
      }
    }
  }
  eval_block(r, fn, b, t + h, a_c, f1, k1, kb1);
  long long *restrict ok = w->ok;
  for (int c = 0; c < n; c++) ok[c] = -1;
  /* u_new goes straight into the state; cells that fail get theirs back from u0 */
  for (int s = 0; s < ns; s++) {
    if (kb0[s] >= 0 && kb1[s] >= 0) {
      stage_b(n, u[s], f0[s], w->a[s], f1[s], NULL, NULL, NULL, ok, kb1[s] - kb0[s], hp2b[s],
              atol[s], rtol, 0, tol_says_all);
      continue;
    }
    if (kb0[s] >= 0)
      for (int c = 0; c < n; c++) {
        k0[s][c] = kb0[s];
        w->hp2[s][c] = hp2b[s];
      }
    if (kb1[s] >= 0)
      for (int c = 0; c < n; c++) k1[s][c] = kb1[s];
    stage_b(n, u[s], f0[s], w->a[s], f1[s], k0[s], k1[s], w->hp2[s], ok, 0, 0, atol[s], rtol, 1,
            tol_says_all);
  }
  int nok = 0;
  for (int c = 0; c < n; c++) nok -= (int)ok[c];
  if (nok < n)
    for (int c = 0; c < n; c++)
      if (!ok[c])
        for (int s = 0; s < ns; s++) u[s][c] = w->u0[s][c];
  return nok;
}

MODEL_ALWAYS_INLINE int block_first_substep(const reaction *r, model_block_fn fn, rx_scratch *w,
                                            const cell_block *b, double *const *u, double t,
                                            double h) {
  if (r->atol_pos && r->rtol > 0) return block_first_substep_t(r, fn, w, b, u, t, h, 1);
  return block_first_substep_t(r, fn, w, b, u, t, h, 0);
}

#define RX_FIRST_SUBSTEP(suffix, target)                                                      \
  static target int first_substep_##suffix(const reaction *r, model_block_fn fn,             \
                                           rx_scratch *w, const cell_block *b,               \
                                           double *const *u, double t, double h) {           \
    return block_first_substep(r, fn, w, b, u, t, h);                                         \
  }
RX_FIRST_SUBSTEP(base, )
RX_FIRST_SUBSTEP(avx2, MODEL_TARGET_AVX2)
RX_FIRST_SUBSTEP(avx512, MODEL_TARGET_AVX512)
static const first_substep_fn first_substep_isa[MODEL_NISA] = {
    first_substep_base, first_substep_avx2, first_substep_avx512};

/* ---- the grid ------------------------------------------------------------------------ */

/* By features, not by the level names ("x86-64-v3"), which clang's builtin does not know; the
   rest of each level (LZCNT, MOVBE, F16C) comes with these on every CPU that has them. */
int reaction_cpu_has(int isa) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  const int v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                 __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  if (isa == MODEL_ISA_AVX512)
    return v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
  if (isa == MODEL_ISA_AVX2) return v3;
#endif
  return isa == MODEL_ISA_BASE;
}

static int best_isa(void) {
  int isa = MODEL_NISA - 1;
  while (!reaction_cpu_has(isa)) isa--;
  return isa;
}

const char *reaction_isa_name(int isa) {
  return isa == MODEL_ISA_AVX512 ? "x86-64-v4 (AVX-512)"
         : isa == MODEL_ISA_AVX2 ? "x86-64-v3 (AVX2)"
                                 : "baseline";
}

cs_status reaction_set_isa(reaction *r, int isa) {
  if (isa < 0 || isa >= MODEL_NISA || !reaction_cpu_has(isa))
    return CS_ERROR(CS_ERR_INPUT, "reaction: this CPU cannot run the %s code",
                    isa >= 0 && isa < MODEL_NISA ? reaction_isa_name(isa) : "requested");
  r->isa = isa;
  r->first_substep = first_substep_isa[isa];
  return CS_OK;
}

int reaction_isa(const reaction *r) { return r->isa; }

void reaction_freeze(reaction *r, int s) {
  if (s >= 0 && s < r->m->nspecies && !r->frozen[s]) r->nfrozen += r->frozen[s] = 1;
}

void reaction_atol(const model *m, double atol, double *out) {
  for (int s = 0; s < m->nspecies; s++)
    out[s] = atol * (m->species[s].scale > 0 ? m->species[s].scale : 1.0);
}

cs_status reaction_set_block(reaction *r, int n) {
  if (n < 1 || n > RX_BLOCK)
    return CS_ERROR(CS_ERR_INPUT, "reaction: block length %d outside [1, %d]", n, RX_BLOCK);
  r->block = n;
  return CS_OK;
}

cs_status reaction_create(reaction **out, const grid *g, const model *m, const void *inst,
                          double rtol, double atol, int nthreads) {
  reaction *r = calloc(1, sizeof *r);
  if (!r) return CS_ERROR(CS_ERR_NOMEM, "out of memory (reaction)");
  *out = r;
  r->g = g;
  r->m = m;
  r->inst = inst;
  r->rtol = rtol;
  reaction_atol(m, atol, r->atol);
  r->atol_pos = 1;
  for (int s = 0; s < m->nspecies; s++) r->atol_pos &= r->atol[s] > 0;
  r->nthreads = nthreads > 0 ? nthreads : 1;
  r->block = RX_BLOCK;
  CS_TRY(reaction_set_isa(r, best_isa()));
  size_t rows = (size_t)g->ny * (size_t)g->nz;
  r->row_substeps = calloc(rows, sizeof(long));
  r->row_fail = calloc(rows, sizeof(int));
  r->xc = malloc(sizeof(double) * (size_t)g->nx);
  /* one cache-line-aligned working set per thread (sizeof is a multiple of 64) */
  r->scratch = aligned_alloc(64, sizeof(rx_scratch) * (size_t)r->nthreads);
  if (!r->row_substeps || !r->row_fail || !r->xc || !r->scratch)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (reaction)");
  for (int t = 0; t < r->nthreads; t++) {
    exp_cache_reset(&r->scratch[t].ec);
    exp_cache_reset(&r->scratch[t].ec_cell);
  }
  for (int i = 0; i < g->nx; i++) r->xc[i] = (i + 0.5) * g->h;
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
  free(r->xc);
  free(r->scratch);
  free(r->row_substeps);
  free(r->row_fail);
  free(r);
}

size_t reaction_bytes(const reaction *r) {
  return (r->source ? sizeof(double) * r->g->ncell : 0) + sizeof(double) * (size_t)r->g->nx +
         sizeof(rx_scratch) * (size_t)r->nthreads +
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

cs_status reaction_integrate_cell(const model *m, const void *inst, const cell_info *c,
                                  double *u, double t, double dt, double rtol, double atol,
                                  long *substeps) {
  exp_cache ec;
  exp_cache_reset(&ec);
  one_cell o;
  one_cell_init(&o, m, inst, m->reaction_block ? m->reaction_block[best_isa()] : NULL, c, NULL);
  double at[MODEL_MAX_SPECIES];
  reaction_atol(m, atol, at);
  return integrate_cell(&o, u, t, dt, rtol, at, substeps, &ec);
}

/* One x row, block by block: the first substep vectorised across the block; the few cells
   that need more substeps (or fail) again alone, from the start, by integrate_cell. Returns
   the index + 1 of the first failing cell, 0 if none. */
static int react_row(const reaction *r, rx_scratch *w, int j, int k, double *const *u,
                     double *const *from, double t, double dt, long *nsub) {
  const grid *g = r->g;
  const model *m = r->m;
  const int ns = m->nspecies;
  model_block_fn fn = m->reaction_block ? m->reaction_block[r->isa] : NULL;
  const double h = (t + dt) - t; /* integrate_cell's first (landing) substep */
  const double y = (j + 0.5) * g->h, z = (k + 0.5) * g->h;
  const int layer = g->layer_of_z[k];
  int fail = 0;
  /* blocks of equal length (to one cell): no short tail block that is all loop overhead */
  const int nb = (g->nx + r->block - 1) / r->block, len = g->nx / nb, longer = g->nx % nb;
  for (int q = 0, i0 = 0; q < nb; q++) {
    const int n = len + (q < longer);
    const size_t idx0 = grid_index(g, i0, j, k);
    const cell_block b = {n, layer, r->xc + i0, y, z, r->source ? r->source + idx0 : NULL};
    double *ub[MODEL_MAX_SPECIES];
    for (int s = 0; s < ns; s++) ub[s] = u[s] + idx0;
    if (from) /* the copy while the block is being loaded anyway: no pass of its own */
      for (int s = 0; s < ns; s++) memcpy(ub[s], from[s] + idx0, sizeof(double) * (size_t)n);
    int nok = r->first_substep(r, fn, w, &b, ub, t, h);
    *nsub += nok;
    for (int c = 0; nok < n && c < n; c++) {
      if (w->ok[c]) continue;
      cell_info ci = {layer, b.x[c], y, z, b.source ? b.source[c] : 0.0};
      one_cell o;
      one_cell_init(&o, m, r->inst, fn, &ci, r->nfrozen ? r->frozen : NULL);
      double v[MODEL_MAX_SPECIES];
      for (int s = 0; s < ns; s++) v[s] = ub[s][c];
      if (integrate_cell(&o, v, t, dt, r->rtol, r->atol, nsub, &w->ec_cell) != CS_OK) {
        if (!fail) fail = i0 + c + 1;
        continue;
      }
      for (int s = 0; s < ns; s++) ub[s][c] = v[s];
    }
    i0 += n;
  }
  return fail;
}

int reaction_threads(const reaction *r) { return r->nthreads; }

void reaction_rows_in(reaction *r, double *const *u, double *const *from, double t, double dt,
                      const reaction_rows *hk) {
  const grid *g = r->g;
  const int rows = g->ny * g->nz;
#pragma omp for schedule(static)
  for (int row = 0; row < rows; row++) {
    long nsub = 0;
    rx_scratch *w = &r->scratch[omp_get_thread_num()];
    if (hk && hk->before) hk->before(hk->ctx, row);
    r->row_fail[row] = react_row(r, w, row % g->ny, row / g->ny, u, from, t, dt, &nsub);
    r->row_substeps[row] = nsub;
    if (hk && hk->after && !r->row_fail[row]) hk->after(hk->ctx, row);
  }
}

cs_status reaction_rows_result(reaction *r, double t, long *substeps) {
  const grid *g = r->g;
  const int rows = g->ny * g->nz;
  long total = 0;
  for (int row = 0; row < rows; row++) {
    total += r->row_substeps[row];
    if (r->row_fail[row]) {
      int i = r->row_fail[row] - 1, j = row % g->ny, k = row / g->ny;
      return CS_ERROR(CS_ERR_RUN, "reaction step failed at t = %.9g day in cell (x, y, z) = (%g, "
                      "%g, %g) µm: non-finite value or more than %d substeps (tighten "
                      "time.dt_max_day or check the model parameters)", t, (i + 0.5) * g->h,
                      (j + 0.5) * g->h, (k + 0.5) * g->h, REACTION_MAX_SUBSTEPS);
    }
  }
  *substeps += total;
  return CS_OK;
}
