#include "transport.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "transport_cell.h"
#include "transport_chemo.h"
#include "transport_fft.h"
#include "transport_types.h"
#include "tridiag.h"

static cs_status sweep_build(transport *t, sweep *sw, int dir, int wmax) {
  const grid *g = t->g;
  size_t plane = (size_t)g->nx * (size_t)g->ny;
  int nb = 0;
  sw->dir = dir;
  if (dir == DIR_X) {
    sw->n = g->nx;
    sw->ps = 1;
    sw->ls = (size_t)g->nx;
    sw->lo = sw->hi = g->bc_x;
    int rows = g->ny * g->nz;
    sw->blocks = malloc(sizeof(block) * (size_t)rows);
    if (!sw->blocks) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport blocks)");
    /* Blocks of up to TRI_ROWS rows that lie in one layer: independent recurrences keep the
       pipeline full while sharing one factorisation. */
    for (int r = 0; r < rows;) {
      int layer = g->layer_of_z[r / g->ny], w = 1;
      while (w < TRI_ROWS && r + w < rows && g->layer_of_z[(r + w) / g->ny] == layer &&
             (g->dims == 2 || (r + w) / g->ny == r / g->ny))
        w++;
      sw->blocks[nb++] = (block){(size_t)r * (size_t)g->nx, w, layer};
      r += w;
    }
  } else {
    int nlines_w = g->nx; /* lines of a block run along x */
    int outer = dir == DIR_Y ? g->nz : g->ny;
    sw->n = dir == DIR_Y ? g->ny : g->nz;
    sw->ps = dir == DIR_Y ? (size_t)g->nx : plane;
    sw->ls = 1;
    sw->lo = dir == DIR_Y ? g->bc_y : g->bc_top;
    sw->hi = dir == DIR_Y ? g->bc_y : g->bc_bottom;
    /* Enough blocks for every thread even in 2D (one z plane of lines), then, for the
       threads' static shares, of nearly equal widths: in whole cache lines (8 doubles, no
       false sharing between threads), the narrower blocks first and the partial line last.
       (Widths of 8 rounded up left 2 threads 80 and 50 of the default grid's 130 lines.) A
       line's arithmetic does not depend on its block. */
    const int units = (nlines_w + 7) / 8;
    int per = (nlines_w + wmax - 1) / wmax;
    while (outer * per < 2 * t->nthreads && per < units) per++;
    sw->blocks = malloc(sizeof(block) * (size_t)outer * (size_t)per);
    if (!sw->blocks) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport blocks)");
    for (int o = 0; o < outer; o++)
      for (int b = 0; b < per; b++) {
        const int i0 = 8 * (units * b / per), u1 = 8 * (units * (b + 1) / per);
        const int i1 = u1 < nlines_w ? u1 : nlines_w;
        size_t base = dir == DIR_Y ? (size_t)o * plane + (size_t)i0
                                   : (size_t)o * (size_t)g->nx + (size_t)i0;
        int layer = dir == DIR_Y ? g->layer_of_z[o] : 0;
        if (i1 > i0) sw->blocks[nb++] = (block){base, i1 - i0, layer};
      }
  }
  sw->nblocks = nb;
  if (g->dims == 3 && dir != DIR_Z) {
    sw->kstart = malloc(sizeof(int) * (size_t)(g->nz + 1));
    if (!sw->kstart) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport blocks)");
    int b = 0;
    for (int k = 0; k <= g->nz; k++) {
      while (b < nb && sw->blocks[b].base < (size_t)k * plane) b++;
      sw->kstart[k] = b;
    }
  }
  return CS_OK;
}

cs_status transport_create(transport **out, const grid *g, const model *m, const void *inst,
                           int nthreads) {
  transport *t = calloc(1, sizeof *t);
  if (!t) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
  *out = t;
  t->g = g;
  t->m = m;
  t->inst = inst;
  t->nspecies = m->nspecies;
  t->nthreads = nthreads > 0 ? nthreads : 1;
  int no = 0;
  for (int s = 0; s < m->nspecies; s++)
    if (m->species[s].chemo_attractant < 0) t->order[no++] = s;
  for (int s = 0; s < m->nspecies; s++)
    if (m->species[s].chemo_attractant >= 0) t->order[no++] = s;

  int nl = g->nlayers;
  t->D = malloc(sizeof(double) * (size_t)(nl * m->nspecies));
  if (!t->D) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
  for (int s = 0; s < m->nspecies; s++) {
    for (int l = 0; l < nl; l++) t->D[s * nl + l] = m->diffusivity(inst, s, l);
    t->ub[s] = m->boundary_value ? m->boundary_value(inst, s) : 0.0;
  }
  CS_TRY(transport_cell_create(t));
  for (int s = 0; s < MODEL_MAX_SPECIES; s++) t->loss[s] = -1;

  const int wmax = 256;
  int dirs[3] = {DIR_X, DIR_Y, DIR_Z}, nd = 0;
  for (int d = 0; d < 3; d++) {
    if (dirs[d] == DIR_Y && g->dims == 2) continue;
    CS_TRY(sweep_build(t, &t->sw[nd], dirs[d], wmax));
    if (t->sw[nd].lo == BC_PERIODIC && t->sw[nd].n < 3)
      return CS_ERROR(CS_ERR_INPUT, "grid: a periodic direction needs at least 3 cells");
    nd++;
  }
  t->nsweeps = nd;

  /* Factorisations: 4 arrays of n per (sweep, species, layer). */
  size_t nfac = (size_t)nd * (size_t)m->nspecies * (size_t)nl;
  t->fac = calloc(nfac, sizeof(factor));
  if (!t->fac) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
  for (int d = 0; d < nd; d++)
    for (size_t q = 0; q < (size_t)m->nspecies * (size_t)nl; q++) {
      factor *f = &t->fac[(size_t)d * (size_t)m->nspecies * (size_t)nl + q];
      size_t n = (size_t)t->sw[d].n;
      f->a = calloc(4 * n, sizeof(double));
      if (!f->a) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
      f->m = f->a + n;
      f->cp = f->m + n;
      f->zc = f->cp + n;
      t->bytes += 4 * n * sizeof(double);
    }
  for (int d = 0; d < 3; d++)
    for (int s = 0; s < MODEL_MAX_SPECIES; s++) t->fac_dt[d][s] = -1;

  size_t maxnw = 0;
  for (int d = 0; d < nd; d++)
    for (int b = 0; b < t->sw[d].nblocks; b++) {
      size_t nw = (size_t)t->sw[d].n * (size_t)t->sw[d].blocks[b].w;
      if (nw > maxnw) maxnw = nw;
    }
  t->maxnw = maxnw;
  if (g->dims == 3) {
    t->owed_x = malloc(sizeof(double) * (size_t)g->ny * (size_t)g->nz);
    t->owed_y = malloc(sizeof(double) * (size_t)g->nx * (size_t)g->nz);
    if (!t->owed_x || !t->owed_y) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
    t->bytes += sizeof(double) * ((size_t)g->ny + (size_t)g->nx) * (size_t)g->nz;
  }
  t->scratch = calloc((size_t)t->nthreads, sizeof(double *));
  if (!t->scratch) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
  for (int th = 0; th < t->nthreads; th++) {
    t->scratch[th] = malloc(7 * maxnw * sizeof(double));
    if (!t->scratch[th]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport scratch)");
    t->bytes += 7 * maxnw * sizeof(double);
  }
  return CS_OK;
}

void transport_free(transport *t) {
  if (!t) return;
  for (int d = 0; d < t->nsweeps; d++) {
    free(t->sw[d].blocks);
    free(t->sw[d].kstart);
  }
  if (t->fac) {
    size_t nfac = (size_t)t->nsweeps * (size_t)t->nspecies * (size_t)t->g->nlayers;
    for (size_t q = 0; q < nfac; q++) free(t->fac[q].a);
    free(t->fac);
  }
  if (t->scratch)
    for (int th = 0; th < t->nthreads; th++) free(t->scratch[th]);
  free(t->scratch);
  free(t->owed_x);
  free(t->owed_y);
  free(t->D);
  transport_fft_free(t->fft);
  transport_cell_free(t);
  free(t);
}

size_t transport_bytes(const transport *t) { return t->bytes + transport_fft_bytes(t->fft); }

cs_status transport_set_loss(transport *t, int s, double k) {
  if (!(k >= 0) || s < 0 || s >= t->nspecies)
    return CS_ERROR(CS_ERR_INPUT, "transport: species %d cannot take a loss rate %g", s, k);
  if (t->m->species[s].chemo_attractant >= 0 || t->cellwise[s])
    return CS_ERROR(CS_ERR_INPUT,
                    "transport: species '%s' climbs an attractant or has per-cell coefficients: "
                    "it cannot be solved with its loss",
                    t->m->species[s].name);
  t->loss[s] = k;
  for (int d = 0; d < 3; d++) t->fac_dt[d][s] = -1;
  if (transport_fft_applies(t, s) && !t->fft) CS_TRY(transport_fft_create(&t->fft, t));
  return CS_OK;
}

int transport_unsplit(const transport *t, int s) { return t->loss[s] >= 0 && t->fft != NULL; }

int transport_moves(const transport *t, int s) {
  const int nl = t->g->nlayers;
  int moves = t->m->species[s].chemo_attractant >= 0 || t->varies[s];
  for (int l = 0; l < nl; l++) moves |= t->D[s * nl + l] > 0;
  return moves;
}

/* Build a periodic matrix's Sherman–Morrison pieces. With gamma = -b0, the corner entries
   beta = A[0][n-1] and alpha = A[n-1][0] move into a tridiagonal T' (b0 -> b0 - gamma,
   b_{n-1} -> b_{n-1} - alpha*beta/gamma) plus the rank-one u v^T with u = (gamma, 0.., alpha),
   v = (1, 0.., beta/gamma). */
static void factor_build(const transport *t, int d, int s, int layer, double dt, factor *f) {
  const sweep *sw = &t->sw[d];
  int n = sw->n, dir = sw->dir;
  double r = dt / (t->g->h * t->g->h);
  /* b and c are assembled in thread 0's scratch (called outside parallel regions). */
  double *b = t->scratch[0], *c = b + n, gwrap = 0;
  for (int p = 0; p < n; p++) {
    double gl = p > 0 ? face_conductance(t, dir, s, layer, p, r) : 0.0;
    double gr = p < n - 1 ? face_conductance(t, dir, s, layer, p + 1, r) : 0.0;
    f->a[p] = -gl;
    b[p] = 1 + gl + gr + (dir == DIR_Z && t->loss[s] > 0 ? dt * t->loss[s] : 0.0);
    c[p] = -gr;
  }
  f->g_lo = f->g_hi = 0;
  if (sw->lo == BC_PERIODIC) {
    gwrap = r * t->D[s * t->g->nlayers + layer]; /* periodic only laterally: one layer */
    b[0] += gwrap;
    b[n - 1] += gwrap;
  } else {
    f->g_lo = boundary_conductance(t, dir, s, layer, sw->lo, 0, r);
    f->g_hi = boundary_conductance(t, dir, s, layer, sw->hi, n - 1, r);
    b[0] += f->g_lo;
    b[n - 1] += f->g_hi;
  }
  double *bb = b, *cc = c;
  if (sw->lo == BC_PERIODIC && gwrap > 0) {
    double gamma = -bb[0], beta = -gwrap, alpha = -gwrap;
    bb[0] -= gamma;
    bb[n - 1] -= alpha * beta / gamma;
    tri_factor(n, f->a, bb, cc, f->m, f->cp);
    memset(f->zc, 0, sizeof(double) * (size_t)n);
    f->zc[0] = gamma;
    f->zc[n - 1] = alpha;
    tri_solve_shared(n, 1, 1, 1, f->a, f->m, f->cp, f->zc, NULL, NULL, 0);
    f->sm_v = beta / gamma;
    f->sm_den = 1 + f->zc[0] + f->sm_v * f->zc[n - 1];
  } else {
    tri_factor(n, f->a, bb, cc, f->m, f->cp);
    f->sm_v = 0;
    f->sm_den = 0;
  }
}

/* The x sweep solves rows that lie nx doubles apart; when nx*8 bytes is a multiple of 4 KiB
   the rows of a block collide in the same L1 sets and every load misses. Such blocks are
   copied to a scratch with a padded pitch, solved there, and copied back (same arithmetic,
   same bits). */
#define X_PAD 8

/* Lines sharing one factorisation: the correction owed by the previous sweep (owed, or NULL),
   Dirichlet terms into the right-hand side, one Thomas pass, and for periodic lines the
   rank-one Sherman–Morrison correction x -= fr zc — or, with owe_fr, only its factors fr,
   stored there for the next sweep to apply (see tri_owed). scr: w + n doubles, and for a
   padded x block w (n + X_PAD) more. */
static void solve_shared_block(const sweep *sw, const factor *f, double ub, double *x0, int w,
                               double *scr, const tri_owed *owed, double *owe_fr,
                               const double *next, size_t next_len) {
  const int n = sw->n;
  const size_t ps = sw->ps;
  size_t ls = sw->ls;
  double *x = x0, *fr = owe_fr && f->sm_den != 0 ? owe_fr : scr;
  const int padded = sw->dir == DIR_X && w > 1 && (ls * sizeof(double)) % 4096 == 0;
  if (padded) {
    x = scr + w;
    ls = (size_t)n + X_PAD;
    for (int r = 0; r < w; r++) memcpy(x + r * ls, x0 + r * sw->ls, sizeof(double) * (size_t)n);
  }
  tri_owed ow;
  if (owed) {
    ow = *owed;
    /* rows that take a Dirichlet term: the owed correction first, as the owing sweep did */
    for (int e = 0; e < 2; e++) {
      const int p = e ? n - 1 : 0;
      if ((e ? f->g_hi : f->g_lo) <= 0 || p < ow.p0 || p >= ow.p1) continue;
      double *xp = x + (size_t)p * ps;
      const double sp = ow.s[p], *vp = ow.v + (size_t)p * ow.vps;
      for (int r = 0; r < w; r++) xp[r] -= sp * vp[r];
      if (e) ow.p1 = n - 1;
      else ow.p0 = 1;
    }
  }
  if (f->g_lo > 0)
    for (int r = 0; r < w; r++) x[r * ls] += f->g_lo * ub;
  if (f->g_hi > 0)
    for (int r = 0; r < w; r++) x[(size_t)(n - 1) * ps + r * ls] += f->g_hi * ub;
  tri_solve_shared(n, w, ps, ls, f->a, f->m, f->cp, x, owed ? &ow : NULL, next, next_len);
  if (f->sm_den != 0) {
    for (int r = 0; r < w; r++)
      fr[r] = (x[r * ls] + f->sm_v * x[(size_t)(n - 1) * ps + r * ls]) / f->sm_den;
    if (fr == owe_fr) {
      /* owed to the next sweep */
    } else if (ps == 1) { /* x lines: along each line, contiguous */
      for (int r = 0; r < w; r++) {
        double *xr = x + r * ls, frr = fr[r];
        for (int p = 0; p < n; p++) xr[p] -= frr * f->zc[p];
      }
    } else {
      for (int p = 0; p < n; p++) {
        double *xp = x + (size_t)p * ps, z = f->zc[p];
        for (int r = 0; r < w; r++) xp[r * ls] -= fr[r] * z;
      }
    }
  }
  if (padded)
    for (int r = 0; r < w; r++) memcpy(x0 + r * sw->ls, x + r * ls, sizeof(double) * (size_t)n);
}

/* Which Sherman–Morrison corrections of a species' step are deferred to the next sweep. */
enum { OWE_XY = 1, OWE_YZ = 2 };

static void solve_block(const transport *t, int d, int s, int bi, double *const *u, double dt,
                        const factor *const *fs, int owe) {
  const sweep *sw = &t->sw[d];
  const block *bk = &sw->blocks[bi];
  const int attr = t->m->species[s].chemo_attractant;
  double *scr = t->scratch[omp_get_thread_num()];
  if (attr >= 0) {
    transport_chemo_solve(t, sw, s, bk, u[s] + bk->base, u[attr] + bk->base, dt, scr);
    return;
  }
  if (t->cellwise[s]) {
    transport_cell_solve(t, sw, s, bk, u[s] + bk->base, dt, scr);
    return;
  }
  const grid *g = t->g;
  const factor *f = &fs[d][sw->dir == DIR_Z ? 0 : bk->layer];
  const double *next = NULL;
  size_t next_len = 0;
  tri_owed ow, *owed = NULL;
  double *owe_fr = NULL;
  if (sw->dir != DIR_Y && bi + 1 < sw->nblocks) {
    /* the next block, for the kernel to prefetch (x: its rows; z: its lines' rows) */
    next = u[s] + sw->blocks[bi + 1].base;
    next_len = (size_t)sw->blocks[bi + 1].w * (sw->dir == DIR_X ? sw->ls : 1);
  }
  if (sw->dir == DIR_X) {
    if (owe & OWE_XY) owe_fr = t->owed_x + bk->base / (size_t)g->nx; /* its rows */
  } else if (sw->dir == DIR_Y) {
    const size_t k = bk->base / ((size_t)g->nx * (size_t)g->ny), i0 = bk->base % (size_t)g->nx;
    const factor *fx = &fs[0][bk->layer];
    if ((owe & OWE_XY) && fx->sm_den != 0) {
      ow = (tri_owed){t->owed_x + k * (size_t)g->ny, fx->zc + i0, 0, 0, sw->n};
      owed = &ow;
    }
    if (owe & OWE_YZ) owe_fr = t->owed_y + k * (size_t)g->nx + i0;
  } else if (owe & OWE_YZ) {
    /* z block: lines (i0.., j), unknown k owes fr[k][i] zc_y(layer of k)[j] */
    const size_t j = bk->base / (size_t)g->nx, i0 = bk->base % (size_t)g->nx;
    double *zs = scr + bk->w + sw->n;
    for (int k = 0; k < sw->n; k++) zs[k] = fs[1][g->layer_of_z[k]].zc[j];
    ow = (tri_owed){zs, t->owed_y + i0, (size_t)g->nx, 0, sw->n};
    owed = &ow;
  }
  solve_shared_block(sw, f, t->ub[s], u[s] + bk->base, bk->w, scr, owed, owe_fr, next, next_len);
}

/* Species by species, attractants first, so that every direction of a chemotactic species
   sees its attractant spread by this step (docs/numerics.md says why). In 3D the x and y sweeps of a depth slab run back to back while
   the slab is in cache, so x+y cost one pass over memory and z another. */
void transport_step(transport *t, double *const *u, double dt) { transport_step_at(t, u, 0, dt); }

/* Species s's factors for dt, where its matrices do not depend on the state; the
   lateral-periodic corrections its 3D sweeps leave each other (owe). One thread only. */
static void species_prepare(transport *t, int s, double dt, const factor **fs, int *owe) {
  const int nl = t->g->nlayers, attr = t->m->species[s].chemo_attractant, cw = t->cellwise[s];
  for (int d = 0; d < t->nsweeps; d++) {
    factor *f = &t->fac[((size_t)d * (size_t)t->nspecies + (size_t)s) * (size_t)nl];
    fs[d] = f;
    if (attr < 0 && !cw && t->fac_dt[d][s] != dt) {
      for (int l = 0; l < (t->sw[d].dir == DIR_Z ? 1 : nl); l++) factor_build(t, d, s, l, dt, &f[l]);
      t->fac_dt[d][s] = dt;
    }
  }
  /* 3D: periodic lateral lines leave their correction to the next sweep, which applies it as
     it reads the values; the z sweep only if every layer's y lines are periodic */
  *owe = 0;
  if (t->nsweeps == 3 && attr < 0 && !cw) {
    *owe = OWE_XY | OWE_YZ;
    for (int l = 0; l < nl; l++)
      if (fs[1][l].sm_den == 0) *owe &= ~OWE_YZ;
  }
}

void transport_step_in(transport *t, double *const *u, double time, double dt) {
  const int nz = t->g->nz, dz = t->nsweeps - 1;
  /* the species in order, each one's work shared out and finished (the loops' barriers)
     before the next one starts */
  for (int o = 0; o < t->nspecies; o++) {
    const int s = t->order[o];
    if (!transport_moves(t, s) && !(t->loss[s] > 0)) continue;
    if (transport_unsplit(t, s)) {
      transport_fft_solve(t, t->fft, s, u[s], dt, t->loss[s]);
      continue;
    }
    if (t->cellwise[s]) transport_cell_prepare(t, s, u, time + 0.5 * dt);
    const factor *fs[3];
    int owe = 0;
#pragma omp single copyprivate(fs, owe)
    species_prepare(t, s, dt, fs, &owe);
    if (t->nsweeps == 3) {
#pragma omp for schedule(static)
      for (int k = 0; k < nz; k++) {
        for (int bi = t->sw[0].kstart[k]; bi < t->sw[0].kstart[k + 1]; bi++)
          solve_block(t, 0, s, bi, u, dt, fs, owe);
        for (int bi = t->sw[1].kstart[k]; bi < t->sw[1].kstart[k + 1]; bi++)
          solve_block(t, 1, s, bi, u, dt, fs, owe);
      }
    } else {
#pragma omp for schedule(static)
      for (int bi = 0; bi < t->sw[0].nblocks; bi++) solve_block(t, 0, s, bi, u, dt, fs, 0);
    }
#pragma omp for schedule(static)
    for (int bi = 0; bi < t->sw[dz].nblocks; bi++) solve_block(t, dz, s, bi, u, dt, fs, owe);
  }
}

/* One parallel region for every species and sweep: a fork and join per transport step. */
void transport_step_at(transport *t, double *const *u, double time, double dt) {
#pragma omp parallel num_threads(t->nthreads)
  transport_step_in(t, u, time, dt);
}
