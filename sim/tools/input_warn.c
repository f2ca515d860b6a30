/* input_warn: warnings for valid but suspicious configurations (see input_warn.h). */
#include "input_warn.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* "FILE:LINE:COL: warning: KEY: message", or "FILE: warning: KEY (from --set): ..." as
   params_key_error locates errors. */
static void warn(FILE *err, const params *p, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void warn(FILE *err, const params *p, const char *key, const char *fmt, ...) {
  const param_value *v = params_find(p, key);
  if (v && v->from == PARAM_FROM_FILE && v->line > 0)
    fprintf(err, "cisim: %s:%d:%d: warning: %s: ", p->file, v->line, v->col, key);
  else if (v && v->from == PARAM_FROM_SET)
    fprintf(err, "cisim: %s: warning: %s (from --set): ", p->file, key);
  else
    fprintf(err, "cisim: %s: warning: %s: ", p->file, key);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(err, fmt, ap);
  va_end(ap);
  fputc('\n', err);
}

/* The key that set session k's needle length: the per-session override if there is one. */
static const char *length_key(const params *p) {
  const param_value *v = params_find(p, "protocol.sessions.needle_length_um");
  return v && v->from != PARAM_FROM_DEFAULT && v->n > 0 ? "protocol.sessions.needle_length_um"
                                                        : "protocol.device.needle_length_um";
}

static double epidermis_bottom(const grid *g) {
  for (int l = 0; l < g->nlayers; l++)
    if (strcmp(g->layers[l].name, "epidermis") == 0)
      return g->layer_top[l] + g->layers[l].thickness_um;
  return 0;
}

/* "1, 2 and 3" of the session numbers (1-based) in list[n], into buf. */
static void list_sessions(char *buf, size_t size, const int *list, int n) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used + 16 < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%d",
                             i == 0 ? "" : i + 1 == n ? " and " : ", ", list[i] + 1);
}

/* Channels shallower than a cell, or ending in the epidermis: one warning for each kind, naming
   the sessions and the deepest channel among them. */
static int channel_warnings(FILE *err, const params *p, const grid *g, const protocol *pr) {
  int shallow[64], in_epi[64], ns = 0, ne = 0;
  double deep_s = 0, deep_e = 0, epi = epidermis_bottom(g);
  for (int k = 0; k < pr->nsessions; k++) {
    const session_desc *sd = &pr->sessions[k];
    double deepest = 0;
    for (int i = sd->first; i < sd->first + sd->count; i++)
      if (pr->punctures[i].depth > deepest) deepest = pr->punctures[i].depth;
    if (sd->count == 0) continue;
    if (deepest < g->h) {
      if (ns < 64) shallow[ns++] = k;
      if (deepest > deep_s) deep_s = deepest;
    } else if (deepest <= epi) {
      if (ne < 64) in_epi[ne++] = k;
      if (deepest > deep_e) deep_e = deepest;
    }
  }
  char who[512];
  if (ns) {
    list_sessions(who, sizeof who, shallow, ns);
    warn(err, p, length_key(p),
         "the channels of session%s %s reach at most %g µm (needle length × penetration), "
         "shallower than one grid cell (%g µm): the wound map holds almost no channel and the "
         "treatment will change next to nothing (a length in mm given as µm?)",
         ns == 1 ? "" : "s", who, deep_s, g->h);
  }
  if (ne) {
    list_sessions(who, sizeof who, in_epi, ne);
    warn(err, p, length_key(p),
         "the channels of session%s %s reach at most %g µm and end inside the epidermis "
         "(0–%g µm): the dermis is not punctured",
         ne == 1 ? "" : "s", who, deep_e, epi);
  }
  return (ns > 0) + (ne > 0);
}

/* Sessions whose punctures, rasterised on g, put no channel volume in any cell (too thin for
   the grid's sampling): one warning naming them. Skipped if the map does not fit in memory. */
static int empty_map_warning(FILE *err, const params *p, const grid *g, const protocol *pr,
                             int nthreads) {
  float *map = malloc((g->ncell ? g->ncell : 1) * sizeof *map);
  if (!map) return 0;
  int empty[64], n = 0;
  for (int k = 0; k < pr->nsessions; k++) {
    if (pr->sessions[k].count == 0) continue;
    protocol_rasterise(pr, g, k, map, NULL, NULL, nthreads);
    double sum = 0;
    for (size_t c = 0; c < g->ncell; c++) sum += map[c];
    if (sum <= 0 && n < 64) empty[n++] = k;
  }
  free(map);
  if (n == 0) return 0;
  char who[512];
  list_sessions(who, sizeof who, empty, n);
  warn(err, p, "protocol.device.needle_diameter_um",
       "the channels of session%s %s cover no grid cell (needle diameter %g µm, cells of %g µm): "
       "the wound map is empty and the treatment does nothing",
       n == 1 ? "" : "s", who, params_real(p, "protocol.device.needle_diameter_um"), g->h);
  return 1;
}

int input_sessions_within(const protocol *pr, double end_day) {
  int n = 0;
  for (int k = 0; pr && k < pr->nsessions; k++) n += pr->sessions[k].day <= end_day;
  return n;
}

/* Days in v[n] after end, as "28, 56" into buf; how many. */
static int days_after(char *buf, size_t size, const double *v, int n, double end) {
  size_t used = 0;
  int count = 0;
  buf[0] = '\0';
  for (int i = 0; i < n; i++)
    if (v[i] > end) {
      if (used + 32 < size)
        used += (size_t)snprintf(buf + used, size - used, "%s%g", count ? ", " : "", v[i]);
      count++;
    }
  return count;
}

int input_warn(FILE *err, const params *p, const grid *g, const protocol *pr, int nthreads) {
  int n = 0;
  double end = params_real(p, "time.end_day");
  char days[512];
  if (pr) {
    int shallow = channel_warnings(err, p, g, pr);
    n += shallow;
    if (!shallow) n += empty_map_warning(err, p, g, pr, nthreads);
    int after = days_after(days, sizeof days, pr->days, pr->nsessions, end);
    if (after) {
      warn(err, p, "protocol.sessions.day",
           "%d of the %d sessions (day%s %s) %s after time.end_day = %g: not simulated", after,
           pr->nsessions, after == 1 ? "" : "s", days, after == 1 ? "is" : "are", end);
      n++;
    }
  }
  int nd = 0;
  const double *sum = params_reals(p, "output.summary_days", &nd);
  int after = sum ? days_after(days, sizeof days, sum, nd, end) : 0;
  if (after) {
    warn(err, p, "output.summary_days",
         "day%s %s %s after time.end_day = %g: the summary has no row for %s",
         after == 1 ? "" : "s", days, after == 1 ? "is" : "are", end, after == 1 ? "it" : "them");
    n++;
  }
  return n;
}
