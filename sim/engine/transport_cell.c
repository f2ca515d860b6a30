#include "transport_cell.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "transport_lines.h"

/* Per-layer partition coefficient of species s (1 without the hook). */
static double layer_partition(const transport *t, int s, int l) {
  return t->m->partition ? t->m->partition(t->inst, s, l) : 1.0;
}

/* sigma = D K and 1/K of species s from the layer tables, every cell. */
static void fill_from_layers(transport *t, int s) {
  const grid *g = t->g;
  const int nl = g->nlayers, rows = g->ny * g->nz, nx = g->nx;
  for (int row = 0; row < rows; row++) {
    const int l = g->layer_of_z[row / g->ny];
    const double K = layer_partition(t, s, l), sg = t->D[s * nl + l] * K, ik = 1.0 / K;
    double *sr = t->sig[s] + (size_t)row * (size_t)nx, *kr = t->ik[s] + (size_t)row * (size_t)nx;
    for (int i = 0; i < nx; i++) {
      sr[i] = sg;
      kr[i] = ik;
    }
  }
}

cs_status transport_cell_create(transport *t) {
  const model *m = t->m;
  const grid *g = t->g;
  for (int s = 0; s < m->nspecies; s++) {
    int part = 0;
    for (int l = 0; m->partition && l < g->nlayers; l++) {
      const double K = m->partition(t->inst, s, l);
      if (!(K > 0) || !isfinite(K))
        return CS_ERROR(CS_ERR_INPUT, "%s: partition coefficient of %s in layer %s must be > 0",
                        m->name, m->species[s].name, g->layers[l].name);
      part |= K != 1.0;
    }
    t->varies[s] = m->cell_transport && m->cell_transport(t->inst, s, 0, 0, NULL, 0, NULL, NULL);
    double v;
    t->surf[s] = m->surface_value && m->surface_value(t->inst, s, 0, &v) >= 0;
    t->cellwise[s] = part || t->varies[s] || t->surf[s];
    if (!t->cellwise[s]) continue;
    if (m->species[s].chemo_attractant >= 0 && (t->varies[s] || t->surf[s]))
      return CS_ERROR(CS_ERR_INPUT, "%s: species %s climbs an attractant and cannot also have "
                      "per-cell coefficients or a surface value",
                      m->name, m->species[s].name);
    if (m->species[s].chemo_attractant >= 0) { /* per-layer K: the chemotactic lines' own */
      t->cellwise[s] = 0;
      t->chemoK[s] = malloc(sizeof(double) * (size_t)g->nlayers);
      if (!t->chemoK[s]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
      for (int l = 0; l < g->nlayers; l++) t->chemoK[s][l] = layer_partition(t, s, l);
      continue;
    }
    t->sig[s] = malloc(sizeof(double) * g->ncell);
    t->ik[s] = malloc(sizeof(double) * g->ncell);
    if (!t->sig[s] || !t->ik[s]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (transport)");
    t->bytes += 2 * sizeof(double) * g->ncell;
    fill_from_layers(t, s);
  }
  return CS_OK;
}

void transport_cell_free(transport *t) {
  for (int s = 0; s < MODEL_MAX_SPECIES; s++) {
    free(t->sig[s]);
    free(t->ik[s]);
    free(t->chemoK[s]);
  }
}

void transport_cell_prepare(transport *t, int s, double *const *u, double tmid) {
  const model *m = t->m;
  const grid *g = t->g;
  if (t->surf[s]) {
#pragma omp single
    {
      double v = 0;
      t->surf_on[s] = m->surface_value(t->inst, s, tmid, &v) > 0;
      t->surf_val[s] = t->surf_on[s] ? v : 0.0;
    }
  }
  if (!t->varies[s]) return;
  const int rows = g->ny * g->nz, nx = g->nx, ns = t->nspecies;
  /* rows are independent: any schedule gives the same bits */
#pragma omp for schedule(static)
  for (int row = 0; row < rows; row++) {
    const size_t i0 = (size_t)row * (size_t)nx;
    const double *ur[MODEL_MAX_SPECIES];
    for (int q = 0; q < ns; q++) ur[q] = u[q] + i0;
    double *sr = t->sig[s] + i0, *kr = t->ik[s] + i0;
    m->cell_transport(t->inst, s, g->layer_of_z[row / g->ny], nx, ur, tmid, sr, kr);
    for (int i = 0; i < nx; i++) { /* D, K in place -> sigma, 1/K */
      sr[i] *= kr[i];
      kr[i] = 1.0 / kr[i];
    }
  }
}

/* Half-cell conductances in series: dt/h² times the harmonic mean of sigma (0 if either is). */
static inline double face_g(double r, double sL, double sR) {
  return sL + sR > 0 ? r * 2 * sL * sR / (sL + sR) : 0.0;
}

/* The boundary face below unknown 0 (e = 0) or above unknown n-1 (e = 1): held at a potential,
   or no-flux. */
static void boundary_face(const transport *t, const sweep *sw, int s, int e, int *held,
                          double *value) {
  const bc_kind bc = e ? sw->hi : sw->lo;
  if (sw->dir == DIR_Z && !e && t->surf[s]) {
    *held = t->surf_on[s];
    *value = t->surf_val[s];
    return;
  }
  *held = bc == BC_DIRICHLET;
  *value = t->ub[s];
}

void transport_cell_solve(const transport *t, const sweep *sw, int s, const block *bk, double *x,
                          double dt, double *scr) {
  const int n = sw->n, w = bk->w;
  const size_t ps = sw->ps, ls = sw->ls, nw = (size_t)n * (size_t)w;
  double *a = scr, *b = scr + nw, *c = scr + 2 * nw, *cp = scr + 3 * nw, *zc = scr + 4 * nw;
  double *al = scr + 5 * nw, *be = al + w;
  const double r = dt / (t->g->h * t->g->h);
  const double *sg = t->sig[s] + bk->base, *ik = t->ik[s] + bk->base;
  const int periodic = sw->lo == BC_PERIODIC;
  for (size_t e = 0; e < nw; e++) {
    a[e] = 0;
    b[e] = 1;
    c[e] = 0;
  }
  for (int f = 1; f < n; f++) {
    const size_t qL = (size_t)(f - 1) * ps, qR = (size_t)f * ps;
    for (int ln = 0; ln < w; ln++) {
      const size_t oL = qL + ln * ls, oR = qR + ln * ls;
      const double G = face_g(r, sg[oL], sg[oR]), cl = G * ik[oL], cr = G * ik[oR];
      const size_t eL = (size_t)(f - 1) * w + ln, eR = (size_t)f * w + ln;
      b[eL] += cl;
      b[eR] += cr;
      c[eL] = -cr;
      a[eR] = -cl;
    }
  }
  if (periodic) {
    const size_t qL = (size_t)(n - 1) * ps;
    for (int ln = 0; ln < w; ln++) {
      const size_t oL = qL + ln * ls, oR = ln * ls;
      const double G = face_g(r, sg[oL], sg[oR]);
      lines_wrap_face(b, (size_t)(n - 1) * w + ln, (size_t)ln, G * ik[oL], G * ik[oR], &al[ln],
                      &be[ln]);
    }
  } else {
    for (int e = 0; e < 2; e++) {
      int held;
      double v;
      boundary_face(t, sw, s, e, &held, &v);
      if (!held) continue;
      const size_t q = e ? (size_t)(n - 1) * ps : 0, e0 = e ? (size_t)(n - 1) * w : 0;
      for (int ln = 0; ln < w; ln++) {
        const double gb = 2 * r * sg[q + ln * ls];
        b[e0 + ln] += gb * ik[q + ln * ls];
        x[q + ln * ls] += gb * v;
      }
    }
  }
  transport_lines_solve(n, w, ps, ls, periodic, a, b, c, cp, zc, al, be, x);
}
