/* arrival: first arrival of a level per depth row and Crank's time lag; see arrival.h. */
#include "arrival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cs_status arrival_rows_init(arrival_rows *a, int n, double level, const double *v, double t) {
  memset(a, 0, sizeof *a);
  if (n < 0 || !(level > 0) || !isfinite(level))
    return CS_ERROR(CS_ERR_INPUT, "arrival: %d rows at level %g (need n >= 0, level > 0)", n,
                    level);
  a->n = n;
  a->level = level;
  a->t_prev = t;
  a->prev = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  a->t = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  if (!a->prev || !a->t) {
    arrival_rows_free(a);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (arrival)");
  }
  for (int k = 0; k < n; k++) {
    a->prev[k] = v[k];
    a->t[k] = v[k] >= level ? t : NAN;
  }
  return CS_OK;
}

void arrival_rows_free(arrival_rows *a) {
  free(a->prev);
  free(a->t);
  a->prev = a->t = NULL;
  a->n = 0;
}

void arrival_rows_observe(arrival_rows *a, const double *v, double t) {
  const double dt = t - a->t_prev;
  for (int k = 0; k < a->n; k++) {
    if (isnan(a->t[k]) && v[k] >= a->level) {
      const double v0 = a->prev[k];
      /* v0 < level <= v[k]: the fraction lies in (0, 1]; a NaN v0 (never) takes the step time */
      const double f = v0 < a->level && dt > 0 ? (a->level - v0) / (v[k] - v0) : 1;
      a->t[k] = a->t_prev + f * dt;
    }
    a->prev[k] = v[k];
  }
  a->t_prev = t;
}

int arrival_rows_deepest(const arrival_rows *a) {
  for (int k = a->n - 1; k >= 0; k--)
    if (!isnan(a->t[k])) return k;
  return -1;
}

void lag_init(lag_track *l, double t, double q) {
  l->t_prev = t;
  l->q_prev = q;
  l->slope = -INFINITY;
  l->t_m = l->q_m = NAN;
}

void lag_observe(lag_track *l, double t, double q) {
  if (t > l->t_prev) {
    const double s = (q - l->q_prev) / (t - l->t_prev);
    if (s > l->slope) {
      l->slope = s;
      l->t_m = t;
      l->q_m = q;
    }
  }
  l->t_prev = t;
  l->q_prev = q;
}

double lag_time(const lag_track *l) {
  return l->slope > 0 && isfinite(l->slope) ? l->t_m - l->q_m / l->slope : NAN;
}
