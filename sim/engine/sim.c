#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigmem.h"
#include "outcome.h"
#include "step2.h"

/* Slack on the error test: a step slightly over tolerance is kept rather than redone. */
#define SIM_REJECT_ABOVE 2.0
/* The second-order scheme's estimate is a local one of this very step (step doubling), so
   the test is the plain one: redo a step whose estimate exceeds the tolerance. */
#define SIM2_REJECT_ABOVE 1.0

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static cs_status sim_setup(sim *s, const grid *g, const model *m, void *inst,
                           const sim_options *o) {
  s->g = g;
  s->m = m;
  s->inst = inst;
  s->opt = *o;
  if (o->nsummary > 0) { /* the sim's own sorted copy */
    s->opt.summary_days = malloc(sizeof(double) * (size_t)o->nsummary);
    if (!s->opt.summary_days) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    memcpy(s->opt.summary_days, o->summary_days, sizeof(double) * (size_t)o->nsummary);
    qsort(s->opt.summary_days, (size_t)o->nsummary, sizeof(double), cmp_double);
  } else {
    s->opt.summary_days = NULL;
    s->opt.nsummary = 0;
  }
  if (s->opt.nthreads < 1) s->opt.nthreads = 1;
  if (s->opt.scheme != SIM_FIRST_ORDER) s->opt.error_after_transport = 0;
  s->ns = m->nspecies;
  reaction_atol(m, s->opt.atol, s->atol);
  size_t n = g->ncell;
  /* huge pages where offered: see bigmem.c */
  s->mem = bigmem_alloc(sizeof(double) * n * 3 * (size_t)s->ns);
  if (!s->mem) return CS_ERROR(CS_ERR_NOMEM, "out of memory for the state (%zu cells)", n);
  for (int q = 0; q < s->ns; q++) {
    s->u[q] = s->mem + (size_t)q * n;
    s->un[q] = s->mem + (size_t)(s->ns + q) * n;
    s->du[q] = s->mem + (size_t)(2 * s->ns + q) * n;
  }
  if (s->opt.error_after_transport) {
    s->mid_mem = bigmem_alloc(sizeof(double) * n * 2 * (size_t)s->ns);
    if (!s->mid_mem) return CS_ERROR(CS_ERR_NOMEM, "out of memory for the state (%zu cells)", n);
    for (int q = 0; q < s->ns; q++) {
      s->mid[q] = s->mid_mem + (size_t)q * n;
      s->mid_prev[q] = s->mid_mem + (size_t)(s->ns + q) * n;
    }
  }
  CS_TRY(series_init(&s->ser, g, m, s->opt.nthreads));
  CS_TRY(transport_create(&s->tr, g, m, inst, s->opt.nthreads));
  CS_TRY(reaction_create(&s->rx, g, m, inst, s->opt.rtol, s->opt.atol, s->opt.nthreads));
  if (s->opt.scheme != SIM_FIRST_ORDER) CS_TRY(step2_create(&s->s2, s));
  /* First touch by the threads that will sweep the data. */
  int rows = g->ny * g->nz;
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++) {
    int j = row % g->ny, k = row / g->ny;
    for (int i = 0; i < g->nx; i++) {
      cell_info c;
      reaction_cell_info(s->rx, i, j, k, &c);
      double v[MODEL_MAX_SPECIES];
      m->initial(inst, &c, v);
      size_t idx = grid_index(g, i, j, k);
      for (int q = 0; q < s->ns; q++) {
        s->u[q][idx] = v[q];
        s->un[q][idx] = v[q];
        s->du[q][idx] = 0;
        if (s->mid_mem) s->mid[q][idx] = s->mid_prev[q][idx] = 0;
      }
    }
  }
  s->dt = s->opt.dt_initial;
  s->dt_cap = INFINITY;
  s->treat = m->treatment ? m->treatment(inst) : NULL;
  s->next_session = 0;
  /* The baseline of the outcome metrics is this untreated initial state. */
  return outcome_create(&s->oc, &s->ser, s->inst, s->u, s->t);
}

cs_status sim_init(sim *s, const grid *g, const model *m, void *inst, const sim_options *o) {
  memset(s, 0, sizeof *s);
  return sim_setup(s, g, m, inst, o);
}

cs_status sim_state_replaced(sim *s) {
  if (s->nsteps > 0 || s->t != 0)
    return CS_ERROR(CS_ERR_RUN, "the initial state can only be replaced before the first step");
  for (int q = 0; q < s->ns; q++) memcpy(s->un[q], s->u[q], sizeof(double) * s->g->ncell);
  for (int q = 0; q < s->ns; q++) memset(s->du[q], 0, sizeof(double) * s->g->ncell);
  outcome_free(s->oc);
  return outcome_create(&s->oc, &s->ser, s->inst, s->u, s->t);
}

/* The cyclic (Sherman–Morrison) line solve of the transport needs three cells (a grid of one
   cell is fine for the 0-D uses of a model, so grid_init does not ask). */
static cs_status check_periodic(grid *g, const params *p) {
  cs_status st = CS_OK;
  if (g->bc_x == BC_PERIODIC && g->nx < 3)
    st = params_key_error(p, "grid.boundary.x", "periodic needs at least 3 cells across x, got %d",
                          g->nx);
  else if (g->dims == 3 && g->bc_y == BC_PERIODIC && g->ny < 3)
    st = params_key_error(p, "grid.boundary.y", "periodic needs at least 3 cells across y, got %d",
                          g->ny);
  if (st != CS_OK) grid_free(g);
  return st;
}

cs_status sim_create(sim *s, const params *p, int nthreads) {
  memset(s, 0, sizeof *s);
  const model *m = model_resolve(model_find(p->model_name), p);
  if (!m) return CS_ERROR(CS_ERR_INPUT, "%s: unknown model '%s'", p->file, p->model_name);
  grid g;
  CS_TRY(grid_init(&g, p));
  CS_TRY(check_periodic(&g, p));
  void *inst = NULL;
  cs_status st = m->create(p, &g, &inst);
  if (st != CS_OK) {
    grid_free(&g);
    return st;
  }
  sim_options o = {
      .end_day = params_real(p, "time.end_day"),
      .output_every_day = params_real(p, "time.output_every_day"),
      .dt_initial = params_real(p, "time.dt_initial_day"),
      .dt_min = params_real(p, "time.dt_min_day"),
      .dt_max = params_real(p, "time.dt_max_day"),
      .rtol = params_real(p, "time.rtol"),
      .atol = params_real(p, "time.atol"),
      .adaptive = params_bool(p, "time.adaptive"),
      .nthreads = nthreads,
      .error_after_transport = strcmp(params_str(p, "time.error_estimate"), "after_transport") == 0,
      .scheme = strcmp(params_str(p, "time.scheme"), "first_order") == 0 ? SIM_FIRST_ORDER
                                                                        : SIM_SECOND_ORDER,
      .signed_values = !params_bool(p, "time.nonnegative"),
      .series_every = params_real(p, "output.series_every_day"),
  };
  o.summary_days = (double *)params_reals(p, "output.summary_days", &o.nsummary);
  /* The grid lives in the sim so that the pointers the solvers keep stay valid. */
  s->own_grid = g;
  s->owns = 1;
  s->m = m;
  s->inst = inst;
  return sim_setup(s, &s->own_grid, m, inst, &o);
}

void sim_free(sim *s) {
  outcome_free(s->oc);
  step2_free(s->s2);
  transport_free(s->tr);
  reaction_free(s->rx);
  free(s->mem);
  free(s->mid_mem);
  free(s->opt.summary_days);
  series_free(&s->ser);
  if (s->owns) {
    if (s->m && s->inst) s->m->destroy(s->inst);
    grid_free(&s->own_grid);
  }
  memset(s, 0, sizeof *s);
}

size_t sim_bytes(const sim *s) {
  return sizeof(double) * s->g->ncell * (s->mid_mem ? 5 : 3) * (size_t)s->ns +
         transport_bytes(s->tr) + reaction_bytes(s->rx) + step2_bytes(s->s2);
}

/* Weighted max-norm of the transport's local error estimate; also catches non-finite values
   (returns INFINITY and reports the first bad cell in index order). */
static double step_error(sim *s, double dt, int *bad_species, size_t *bad_cell) {
  const grid *g = s->g;
  const int rows = g->ny * g->nz;
  const double ratio = s->have_history ? dt / s->dt_prev : 0.0;
  const double w = s->have_history ? dt / (dt + s->dt_prev) : 0.0;
  const double rtol = s->opt.rtol;
  double err = 0;
#pragma omp parallel for schedule(static) reduction(max : err) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++) {
    size_t i0 = (size_t)row * (size_t)g->nx;
    double e = 0;
    int finite = 1;
    for (int q = 0; q < s->ns; q++) {
      const double atol = s->atol[q];
      const int mid = s->mid_mem != NULL;
      const double *u = (mid ? s->mid[q] : s->u[q]) + i0;
      const double *un = (mid ? s->mid_prev[q] : s->un[q]) + i0, *du = s->du[q] + i0;
      const double *ue = s->u[q] + i0;
      for (int i = 0; i < g->nx; i++) {
        double d = u[i] - un[i];
        double r = fabs(w * (d - ratio * du[i])) / (atol + rtol * fabs(u[i]));
        finite &= isfinite(ue[i]);
        e = r > e ? r : e;
      }
    }
    s->ser.row_buf[row] = finite ? 0.0 : 1.0;
    err = e > err ? e : err;
  }
  for (int row = 0; row < rows; row++)
    if (s->ser.row_buf[row] != 0) {
      size_t i0 = (size_t)row * (size_t)g->nx;
      for (int q = 0; q < s->ns; q++)
        for (int i = 0; i < g->nx; i++)
          if (!isfinite(s->u[q][i0 + i])) {
            *bad_species = q;
            *bad_cell = i0 + (size_t)i;
            return INFINITY;
          }
    }
  return err;
}

/* All species in one parallel region (each region is a synchronisation), by rows. */
static void copy_state(sim *s, double *const *dst, double *const *src) {
  const int rows = s->g->ny * s->g->nz, nx = s->g->nx, ns = s->ns;
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
  for (int row = 0; row < rows; row++)
    for (int q = 0; q < ns; q++)
      memcpy(dst[q] + (size_t)row * (size_t)nx, src[q] + (size_t)row * (size_t)nx,
             sizeof(double) * (size_t)nx);
}

static void record_change(sim *s) {
  const size_t n = s->g->ncell;
  if (s->mid_mem) {
    /* The first step after an event has no earlier post-transport state to differ from. */
    for (int q = 0; q < s->ns; q++) {
      double *du = s->du[q], *mp = s->mid_prev[q];
      const double *md = s->mid[q];
      const int first = s->mid_steps == 0;
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
      for (size_t c = 0; c < n; c++) {
        du[c] = first ? 0.0 : md[c] - mp[c];
        mp[c] = md[c];
      }
    }
    if (s->mid_steps < 2) s->mid_steps++;
    return;
  }
  for (int q = 0; q < s->ns; q++) {
    double *du = s->du[q];
    const double *u = s->u[q], *un = s->un[q];
#pragma omp parallel for schedule(static) num_threads(s->opt.nthreads)
    for (size_t c = 0; c < n; c++) du[c] = u[c] - un[c];
  }
}

/* One attempt of one step from s->t over dt. */
static cs_status try_step(sim *s, double dt) {
  CS_TRY(reaction_step(s->rx, s->u, s->t, 0.5 * dt, &s->nsubsteps));
  transport_step_at(s->tr, s->u, s->t, dt);
  if (s->mid_mem) copy_state(s, s->mid, s->u);
  return reaction_step(s->rx, s->u, s->t + 0.5 * dt, 0.5 * dt, &s->nsubsteps);
}

static cs_status nonfinite_error(const sim *s, int q, size_t c) {
  const grid *g = s->g;
  int i = (int)(c % (size_t)g->nx), j = (int)((c / (size_t)g->nx) % (size_t)g->ny);
  int k = (int)(c / ((size_t)g->nx * (size_t)g->ny));
  return CS_ERROR(CS_ERR_RUN,
                  "non-finite %s at t = %.9g day in cell (x, y, z) = (%g, %g, %g) µm",
                  s->m->species[q].name, s->t, (i + 0.5) * g->h, (j + 0.5) * g->h,
                  (k + 0.5) * g->h);
}

/* A failed step (status st, message set): when the state holds a non-finite value, say
   which species, cell and time first, then the original message. */
static cs_status first_nonfinite(const sim *s, cs_status st) {
  const size_t n = s->g->ncell;
  for (size_t c = 0; c < n; c++)
    for (int q = 0; q < s->ns; q++)
      if (!isfinite(s->u[q][c])) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", cs_error_message());
        nonfinite_error(s, q, c);
        char where[1024];
        snprintf(where, sizeof where, "%s", cs_error_message());
        return CS_ERROR(st, "%s (%s)", where, msg);
      }
  return st;
}

/* Treatment session k: every cell learns what the punctures did to it (model->injure). Cells
   are independent, so any schedule gives the same bits. */
static void apply_session(sim *s, int k) {
  const grid *g = s->g;
  const model *m = s->m;
  if (m->injure) {
    const int rows = g->ny * g->nz;
#pragma omp parallel for schedule(dynamic, 4) num_threads(s->opt.nthreads)
    for (int row = 0; row < rows; row++) {
      int j = row % g->ny, kk = row / g->ny;
      for (int i = 0; i < g->nx; i++) {
        wound_info w;
        s->treat->wound(s->treat->geom, g, k, i, j, kk, &w);
        cell_info c;
        reaction_cell_info(s->rx, i, j, kk, &c);
        size_t idx = grid_index(g, i, j, kk);
        double v[MODEL_MAX_SPECIES];
        for (int q = 0; q < s->ns; q++) v[q] = s->u[q][idx];
        m->injure(s->inst, &c, &w, v);
        for (int q = 0; q < s->ns; q++) s->u[q][idx] = v[q];
      }
    }
  }
  reaction_update_sources(s->rx);
  s->dt = s->opt.dt_initial;
  s->dt_cap = INFINITY;
  s->have_history = 0;
  s->mid_steps = 0;
  outcome_session(s->oc, s->u, s->t, k);
}

/* First session day > t, or INFINITY. */
static double next_session_day(const treatment *tr, double t) {
  for (int k = 0; tr && k < tr->nsessions; k++)
    if (tr->day[k] > t) return tr->day[k];
  return INFINITY;
}

/* First summary day > t, or INFINITY. */
static double next_summary_day(const sim *s, double t) {
  for (int k = 0; k < s->opt.nsummary; k++)
    if (s->opt.summary_days[k] > t) return s->opt.summary_days[k];
  return INFINITY;
}

/* First multiple of output.series_every_day > t, or INFINITY (every accepted step). The
   multiples are k * every, by multiplication, so they do not drift. */
static double next_series_time(const sim *s, double t) {
  const double every = s->opt.series_every;
  if (!(every > 0)) return INFINITY;
  double k = floor(t / every) + 1;
  while (k * every <= t) k++;
  return k * every;
}

/* A series row after the step that reached s->t: after every step at series_every 0, else
   where the step landed on a series time, a summary day or the target (a snapshot). */
static int series_row_due(const sim *s, int on_row_time) {
  return s->series_out && s->series_out->series && s->series_vals &&
         (!(s->opt.series_every > 0) || on_row_time);
}

static cs_status series_row(sim *s, int on_row_time) {
  if (!series_row_due(s, on_row_time)) return CS_OK;
  sim_series_values(s, s->series_vals);
  return s->series_out->series(s->series_out->ctx, s->t, s->series_vals);
}

/* After an accepted step: the outcome follows it, and the series row, if one is due, shares
   the one pass over the state both need. */
static cs_status after_step(sim *s, int on_row_time) {
  if (!series_row_due(s, on_row_time)) {
    outcome_step(s->oc, s->mid_mem ? s->mid : s->u, s->t); /* after_transport: see sim.h */
    return CS_OK;
  }
  double *v = s->series_vals;
  const int nb = series_count(&s->ser);
  series_of(&s->ser, s->u, v);
  if (s->mid_mem) outcome_step(s->oc, s->mid, s->t);
  else outcome_step_series(s->oc, v, s->t);
  outcome_values_series(s->oc, s->u, v, v + nb);
  return s->series_out->series(s->series_out->ctx, s->t, v);
}

/* The outcome's row at a summary day the step landed on (unless a snapshot there records it). */
static cs_status record_summary_day(sim *s) {
  if (!s->oc || outcome_has_record_at(s->oc, s->t)) return CS_OK;
  double *vals = malloc(sizeof(double) * (size_t)sim_series_count(s));
  if (!vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  sim_series_values(s, vals);
  cs_status st = outcome_record(s->oc, s->t, vals);
  free(vals);
  return st;
}

/* Every session due by now (the state has reached its day) and not yet applied. */
static void apply_due_sessions(sim *s) {
  while (s->treat && s->next_session < s->treat->nsessions &&
         s->treat->day[s->next_session] <= s->t)
    apply_session(s, s->next_session++);
}

/* u and un trade arrays (second order: the step starts from un and writes u, so no copy). */
static void swap_state(sim *s) {
  for (int q = 0; q < s->ns; q++) {
    double *x = s->u[q];
    s->u[q] = s->un[q];
    s->un[q] = x;
  }
}

/* A step over tolerance: back to its start, with a smaller step. */
static cs_status reject_step(sim *s, double dt, double err) {
  if (s->opt.scheme != SIM_FIRST_ORDER) swap_state(s);
  else copy_state(s, s->u, s->un);
  s->nrejected++;
  s->dt = dt * fmax(0.2, 0.9 / sqrt(err));
  /* The split scheme's fixed point moves with dt, so a step that grew too far is rejected
     again each time it is retried: stay below it for a while instead of oscillating. */
  s->dt_cap = 0.9 * dt;
  if (s->dt < s->opt.dt_min)
    return CS_ERROR(CS_ERR_RUN,
                    "step size fell below time.dt_min_day (%g) at t = %.9g day; loosen "
                    "time.rtol/atol or lower dt_min_day",
                    s->opt.dt_min, s->t);
  return CS_OK;
}

/* The next step's size after an accepted step dt (dt_wanted: the size before landing on an
   output or event shortened it; so: the second-order scheme). */
static void accept_step_size(sim *s, int so, double dt, double dt_wanted, double err) {
  /* both estimates are of a first-order error, O(dt^2) per step: dt ~ err^(-1/2) */
  double fac = !so && !s->have_history ? 2.0 : err > 0 ? 0.9 / sqrt(err) : 2.0;
  s->dt_prev = dt;
  s->have_history = so || !s->mid_mem || s->mid_steps >= 2;
  double next = dt * fmin(2.0, fmax(0.2, fac));
  /* A step shortened to land on an output time is no reason for a short next step: back to
     the size the control had chosen (as far as this step's estimate allows), so that where
     the outputs fall changes the step sequence as little as possible. */
  if (so && dt < dt_wanted) next = fmax(next, fmin(fac * dt, dt_wanted));
  s->dt = fmin(next, s->dt_cap);
  s->dt_cap *= 1.1;
}

cs_status sim_advance_to(sim *s, double t_target) {
  const int so = s->opt.scheme != SIM_FIRST_ORDER;
  while (s->t < t_target) {
    apply_due_sessions(s);
    double t_stop = t_target;
    double ev = s->m->next_event ? s->m->next_event(s->inst, s->t) : INFINITY;
    double sev = next_session_day(s->treat, s->t);
    if (sev < ev) ev = sev;
    int at_event = ev <= t_stop;
    if (at_event) t_stop = ev;
    const double sday = next_summary_day(s, s->t);
    const int at_summary = sday <= t_stop; /* landed on like an output time */
    if (at_summary) t_stop = sday;
    const double stime = next_series_time(s, s->t);
    const int at_series = stime <= t_stop;
    if (at_series) t_stop = stime;
    double dt = fmin(s->dt, s->opt.dt_max);
    if (!s->opt.adaptive) dt = s->opt.dt_max;
    const double dt_wanted = dt;
    int lands = 0;
    const double left = t_stop - s->t;
    /* Within rounding of a whole step counts as a whole step: a fixed dt that divides the
       interval must not leave a sliver behind. */
    if (left <= dt * (1 + 1e-9)) {
      dt = left;
      lands = 1;
    } else if (s->opt.adaptive && left < 2 * dt) {
      dt = 0.5 * left; /* two even steps rather than one long and one sliver */
    }
    if (so) swap_state(s); /* un: the start; step2_begin fills u from it */
    else copy_state(s, s->un, s->u);
    int bq = 0;
    size_t bc = 0;
    double err = 0;
    cs_status st = so ? step2_begin(s, dt, &err, &bq, &bc) : try_step(s, dt);
    if (st != CS_OK) {
      /* Keep the failed attempt for a diagnostic snapshot; name the first non-finite value. */
      s->nonfinite = 1;
      s->fail_t = lands ? t_stop : s->t + dt;
      return first_nonfinite(s, st);
    }
    if (!so) err = step_error(s, dt, &bq, &bc);
    if (isinf(err)) {
      s->nonfinite = 1;
      s->fail_t = lands ? t_stop : s->t + dt;
      return nonfinite_error(s, bq, bc);
    }
    if (s->opt.adaptive &&
        (so ? err > SIM2_REJECT_ABOVE : s->have_history && err > SIM_REJECT_ABOVE)) {
      CS_TRY(reject_step(s, dt, err));
      continue;
    }
    if (so) step2_finish(s);
    else record_change(s);
    s->t = lands ? t_stop : s->t + dt;
    s->nsteps++;
    accept_step_size(s, so, dt, dt_wanted, err);
    if (lands && at_event && s->t == ev) {
      reaction_update_sources(s->rx);
      s->dt = s->opt.dt_initial;
      s->dt_cap = INFINITY;
      s->have_history = 0;
      s->mid_steps = 0;
    }
    CS_TRY(after_step(s, lands && ((at_series && s->t == stime) ||
                                   (at_summary && s->t == sday) || s->t == t_target)));
    if (lands && at_summary && s->t == sday && s->t < t_target) CS_TRY(record_summary_day(s));
    if (s->hook) {
      CS_TRY(s->hook(s, 0, s->hook_ctx));
      if (s->stop) {
        s->stopped = 1;
        return CS_OK;
      }
    }
  }
  return CS_OK;
}

/* Series: the engine's own (series.h), then the outcome's. */
int sim_series_count(const sim *s) { return series_count(&s->ser) + outcome_series_count(s->oc); }

void sim_series_describe(const sim *s, int q, char *name, size_t namelen, char *unit,
                         size_t unitlen, char *long_name, size_t longlen) {
  int nb = series_count(&s->ser);
  if (q >= nb)
    outcome_series_describe(s->oc, q - nb, name, namelen, unit, unitlen, long_name, longlen);
  else
    series_describe(&s->ser, q, name, namelen, unit, unitlen, long_name, longlen);
}

void sim_series_values(sim *s, double *values) {
  series_of(&s->ser, s->u, values);
  outcome_values_series(s->oc, s->u, values, values + series_count(&s->ser));
}

static cs_status write_snapshot(sim *s, const sim_output *out, double *vals) {
  if (s->oc) {
    sim_series_values(s, vals);
    if (!outcome_has_record_at(s->oc, s->t)) CS_TRY(outcome_record(s->oc, s->t, vals));
  }
  if (!out) return CS_OK;
  const double *fields[MODEL_MAX_SPECIES];
  for (int q = 0; q < s->ns; q++) fields[q] = s->u[q];
  return out->write(out->ctx, s->t, fields);
}

/* The bad state of a step that went non-finite, as one more snapshot, keeping the error. */
static cs_status diagnostic_snapshot(sim *s, const sim_output *out, cs_status err) {
  if (!out) return err;
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", cs_error_message());
  const double *fields[MODEL_MAX_SPECIES];
  for (int q = 0; q < s->ns; q++) fields[q] = s->u[q];
  cs_status st = out->write(out->ctx, s->fail_t, fields);
  if (st != CS_OK)
    return CS_ERROR(err, "%s (and the diagnostic snapshot failed: %s)", msg, cs_error_message());
  return CS_ERROR(err, "%s; the run file's last snapshot (day %.9g) holds the state with it",
                  msg, s->fail_t);
}

static cs_status run_from(sim *s, const sim_output *out, void (*progress)(const sim *s, void *ctx),
                          void *ctx, int resume) {
  double *vals = malloc(sizeof(double) * (size_t)sim_series_count(s));
  if (!vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  s->stop = s->stopped = 0;
  s->series_out = out;
  s->series_vals = vals;
  cs_status st = CS_OK;
  if (!resume) {
    s->next_output = 0;
    st = write_snapshot(s, out, vals);
    if (st == CS_OK) st = series_row(s, 1);
    s->next_output = 1;
  }
  /* Output times are n * every, computed by multiplication so they do not drift. */
  for (long n = s->next_output; st == CS_OK && s->t < s->opt.end_day; n++) {
    double target = fmin(n * s->opt.output_every_day, s->opt.end_day);
    if (s->opt.end_day - target < 1e-9 * s->opt.output_every_day) target = s->opt.end_day;
    st = sim_advance_to(s, target);
    if (st != CS_OK && s->nonfinite) st = diagnostic_snapshot(s, out, st);
    if (st != CS_OK || s->stopped) break;
    st = write_snapshot(s, out, vals);
    if (st == CS_OK) s->next_output = n + 1;
    if (st == CS_OK && progress) progress(s, ctx);
    if (st == CS_OK && s->hook && s->t < s->opt.end_day) {
      st = s->hook(s, 1, s->hook_ctx);
      if (st == CS_OK && s->stop) {
        s->stopped = 1;
        break;
      }
    }
  }
  s->series_out = NULL;
  s->series_vals = NULL;
  free(vals);
  return st;
}

cs_status sim_run(sim *s, const sim_output *out, void (*progress)(const sim *s, void *ctx), void *ctx) {
  return run_from(s, out, progress, ctx, 0);
}

cs_status sim_run_resume(sim *s, const sim_output *out, void (*progress)(const sim *s, void *ctx),
                         void *ctx) {
  return run_from(s, out, progress, ctx, 1);
}
