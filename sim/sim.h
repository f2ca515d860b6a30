/* sim: one simulation — state arrays, time stepping, events and diagnostics.
 *
 * Two schemes (time.scheme):
 *   second_order (default): the Lie step "reaction dt, then LOD transport dt" once over dt
 *     and twice over dt/2, extrapolated (sim/step2.h); the difference of the two is the local
 *     error estimate (step doubling) that sizes the step.
 *   first_order: one Strang step, reaction dt/2, LOD transport dt, reaction dt/2; the step
 *     size adapts to an estimate from the change over this step and the previous one:
 *     err ~ dt/(dt+dt_prev) * |du_n - (dt/dt_prev) du_{n-1}|.
 * Errors are scaled per value by atol + rtol*|u| and reduced with max (exact in any order, so
 * thread-count independent). Steps land exactly on output times and model events (e.g. a
 * treatment session), after which the step restarts from dt_initial. */
#ifndef CISIM_SIM_H
#define CISIM_SIM_H

#include "error.h"
#include "grid.h"
#include "hdf5out.h"
#include "model.h"
#include "params.h"
#include "reaction.h"
#include "transport.h"

struct outcome;
struct step2;

enum { SIM_SECOND_ORDER = 0, SIM_FIRST_ORDER = 1 };

typedef struct {
  double end_day, output_every_day;
  double dt_initial, dt_min, dt_max;
  double rtol, atol;
  int adaptive;
  int nthreads;
  /* Measure the step error on the state right after transport instead of at the end of the
     step (time.error_estimate: after_transport). The end-of-step state carries the last half
     step's source not yet spread by transport, a bump of size source·dt/2 that jumps whenever
     dt changes; with a localised source under fast diffusion that jump, not the solution,
     then sets the step size. 0 (the default) keeps the end-of-step estimate. */
  int error_after_transport;
  /* SIM_SECOND_ORDER (0, so the default of a zeroed sim_options) or SIM_FIRST_ORDER. The
     second-order scheme has its own estimate; error_after_transport is for the first-order. */
  int scheme;
  /* Second order: 1 keeps the plain, linear extrapolation, negative values included
     (time.nonnegative: false); 0 applies the positivity remedy of sim/step2.h. */
  int signed_values;
} sim_options;

typedef struct sim {
  const grid *g;
  const model *m;
  void *inst;
  sim_options opt;
  int ns;
  double *u[MODEL_MAX_SPECIES];     /* the state, one contiguous array per species */
  double *un[MODEL_MAX_SPECIES];    /* state at the start of the step (for rejection) */
  double *du[MODEL_MAX_SPECIES];    /* first order: change over the previous accepted step;
                                       second order: the coarse transport solve (scratch) */
  double *mem;
  double *mid[MODEL_MAX_SPECIES];      /* error_after_transport: state after this step's transport */
  double *mid_prev[MODEL_MAX_SPECIES]; /* ... and after the previous accepted step's */
  double *mid_mem;
  int mid_steps;                       /* accepted steps since the last event (capped at 2) */
  transport *tr;
  reaction *rx;
  double t, dt, dt_prev;
  double dt_cap;                    /* below the last rejected step, relaxed as steps succeed */
  int have_history;
  long nsteps, nrejected, nsubsteps;
  struct step2 *s2;                 /* second order: its scratch (sim/step2.h), else NULL */
  long nlimited;                    /* second order: cells set to 0 by the positivity remedy */
  double *row_buf;                  /* [ny*nz] per-row partial sums for ordered reductions */
  /* treatment: the model's protocol (NULL: none) and the next session to apply */
  const struct protocol *prot;
  int next_session;
  struct outcome *oc;               /* outcome metrics (sim/outcome.h), NULL if none */
  /* Run control (sim_run): the index n of the snapshot being advanced to (output time
     n * output_every_day; snapshots 0 .. n-1 are written), and a hook called between accepted
     steps and after each snapshot (NULL: none). The hook may write a checkpoint and ask the run
     to stop by setting stop; sim_advance_to and sim_run then return CS_OK with stopped = 1 and
     a state that a checkpoint restores exactly (sim/checkpoint.h). */
  long next_output;
  cs_status (*hook)(struct sim *s, int after_snapshot, void *ctx);
  void *hook_ctx;
  int stop, stopped;
  /* Set when a step produced a non-finite value: the state u is that step's result (for a
     diagnostic snapshot) and fail_t the time it would have reached. */
  int nonfinite;
  double fail_t;
  /* owned when built from params */
  grid own_grid;
  int owns;
} sim;

/* Build a simulation from a grid, a model and its instance (tests). Sets the initial state. */
cs_status sim_init(sim *s, const grid *g, const model *m, void *inst, const sim_options *o);
/* Build everything from resolved parameters (grid, model instance, options). */
cs_status sim_create(sim *s, const params *p, int nthreads);
void sim_free(sim *s);

/* Advance to exactly t_target, stopping on model events and treatment sessions on the way. A
   session at time T is applied (model->injure on every cell) when the state has reached T,
   before the next step: a snapshot at T shows the skin just before the session. */
cs_status sim_advance_to(sim *s, double t_target);

/* Diagnostics: per species total amount, maximum, and mean per layer, then the outcome
   series of sim/outcome.h (for models that flag species in model->report). */
int sim_series_count(const sim *s);
void sim_series_describe(const sim *s, int q, char *name, size_t namelen, char *unit,
                         size_t unitlen, char *long_name, size_t longlen);
void sim_series_values(sim *s, double *values);
/* The engine's own part only (the first ns * (2 + nlayers) series); _of: of the state u. */
void sim_series_base(sim *s, double *values);
void sim_series_of(sim *s, double *const *u, double *values);

/* The whole run: snapshots at 0, every output_every_day and end_day, into out (may be NULL).
   progress (may be NULL) is called after each snapshot. A step that produces a non-finite
   value ends the run with that error after a last, diagnostic snapshot of the bad state (at
   the time the step would have reached). When s->hook sets s->stop, returns CS_OK early with
   s->stopped set. */
cs_status sim_run(sim *s, hdf5out *out, void (*progress)(const sim *s, void *ctx), void *ctx);
/* The same, continuing a state restored from a checkpoint: no snapshot at the start; the
   next is snapshot s->next_output. */
cs_status sim_run_resume(sim *s, hdf5out *out, void (*progress)(const sim *s, void *ctx),
                         void *ctx);

/* Bytes of memory the simulation holds. */
size_t sim_bytes(const sim *s);

#endif
