/* transport: implicit diffusion and chemotaxis over one step, by directional splitting (LOD).
 *
 * Each direction solves (I - dt A_d) u_new = u_old with A_d the flux-form finite-volume operator
 * of that direction: diffusive face fluxes with harmonic-mean diffusivities across layers; for
 * a chemotactic species, Scharfetter–Gummel face fluxes that combine its diffusion with the
 * drift v = chi(a_f) (a_R - a_L)/h up the gradient of its attractant a, as this step's own
 * solve of the attractant left it (attractants are transported first). The matrix is an M-matrix whose columns sum to one, so each sweep
 * conserves mass exactly (no-flux, periodic) and keeps densities non-negative for any dt.
 * First order in time (backward Euler per direction); second order in space for diffusion;
 * the drift flux is exact for a drift that is constant between two cell centres.
 *
 * Partition coefficients, per-cell coefficients and time-dependent surface values
 * (model->partition, cell_transport, surface_value) put a species on the per-cell path
 * (transport_cell.h): face fluxes G (c_L/K_L - c_R/K_R) with G the harmonic mean of D·K, still
 * an M-matrix with column sums one (conservative, positive), assembled and factored per line
 * every step for those species only. The other species keep the shared factorisations below.
 *
 * A species given a constant loss (transport_set_loss: the second-order scheme's held
 * species) is solved with it, (I - dt (A - k)) u_new = u, and between periodic lateral walls
 * without directional splitting (transport_fft.h).
 *
 * Lines with the same coefficients share one factorisation per step (x and y lines: one per
 * layer; z lines: one), so a sweep is two passes over memory; strided directions are solved
 * as blocks of neighbouring lines so that loads stay contiguous and vectorise. */
#ifndef CISIM_TRANSPORT_H
#define CISIM_TRANSPORT_H

#include "error.h"
#include "grid.h"
#include "model.h"

typedef struct transport transport;

cs_status transport_create(transport **t, const grid *g, const model *m, const void *inst,
                           int nthreads);
/* Advance every species u[s][ncell] by dt in place. */
void transport_step(transport *t, double *const *u, double dt);
/* The same over [time, time + dt]: species with per-cell coefficients or a time-dependent
   surface (model->cell_transport, model->surface_value) see time + dt/2; transport_step is
   this at time 0. */
void transport_step_at(transport *t, double *const *u, double time, double dt);
/* transport_step_at's work, called by every thread of a parallel region of the transport's
   thread count that the caller has opened (the work shared out; every thread returns with
   the step done): several passes in one region. */
void transport_step_in(transport *t, double *const *u, double time, double dt);
void transport_free(transport *t);

/* Whether species s moves at all (diffuses in some layer or climbs an attractant): the others
   are left untouched by transport_step. */
int transport_moves(const transport *t, int s);

/* From now on, solve species s together with a constant loss k >= 0: (I - dt (A - k)) u_new =
   u. Where the lateral walls are periodic (and s neither climbs an attractant nor takes the
   per-cell path) without directional splitting, by lateral FFT (transport_fft.h), so that a
   step's steady state does not depend on dt; otherwise by the LOD sweeps with k in the depth
   sweep. Fails (CS_ERR_INPUT) for a chemotactic species or one on the per-cell path. */
cs_status transport_set_loss(transport *t, int s, double k);
/* Whether species s takes the unsplit solve. */
int transport_unsplit(const transport *t, int s);

/* Bytes of memory the transport owns (scratch and factorisations), for `cisim check`. */
size_t transport_bytes(const transport *t);

#endif
