#include "outcome.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


#include "outcome_impl.h"

/* The model's derived quantities of layer l from the engine series rows base (now) and
   base0 (t = 0), into out[m->nderived]. */
static void derived_of(const outcome *o, int l, const double *base, double *out) {
  double mean[MODEL_MAX_SPECIES], mean0[MODEL_MAX_SPECIES];
  for (int q = 0; q < o->ns; q++) {
    mean[q] = base[q * o->per + 2 + l];
    mean0[q] = o->base0[q * o->per + 2 + l];
  }
  const layer_means all = {o->nl, o->per, base + 2, o->base0 + 2};
  o->m->derived_values(o->inst, l, mean, mean0, &all, out);
}

static double band_ok(double mean, double b0) { return fabs(mean / b0 - 1) <= OUTCOME_BAND; }

/* Lateral mean of species q per depth row, in a fixed order. */
static void depth_profile(outcome *o, double *const *state, int q, double *prof) {
  const grid *g = o->g;
  const int rows = g->ny * g->nz;
  const double *u = state[q];
#pragma omp parallel for schedule(static) num_threads(o->sr->nthreads)
  for (int row = 0; row < rows; row++) {
    const double *ur = u + (size_t)row * (size_t)g->nx;
    double sum = 0;
    for (int i = 0; i < g->nx; i++) sum += ur[i];
    o->rowsum[row] = sum;
  }
  for (int k = 0; k < g->nz; k++) {
    double sum = 0;
    for (int j = 0; j < g->ny; j++) sum += o->rowsum[k * g->ny + j];
    prof[k] = sum / ((double)g->nx * g->ny);
  }
}

static void track_reset(outcome *o, session_track *tr, double t, const double *base) {
  tr->t0 = t;
  for (int q = 0; q < o->ns; q++) {
    tr->peak[q] = -INFINITY;
    tr->peak_t[q] = NAN;
    for (int l = 0; l < o->nl; l++) {
      int e = q * o->nl + l;
      tr->mpeak[e] = -INFINITY;
      tr->mpeak_t[e] = NAN;
      double b0 = o->base0[q * o->per + 2 + l];
      tr->left[e] = 0;
      tr->inside[e] = b0 != 0 && band_ok(base[q * o->per + 2 + l], b0);
      tr->t_enter[e] = t;
    }
  }
}

static void track_observe(outcome *o, session_track *tr, double t, const double *base) {
  for (int q = 0; q < o->ns; q++) {
    if (o->flags[q] & REPORT_PEAK) {
      double v = base[q * o->per + 1];
      if (v > tr->peak[q]) {
        tr->peak[q] = v;
        tr->peak_t[q] = t;
      }
      for (int l = 0; l < o->nl; l++) {
        double mv = base[q * o->per + 2 + l];
        if (mv > tr->mpeak[q * o->nl + l]) {
          tr->mpeak[q * o->nl + l] = mv;
          tr->mpeak_t[q * o->nl + l] = t;
        }
      }
    }
    if (!(o->flags[q] & REPORT_RETURN)) continue;
    for (int l = 0; l < o->nl; l++) {
      int e = q * o->nl + l;
      double b0 = o->base0[q * o->per + 2 + l];
      if (b0 == 0) continue;
      if (!band_ok(base[q * o->per + 2 + l], b0)) {
        tr->left[e] = 1;
        tr->inside[e] = 0;
      } else if (!tr->inside[e]) {
        tr->inside[e] = 1;
        tr->t_enter[e] = t;
      }
    }
  }
}

/* ---- first arrival and time lag (arrival.h), after every accepted step ---- */

double outcome_arrival_depth(const outcome *o, int q, int k) {
  return (o->arr_row0[q] + k + 0.5) * o->g->h - o->arr_surface[q];
}

/* The model's derived quantity of series i (OS_DERIVED) from the engine series ser. */
static double derived_series_value(const outcome *o, int i, const double *ser) {
  double dv[MODEL_MAX_SPECIES * 4];
  if (o->m->nderived > (int)(sizeof dv / sizeof dv[0])) return NAN;
  derived_of(o, o->ser[i].layer, ser, dv);
  return dv[o->ser[i].sp];
}

/* REPORT_ARRIVAL species: the rows at or below the model's surface, their level and series;
   the lagged derived series (model.lag_derived), from the state u at time t. */
static cs_status follow_create(outcome *o, double *const *u, double t) {
  const model *m = o->m;
  const grid *g = o->g;
  o->state = u;
  for (int q = 0; q < o->ns; q++) {
    if (!(o->flags[q] & REPORT_ARRIVAL)) continue;
    double surface = NAN, level = m->arrival_level ? m->arrival_level(o->inst, q, &surface) : NAN;
    if (!(level > 0) || !isfinite(level) || !(surface >= 0) || !isfinite(surface))
      return CS_ERROR(CS_ERR_INPUT,
                      "model %s: species %s reports arrival but its level (%g) is not > 0 or "
                      "its surface (%g µm) not >= 0 (model.arrival_level)",
                      m->name, m->species[q].name, level, surface);
    int k0 = 0;
    while (k0 < g->nz && (k0 + 0.5) * g->h < surface) k0++;
    o->arr_row0[q] = k0;
    o->arr_surface[q] = surface;
    depth_profile(o, u, q, o->prof);
    CS_TRY(arrival_rows_init(&o->arr[q], g->nz - k0, level, o->prof + k0, t));
    o->narr++;
    o->ser[o->nser++] = (oseries){OS_ARRIVAL, q, -1};
  }
  for (int i = 0; i < o->nser; i++)
    o->nlag += o->ser[i].kind == OS_DERIVED && o->ser[i].sp < 32 &&
               ((m->lag_derived >> o->ser[i].sp) & 1u);
  if (o->nlag == 0) return CS_OK;
  o->lag_ser = malloc(sizeof(int) * (size_t)o->nlag);
  o->lag = malloc(sizeof(lag_track) * (size_t)o->nlag);
  if (!o->lag_ser || !o->lag) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  for (int i = 0, j = 0; i < o->nser; i++)
    if (o->ser[i].kind == OS_DERIVED && o->ser[i].sp < 32 && ((m->lag_derived >> o->ser[i].sp) & 1u)) {
      o->lag_ser[j] = i;
      lag_init(&o->lag[j++], t, derived_series_value(o, i, o->base0));
    }
  return CS_OK;
}

static void follow_step(outcome *o, double *const *u, const double *ser, double t) {
  for (int q = 0; q < o->ns && o->narr > 0; q++) {
    if (!(o->flags[q] & REPORT_ARRIVAL)) continue;
    depth_profile(o, u, q, o->prof);
    arrival_rows_observe(&o->arr[q], o->prof + o->arr_row0[q], t);
  }
  for (int j = 0; j < o->nlag; j++) lag_observe(&o->lag[j], t, derived_series_value(o, o->lag_ser[j], ser));
}

int outcome_arrival_rows(const outcome *o, int sp) {
  return o && sp >= 0 && sp < o->ns && (o->flags[sp] & REPORT_ARRIVAL) ? o->arr[sp].n : 0;
}

double outcome_arrival_time(const outcome *o, int sp, int k, double *depth_um) {
  if (depth_um) *depth_um = NAN;
  if (k < 0 || k >= outcome_arrival_rows(o, sp)) return NAN;
  if (depth_um) *depth_um = outcome_arrival_depth(o, sp, k);
  return o->arr[sp].t[k];
}

double outcome_lag(const outcome *o, int q, int layer) {
  for (int j = 0; o && j < o->nlag; j++)
    if (o->ser[o->lag_ser[j]].sp == q && o->ser[o->lag_ser[j]].layer == layer) return lag_time(&o->lag[j]);
  return NAN;
}

static cs_status add_track(outcome *o, int session) {
  session_track *nt = realloc(o->track, sizeof *nt * (size_t)(o->ntrack + 1));
  if (!nt) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  o->track = nt;
  int *ns = realloc(o->track_session, sizeof *ns * (size_t)(o->ntrack + 1));
  if (!ns) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  o->track_session = ns;
  session_track *tr = &o->track[o->ntrack];
  memset(tr, 0, sizeof *tr);
  size_t ne = (size_t)o->ns * (size_t)o->nl;
  tr->left = calloc(ne, 1);
  tr->inside = calloc(ne, 1);
  tr->t_enter = calloc(ne, sizeof(double));
  tr->mpeak = calloc(2 * ne, sizeof(double));
  tr->mpeak_t = tr->mpeak ? tr->mpeak + ne : NULL;
  if (!tr->left || !tr->inside || !tr->t_enter || !tr->mpeak) {
    free(tr->left);
    free(tr->inside);
    free(tr->t_enter);
    free(tr->mpeak);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  }
  o->track_session[o->ntrack] = session;
  o->cur = o->ntrack++;
  return CS_OK;
}

cs_status outcome_create(outcome **out, const series_ctx *sr, const void *inst,
                         double *const *u, double t) {
  *out = NULL;
  const model *m = sr->m;
  if (!m->report) return CS_OK;
  int any = m->nderived > 0 && m->derived_values;
  for (int q = 0; q < m->nspecies; q++) any |= m->report[q] != 0;
  if (!any) return CS_OK;
  outcome *o = calloc(1, sizeof *o);
  if (!o) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  *out = o;
  const grid *g = sr->g;
  o->sr = sr;
  o->inst = inst;
  o->m = m;
  o->g = g;
  o->ns = m->nspecies;
  o->nl = g->nlayers;
  o->per = 2 + g->nlayers;
  o->nbase = o->ns * o->per;
  o->nz = g->nz;
  for (int q = 0; q < o->ns; q++) o->flags[q] = m->report[q];
  o->base0 = malloc(sizeof(double) * (size_t)o->nbase);
  o->buf = malloc(sizeof(double) * (size_t)o->nbase);
  o->prof0 = calloc((size_t)o->ns * (size_t)g->nz, sizeof(double));
  o->rowsum = malloc(sizeof(double) * (size_t)g->ny * (size_t)g->nz);
  o->prof = malloc(sizeof(double) * (size_t)g->nz);
  /* at most 2 + 2 * nlayers + 2 series per species */
  o->ser = malloc(sizeof(oseries) * ((size_t)o->ns * (size_t)(4 + 2 * o->nl) +
                                      (size_t)m->nderived * (size_t)o->nl));
  if (!o->base0 || !o->buf || !o->prof0 || !o->rowsum || !o->prof || !o->ser)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
  series_of(sr, u, o->base0);
  for (int q = 0; q < o->ns; q++) {
    unsigned f = o->flags[q];
    o->run_peak[q] = -INFINITY;
    o->run_peak_t[q] = NAN;
    if (f & REPORT_PEAK) {
      o->ser[o->nser++] = (oseries){OS_PEAK, q, -1};
      o->ser[o->nser++] = (oseries){OS_PEAK_DAY, q, -1};
    }
    for (int kind = OS_CHANGE; kind <= OS_RETURN; kind++) {
      if (!(f & (kind == OS_CHANGE ? REPORT_CHANGE : REPORT_RETURN))) continue;
      for (int l = 0; l < o->nl; l++)
        if (o->base0[q * o->per + 2 + l] != 0) o->ser[o->nser++] = (oseries){kind, q, l};
    }
    if (f & REPORT_DEPTH) {
      o->ser[o->nser++] = (oseries){OS_DEPTH, q, -1};
      depth_profile(o, u, q, o->prof0 + (size_t)q * (size_t)g->nz);
    }
  }
  if (m->nderived > 0 && m->derived_values) {
    double *dv = malloc(sizeof(double) * (size_t)m->nderived * (size_t)o->nl);
    if (!dv) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
    for (int l = 0; l < o->nl; l++) derived_of(o, l, o->base0, dv + (size_t)l * m->nderived);
    for (int q = 0; q < m->nderived; q++)
      for (int l = 0; l < o->nl; l++)
        if (isfinite(dv[(size_t)l * m->nderived + q])) o->ser[o->nser++] = (oseries){OS_DERIVED, q, l};
    free(dv);
  }
  CS_TRY(add_track(o, -1));
  track_reset(o, &o->track[0], t, o->base0);
  track_observe(o, &o->track[0], t, o->base0);
  for (int q = 0; q < o->ns; q++)
    if (o->flags[q] & REPORT_PEAK) {
      o->run_peak[q] = o->base0[q * o->per + 1];
      o->run_peak_t[q] = t;
    }
  CS_TRY(follow_create(o, u, t));
  o->rowlen = o->nbase + o->nser;
  return CS_OK;
}

void outcome_tracks_free(session_track *track, int n) {
  for (int k = 0; track && k < n; k++) {
    free(track[k].left);
    free(track[k].inside);
    free(track[k].t_enter);
    free(track[k].mpeak); /* mpeak_t lives in the same block */
  }
  free(track);
}

void outcome_free(outcome *o) {
  if (!o) return;
  outcome_tracks_free(o->track, o->ntrack);
  free(o->track_session);
  free(o->base0);
  free(o->buf);
  free(o->prof0);
  free(o->rowsum);
  free(o->prof);
  free(o->ser);
  for (int q = 0; q < o->ns; q++) arrival_rows_free(&o->arr[q]);
  free(o->lag_ser);
  free(o->lag);
  free(o->rec_t);
  free(o->rec);
  free(o);
}

int outcome_series_count(const outcome *o) { return o ? o->nser : 0; }

void outcome_series_describe(const outcome *o, int q, char *name, size_t namelen, char *unit,
                             size_t unitlen, char *long_name, size_t longlen) {
  const oseries *e = &o->ser[q];
  const char *ln = e->layer >= 0 ? o->g->layers[e->layer].name : "";
  if (e->kind == OS_DERIVED) {
    const derived_info *di = &o->m->derived[e->sp];
    snprintf(name, namelen, "%s_%s", di->name, ln);
    snprintf(unit, unitlen, "%s", di->unit);
    snprintf(long_name, longlen, "%s (%s layer)", di->long_name, ln);
    return;
  }
  const char *sp = o->m->species[e->sp].name, *su = o->m->species[e->sp].unit;
  switch (e->kind) {
    case OS_PEAK:
      snprintf(name, namelen, "%s_peak", sp);
      snprintf(unit, unitlen, "%s", su);
      snprintf(long_name, longlen, "largest %s in any cell so far (followed every step)", sp);
      break;
    case OS_PEAK_DAY:
      snprintf(name, namelen, "%s_peak_day", sp);
      snprintf(unit, unitlen, "day");
      snprintf(long_name, longlen, "time of %s_peak", sp);
      break;
    case OS_CHANGE:
      snprintf(name, namelen, "%s_change_%s", sp, ln);
      snprintf(unit, unitlen, "%%");
      snprintf(long_name, longlen,
               "change of the %s layer's mean %s vs its untreated (t = 0) value", ln, sp);
      break;
    case OS_RETURN:
      snprintf(name, namelen, "%s_return_day_%s", sp, ln);
      snprintf(unit, unitlen, "day");
      snprintf(long_name, longlen,
               "days after the latest session until the %s layer's mean %s is back within 5 %% "
               "of its untreated value (0: never left; NaN: still outside)",
               ln, sp);
      break;
    case OS_ARRIVAL:
      snprintf(name, namelen, "%s_arrival_depth_um", sp);
      snprintf(unit, unitlen, "µm");
      snprintf(long_name, longlen,
               "deepest depth below the surface where the lateral mean %s has reached %g %s "
               "(followed every step; NaN: none yet)", sp, o->arr[e->sp].level, su);
      break;
    default:
      snprintf(name, namelen, "%s_depth_um", sp);
      snprintf(unit, unitlen, "µm");
      snprintf(long_name, longlen,
               "deepest depth where the lateral mean %s exceeds its untreated value by 5 %%", sp);
      break;
  }
}

/* After an accepted step: the state u at time t, ser its engine series. */
static void step_observe(outcome *o, double *const *u, const double *ser, double t) {
  for (int q = 0; q < o->ns; q++)
    if ((o->flags[q] & REPORT_PEAK) && ser[q * o->per + 1] > o->run_peak[q]) {
      o->run_peak[q] = ser[q * o->per + 1];
      o->run_peak_t[q] = t;
    }
  track_observe(o, &o->track[o->cur], t, ser);
  follow_step(o, u, ser, t);
}

void outcome_step(outcome *o, double *const *u, double t) {
  if (!o) return;
  series_of(o->sr, u, o->buf);
  step_observe(o, u, o->buf, t);
}

void outcome_step_series(outcome *o, const double *ser, double t) {
  if (!o) return;
  step_observe(o, o->state, ser, t);
}

void outcome_session(outcome *o, double *const *u, double t, int k) {
  if (!o) return;
  /* A session at the start replaces the "from t = 0" track rather than adding one. */
  if (!(o->ntrack == 1 && o->track_session[0] == -1 && o->track[0].t0 == t)) {
    if (add_track(o, k) != CS_OK) return; /* out of memory: the summary loses a row */
  } else {
    o->track_session[0] = k;
  }
  series_of(o->sr, u, o->buf);
  session_track *tr = &o->track[o->cur];
  track_reset(o, tr, t, o->buf);
  /* The band is measured against the untreated value: an injury that knocks a layer out of it
     counts as leaving. */
  track_observe(o, tr, t, o->buf);
}

double outcome_return_delay(const outcome *o, const session_track *tr, int e) {
  (void)o;
  if (!tr->left[e]) return 0;
  if (!tr->inside[e]) return NAN;
  return tr->t_enter[e] - tr->t0;
}

void outcome_values(outcome *o, double *const *u, double *vals) {
  if (!o) return;
  series_of(o->sr, u, o->buf);
  outcome_values_series(o, u, o->buf, vals);
}

void outcome_values_series(outcome *o, double *const *u, const double *ser, double *vals) {
  if (!o) return;
  const session_track *tr = &o->track[o->cur];
  for (int i = 0; i < o->nser; i++) {
    const oseries *e = &o->ser[i];
    int q = e->sp;
    switch (e->kind) {
      case OS_PEAK: vals[i] = o->run_peak[q]; break;
      case OS_PEAK_DAY: vals[i] = o->run_peak_t[q]; break;
      case OS_CHANGE: {
        double b0 = o->base0[q * o->per + 2 + e->layer];
        vals[i] = 100.0 * (ser[q * o->per + 2 + e->layer] / b0 - 1.0);
        break;
      }
      case OS_RETURN: vals[i] = outcome_return_delay(o, tr, q * o->nl + e->layer); break;
      case OS_DERIVED: {
        double dv[MODEL_MAX_SPECIES * 4];
        if (o->m->nderived <= (int)(sizeof dv / sizeof dv[0])) derived_of(o, e->layer, ser, dv);
        vals[i] = o->m->nderived <= (int)(sizeof dv / sizeof dv[0]) ? dv[q] : NAN;
        break;
      }
      case OS_ARRIVAL: {
        const int k = arrival_rows_deepest(&o->arr[q]);
        vals[i] = k < 0 ? NAN : outcome_arrival_depth(o, q, k);
        break;
      }
      default: {
        const double *p0 = o->prof0 + (size_t)q * (size_t)o->nz;
        depth_profile(o, u, q, o->prof);
        double depth = 0;
        for (int k = 0; k < o->nz; k++)
          if (p0[k] > 0 && o->prof[k] >= (1 + OUTCOME_BAND) * p0[k]) depth = (k + 1) * o->g->h;
        vals[i] = depth;
        break;
      }
    }
  }
}

cs_status outcome_record(outcome *o, double t, const double *all) {
  if (!o) return CS_OK;
  if (o->nrec == o->caprec) {
    int cap = o->caprec ? 2 * o->caprec : 64;
    double *rt = realloc(o->rec_t, sizeof(double) * (size_t)cap);
    if (!rt) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
    o->rec_t = rt;
    double *r = realloc(o->rec, sizeof(double) * (size_t)cap * (size_t)o->rowlen);
    if (!r) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome)");
    o->rec = r;
    o->caprec = cap;
  }
  o->rec_t[o->nrec] = t;
  memcpy(o->rec + (size_t)o->nrec * (size_t)o->rowlen, all, sizeof(double) * (size_t)o->rowlen);
  o->nrec++;
  return CS_OK;
}

int outcome_has_record_at(const outcome *o, double t) {
  return o && o->nrec > 0 && o->rec_t[o->nrec - 1] == t;
}

int outcome_nearest_record(const outcome *o, double t) {
  int best = -1;
  for (int r = 0; r < o->nrec; r++)
    if (best < 0 || fabs(o->rec_t[r] - t) < fabs(o->rec_t[best] - t)) best = r;
  return best;
}

static int series_index(const outcome *o, const char *name) {
  char n[192], u[64], l[320];
  for (int q = 0; q < o->rowlen; q++) {
    if (q < o->nbase)
      series_describe(o->sr, q, n, sizeof n, u, sizeof u, l, sizeof l);
    else
      outcome_series_describe(o, q - o->nbase, n, sizeof n, u, sizeof u, l, sizeof l);
    if (strcmp(n, name) == 0) return q;
  }
  return -1;
}

double outcome_at(const outcome *o, const char *name, double t) {
  if (!o) return NAN;
  int r = outcome_nearest_record(o, t), q = series_index(o, name);
  if (r < 0 || q < 0) return NAN;
  return o->rec[(size_t)r * (size_t)o->rowlen + (size_t)q];
}

static int track_of_session(const outcome *o, int k) {
  for (int i = 0; i < o->ntrack; i++)
    if (o->track_session[i] == k) return i;
  return -1;
}

double outcome_session_peak(const outcome *o, int k, int sp, double *delay_day) {
  int i = o ? track_of_session(o, k) : -1;
  if (i < 0 || sp < 0 || sp >= o->ns || !(o->flags[sp] & REPORT_PEAK)) {
    if (delay_day) *delay_day = NAN;
    return NAN;
  }
  if (delay_day) *delay_day = o->track[i].peak_t[sp] - o->track[i].t0;
  return o->track[i].peak[sp];
}

double outcome_session_peak_mean(const outcome *o, int k, int sp, int layer, double *delay_day) {
  int i = o ? track_of_session(o, k) : -1;
  if (i < 0 || sp < 0 || sp >= o->ns || layer < 0 || layer >= o->nl ||
      !(o->flags[sp] & REPORT_PEAK)) {
    if (delay_day) *delay_day = NAN;
    return NAN;
  }
  int e = sp * o->nl + layer;
  if (delay_day) *delay_day = o->track[i].mpeak_t[e] - o->track[i].t0;
  return o->track[i].mpeak[e];
}

double outcome_session_return(const outcome *o, int k, int sp, int layer) {
  int i = o ? track_of_session(o, k) : -1;
  if (i < 0 || sp < 0 || sp >= o->ns || layer < 0 || layer >= o->nl ||
      !(o->flags[sp] & REPORT_RETURN) || o->base0[sp * o->per + 2 + layer] == 0)
    return NAN;
  return outcome_return_delay(o, &o->track[i], sp * o->nl + layer);
}
