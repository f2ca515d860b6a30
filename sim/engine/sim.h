/* sim: one simulation — state arrays, time stepping, events and diagnostics.
 *
 * Two schemes (time.scheme):
 *   second_order (default): the Lie step "reaction dt, then LOD transport dt" once over dt
 *     and twice over dt/2, extrapolated (sim/step2.h); the difference of the two is the local
 *     error estimate (step doubling) that sizes the step; a model's held species
 *     (model->implicit_loss) skip the reaction and are solved with their transport.
 *   first_order: one Strang step, reaction dt/2, LOD transport dt, reaction dt/2; the step
 *     size adapts to an estimate from the change over this step and the previous one:
 *     err ~ dt/(dt+dt_prev) * |du_n - (dt/dt_prev) du_{n-1}|.
 * Errors are scaled per value by atol + rtol*|u| and reduced with max (exact in any order, so
 * thread-count independent). Steps land exactly on output times and model events (e.g. a
 * treatment session), after which the step restarts from dt_initial. */
#ifndef CISIM_SIM_H
#define CISIM_SIM_H

#include "sim_state.h"


/* Build a simulation from a grid, a model and its instance (tests). Sets the initial state. */
cs_status sim_init(sim *s, const grid *g, const model *m, void *inst, const sim_options *o);
/* Build everything from resolved parameters (grid, model instance, options). */
cs_status sim_create(sim *s, const params *p, int nthreads);
void sim_free(sim *s);
/* After the caller has overwritten s->u before the first step (a starting state read from a
   file, sim/io/initial_from.h): the step's start copy follows, the step history is cleared and
   the outcome metrics take this state as their baseline (changes are relative to it). */
cs_status sim_state_replaced(sim *s);

/* Advance to exactly t_target, stopping on model events and treatment sessions on the way. A
   session at time T is applied (model->injure on every cell) when the state has reached T,
   before the next step: a snapshot at T shows the skin just before the session. */
cs_status sim_advance_to(sim *s, double t_target);

/* Where a run's output goes (the run file supplies one: sim/io/hdf5out.h). write: a snapshot,
   the time and one array per species. series (may be NULL): one series row, the time and
   sim_series_count values, at t = 0 and after every accepted step (time.series_every_day 0)
   or at each multiple of series_every_day, each snapshot and summary day. */
typedef struct sim_output_s {
  cs_status (*write)(void *ctx, double t, const double *const *fields);
  cs_status (*series)(void *ctx, double t, const double *series);
  void *ctx;
} sim_output;

/* Diagnostics: per species total amount, maximum, and mean per layer, then the outcome
   series of sim/engine/outcome.h (for models that flag species in model->report). */
int sim_series_count(const sim *s);
void sim_series_describe(const sim *s, int q, char *name, size_t namelen, char *unit,
                         size_t unitlen, char *long_name, size_t longlen);
void sim_series_values(sim *s, double *values);

/* The whole run: snapshots at 0, every output_every_day and end_day, into out (may be NULL).
   progress (may be NULL) is called after each snapshot. A step that produces a non-finite
   value ends the run with that error after a last, diagnostic snapshot of the bad state (at
   the time the step would have reached). When s->hook sets s->stop, returns CS_OK early with
   s->stopped set. */
cs_status sim_run(sim *s, const sim_output *out, void (*progress)(const sim *s, void *ctx), void *ctx);
/* The same, continuing a state restored from a checkpoint: no snapshot at the start; the
   next is snapshot s->next_output. */
cs_status sim_run_resume(sim *s, const sim_output *out, void (*progress)(const sim *s, void *ctx),
                         void *ctx);

/* Bytes of memory the simulation holds. */
size_t sim_bytes(const sim *s);

#endif
