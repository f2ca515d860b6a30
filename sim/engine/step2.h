/* step2: the second-order step (time.scheme: second_order, the default).
 *
 * Richardson extrapolation (step doubling) of the first-order Lie step S_h = T_h ∘ R_h,
 * reaction R (ETD2 per cell, sim/reaction.h) then transport T (backward-Euler LOD,
 * sim/transport.h, the attractant transported before its climbers):
 *
 *   u_c = S_dt u,   u_f = S_dt/2 S_dt/2 u,   u' = 2 u_f − u_c      (second order)
 *
 * u_f − u_c is the local error of u_f, O(dt²): the step-doubling estimate that sizes the step
 * (docs/numerics.md says why this and not a Strang step around an extrapolated transport).
 * Every step ends with a transport solve, so no freshly released source sits unspread in the
 * state that outputs and outcome peaks see.
 *
 * Held species (model->implicit_loss: a source q that does not depend on the species and a
 * constant loss k): R leaves them unchanged (reaction_freeze), their source is added by the
 * trapezoid rule over the pass, u += h/2 (q(start) + q(end)), and T solves transport and loss
 * together, (I − h(A − k)) u_new = u, unsplit where the lateral walls are periodic
 * (transport_set_loss). The Lie step's fixed point is then the semi-discrete steady state for
 * any h, so coarse and fine steps agree where the species is quasi-steady, and a stiff growth
 * factor no longer holds the step at the size where its split fixed point moves by the
 * tolerance (docs/numerics.md, "Species solved with their transport").
 *
 * The extrapolation is a combination with weights 2 and −1, so it conserves whatever both
 * solutions conserve (no-flux, periodic walls: the transport exactly, the reaction as the
 * model does). It can undershoot where u_c > 2 u_f (steep fronts, stiff modes: the
 * extrapolated backward-Euler factor 2/(1+z/2)² − 1/(1+z) is negative for z > 2 + 2√2).
 * Remedy, per species: a cell whose extrapolated value would be negative while u_f ≥ 0 and
 * u_c ≥ 0 is set to 0, and the mass so added is taken back from the cells whose correction
 * u_f − u_c is positive, in proportion to it (their value stays ≥ u_f). The total is then the
 * extrapolation's, so conservation is kept, and non-negative solutions stay non-negative.
 * Sums run per row and then in row order: the same bits for any thread count. */
#ifndef CISIM_STEP2_H
#define CISIM_STEP2_H

#include <stddef.h>

#include "error.h"

struct sim;
typedef struct step2 step2;

cs_status step2_create(step2 **w, const struct sim *s);
void step2_free(step2 *w);
size_t step2_bytes(const step2 *w);

/* Both solutions from s->u at s->t over dt: the coarse one into s->du, the fine one in s->u.
   *err receives the weighted max-norm of u_f − u_c (1: at tolerance); INFINITY when a value
   is not finite, with the first such species and cell (index order) in *bad_species,
   *bad_cell. The caller restores s->u on rejection. Fails only as reaction_step fails. */
cs_status step2_begin(struct sim *s, double dt, double *err, int *bad_species, size_t *bad_cell);

/* After step2_begin, when the step is accepted: s->u = the extrapolation (with the
   positivity remedy; s->nlimited counts the cells it set to 0). */
void step2_finish(struct sim *s);

#endif
