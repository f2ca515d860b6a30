/* transport_cell: the per-cell path of the transport, for species with partition coefficients
 * (model->partition), coefficients that vary from cell to cell (model->cell_transport) or a
 * time-dependent surface boundary (model->surface_value).
 *
 * Unknowns are concentrations c; what is continuous across a face at equilibrium is the
 * potential c/K. The flux across a face is G (c_L/K_L - c_R/K_R) with G = dt/h² times the
 * harmonic mean of the conductivities sigma = D·K of the two half cells: two resistances
 * h/(2 sigma) in series, so the steady flux through piecewise-constant layers whose interfaces
 * are faces is exact. A Dirichlet face (grid boundary, or the surface while the model holds it)
 * at potential v adds 2 dt/h² sigma_0 (v - c_0/K_0). The matrix keeps non-positive
 * off-diagonals and column sums one: every sweep conserves exactly and keeps c >= 0. With
 * K = 1 the face is the shared path's harmonic-mean face.
 *
 * The coefficients (sigma, 1/K per cell) are filled once at creation for per-layer values and
 * before every solve where they vary; the matrices are assembled and factored per line in each
 * solve, so the shared factorisations (keyed by dt) never see a switching boundary or a
 * changing coefficient. */
#ifndef CISIM_TRANSPORT_CELL_H
#define CISIM_TRANSPORT_CELL_H

#include "transport_types.h"

/* Which species take the per-cell path, and their coefficient arrays (after t->D, t->ub). */
cs_status transport_cell_create(transport *t);
void transport_cell_free(transport *t);

/* Before species s's solve over [time, time + dt]: its coefficients and surface state at the
   middle of the interval. Called by every thread of a parallel region (transport_step_at's):
   the rows are shared out, and every thread returns with all of them done. */
void transport_cell_prepare(transport *t, int s, double *const *u, double tmid);

/* Block bk of sweep sw for species s, in place (scr: 7·n·w doubles). */
void transport_cell_solve(const transport *t, const sweep *sw, int s, const block *bk, double *x,
                          double dt, double *scr);

#endif
