#include "transport_fft.h"

#include <gsl/gsl_fft_halfcomplex.h>
#include <gsl/gsl_fft_real.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "fftv.h"
#include "tridiag.h"

/* Depth lines (slots) solved together: a block's slots are neighbours in memory. */
#define FFT_W 32
/* 2D: pairs of depth rows transformed together by fftv, per chunk */
#define FFT_PAIRS 32

struct transport_fft {
  int n[2];                               /* nx, ny (ny = 1 in 2D: no y transform) */
  gsl_fft_real_wavetable *rw[2];
  gsl_fft_halfcomplex_wavetable *hw[2];
  gsl_fft_real_workspace **ws[2];         /* per thread and direction */
  double *mu;                             /* [nx * ny]: μ_x + μ_y of each slot of a plane */
  double **scr;                           /* per thread: a, b, c, cp of a block, nz * FFT_W each */
  /* 2D: one complex transform of rows a and a + npair (fftv), the spectra of the rows
     [nz][nk] (nk = nx/2 + 1 wavenumbers, real and imaginary parts), per-thread tables */
  fftv *fv;
  int npair, nk;
  double *sr, *si, *muk;
  double **tab;                           /* per thread: re, im [nx][FFT_PAIRS], fftv scratch */
  int nthreads;
  size_t bytes;
};

int transport_fft_applies(const transport *t, int s) {
  for (int d = 0; d + 1 < t->nsweeps; d++)
    if (t->sw[d].lo != BC_PERIODIC) return 0;
  return t->m->species[s].chemo_attractant < 0 && !t->cellwise[s];
}

/* The eigenvalue 2 − 2 cos(2πκ/n) of halfcomplex slot j (wavenumber κ = (j + 1)/2). */
static double slot_mu(int j, int n) {
  const int kappa = (j + 1) / 2;
  return 2.0 - 2.0 * cos(2.0 * CS_PI * kappa / n);
}

/* 2D: rows a and a + npair make one complex sequence (fftv), so that one transform serves
   two rows; the spectra are unpacked per row, solved in depth per wavenumber, packed again. */
static cs_status fft2_create(transport_fft *f, const grid *g) {
  const int nx = g->nx, nz = g->nz;
  CS_TRY(fftv_create(&f->fv, nx));
  f->npair = (nz + 1) / 2;
  f->nk = nx / 2 + 1;
  const size_t spec = (size_t)nz * (size_t)f->nk, tab = 2 * (size_t)nx * FFT_PAIRS;
  const size_t scr = tab + fftv_scratch(f->fv, FFT_PAIRS);
  f->sr = malloc(sizeof(double) * spec);
  f->si = malloc(sizeof(double) * spec);
  f->muk = malloc(sizeof(double) * (size_t)f->nk);
  f->tab = calloc((size_t)f->nthreads, sizeof(double *));
  f->scr = calloc((size_t)f->nthreads, sizeof(double *));
  if (!f->sr || !f->si || !f->muk || !f->tab || !f->scr)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
  for (int k = 0; k < f->nk; k++) f->muk[k] = 2.0 - 2.0 * cos(2.0 * CS_PI * k / nx);
  for (int th = 0; th < f->nthreads; th++) {
    f->tab[th] = malloc(sizeof(double) * scr);
    f->scr[th] = malloc(sizeof(double) * 4 * (size_t)nz * FFT_W);
    if (!f->tab[th] || !f->scr[th]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
  }
  f->bytes = sizeof(double) * (2 * spec + (size_t)f->nk +
                               (scr + 4 * (size_t)nz * FFT_W) * (size_t)f->nthreads);
  return CS_OK;
}

/* Chunk of pairs [p0, p0 + w): the rows into the transposed table (element x of a pair at
   row perm[x]: real part row a, imaginary part row b = a + npair, 0 past the last row),
   transformed, unpacked into the rows' spectra X_a = (Z_k + conj Z_{n−k})/2,
   X_b = (Z_k − conj Z_{n−k})/2i. */
static void fft2_forward(const transport_fft *f, int nz, const double *u, int p0, int w) {
  const int nx = fftv_n(f->fv), nk = f->nk, *perm = fftv_perm(f->fv);
  double *re = f->tab[omp_get_thread_num()], *im = re + (size_t)nx * FFT_PAIRS;
  for (int p = 0; p < w; p++) {
    const int a = p0 + p, b = a + f->npair;
    const double *ua = u + (size_t)a * (size_t)nx, *ub = u + (size_t)b * (size_t)nx;
    for (int x = 0; x < nx; x++) {
      re[(size_t)perm[x] * (size_t)w + (size_t)p] = ua[x];
      im[(size_t)perm[x] * (size_t)w + (size_t)p] = b < nz ? ub[x] : 0.0;
    }
  }
  fftv_forward(f->fv, w, re, im, im + (size_t)nx * FFT_PAIRS);
  for (int k = 0; k < nk; k++) {
    const size_t rk = (size_t)k * (size_t)w, rn = (size_t)((nx - k) % nx) * (size_t)w;
    for (int p = 0; p < w; p++) {
      const int a = p0 + p, b = a + f->npair;
      const double zr = re[rk + (size_t)p], zi = im[rk + (size_t)p];
      const double vr = re[rn + (size_t)p], vi = im[rn + (size_t)p];
      f->sr[(size_t)a * (size_t)nk + (size_t)k] = 0.5 * (zr + vr);
      f->si[(size_t)a * (size_t)nk + (size_t)k] = 0.5 * (zi - vi);
      if (b < nz) {
        f->sr[(size_t)b * (size_t)nk + (size_t)k] = 0.5 * (zi + vi);
        f->si[(size_t)b * (size_t)nk + (size_t)k] = 0.5 * (vr - zr);
      }
    }
  }
}

/* The inverse of fft2_forward: Z_k = Y_a + i Y_b (k ≤ n/2) and conj(Y_a) + i conj(Y_b) at
   n − k, conjugated, transformed forward, conjugated and divided by n: rows a and b. */
static void fft2_inverse(const transport_fft *f, int nz, double *u, int p0, int w) {
  const int nx = fftv_n(f->fv), nk = f->nk, *perm = fftv_perm(f->fv);
  double *re = f->tab[omp_get_thread_num()], *im = re + (size_t)nx * FFT_PAIRS;
  for (int k = 0; k < nk; k++) {
    const size_t rk = (size_t)perm[k] * (size_t)w, rn = (size_t)perm[(nx - k) % nx] * (size_t)w;
    for (int p = 0; p < w; p++) {
      const int a = p0 + p, b = a + f->npair;
      const double ar = f->sr[(size_t)a * (size_t)nk + (size_t)k];
      const double ai = f->si[(size_t)a * (size_t)nk + (size_t)k];
      const double br = b < nz ? f->sr[(size_t)b * (size_t)nk + (size_t)k] : 0.0;
      const double bi = b < nz ? f->si[(size_t)b * (size_t)nk + (size_t)k] : 0.0;
      re[rk + (size_t)p] = ar - bi; /* conj(Y_a + i Y_b) */
      im[rk + (size_t)p] = -(ai + br);
      re[rn + (size_t)p] = ar + bi; /* conj(conj Y_a + i conj Y_b) */
      im[rn + (size_t)p] = ai - br;
    }
  }
  fftv_forward(f->fv, w, re, im, im + (size_t)nx * FFT_PAIRS);
  const double inv = 1.0 / nx;
  for (int p = 0; p < w; p++) {
    const int a = p0 + p, b = a + f->npair;
    double *ua = u + (size_t)a * (size_t)nx, *ub = u + (size_t)b * (size_t)nx;
    for (int x = 0; x < nx; x++) ua[x] = re[(size_t)x * (size_t)w + (size_t)p] * inv;
    if (b < nz)
      for (int x = 0; x < nx; x++) ub[x] = -im[(size_t)x * (size_t)w + (size_t)p] * inv;
  }
}

cs_status transport_fft_create(transport_fft **out, const transport *t) {
  const grid *g = t->g;
  transport_fft *f = calloc(1, sizeof *f);
  if (!f) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
  *out = f;
  f->n[0] = g->nx;
  f->n[1] = g->dims == 3 ? g->ny : 1;
  f->nthreads = t->nthreads;
  if (g->dims == 2) return fft2_create(f, g);
  for (int d = 0; d < 2; d++) {
    if (f->n[d] < 2) continue;
    f->rw[d] = gsl_fft_real_wavetable_alloc((size_t)f->n[d]);
    f->hw[d] = gsl_fft_halfcomplex_wavetable_alloc((size_t)f->n[d]);
    f->ws[d] = calloc((size_t)f->nthreads, sizeof(gsl_fft_real_workspace *));
    if (!f->rw[d] || !f->hw[d] || !f->ws[d])
      return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
    for (int th = 0; th < f->nthreads; th++)
      if (!(f->ws[d][th] = gsl_fft_real_workspace_alloc((size_t)f->n[d])))
        return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
    f->bytes += (size_t)(f->nthreads + 4) * (size_t)f->n[d] * 2 * sizeof(double);
  }
  const size_t plane = (size_t)f->n[0] * (size_t)f->n[1];
  f->mu = malloc(sizeof(double) * plane);
  f->scr = calloc((size_t)f->nthreads, sizeof(double *));
  if (!f->mu || !f->scr) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
  for (size_t q = 0; q < plane; q++) {
    const int i = (int)(q % (size_t)f->n[0]), j = (int)(q / (size_t)f->n[0]);
    f->mu[q] = slot_mu(i, f->n[0]) + (f->n[1] > 1 ? slot_mu(j, f->n[1]) : 0.0);
  }
  for (int th = 0; th < f->nthreads; th++)
    if (!(f->scr[th] = malloc(sizeof(double) * 4 * (size_t)g->nz * FFT_W)))
      return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport FFT)");
  f->bytes += sizeof(double) * (plane + 4 * (size_t)g->nz * FFT_W * (size_t)f->nthreads);
  return CS_OK;
}

void transport_fft_free(transport_fft *f) {
  if (!f) return;
  for (int d = 0; d < 2; d++) {
    if (f->rw[d]) gsl_fft_real_wavetable_free(f->rw[d]);
    if (f->hw[d]) gsl_fft_halfcomplex_wavetable_free(f->hw[d]);
    for (int th = 0; f->ws[d] && th < f->nthreads; th++)
      if (f->ws[d][th]) gsl_fft_real_workspace_free(f->ws[d][th]);
    free(f->ws[d]);
  }
  for (int th = 0; f->scr && th < f->nthreads; th++) free(f->scr[th]);
  free(f->scr);
  for (int th = 0; f->tab && th < f->nthreads; th++) free(f->tab[th]);
  free(f->tab);
  fftv_free(f->fv);
  free(f->sr);
  free(f->si);
  free(f->muk);
  free(f->mu);
  free(f);
}

size_t transport_fft_bytes(const transport_fft *f) { return f ? f->bytes + sizeof *f : 0; }

/* Forward (dir 1) or inverse (dir −1) transform of lateral row r: along x for every row of a
   plane, then (3D) along y for every column. The sizes match the wavetables, so GSL cannot
   fail here. */
static void transform_row(const transport_fft *f, double *plane, int line, int d, int dir) {
  const size_t stride = d == 0 ? 1 : (size_t)f->n[0];
  double *x = plane + (d == 0 ? (size_t)line * (size_t)f->n[0] : (size_t)line);
  gsl_fft_real_workspace *ws = f->ws[d][omp_get_thread_num()];
  if (dir > 0) (void)gsl_fft_real_transform(x, stride, (size_t)f->n[d], f->rw[d], ws);
  else (void)gsl_fft_halfcomplex_inverse(x, stride, (size_t)f->n[d], f->hw[d], ws);
}

/* Every plane's lateral transform, forward or inverse (x then y; inverse y then x). */
static void transform_all(const transport_fft *f, double *u, int nz, int dir) {
  const int ny = f->n[1], nd = ny > 1 ? 2 : 1;
  const size_t plane = (size_t)f->n[0] * (size_t)ny;
  for (int pass = 0; pass < nd; pass++) {
    const int d = dir > 0 ? pass : nd - 1 - pass;
    const int lines = d == 0 ? ny : f->n[0];
    const size_t nq = (size_t)nz * (size_t)lines;
#pragma omp for schedule(static)
    for (size_t q = 0; q < nq; q++)
      transform_row(f, u + (q / (size_t)lines) * plane, (int)(q % (size_t)lines), d, dir);
  }
}

/* One block of w slots (wavenumbers) of the spectra x (and x2, the same systems: NULL for
   none), slot k of depth row p at x[p*ps + k], from slot q0, with eigenvalues mu[q0 + k]: the
   depth systems of their wavenumbers. */
static void solve_slots(const transport *t, const transport_fft *f, int s, double *x,
                        double *x2, size_t ps, const double *mu, size_t q0, int w, double r,
                        double dtk) {
  const grid *g = t->g;
  const int n = g->nz, nl = g->nlayers;
  const sweep *sz = &t->sw[t->nsweeps - 1];
  double *a = f->scr[omp_get_thread_num()], *b = a + (size_t)n * FFT_W;
  double *c = b + (size_t)n * FFT_W, *cp = c + (size_t)n * FFT_W;
  const double glo = boundary_conductance(t, DIR_Z, s, 0, sz->lo, 0, r);
  const double ghi = boundary_conductance(t, DIR_Z, s, 0, sz->hi, n - 1, r);
  for (int p = 0; p < n; p++) {
    const double gl = p > 0 ? face_conductance(t, DIR_Z, s, 0, p, r) : 0.0;
    const double gr = p < n - 1 ? face_conductance(t, DIR_Z, s, 0, p + 1, r) : 0.0;
    const double diag = 1.0 + gl + gr + (p == 0 ? glo : 0.0) + (p == n - 1 ? ghi : 0.0) + dtk;
    const double rd = r * t->D[s * nl + g->layer_of_z[p]];
    double *ap = a + (size_t)p * (size_t)w, *bp = b + (size_t)p * (size_t)w;
    double *cq = c + (size_t)p * (size_t)w;
    for (int k = 0; k < w; k++) {
      ap[k] = -gl;
      bp[k] = diag + rd * mu[q0 + (size_t)k];
      cq[k] = -gr;
    }
  }
  tri_solve_lines(n, w, ps, 1, a, b, c, cp, x + q0);
  if (x2) tri_solve_lines_factored(n, w, ps, 1, a, b, cp, x2 + q0);
}

/* Dirichlet walls: their right-hand-side terms, the same in every cell of the row. */
static void dirichlet_rhs(const transport *t, int s, double *u, double r) {
  const grid *g = t->g;
  const sweep *sz = &t->sw[t->nsweeps - 1];
  const size_t plane = (size_t)g->nx * (size_t)g->ny;
  const double glo = boundary_conductance(t, DIR_Z, s, 0, sz->lo, 0, r);
  const double ghi = boundary_conductance(t, DIR_Z, s, 0, sz->hi, g->nz - 1, r);
  if (!(glo > 0 || ghi > 0)) return;
#pragma omp for schedule(static)
  for (size_t q = 0; q < plane; q++) {
    u[q] += glo * t->ub[s];
    u[(size_t)(g->nz - 1) * plane + q] += ghi * t->ub[s];
  }
}

void transport_fft_solve(const transport *t, transport_fft *f, int s, double *u, double dt,
                         double k) {
  const grid *g = t->g;
  const int nz = g->nz;
  const size_t plane = (size_t)g->nx * (size_t)g->ny;
  const double r = dt / (g->h * g->h);
  if (f->fv) { /* 2D */
    /* at least 6 blocks of wavenumbers, so that 2 or 3 threads share them evenly (a line's
       arithmetic does not depend on its block) */
    const int nch = (f->npair + FFT_PAIRS - 1) / FFT_PAIRS;
    int nkb = (f->nk + FFT_W - 1) / FFT_W;
    if (nkb < 6) nkb = f->nk < 6 ? f->nk : 6;
    const int kw = (f->nk + nkb - 1) / nkb;
    nkb = (f->nk + kw - 1) / kw;
    dirichlet_rhs(t, s, u, r);
#pragma omp for schedule(static)
    for (int c = 0; c < nch; c++)
      fft2_forward(f, nz, u, c * FFT_PAIRS, c + 1 < nch ? FFT_PAIRS : f->npair - c * FFT_PAIRS);
#pragma omp for schedule(static)
    for (int bi = 0; bi < nkb; bi++) {
      const int k0 = bi * kw, w = f->nk - k0 < kw ? f->nk - k0 : kw;
      solve_slots(t, f, s, f->sr, f->si, (size_t)f->nk, f->muk, (size_t)k0, w, r, dt * k);
    }
#pragma omp for schedule(static)
    for (int c = 0; c < nch; c++)
      fft2_inverse(f, nz, u, c * FFT_PAIRS, c + 1 < nch ? FFT_PAIRS : f->npair - c * FFT_PAIRS);
    return;
  }
  const int nblk = (int)((plane + FFT_W - 1) / FFT_W);
  dirichlet_rhs(t, s, u, r);
  transform_all(f, u, nz, 1);
#pragma omp for schedule(static)
  for (int bi = 0; bi < nblk; bi++) {
    const size_t q0 = (size_t)bi * FFT_W;
    const int w = (int)(plane - q0 < FFT_W ? plane - q0 : FFT_W);
    solve_slots(t, f, s, u, NULL, plane, f->mu, q0, w, r, dt * k);
  }
  transform_all(f, u, nz, -1);
}
