#include "outcome.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


enum { OS_PEAK, OS_PEAK_DAY, OS_CHANGE, OS_RETURN, OS_DEPTH, OS_DERIVED };

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
  /* at most 2 + 2 * nlayers + 1 series per species */
  o->ser = malloc(sizeof(oseries) * ((size_t)o->ns * (size_t)(3 + 2 * o->nl) +
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
    default:
      snprintf(name, namelen, "%s_depth_um", sp);
      snprintf(unit, unitlen, "µm");
      snprintf(long_name, longlen,
               "deepest depth where the lateral mean %s exceeds its untreated value by 5 %%", sp);
      break;
  }
}

void outcome_step(outcome *o, double *const *u, double t) {
  if (!o) return;
  series_of(o->sr, u, o->buf);
  outcome_step_series(o, o->buf, t);
}

void outcome_step_series(outcome *o, const double *ser, double t) {
  if (!o) return;
  for (int q = 0; q < o->ns; q++)
    if ((o->flags[q] & REPORT_PEAK) && ser[q * o->per + 1] > o->run_peak[q]) {
      o->run_peak[q] = ser[q * o->per + 1];
      o->run_peak_t[q] = t;
    }
  track_observe(o, &o->track[o->cur], t, ser);
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

static double return_delay(const outcome *o, const session_track *tr, int e) {
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
      case OS_RETURN: vals[i] = return_delay(o, tr, q * o->nl + e->layer); break;
      case OS_DERIVED: {
        double dv[MODEL_MAX_SPECIES * 4];
        if (o->m->nderived <= (int)(sizeof dv / sizeof dv[0])) derived_of(o, e->layer, ser, dv);
        vals[i] = o->m->nderived <= (int)(sizeof dv / sizeof dv[0]) ? dv[q] : NAN;
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

static int nearest_record(const outcome *o, double t) {
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
  int r = nearest_record(o, t), q = series_index(o, name);
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
  return return_delay(o, &o->track[i], sp * o->nl + layer);
}

/* ---- the summary ---- */

static void print_delay(FILE *f, double d) {
  if (!isfinite(d)) fprintf(f, "?");
  else if (d < 2) fprintf(f, "+%.1f h", 24 * d);
  else fprintf(f, "+%.1f d", d);
}

/* The recorded rows the summary shows: the chosen days (the stepper lands on each and records
   it, so each is exact; none after the run), or every 30 days; the last row always. Caller
   frees. */
static int *summary_rows(const outcome *o, const double *days, int ndays, int *nrows) {
  int cap = ndays > 0 ? ndays + 1 : (int)(o->rec_t[o->nrec - 1] / 30) + 2;
  int *rows = malloc(sizeof(int) * (size_t)cap), n = 0;
  if (!rows) return NULL;
  if (ndays > 0) {
    for (int d = 0; d < ndays; d++) {
      int r = nearest_record(o, days[d]);
      if (r >= 0 && o->rec_t[r] == days[d] && (n == 0 || rows[n - 1] != r)) rows[n++] = r;
    }
    if (n == 0 || rows[n - 1] != o->nrec - 1) rows[n++] = o->nrec - 1; /* the end */
  } else {
    for (int r = 0; r < o->nrec; r++) {
      double t = o->rec_t[r];
      int last = r == o->nrec - 1;
      if (((t > 0 && fabs(t / 30 - nearbyint(t / 30)) < 1e-9) || last) && n < cap) rows[n++] = r;
    }
  }
  *nrows = n;
  return rows;
}

/* Species q's change per layer (and depth reached) at the summary rows. */
static void print_changes(const outcome *o, FILE *f, int q, const int *rows, int nrows) {
  const grid *g = o->g;
  fprintf(f, "%s, change of the layer mean vs untreated (%%):\n  %8s", o->m->species[q].name, "day");
  for (int i = 0; i < o->nser; i++)
    if (o->ser[i].sp == q && o->ser[i].kind == OS_CHANGE)
      fprintf(f, " %11s", g->layers[o->ser[i].layer].name);
  if (o->flags[q] & REPORT_DEPTH) fprintf(f, "  %s", "depth reached (+5 %), µm");
  fprintf(f, "\n");
  for (int r = 0; r < nrows; r++) {
    const double *row = o->rec + (size_t)rows[r] * (size_t)o->rowlen;
    fprintf(f, "  %8g", o->rec_t[rows[r]]);
    for (int i = 0; i < o->nser; i++)
      if (o->ser[i].sp == q && o->ser[i].kind == OS_CHANGE) fprintf(f, " %+11.1f", row[o->nbase + i]);
    for (int i = 0; i < o->nser; i++)
      if (o->ser[i].sp == q && o->ser[i].kind == OS_DEPTH) fprintf(f, "  %g", row[o->nbase + i]);
    fprintf(f, "\n");
  }
}

/* The model's derived quantity q per layer at the summary rows. */
static void print_derived(const outcome *o, FILE *f, int q, const int *rows, int nrows) {
  const derived_info *di = &o->m->derived[q];
  int any = 0;
  for (int i = 0; i < o->nser; i++) any |= o->ser[i].kind == OS_DERIVED && o->ser[i].sp == q;
  if (!any) return;
  fprintf(f, "%s, %s (%s):\n  %8s", di->name, di->long_name, di->unit, "day");
  for (int i = 0; i < o->nser; i++)
    if (o->ser[i].sp == q && o->ser[i].kind == OS_DERIVED)
      fprintf(f, " %11s", o->g->layers[o->ser[i].layer].name);
  fprintf(f, "\n");
  for (int r = 0; r < nrows; r++) {
    const double *row = o->rec + (size_t)rows[r] * (size_t)o->rowlen;
    fprintf(f, "  %8g", o->rec_t[rows[r]]);
    for (int i = 0; i < o->nser; i++)
      if (o->ser[i].sp == q && o->ser[i].kind == OS_DERIVED) fprintf(f, " %+11.4g", row[o->nbase + i]);
    fprintf(f, "\n");
  }
}

/* After one session: species q's peak in a cell and of each layer mean, with their delays. */
static void print_peaks(const outcome *o, const session_track *tr, FILE *f, int q) {
  const model *m = o->m;
  fprintf(f, "  peak %s: %.4g %s in a cell at ", m->species[q].name, tr->peak[q], m->species[q].unit);
  print_delay(f, tr->peak_t[q] - tr->t0);
  fprintf(f, "; layer means:");
  int first = 1;
  for (int l = 0; l < o->nl; l++) {
    double b0 = o->base0[q * o->per + 2 + l];
    int e = q * o->nl + l;
    if (b0 == 0 && !(o->flags[q] & REPORT_CHANGE) && tr->mpeak[e] <= 0) continue;
    if ((o->flags[q] & REPORT_CHANGE) && b0 == 0) continue;
    fprintf(f, "%s %s %.4g", first ? "" : ",", o->g->layers[l].name, tr->mpeak[e]);
    if (b0 != 0) fprintf(f, " (%+.0f %%)", 100 * (tr->mpeak[e] / b0 - 1));
    fprintf(f, " at ");
    print_delay(f, tr->mpeak_t[e] - tr->t0);
    first = 0;
  }
  fprintf(f, "\n");
}

/* After one session: when each layer mean of species q came back within 5 %. */
static void print_returns(const outcome *o, const session_track *tr, FILE *f, int q) {
  fprintf(f, "  %s back within 5 %% of untreated:", o->m->species[q].name);
  int first = 1;
  for (int l = 0; l < o->nl; l++) {
    if (o->base0[q * o->per + 2 + l] == 0) continue;
    int e = q * o->nl + l;
    fprintf(f, "%s %s ", first ? "" : ",", o->g->layers[l].name);
    first = 0;
    double d = return_delay(o, tr, e);
    if (!tr->left[e]) fprintf(f, "never left");
    else if (isnan(d)) fprintf(f, "not yet");
    else fprintf(f, "after %.1f d", d);
  }
  fprintf(f, "\n");
}

void outcome_print(const outcome *o, const treatment *pr, FILE *f, const double *days,
                   int ndays) {
  if (!o || o->nrec == 0) return;
  fprintf(f, "\n# outcome (%s)", o->m->name);
  if (pr) {
    fprintf(f, ": %d session%s", pr->nsessions, pr->nsessions == 1 ? "" : "s");
    for (int k = 0; k < pr->nsessions && k < 12; k++)
      fprintf(f, "%s%g", k ? ", " : " at day ", pr->day[k]);
    if (pr->nsessions > 12) fprintf(f, ", ...");
  }
  fprintf(f, "; untreated baseline = the state at day %g\n", o->rec_t[0]);
  int nrows = 0, *rows = summary_rows(o, days, ndays, &nrows);
  if (!rows) return;
  for (int q = 0; q < o->ns; q++)
    if (o->flags[q] & (REPORT_CHANGE | REPORT_DEPTH)) print_changes(o, f, q, rows, nrows);
  for (int q = 0; q < o->m->nderived; q++) print_derived(o, f, q, rows, nrows);
  free(rows);
  for (int i = 0; i < o->ntrack; i++) {
    const session_track *tr = &o->track[i];
    int k = o->track_session[i];
    if (k < 0) fprintf(f, "from day %g:\n", tr->t0);
    else fprintf(f, "session %d (day %g):\n", k + 1, tr->t0);
    for (int q = 0; q < o->ns; q++) {
      if (o->flags[q] & REPORT_PEAK) print_peaks(o, tr, f, q);
      if (o->flags[q] & REPORT_RETURN) print_returns(o, tr, f, q);
    }
  }
}
