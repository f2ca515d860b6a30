/* sweep_vary: one varied key of a sweep spec (see sweep_vary.h; docs/sweeps.md). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_vary.h"

#include <errno.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cs_status sweep_at(const char *file, int line, int col, const char *what, const char *a,
                   const char *b) {
  return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s%s%s", file, line, col, a, what, b ? b : "");
}

cs_status sweep_scalar_num(const char *file, const yt_node *n, const char *what, double *x) {
  if (!n || n->kind != YT_SCALAR)
    return sweep_at(file, n ? n->line : 1, n ? n->col : 1, ": expected a number", what, NULL);
  char *end;
  errno = 0;
  *x = strtod(n->value, &end);
  if (errno || end == n->value || *end || !isfinite(*x))
    return sweep_at(file, n->line, n->col, ": expected a number, got ", what, n->value);
  return CS_OK;
}

char *sweep_fmt_value(double x, int is_int) {
  char b[64];
  if (is_int)
    snprintf(b, sizeof b, "%.0f", nearbyint(x));
  else
    snprintf(b, sizeof b, "%.12g", x);
  return strdup(b);
}

void sweep_var_free(sweep_var *v) {
  for (long i = 0; i < v->nvals; i++) {
    free(v->vals[i]);
    if (v->labels) free(v->labels[i]);
  }
  free(v->vals);
  free(v->labels);
  v->vals = v->labels = NULL;
  v->nvals = 0;
}

cs_status sweep_value_text(const char *file, const char *key, const yt_node *it, char **out) {
  if (it->kind == YT_SCALAR) {
    if (strchr(it->value, '\n'))
      return sweep_at(file, it->line, it->col, ": a value may not span lines", key, NULL);
    *out = strdup(it->value);
    return *out ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  if (it->kind != YT_SEQ)
    return sweep_at(file, it->line, it->col, ": expected a value or a list of values", key, NULL);
  size_t len = 3;
  for (size_t i = 0; i < it->n; i++) {
    const yt_node *e = it->items[i];
    if (e->kind != YT_SCALAR || strchr(e->value, '\n') || strpbrk(e->value, "[]{},"))
      return sweep_at(file, e->line, e->col, ": expected a plain number or word in a list value",
                      key, NULL);
    len += strlen(e->value) + 2;
  }
  char *s = malloc(len);
  if (!s) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  strcpy(s, "[");
  for (size_t i = 0; i < it->n; i++) {
    if (i) strcat(s, ", ");
    strcat(s, it->items[i]->value);
  }
  strcat(s, "]");
  *out = s;
  return CS_OK;
}

static cs_status parse_list(const char *file, const char *key, const yt_node *n, sweep_var *v) {
  if (n->kind != YT_SEQ || n->n == 0)
    return sweep_at(file, n->line, n->col, ": expected a list of at least one value", key, NULL);
  v->vals = calloc(n->n, sizeof(char *));
  if (!v->vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n->n; i++) {
    CS_TRY(sweep_value_text(file, key, n->items[i], &v->vals[i]));
    v->nvals = (long)i + 1;
  }
  return CS_OK;
}

/* labels: one distinct short name per value. */
static cs_status parse_labels(const char *file, const char *key, const yt_node *n, sweep_var *v) {
  if (n->kind != YT_SEQ || (long)n->n != v->nvals)
    return sweep_at(file, n->line, n->col, ": labels: expected one name per value", key, NULL);
  v->labels = calloc(n->n, sizeof(char *));
  if (!v->labels) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n->n; i++) {
    const yt_node *e = n->items[i];
    if (e->kind != YT_SCALAR || !e->value[0] || strpbrk(e->value, ",\"\n"))
      return sweep_at(file, e->line, e->col,
                      ": labels: expected a short name (no comma, quote or newline)", key, NULL);
    for (size_t j = 0; j < i; j++)
      if (strcmp(v->labels[j], e->value) == 0)
        return sweep_at(file, e->line, e->col, ": labels: the same name twice: ", key, e->value);
    if (!(v->labels[i] = strdup(e->value))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  return CS_OK;
}

static cs_status parse_dist(const char *file, const char *key, const yt_node *x, sweep_var *v) {
  const char *d = x->kind == YT_SCALAR ? x->value : "";
  if (strcmp(d, "uniform") == 0) v->dist = SWEEP_UNIFORM;
  else if (strcmp(d, "log-uniform") == 0) v->dist = SWEEP_LOGUNIFORM;
  else if (strcmp(d, "truncated-normal") == 0) v->dist = SWEEP_TRUNCNORMAL;
  else
    return sweep_at(file, x->line, x->col,
                    ": dist: expected uniform, log-uniform or truncated-normal, got ", key, d);
  return CS_OK;
}

/* The count values of a range in grid and zip modes, evenly spaced (logarithmically). */
static cs_status count_values(const char *file, const char *key, const yt_node *count,
                              sweep_var *v) {
  double c;
  CS_TRY(sweep_scalar_num(file, count, key, &c));
  if (c < 1 || c > 1e6 || c != floor(c))
    return sweep_at(file, count->line, count->col, ": count: expected a whole number >= 1", key,
                    NULL);
  v->vals = calloc((size_t)c, sizeof(char *));
  if (!v->vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (long i = 0; i < (long)c; i++) {
    double f = c > 1 ? (double)i / (c - 1) : 0.0;
    double x = v->dist == SWEEP_LOGUNIFORM ? exp(log(v->lo) + f * (log(v->hi) - log(v->lo)))
                                           : v->lo + f * (v->hi - v->lo);
    if (i == (long)c - 1 && c > 1) x = v->hi;
    if (!(v->vals[i] = sweep_fmt_value(x, v->is_int)))
      return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    v->nvals = i + 1;
  }
  return CS_OK;
}

/* The entries of a {range: ...} or {values: ...} mapping. */
typedef struct {
  const yt_node *range, *count, *values, *labels, *mean, *sd, *scale, *dist;
} var_entries;

static cs_status var_entries_of(const char *file, const char *key, const yt_node *n,
                                var_entries *e) {
  static const char *names[] = {"range", "count", "values", "labels", "mean", "sd", "scale", "dist"};
  const yt_node **slot[] = {&e->range, &e->count, &e->values, &e->labels,
                            &e->mean,  &e->sd,    &e->scale,  &e->dist};
  for (size_t i = 0; i < n->n; i++) {
    size_t j = 0;
    while (j < 8 && strcmp(n->keys[i], names[j]) != 0) j++;
    if (j == 8)
      return sweep_at(file, n->key_line[i], n->key_col[i],
                      ": unknown entry (expected range, count, scale, dist, mean, sd, values, "
                      "labels): ",
                      key, n->keys[i]);
    *slot[j] = n->items[i];
  }
  return CS_OK;
}

static cs_status parse_range(const char *file, const char *key, const yt_node *n,
                             const var_entries *e, int needs_count, sweep_var *v) {
  const yt_node *r = e->range;
  v->is_range = 1;
  if (e->scale) {
    if (e->scale->kind != YT_SCALAR ||
        (strcmp(e->scale->value, "linear") && strcmp(e->scale->value, "log")))
      return sweep_at(file, e->scale->line, e->scale->col, ": scale: expected linear or log", key,
                      NULL);
    if (strcmp(e->scale->value, "log") == 0) v->dist = SWEEP_LOGUNIFORM;
  }
  if (e->dist) CS_TRY(parse_dist(file, key, e->dist, v));
  if (!r || r->kind != YT_SEQ || r->n != 2)
    return sweep_at(file, r ? r->line : n->line, r ? r->col : n->col, ": range: expected [lo, hi]",
                    key, NULL);
  CS_TRY(sweep_scalar_num(file, r->items[0], key, &v->lo));
  CS_TRY(sweep_scalar_num(file, r->items[1], key, &v->hi));
  if (!(v->hi >= v->lo))
    return sweep_at(file, r->line, r->col, ": range: expected lo <= hi", key, NULL);
  if (v->dist == SWEEP_LOGUNIFORM && v->lo <= 0)
    return sweep_at(file, r->line, r->col, ": range: a log scale needs lo > 0", key, NULL);
  if (v->dist == SWEEP_TRUNCNORMAL) {
    if (!e->mean || !e->sd || (e->scale && strcmp(e->scale->value, "log") == 0))
      return sweep_at(file, n->line, n->col,
                      ": dist: truncated-normal needs mean and sd (and no scale: log)", key, NULL);
    CS_TRY(sweep_scalar_num(file, e->mean, key, &v->mean));
    CS_TRY(sweep_scalar_num(file, e->sd, key, &v->sd));
    if (!(v->sd > 0)) return sweep_at(file, e->sd->line, e->sd->col, ": sd: expected > 0", key, NULL);
  } else if (e->mean || e->sd) {
    const yt_node *x = e->mean ? e->mean : e->sd;
    return sweep_at(file, x->line, x->col, ": mean and sd belong to dist: truncated-normal", key,
                    NULL);
  }
  if (!needs_count) return CS_OK;
  if (v->dist == SWEEP_TRUNCNORMAL)
    return sweep_at(file, e->dist->line, e->dist->col,
                    ": dist: truncated-normal is for random, sobol, saltelli and morris modes", key,
                    NULL);
  if (!e->count)
    return sweep_at(file, n->line, n->col, ": a range in grid or zip mode needs count", key, NULL);
  return count_values(file, key, e->count, v);
}

cs_status sweep_var_parse(const char *file, const yt_node *n, int needs_count, sweep_var *v) {
  const char *key = v->key;
  if (n->kind == YT_SEQ) return parse_list(file, key, n, v);
  if (n->kind != YT_MAP)
    return sweep_at(file, n->line, n->col,
                    ": expected a list of values, {values: [...], labels: [...]} or {range: [lo, "
                    "hi], ...}",
                    key, NULL);
  var_entries e = {0};
  CS_TRY(var_entries_of(file, key, n, &e));
  if (e.values) {
    const yt_node *extra = e.range ? e.range : e.count ? e.count : e.scale ? e.scale : e.dist ? e.dist : e.mean ? e.mean : e.sd;
    if (extra)
      return sweep_at(file, extra->line, extra->col, ": values takes only labels beside it", key,
                      NULL);
    CS_TRY(parse_list(file, key, e.values, v));
    return e.labels ? parse_labels(file, key, e.labels, v) : CS_OK;
  }
  if (e.labels)
    return sweep_at(file, e.labels->line, e.labels->col, ": labels need values: [...]", key, NULL);
  return parse_range(file, key, n, &e, needs_count, v);
}

static double from_unit(const sweep_var *v, double u) {
  if (v->dist == SWEEP_LOGUNIFORM) return exp(log(v->lo) + u * (log(v->hi) - log(v->lo)));
  if (v->dist == SWEEP_UNIFORM) return v->lo + u * (v->hi - v->lo);
  /* truncated normal: the normal's quantile at Φ(a) + u (Φ(b) − Φ(a)) */
  double pa = gsl_cdf_ugaussian_P((v->lo - v->mean) / v->sd);
  double pb = gsl_cdf_ugaussian_P((v->hi - v->mean) / v->sd);
  double p = pa + u * (pb - pa);
  if (p <= 0 || u <= 0) return v->lo;
  if (p >= 1 || u >= 1) return v->hi;
  double x = v->mean + v->sd * gsl_cdf_ugaussian_Pinv(p);
  return x < v->lo ? v->lo : x > v->hi ? v->hi : x;
}

char *sweep_var_value(const sweep_var *v, double u) {
  if (v->is_range) return sweep_fmt_value(from_unit(v, u), v->is_int);
  long i = (long)(u * (double)v->nvals);
  if (i >= v->nvals) i = v->nvals - 1;
  if (i < 0) i = 0;
  return strdup(v->vals[i]);
}

const char *sweep_var_label(const sweep_var *v, const char *value) {
  if (!v->labels) return value;
  for (long i = 0; i < v->nvals; i++)
    if (strcmp(v->vals[i], value) == 0) return v->labels[i];
  return value;
}
