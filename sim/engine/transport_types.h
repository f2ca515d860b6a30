/* transport_types: the private state of the transport, shared by its modules (transport.c:
 * setup, shared factorisations and the sweeps; transport_chemo.c: chemotactic lines;
 * transport_lines.c: per-line matrices; transport_cell.c: partition coefficients, per-cell
 * coefficients and time-dependent surface values). Not for other modules. */
#ifndef CISIM_TRANSPORT_TYPES_H
#define CISIM_TRANSPORT_TYPES_H

#include <stddef.h>

#include "grid.h"
#include "model.h"

typedef struct transport transport; /* as in transport.h, which this header must not include */

enum { DIR_X, DIR_Y, DIR_Z };

/* One block of w neighbouring lines. */
typedef struct {
  size_t base;
  int w;
  int layer;     /* x, y sweeps: the layer all its lines lie in; z: unused */
} block;

typedef struct {
  int dir;       /* DIR_X, DIR_Y, DIR_Z */
  int n;         /* unknowns per line */
  size_t ps, ls; /* stride along a line, between lines of a block */
  bc_kind lo, hi;
  int nblocks;
  block *blocks;
  int *kstart;   /* 3D x and y sweeps: blocks of depth row k are [kstart[k], kstart[k+1]) */
} sweep;

/* The shared factorisation of one (sweep, species, layer). */
typedef struct {
  double *a, *m, *cp; /* n each */
  double *zc;         /* periodic: Sherman–Morrison correction vector */
  double sm_v, sm_den;
  double g_lo, g_hi;  /* Dirichlet boundary conductances (rhs terms) */
} factor;

struct transport {
  const grid *g;
  const model *m;
  const void *inst;
  int nspecies, nthreads;
  int order[MODEL_MAX_SPECIES];     /* attractants first: climbers see them after their solve */
  double *D;                        /* [s * nlayers + l] */
  double ub[MODEL_MAX_SPECIES];     /* Dirichlet values */
  sweep sw[3];
  int nsweeps;
  factor *fac;                      /* [(dir * nspecies + s) * nlayers + l] */
  double fac_dt[3][MODEL_MAX_SPECIES];
  double **scratch;                 /* per thread: 7 * maxnw doubles */
  /* 3D, periodic lateral lines: the Sherman–Morrison factors fr owed by the x sweep to the y
     sweep, [k * ny + j], and by the y sweep to the z sweep, [k * nx + i] (see tri_owed) */
  double *owed_x, *owed_y;
  size_t maxnw;
  size_t bytes;
  /* The per-cell path (transport_cell.h): species with partition coefficients, per-cell
     coefficients or a model-controlled surface solve per-line matrices every step. */
  unsigned char cellwise[MODEL_MAX_SPECIES]; /* takes the per-cell path */
  unsigned char varies[MODEL_MAX_SPECIES];   /* coefficients from model->cell_transport */
  unsigned char surf[MODEL_MAX_SPECIES];     /* surface boundary from model->surface_value */
  int surf_on[MODEL_MAX_SPECIES];            /* this step: surface held (1) or no-flux (0) */
  double surf_val[MODEL_MAX_SPECIES];        /* this step: the value it is held at */
  double *sig[MODEL_MAX_SPECIES], *ik[MODEL_MAX_SPECIES]; /* [ncell] D·K and 1/K */
  /* Chemotactic species with per-layer partition coefficients (transport_chemo.c): K per
     layer, [s * nlayers + l]; NULL for a species whose K is 1 in every layer. */
  double *chemoK[MODEL_MAX_SPECIES];
  /* Species solved with a constant loss k (transport_set_loss): loss[s] >= 0, else -1; the
     unsplit solve of those that can take it (transport_fft.h), NULL where none does. */
  double loss[MODEL_MAX_SPECIES];
  struct transport_fft *fft;
};

/* Diffusive conductance dt*D_f/h^2 of face f (between unknowns f-1 and f) of a line. */
static inline double face_conductance(const transport *t, int dir, int s, int layer, int f, double r) {
  int nl = t->g->nlayers;
  if (dir != DIR_Z) return r * t->D[s * nl + layer];
  double d1 = t->D[s * nl + t->g->layer_of_z[f - 1]], d2 = t->D[s * nl + t->g->layer_of_z[f]];
  return d1 + d2 > 0 ? r * 2 * d1 * d2 / (d1 + d2) : 0.0;
}

/* Boundary conductance of the face below unknown 0 (lo) or above unknown n-1 (hi). */
static inline double boundary_conductance(const transport *t, int dir, int s, int layer, bc_kind bc,
                                          int cell, double r) {
  if (bc != BC_DIRICHLET) return 0.0;
  int l = dir == DIR_Z ? t->g->layer_of_z[cell] : layer;
  return 2 * r * t->D[s * t->g->nlayers + l];
}

/* The periodic wrap face of per-line matrices (between unknown n-1, entry eL, and unknown 0,
   entry eR) with coefficients cl on u_{n-1} and cr on u_0: the corners alpha = A[n-1][0] and
   beta = A[0][n-1] into al, be, and the Sherman–Morrison shift of the two diagonal entries
   (gamma = -b0): the tridiagonal part T' of transport_lines_solve. */
static inline void lines_wrap_face(double *b, size_t eL, size_t eR, double cl, double cr,
                                   double *al, double *be) {
  b[eL] += cl;
  b[eR] += cr;
  *al = -cr; /* A[n-1][0] */
  *be = -cl; /* A[0][n-1] */
  double gamma = -b[eR];
  b[eR] -= gamma;
  b[eL] -= *al * *be / gamma;
}

#endif
