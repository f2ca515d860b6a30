/* calib_spec: the calibration spec (see calib_spec.h; docs/calibration.md). */
#define _POSIX_C_SOURCE 200809L

#include "calib_spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sweep_util.h"
#include "sweep_vary.h"

void calib_spec_free(calib_spec *cs) {
  calib_obs *lists[2] = {cs->obs, cs->pred};
  int counts[2] = {cs->nobs, cs->npred};
  for (int l = 0; l < 2; l++) {
    for (int i = 0; i < counts[l]; i++) {
      free(lists[l][i].series);
      free(lists[l][i].metric);
      free(lists[l][i].layer);
    }
    free(lists[l]);
  }
  for (int i = 0; i < cs->nfixed; i++) free(cs->fixed[i]);
  free(cs->fixed);
  free(cs->par);
  free(cs->base_path);
  free(cs->base_text);
  yt_free(&cs->doc);
  memset(cs, 0, sizeof *cs);
}

/* obs's series name from metric and layer (both copied). */
static cs_status obs_names(calib_obs *o, const char *metric, const char *layer) {
  size_t len = strlen(metric) + strlen(layer) + 2;
  o->metric = strdup(metric);
  o->layer = strdup(layer);
  o->series = malloc(len);
  if (!o->metric || !o->layer || !o->series) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  snprintf(o->series, len, layer[0] ? "%s_%s" : "%s%s", metric, layer);
  return CS_OK;
}

static cs_status grow_obs(calib_obs **list, int *n) {
  calib_obs *nl = realloc(*list, (size_t)(*n + 1) * sizeof(calib_obs));
  if (!nl) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  *list = nl;
  memset(&nl[*n], 0, sizeof(calib_obs));
  (*n)++;
  return CS_OK;
}

/* One {metric, layer, day, value, sd} mapping (value and sd only when with_value). */
static cs_status obs_yaml(const char *spec, const yt_node *it, int with_value, calib_obs *o) {
  if (it->kind != YT_MAP)
    return sweep_at(spec, it->line, it->col, ": expected {metric, layer, day, value, sd}",
                    with_value ? "observations" : "predict", NULL);
  const char *metric = NULL, *layer = "";
  int have[3] = {0, 0, 0};
  for (size_t i = 0; i < it->n; i++) {
    const char *k = it->keys[i];
    const yt_node *x = it->items[i];
    double *slot = strcmp(k, "day") == 0 ? &o->day
                   : with_value && strcmp(k, "value") == 0 ? &o->value
                   : with_value && strcmp(k, "sd") == 0 ? &o->sd
                                                         : NULL;
    if (slot) {
      CS_TRY(sweep_scalar_num(spec, x, k, slot));
      have[slot == &o->day ? 0 : slot == &o->value ? 1 : 2] = 1;
    } else if ((strcmp(k, "metric") == 0 || strcmp(k, "layer") == 0) && x->kind == YT_SCALAR) {
      if (k[0] == 'm') metric = x->value;
      else layer = x->value;
    } else {
      return sweep_at(spec, it->key_line[i], it->key_col[i],
                      with_value ? ": unknown entry (expected metric, layer, day, value, sd)"
                                 : ": unknown entry (expected metric, layer, day)",
                      k, NULL);
    }
  }
  if (!metric || !metric[0] || !have[0] || (with_value && (!have[1] || !have[2])))
    return sweep_at(spec, it->line, it->col,
                    with_value ? ": needs metric, day, value and sd" : ": needs metric and day",
                    with_value ? "observations" : "predict", NULL);
  if (o->day < 0) return sweep_at(spec, it->line, it->col, ": day: expected >= 0", "observation", NULL);
  if (with_value && !(o->sd > 0))
    return sweep_at(spec, it->line, it->col, ": sd: expected > 0", "observation", NULL);
  return obs_names(o, metric, layer);
}

/* The columns of an observation CSV header. */
static cs_status csv_columns(const char *path, char *head, int col[5]) {
  static const char *names[5] = {"metric", "layer", "day", "value", "sd"};
  for (int i = 0; i < 5; i++) col[i] = -1;
  int c = 0;
  for (char *save = NULL, *f = strtok_r(head, ",\r", &save); f; f = strtok_r(NULL, ",\r", &save), c++)
    for (int i = 0; i < 5; i++)
      if (strcmp(f, names[i]) == 0) col[i] = c;
  if (col[0] < 0 || col[2] < 0 || col[3] < 0 || col[4] < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s:1: expected a header with metric, day, value, sd (and layer)",
                    path);
  return CS_OK;
}

static cs_status csv_number(const char *path, int ln, const char *what, const char *s, double *x) {
  char *end;
  errno = 0;
  *x = strtod(s ? s : "", &end);
  if (!s || end == s || *end || errno || !isfinite(*x))
    return CS_ERROR(CS_ERR_INPUT, "%s:%d: %s: expected a number, got '%s'", path, ln, what,
                    s ? s : "");
  return CS_OK;
}

/* One data line of the CSV into o. */
static cs_status csv_row(const char *path, int ln, char *line, const int col[5], calib_obs *o) {
  char *field[64];
  int n = 0;
  char *p = line;
  while (n < 64) {
    field[n++] = p;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  for (int i = 0; i < n; i++) field[i][strcspn(field[i], "\r")] = '\0';
  const char *get[5];
  for (int i = 0; i < 5; i++) get[i] = col[i] >= 0 && col[i] < n ? field[col[i]] : (i == 1 ? "" : NULL);
  if (!get[0] || !get[0][0])
    return CS_ERROR(CS_ERR_INPUT, "%s:%d: metric: expected a name", path, ln);
  CS_TRY(csv_number(path, ln, "day", get[2], &o->day));
  CS_TRY(csv_number(path, ln, "value", get[3], &o->value));
  CS_TRY(csv_number(path, ln, "sd", get[4], &o->sd));
  if (o->day < 0) return CS_ERROR(CS_ERR_INPUT, "%s:%d: day: expected >= 0", path, ln);
  if (!(o->sd > 0)) return CS_ERROR(CS_ERR_INPUT, "%s:%d: sd: expected > 0, got %s", path, ln, get[4]);
  return obs_names(o, get[0], get[1]);
}

static cs_status obs_csv(const char *path, calib_spec *cs) {
  char *text = NULL;
  CS_TRY(sweep_read_text(path, &text));
  int col[5] = {-1, -1, -1, -1, -1}, ln = 1;
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  cs_status st = line ? csv_columns(path, line, col)
                      : CS_ERROR(CS_ERR_INPUT, "%s: empty (expected a header line)", path);
  while (st == CS_OK && (line = strtok_r(NULL, "\n", &save))) {
    ln++; /* (strtok_r skips empty lines; their numbers are lost, rare in practice) */
    if (line[0] == '#' || line[strspn(line, " \r")] == '\0') continue;
    st = grow_obs(&cs->obs, &cs->nobs);
    if (st == CS_OK) st = csv_row(path, ln, line, col, &cs->obs[cs->nobs - 1]);
  }
  free(text);
  return st;
}

/* A path relative to the spec's directory. */
static char *beside(const char *spec, const char *name) {
  const char *slash = strrchr(spec, '/');
  size_t dl = (name[0] != '/' && slash) ? (size_t)(slash - spec) + 1 : 0;
  char *p = malloc(dl + strlen(name) + 1);
  if (!p) return NULL;
  memcpy(p, spec, dl);
  strcpy(p + dl, name);
  return p;
}

static cs_status parse_observations(const char *spec, const yt_node *x, calib_spec *cs) {
  if (x->kind == YT_SCALAR) {
    char *path = beside(spec, x->value);
    if (!path) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    cs_status st = obs_csv(path, cs);
    free(path);
    return st;
  }
  if (x->kind != YT_SEQ || x->n == 0)
    return sweep_at(spec, x->line, x->col, ": expected a CSV file name or a list", "observations",
                    NULL);
  for (size_t i = 0; i < x->n; i++) {
    CS_TRY(grow_obs(&cs->obs, &cs->nobs));
    CS_TRY(obs_yaml(spec, x->items[i], 1, &cs->obs[cs->nobs - 1]));
  }
  return CS_OK;
}

static cs_status parse_predict(const char *spec, const yt_node *x, calib_spec *cs) {
  if (x->kind != YT_SEQ)
    return sweep_at(spec, x->line, x->col, ": expected a list of {metric, layer, day}", "predict",
                    NULL);
  for (size_t i = 0; i < x->n; i++) {
    CS_TRY(grow_obs(&cs->pred, &cs->npred));
    CS_TRY(obs_yaml(spec, x->items[i], 0, &cs->pred[cs->npred - 1]));
  }
  return CS_OK;
}

static cs_status parse_options(const char *spec, const yt_node *x, calib_spec *cs) {
  if (x->kind != YT_MAP) return sweep_at(spec, x->line, x->col, ": expected a mapping", "options", NULL);
  for (size_t i = 0; i < x->n; i++) {
    const char *k = x->keys[i];
    double v;
    CS_TRY(sweep_scalar_num(spec, x->items[i], k, &v));
    const yt_node *it = x->items[i];
    if (strcmp(k, "max_iterations") == 0 && v >= 1 && v <= 1e5 && v == floor(v)) cs->max_iter = (long)v;
    else if (strcmp(k, "xtol") == 0 && v >= 0 && v < 1) cs->xtol = v;
    else if (strcmp(k, "gtol") == 0 && v >= 0 && v < 1) cs->gtol = v;
    else if (strcmp(k, "ftol") == 0 && v >= 0 && v < 1) cs->ftol = v;
    else if (strcmp(k, "fd_step") == 0 && v > 0 && v < 0.1) cs->fd_step = v;
    else if (strcmp(k, "max_iterations") && strcmp(k, "xtol") && strcmp(k, "gtol") &&
             strcmp(k, "ftol") && strcmp(k, "fd_step"))
      return sweep_at(spec, x->key_line[i], x->key_col[i],
                      ": unknown option (expected max_iterations, xtol, gtol, ftol, fd_step)", k,
                      NULL);
    else
      return sweep_at(spec, it->line, it->col,
                      ": out of range (max_iterations 1..1e5; xtol, gtol, ftol in [0, 1); fd_step "
                      "in (0, 0.1))",
                      k, NULL);
  }
  return CS_OK;
}

/* {start, bounds, scale} of one fitted key. */
static cs_status parse_param(const char *spec, const yt_node *x, calib_param *p) {
  if (x->kind != YT_MAP)
    return sweep_at(spec, x->line, x->col, ": expected {start: X, bounds: [lo, hi], scale: log}",
                    p->key, NULL);
  const yt_node *start = NULL, *bounds = NULL;
  for (size_t i = 0; i < x->n; i++) {
    const char *k = x->keys[i];
    const yt_node *v = x->items[i];
    if (strcmp(k, "start") == 0) start = v;
    else if (strcmp(k, "bounds") == 0) bounds = v;
    else if (strcmp(k, "scale") == 0 && v->kind == YT_SCALAR &&
             (!strcmp(v->value, "log") || !strcmp(v->value, "linear")))
      p->logscale = strcmp(v->value, "log") == 0;
    else
      return sweep_at(spec, x->key_line[i], x->key_col[i],
                      ": expected start, bounds: [lo, hi], scale: linear|log; got ", p->key, k);
  }
  if (!start || !bounds || bounds->kind != YT_SEQ || bounds->n != 2)
    return sweep_at(spec, x->line, x->col, ": needs start and bounds: [lo, hi]", p->key, NULL);
  CS_TRY(sweep_scalar_num(spec, start, p->key, &p->start));
  CS_TRY(sweep_scalar_num(spec, bounds->items[0], p->key, &p->lo));
  CS_TRY(sweep_scalar_num(spec, bounds->items[1], p->key, &p->hi));
  if (!(p->lo < p->hi) || (p->logscale && p->lo <= 0))
    return sweep_at(spec, bounds->line, bounds->col,
                    ": bounds: expected lo < hi (and lo > 0 on a log scale)", p->key, NULL);
  if (!(p->start >= p->lo && p->start <= p->hi))
    return sweep_at(spec, start->line, start->col, ": start: expected inside bounds", p->key, NULL);
  return CS_OK;
}

static cs_status parse_fit(const char *spec, const yt_node *x, const params *base, calib_spec *cs) {
  if (x->kind != YT_MAP || x->n == 0 || x->n > 20)
    return sweep_at(spec, x->line, x->col, ": expected a mapping of 1 to 20 parameter keys", "fit",
                    NULL);
  cs->par = calloc(x->n, sizeof(calib_param));
  if (!cs->par) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < x->n; i++) {
    calib_param *p = &cs->par[i];
    p->key = x->keys[i];
    cs->np = (int)i + 1;
    const param_value *pv = params_find(base, p->key);
    if (!pv || pv->desc->type != P_REAL)
      return sweep_at(spec, x->key_line[i], x->key_col[i],
                      ": expected a real parameter of the base config's model, got ", "fit",
                      p->key);
    CS_TRY(parse_param(spec, x->items[i], p));
  }
  return CS_OK;
}

/* set: the same overrides in every run ("key=value"; checked when the base loads with them). */
static cs_status parse_fixed(const char *spec, const yt_node *x, calib_spec *cs) {
  if (x->kind != YT_MAP || x->n > 20)
    return sweep_at(spec, x->line, x->col, ": expected a mapping of at most 20 keys to values",
                    "set", NULL);
  cs->fixed = calloc(x->n + 1, sizeof(char *));
  if (!cs->fixed) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < x->n; i++) {
    char *val = NULL;
    CS_TRY(sweep_value_text(spec, x->keys[i], x->items[i], &val));
    size_t len = strlen(x->keys[i]) + strlen(val) + 2;
    cs->fixed[i] = malloc(len);
    if (cs->fixed[i]) snprintf(cs->fixed[i], len, "%s=%s", x->keys[i], val);
    free(val);
    if (!cs->fixed[i]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    cs->nfixed = (int)i + 1;
  }
  return CS_OK;
}

/* The top-level entries. */
static cs_status parse_top(const char *spec, const yt_node *root, const yt_node **e) {
  static const char *names[6] = {"base", "fit", "observations", "predict", "options", "set"};
  if (root->kind != YT_MAP)
    return sweep_at(spec, root->line, root->col, ": expected a mapping (base, fit, observations)",
                    "spec", NULL);
  for (size_t i = 0; i < root->n; i++) {
    int j = 0;
    while (j < 6 && strcmp(root->keys[i], names[j])) j++;
    if (j == 6)
      return sweep_at(spec, root->key_line[i], root->key_col[i],
                      ": unknown entry (expected base, set, fit, observations, predict, options)",
                      root->keys[i], NULL);
    e[j] = root->items[i];
  }
  for (int j = 0; j < 3; j++)
    if (!e[j]) return sweep_at(spec, root->line, root->col, ": missing ", "spec", names[j]);
  if (e[0]->kind != YT_SCALAR)
    return sweep_at(spec, e[0]->line, e[0]->col, ": expected a file name", "base", NULL);
  return CS_OK;
}

cs_status calib_spec_load(const char *path, calib_spec *cs) {
  memset(cs, 0, sizeof *cs);
  cs->max_iter = 100;
  cs->xtol = 1e-8;
  cs->gtol = 1e-10;
  cs->ftol = 0;
  cs->fd_step = 1e-5;
  CS_TRY(yt_load_file(path, &cs->doc));
  const yt_node *e[6] = {0};
  CS_TRY(parse_top(path, cs->doc.root, e));
  if (!(cs->base_path = beside(path, e[0]->value))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (e[5]) CS_TRY(parse_fixed(path, e[5], cs));
  params base = {0};
  if (params_load(&base, cs->base_path, (const char *const *)cs->fixed, cs->nfixed,
                  model_registry_lookup) != CS_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cs_error_message());
    const yt_node *at = e[5] && strstr(msg, "--set") ? e[5] : e[0];
    return sweep_at(path, at->line, at->col, ": ", e[5] && at == e[5] ? "set" : "base", msg);
  }
  cs_status st = parse_fit(path, e[1], &base, cs);
  params_free(&base);
  if (st == CS_OK) st = parse_observations(path, e[2], cs);
  if (st == CS_OK && e[3]) st = parse_predict(path, e[3], cs);
  if (st == CS_OK && e[4]) st = parse_options(path, e[4], cs);
  if (st == CS_OK && cs->nobs < cs->np)
    st = CS_ERROR(CS_ERR_INPUT, "%s: %d observations cannot determine %d parameters", path,
                  cs->nobs, cs->np);
  if (st == CS_OK) st = sweep_read_text(cs->base_path, &cs->base_text);
  return st;
}
