#include "transport_chemo.h"

#include "bernoulli.h"
#include "transport_lines.h"

/* chi at the w face levels am (in place allowed) of one layer. */
static void chemo_chi(const transport *t, int s, int layer, int w, const double *am, double *chi) {
  if (t->m->chemotaxis_n) {
    t->m->chemotaxis_n(t->inst, s, layer, w, am, chi);
    return;
  }
  for (int ln = 0; ln < w; ln++) chi[ln] = t->m->chemotaxis(t->inst, s, layer, am[ln]);
}

/* Face between unknowns L and R for a chemotactic species: the Scharfetter–Gummel flux
   F = g [B(-P) u_L - B(P) u_R], g = dt D/h², P = v h/D the cell Péclet number of the drift
   v = chi(a_f) (a_R - a_L)/h. It is exact for a constant drift between the two centres (its
   zero-flux state is the Boltzmann profile u ∝ exp(chi a / D)), tends to upwinding as |P|
   grows, and keeps both coefficients non-negative: the M-matrix survives. P = ∫ chi/D da over
   the face's two half cells, 0.5 (a_R - a_L) (chi_L/D_L + chi_R/D_R): exact for
   piecewise-constant coefficients across a layer interface (the conductance g is the harmonic
   mean). One row of w faces: P[ln]; chiL, chiR: w doubles of scratch. */
static void chemo_peclet_row(const transport *t, int s, int layL, int layR, const double *AL,
                             const double *AR, size_t ls, int w, double *P, double *chiL,
                             double *chiR) {
  const int nl = t->g->nlayers;
  for (int ln = 0; ln < w; ln++) P[ln] = 0.5 * (AL[ln * ls] + AR[ln * ls]);
  chemo_chi(t, s, layL, w, P, chiL);
  const double iL = 1.0 / t->D[s * nl + layL], iR = 1.0 / t->D[s * nl + layR], *cR = chiL;
  if (layL != layR) chemo_chi(t, s, layR, w, P, chiR), cR = chiR;
  for (int ln = 0; ln < w; ln++)
    P[ln] = 0.5 * (AR[ln * ls] - AL[ln * ls]) * (chiL[ln] * iL + cR[ln] * iR);
}

/* A face without diffusion on one side at least (g = 0): pure upwinding, the limit of the
   above. chi is the harmonic mean of the two sides, so a layer where cells do not move
   (chi = 0, D = 0) takes none in, as D's harmonic mean lets no diffusion through. One row of
   w faces, chi for the row at once (one model call, not two per line: the layers where cells
   do not move are a sixth of the default grid). In: am, chiL, chiR scratch of w doubles; out:
   the coefficient on u_L (flux L -> R) in am, on u_R (flux R -> L) in chiL. */
static void chemo_upwind_row(const transport *t, int s, int layL, int layR, const double *AL,
                             const double *AR, size_t ls, int w, double dt, double *am,
                             double *chiL, double *chiR) {
  for (int ln = 0; ln < w; ln++) am[ln] = 0.5 * (AL[ln * ls] + AR[ln * ls]);
  chemo_chi(t, s, layL, w, am, chiL);
  const double *cR = chiL;
  if (layL != layR) chemo_chi(t, s, layR, w, am, chiR), cR = chiR;
  const double h = t->g->h;
  for (int ln = 0; ln < w; ln++) {
    const double cl = chiL[ln], cr = cR[ln];
    const double chif = cl + cr > 0 ? 2 * cl * cr / (cl + cr) : 0.0;
    const double vq = chif * (AR[ln * ls] - AL[ln * ls]) / h * dt / h; /* v dt/h */
    am[ln] = vq > 0 ? vq : 0.0;
    chiL[ln] = vq < 0 ? -vq : 0.0;
  }
}

/* Face f of a chemotactic block (1 .. n-1: unknowns f-1, f; n: periodic wrap, n-1 and 0).
   With partition coefficients (t->chemoK) the unknowns' potentials u/K meet at a face
   between layers: the flux is g_K [B(-P) u_L/K_L - B(P) u_R/K_R], g_K the harmonic mean of the
   conductivities D K (the same P: the drift per potential is chi K / (D K) = chi / D), so the
   zero-flux state without drift is u/K uniform; kl, kr: the factors g_K/K_L, g_K/K_R over g
   (1 inside a layer, where the two forms agree). */
static void chemo_face_of(const transport *t, const sweep *sw, int s, const block *bk, int f,
                          double r, int *layL, int *layR, double *g, double *kl, double *kr) {
  const int zdir = sw->dir == DIR_Z && f < sw->n, n = sw->n;
  *layL = zdir ? t->g->layer_of_z[f - 1] : bk->layer;
  *layR = zdir ? t->g->layer_of_z[f] : bk->layer;
  if (f < n) *g = face_conductance(t, sw->dir, s, bk->layer, f, r);
  else *g = r * t->D[s * t->g->nlayers + bk->layer]; /* periodic: only lateral lines */
  *kl = *kr = 1.0;
  const double *K = t->chemoK[s];
  if (K && *layL != *layR && *g > 0) {
    const int nl = t->g->nlayers;
    const double sL = t->D[s * nl + *layL] * K[*layL], sR = t->D[s * nl + *layR] * K[*layR];
    const double gK = r * 2 * sL * sR / (sL + sR);
    *kl = gK / (*g * K[*layL]);
    *kr = gK / (*g * K[*layR]);
  }
}

/* One face's row of w lines with diffusion (the Bernoulli pairs known): the face's two
   unknowns' diagonals bL, bR, and the off-diagonals cL (of the left unknown) and aR (of the
   right one); the four rows do not overlap, so the loop vectorises. */
static inline void face_row(int w, double gl, double gr, const double *restrict bm,
                            const double *restrict bp, double *restrict bL, double *restrict bR,
                            double *restrict cL, double *restrict aR) {
  for (int ln = 0; ln < w; ln++) {
    const double cl = gl * bm[ln], cr = gr * bp[ln];
    bL[ln] += cl;
    bR[ln] += cr;
    cL[ln] = -cr;
    aR[ln] = -cl;
  }
}

/* The coefficients of every face of the block: Péclet numbers first, then all the Bernoulli
   pairs in one vectorised pass (bernoulli.h), then the matrix. bm, bp: B(-P), B(P) per face
   at (f - 1) * w + line. */
static void chemo_assemble(const transport *t, const sweep *sw, int s, const block *bk,
                           const double *A, double dt, double *a, double *b, double *c,
                           double *P, double *bp, double *bm, int nf) {
  const int n = sw->n, w = bk->w;
  const size_t ps = sw->ps, ls = sw->ls, nw = (size_t)n * (size_t)w;
  const double r = dt / (t->g->h * t->g->h);
  for (int f = 1; f <= nf; f++) {
    int layL, layR;
    double g, kl, kr;
    chemo_face_of(t, sw, s, bk, f, r, &layL, &layR, &g, &kl, &kr);
    const double *AL = A + (size_t)(f - 1) * ps, *AR = A + (size_t)(f < n ? f : 0) * ps;
    const size_t e0 = (size_t)(f - 1) * (size_t)w;
    if (g > 0) /* bp, bm: scratch until the Bernoulli pass fills them */
      chemo_peclet_row(t, s, layL, layR, AL, AR, ls, w, P + e0, bp + e0, bm + e0);
    else
      for (int ln = 0; ln < w; ln++) P[e0 + ln] = 0.0;
  }
  bernoulli_pairs(nf * w, P, bp, bm);
  for (size_t e = 0; e < nw; e++) {
    a[e] = 0;
    b[e] = 1;
    c[e] = 0;
  }
  for (int f = 1; f < n; f++) {
    int layL, layR;
    double g, kl, kr;
    chemo_face_of(t, sw, s, bk, f, r, &layL, &layR, &g, &kl, &kr);
    const size_t e0 = (size_t)(f - 1) * (size_t)w;
    if (g > 0) {
      face_row(w, g * kl, g * kr, bm + e0, bp + e0, b + e0, b + e0 + w, c + e0, a + e0 + w);
      continue;
    }
    /* the face's Péclet and Bernoulli values are used up: their rows are the scratch */
    double *cl = P + e0, *cr = bp + e0;
    chemo_upwind_row(t, s, layL, layR, A + (size_t)(f - 1) * ps, A + (size_t)f * ps, ls, w, dt,
                     cl, cr, bm + e0);
    for (int ln = 0; ln < w; ln++) {
      const size_t eL = e0 + ln, eR = (size_t)f * w + ln;
      b[eL] += cl[ln];
      b[eR] += cr[ln];
      c[eL] = -cr[ln];
      a[eR] = -cl[ln];
    }
  }
}

/* Lines whose matrix depends on the attractant: assembled per line, solved per line. */
void transport_chemo_solve(const transport *t, const sweep *sw, int s, const block *bk, double *x,
                           const double *A, double dt, double *scr) {
  const int n = sw->n, w = bk->w, nl = t->g->nlayers;
  const size_t ps = sw->ps, ls = sw->ls, nw = (size_t)n * (size_t)w;
  double *a = scr, *b = scr + nw, *c = scr + 2 * nw, *cp = scr + 3 * nw, *zc = scr + 4 * nw;
  double *al = scr + 5 * nw, *be = al + w; /* corners of periodic lines */
  double *bm = scr + 6 * nw;              /* face values; cp and zc hold P and B(P) until the solve */
  const double r = dt / (t->g->h * t->g->h);
  const int zdir = sw->dir == DIR_Z;
  const int periodic = sw->lo == BC_PERIODIC;
  chemo_assemble(t, sw, s, bk, A, dt, a, b, c, cp, zc, bm, periodic ? n : n - 1);
  if (periodic) {
    double g = r * t->D[s * nl + bk->layer];
    double *bpw = zc + (size_t)(n - 1) * w, *bmw = bm + (size_t)(n - 1) * w;
    double *ucl = cp + (size_t)(n - 1) * w; /* the wrap face's Péclet row, used up */
    if (!(g > 0))
      chemo_upwind_row(t, s, bk->layer, bk->layer, A + (size_t)(n - 1) * ps, A, ls, w, dt, ucl,
                       bpw, bmw);
    for (int ln = 0; ln < w; ln++) {
      const double cl = g > 0 ? g * bmw[ln] : ucl[ln], cr = g > 0 ? g * bpw[ln] : bpw[ln];
      lines_wrap_face(b, (size_t)(n - 1) * w + ln, (size_t)ln, cl, cr, &al[ln], &be[ln]);
    }
  } else {
    /* a Dirichlet value is a potential: the cell next to it is held at K times it */
    double ub = t->ub[s];
    int l0 = zdir ? t->g->layer_of_z[0] : bk->layer, l1 = zdir ? t->g->layer_of_z[n - 1] : bk->layer;
    const double *K = t->chemoK[s];
    double glo = sw->lo == BC_DIRICHLET ? 2 * r * t->D[s * nl + l0] : 0.0;
    double ghi = sw->hi == BC_DIRICHLET ? 2 * r * t->D[s * nl + l1] : 0.0;
    const double ulo = K ? K[l0] * ub : ub, uhi = K ? K[l1] * ub : ub;
    for (int ln = 0; ln < w; ln++) {
      b[ln] += glo;
      x[ln * ls] += glo * ulo;
      b[(size_t)(n - 1) * w + ln] += ghi;
      x[(size_t)(n - 1) * ps + ln * ls] += ghi * uhi;
    }
  }
  transport_lines_solve(n, w, ps, ls, periodic, a, b, c, cp, zc, al, be, x);
}
