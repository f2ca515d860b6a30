/* sim: one simulation — state arrays, time stepping, events and diagnostics.
 *
 * A step is Strang-split: reaction dt/2, transport dt, reaction dt/2. The step size adapts to
 * a local error estimate of the (first-order) transport, from the change over this step and
 * the previous one: err ~ dt/(dt+dt_prev) * |du_n - (dt/dt_prev) du_{n-1}|, scaled per value
 * by atol + rtol*|u| and reduced with max (exact in any order, so thread-count independent).
 * Steps land exactly on output times and model events (e.g. a treatment session), after
 * which the step restarts from dt_initial. */
#ifndef CISIM_SIM_H
#define CISIM_SIM_H

#include "error.h"
#include "grid.h"
#include "hdf5out.h"
#include "model.h"
#include "params.h"
#include "reaction.h"
#include "transport.h"

typedef struct {
  double end_day, output_every_day;
  double dt_initial, dt_min, dt_max;
  double rtol, atol;
  int adaptive;
  int nthreads;
} sim_options;

typedef struct {
  const grid *g;
  const model *m;
  void *inst;
  sim_options opt;
  int ns;
  double *u[MODEL_MAX_SPECIES];     /* the state, one contiguous array per species */
  double *un[MODEL_MAX_SPECIES];    /* state at the start of the step (for rejection) */
  double *du[MODEL_MAX_SPECIES];    /* change over the previous accepted step */
  double *mem;
  transport *tr;
  reaction *rx;
  double t, dt, dt_prev;
  int have_history;
  long nsteps, nrejected, nsubsteps;
  double *row_buf;                  /* [ny*nz] per-row partial sums for ordered reductions */
  /* owned when built from params */
  grid own_grid;
  int owns;
} sim;

/* Build a simulation from a grid, a model and its instance (tests). Sets the initial state. */
cs_status sim_init(sim *s, const grid *g, const model *m, void *inst, const sim_options *o);
/* Build everything from resolved parameters (grid, model instance, options). */
cs_status sim_create(sim *s, const params *p, int nthreads);
void sim_free(sim *s);

/* Advance to exactly t_target, stopping on model events on the way. */
cs_status sim_advance_to(sim *s, double t_target);

/* Diagnostics: per species total amount, maximum, and mean per layer. */
int sim_series_count(const sim *s);
void sim_series_describe(const sim *s, int q, char *name, size_t namelen, char *unit,
                         size_t unitlen, char *long_name, size_t longlen);
void sim_series_values(sim *s, double *values);

/* The whole run: snapshots at 0, every output_every_day and end_day, into out (may be NULL).
   progress (may be NULL) is called after each snapshot. */
cs_status sim_run(sim *s, hdf5out *out, void (*progress)(const sim *s, void *ctx), void *ctx);

/* Bytes of memory the simulation holds. */
size_t sim_bytes(const sim *s);

#endif
