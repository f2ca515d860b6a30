/* outcome_print: the end-of-run summary of the outcome metrics; see outcome_print.h. */
#include "outcome_print.h"

#include <math.h>
#include <stdlib.h>

#include "outcome_impl.h"

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
      int r = outcome_nearest_record(o, days[d]);
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
    double d = outcome_return_delay(o, tr, e);
    if (!tr->left[e]) fprintf(f, "never left");
    else if (isnan(d)) fprintf(f, "not yet");
    else fprintf(f, "after %.1f d", d);
  }
  fprintf(f, "\n");
}

/* Species q's first arrival of its level at the top row of each layer at or below the
   surface, and the deepest depth reached. */
static void print_arrival(const outcome *o, FILE *f, int q) {
  const arrival_rows *a = &o->arr[q];
  const grid *g = o->g;
  const double t0 = o->rec_t[0];
  fprintf(f, "%s, first arrival of the lateral mean at %g %s (every step, interpolated between "
             "steps; hours after day %g):\n", o->m->species[q].name, a->level,
          o->m->species[q].unit, t0);
  for (int l = 0; l < o->nl; l++) {
    int k = 0;
    while (k < g->nz && g->layer_of_z[k] != l) k++;
    k -= o->arr_row0[q];
    if (k < 0 || k >= a->n) continue;
    fprintf(f, "  %-20s at %8.6g µm: ", g->layers[l].name, outcome_arrival_depth(o, q, k));
    if (isnan(a->t[k])) fprintf(f, "not reached\n");
    else fprintf(f, "%.6g h\n", 24 * (a->t[k] - t0));
  }
  const int d = arrival_rows_deepest(a);
  if (d < 0) fprintf(f, "  deepest depth reached: none\n");
  else fprintf(f, "  deepest depth reached: %.6g µm (at %.6g h)\n", outcome_arrival_depth(o, q, d),
               24 * (a->t[d] - t0));
}

/* The time lag of each lagged derived quantity, per layer. */
static void print_lags(const outcome *o, FILE *f) {
  if (o->nlag == 0) return;
  fprintf(f, "time lag, Crank's t_m - Q(t_m)/Q'(t_m) at the step where Q' is largest (hours on the "
             "run's time axis):\n");
  for (int q = 0; q < o->m->nderived; q++) {
    int first = 1;
    for (int j = 0; j < o->nlag; j++) {
      const oseries *e = &o->ser[o->lag_ser[j]];
      if (e->sp != q) continue;
      if (first) fprintf(f, "  %s:", o->m->derived[q].name);
      fprintf(f, "%s %s", first ? "" : ",", o->g->layers[e->layer].name);
      const double lag = lag_time(&o->lag[j]);
      if (isnan(lag)) fprintf(f, " -");
      else fprintf(f, " %.6g h", 24 * lag);
      first = 0;
    }
    if (!first) fprintf(f, "\n");
  }
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
  for (int q = 0; q < o->ns; q++)
    if (o->flags[q] & REPORT_ARRIVAL) print_arrival(o, f, q);
  print_lags(o, f);
  free(rows);
  unsigned any = 0; /* per-session lines only for species that have them */
  for (int q = 0; q < o->ns; q++) any |= o->flags[q] & (REPORT_PEAK | REPORT_RETURN);
  for (int i = 0; i < o->ntrack && any; i++) {
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
