/* sim_state: the state of one simulation — the sim struct and its options — apart from the
 * functions that step it (sim.h), so that the parts of the stepper in files of their own
 * (step2.c) can reach the state without including the stepper. */
#ifndef CISIM_SIM_STATE_H
#define CISIM_SIM_STATE_H

#include "error.h"
#include "grid.h"
#include "model.h"
#include "params.h"
#include "reaction.h"
#include "series.h"
#include "transport.h"

struct outcome;
struct step2;

enum { SIM_SECOND_ORDER = 0, SIM_FIRST_ORDER = 1 };

typedef struct {
  double end_day, output_every_day;
  double dt_initial, dt_min, dt_max;
  double rtol, atol;   /* atol: times each species' scale (reaction_atol) */
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
  /* Days the outcome summary reads (output.summary_days): steps land on each, and the
     outcome records its row there, so the summary shows that very day, not the nearest
     snapshot. Sorted, owned by the sim; NULL: none. */
  double *summary_days;
  int nsummary;
  /* Time between series rows (output.series_every_day); 0: a row after every accepted step.
     Rows never change the steps at 0; at > 0 steps land on each multiple, like outputs. */
  double series_every;
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
  double atol[MODEL_MAX_SPECIES];   /* per species: opt.atol times its scale */
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
  struct step2 *s2;                 /* second order: its scratch (sim/engine/step2.h), else NULL */
  long nlimited;                    /* second order: cells set to 0 by the positivity remedy */
  /* second order: wall-clock seconds in this process's steps, by phase (reaction, transport,
     error norm and extrapolation), for `cisim run`'s closing line; never read by the steps */
  double sec_reaction, sec_transport, sec_control;
  series_ctx ser;                   /* the engine's own diagnostics (series.h) */
  /* treatment: the model's sessions (NULL: none) and the next session to apply */
  const treatment *treat;
  int next_session;
  struct outcome *oc;               /* outcome metrics (sim/engine/outcome.h), NULL if none */
  /* Run control (sim_run): the index n of the snapshot being advanced to (output time
     n * output_every_day; snapshots 0 .. n-1 are written), and a hook called between accepted
     steps and after each snapshot (NULL: none). The hook may write a checkpoint and ask the run
     to stop by setting stop; sim_advance_to and sim_run then return CS_OK with stopped = 1 and
     a state that a checkpoint restores exactly (sim/io/checkpoint.h). */
  long next_output;
  /* sim_run: where series rows go (NULL: none, e.g. sim_advance_to alone) and a row buffer */
  const struct sim_output_s *series_out;
  double *series_vals;
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

#endif
