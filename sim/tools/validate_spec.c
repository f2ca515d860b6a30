/* validate_spec: the table of published observations (see validate_spec.h). */
#define _POSIX_C_SOURCE 200809L

#include "validate_spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sweep_util.h"
#include "sweep_vary.h"

static int is_null(const yt_node *n) {
  return n->kind == YT_SCALAR && !n->quoted &&
         (!strcmp(n->value, "null") || !strcmp(n->value, "~") || !n->value[0]);
}

/* A required non-empty scalar entry of mapping m (named `what` in messages). */
static cs_status need_text(const char *f, const yt_node *m, const char *key, const char *what,
                           const char **out) {
  const yt_node *x = yt_get(m, key);
  if (!x) return sweep_at(f, m->line, m->col, ": missing ", what, key);
  if (x->kind != YT_SCALAR || is_null(x))
    return sweep_at(f, x->line, x->col, ": expected a text, in ", what, key);
  *out = x->value;
  return CS_OK;
}

/* Entries of mapping m outside the nk names allowed are an error naming them. */
static cs_status only_keys(const char *f, const yt_node *m, const char *const *allowed, int nk,
                           const char *what, const char *list) {
  for (size_t i = 0; i < m->n; i++) {
    int j = 0;
    while (j < nk && strcmp(m->keys[i], allowed[j])) j++;
    if (j == nk) {
      char msg[512];
      snprintf(msg, sizeof msg, ": unknown entry of %s (expected %s)", what, list);
      return sweep_at(f, m->key_line[i], m->key_col[i], msg, m->keys[i], NULL);
    }
  }
  return CS_OK;
}

static char *dup_printf(const char *a, const char *sep, const char *b) {
  size_t len = strlen(a) + strlen(sep) + strlen(b) + 1;
  char *s = malloc(len);
  if (s) snprintf(s, len, "%s%s%s", a, sep, b);
  return s;
}

/* A mapping of overrides into "key=value" strings appended to *list. */
static cs_status parse_set(const char *f, const yt_node *m, char ***list, int *n) {
  if (m->kind != YT_MAP)
    return sweep_at(f, m->line, m->col, ": expected a mapping of keys to values", "set", NULL);
  char **nl = realloc(*list, (size_t)(*n + (int)m->n + 1) * sizeof(char *));
  if (!nl) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  *list = nl;
  for (size_t i = 0; i < m->n; i++) {
    char *val = NULL;
    CS_TRY(sweep_value_text(f, m->keys[i], m->items[i], &val));
    nl[*n] = dup_printf(m->keys[i], "=", val);
    free(val);
    if (!nl[*n]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    (*n)++;
  }
  return CS_OK;
}

static cs_status add_strings(const char *const *s, int k, char ***list, int *n) {
  char **nl = realloc(*list, (size_t)(*n + k + 1) * sizeof(char *));
  if (!nl) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  *list = nl;
  for (int i = 0; i < k; i++) {
    if (!(nl[*n] = strdup(s[i]))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    (*n)++;
  }
  return CS_OK;
}

/* A path relative to the directory of file f, with "DIR/../" taken out so that the report
   names validation/../configs/x.yaml as configs/x.yaml. */
static char *beside(const char *f, const char *name) {
  const char *slash = strrchr(f, '/');
  size_t dl = (name[0] != '/' && slash) ? (size_t)(slash - f) + 1 : 0;
  char *p = malloc(dl + strlen(name) + 1);
  if (!p) return NULL;
  memcpy(p, f, dl);
  strcpy(p + dl, name);
  for (char *up; (up = strstr(p, "/../"));) {
    char *start = up;
    while (start > p && start[-1] != '/') start--;
    size_t seg = (size_t)(up - start);
    if (seg == 0 || (seg == 2 && !strncmp(start, "..", 2)) || (seg == 1 && *start == '.')) break;
    memmove(start, up + 4, strlen(up + 4) + 1);
  }
  return p;
}

static cs_status parse_run(const char *f, const yt_node *run, const char *base, val_spec *vs) {
  static const char *const keys[] = {"base", "set"};
  if (run->kind != YT_MAP) return sweep_at(f, run->line, run->col, ": expected {base, set}", "run", NULL);
  CS_TRY(only_keys(f, run, keys, 2, "run", "base, set"));
  const char *b = NULL;
  if (!base) CS_TRY(need_text(f, run, "base", "run", &b));
  vs->base_path = base ? strdup(base) : beside(f, b);
  if (!vs->base_path) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  const yt_node *set = yt_get(run, "set");
  return set ? parse_set(f, set, &vs->set, &vs->nset) : CS_OK;
}

/* {start, bounds: [lo, hi], scale} of fitted key p->key. */
static cs_status parse_param(const char *f, const yt_node *x, calib_param *p) {
  static const char *const keys[] = {"start", "bounds", "scale"};
  if (x->kind != YT_MAP)
    return sweep_at(f, x->line, x->col, ": expected {start, bounds: [lo, hi], scale}", p->key, NULL);
  CS_TRY(only_keys(f, x, keys, 3, p->key, "start, bounds, scale"));
  const yt_node *start = yt_get(x, "start"), *bounds = yt_get(x, "bounds"), *sc = yt_get(x, "scale");
  if (!start || !bounds || bounds->kind != YT_SEQ || bounds->n != 2)
    return sweep_at(f, x->line, x->col, ": needs start and bounds: [lo, hi]", p->key, NULL);
  if (sc && (sc->kind != YT_SCALAR || (strcmp(sc->value, "log") && strcmp(sc->value, "linear"))))
    return sweep_at(f, sc->line, sc->col, ": scale: expected linear or log", p->key, NULL);
  p->logscale = sc && !strcmp(sc->value, "log");
  CS_TRY(sweep_scalar_num(f, start, p->key, &p->start));
  CS_TRY(sweep_scalar_num(f, bounds->items[0], p->key, &p->lo));
  CS_TRY(sweep_scalar_num(f, bounds->items[1], p->key, &p->hi));
  if (!(p->lo < p->hi) || (p->logscale && p->lo <= 0))
    return sweep_at(f, bounds->line, bounds->col, ": bounds: expected lo < hi (lo > 0 on a log scale)",
                    p->key, NULL);
  if (!(p->start >= p->lo && p->start <= p->hi))
    return sweep_at(f, start->line, start->col, ": start: expected inside bounds", p->key, NULL);
  return CS_OK;
}

static cs_status parse_calibrate(const char *f, const yt_node *c, val_spec *vs) {
  static const char *const keys[] = {"log_sd", "fit"};
  if (c->kind != YT_MAP) return sweep_at(f, c->line, c->col, ": expected {log_sd, fit}", "calibrate", NULL);
  CS_TRY(only_keys(f, c, keys, 2, "calibrate", "log_sd, fit"));
  const yt_node *ls = yt_get(c, "log_sd"), *fit = yt_get(c, "fit");
  if (ls) {
    CS_TRY(sweep_scalar_num(f, ls, "calibrate.log_sd", &vs->log_sd));
    if (!(vs->log_sd > 0 && vs->log_sd < 10))
      return sweep_at(f, ls->line, ls->col, ": expected a number in (0, 10)", "calibrate.log_sd", NULL);
  }
  if (!fit) return CS_OK;
  if (fit->kind != YT_MAP || fit->n > 20)
    return sweep_at(f, fit->line, fit->col, ": expected a mapping of at most 20 keys", "calibrate.fit", NULL);
  vs->fit = calloc(fit->n + 1, sizeof(calib_param));
  if (!vs->fit) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < fit->n; i++) {
    vs->fit[i].key = fit->keys[i];
    CS_TRY(parse_param(f, fit->items[i], &vs->fit[i]));
    vs->nfit = (int)i + 1;
  }
  return CS_OK;
}

/* expect: up | down | {more_than: STUDY} | {unchanged_within: PERCENT}. */
static cs_status parse_expect(const char *f, const yt_node *x, val_obs *o, const char **other) {
  if (x->kind == YT_SCALAR && (!strcmp(x->value, "up") || !strcmp(x->value, "down"))) {
    o->kind = x->value[0] == 'u' ? VQ_UP : VQ_DOWN;
    return CS_OK;
  }
  if (x->kind == YT_MAP && x->n == 1 && !strcmp(x->keys[0], "more_than") &&
      x->items[0]->kind == YT_SCALAR) {
    o->kind = VQ_MORE_THAN;
    *other = x->items[0]->value;
    return CS_OK;
  }
  if (x->kind == YT_MAP && x->n == 1 && !strcmp(x->keys[0], "unchanged_within")) {
    o->kind = VQ_UNCHANGED;
    CS_TRY(sweep_scalar_num(f, x->items[0], "expect.unchanged_within", &o->tol));
    if (o->tol > 0) return CS_OK;
  }
  return sweep_at(f, x->line, x->col,
                  ": expected up, down, {more_than: STUDY} or {unchanged_within: PERCENT}",
                  "expect", NULL);
}

/* The series name of metric m at layer (from the metrics table). */
static cs_status series_of(const char *f, const yt_node *metrics, const yt_node *mnode,
                           const char *layer, char **out) {
  const yt_node *e = yt_get(metrics, mnode->value);
  const yt_node *s = e ? yt_get(e, "series") : NULL;
  if (!e) return sweep_at(f, mnode->line, mnode->col, ": unknown metric (not in metrics:) ", "metric", mnode->value);
  if (!s || s->kind != YT_SCALAR || !s->value[0])
    return sweep_at(f, e->line, e->col, ": needs series: NAME", mnode->value, NULL);
  *out = layer[0] ? dup_printf(s->value, "_", layer) : strdup(s->value);
  return *out ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
}

static cs_status parse_obs(const char *f, const yt_node *x, const yt_node *metrics, val_obs *o,
                           const char **other) {
  static const char *const keys[] = {"metric", "layer", "day", "value", "sd", "expect", "assay", "reliability"};
  if (x->kind != YT_MAP) return sweep_at(f, x->line, x->col, ": expected a mapping", "observation", NULL);
  CS_TRY(only_keys(f, x, keys, 8, "an observation",
                   "metric, layer, day, value, sd, expect, assay, reliability"));
  o->layer = "";
  o->sd = o->value = NAN;
  CS_TRY(need_text(f, x, "metric", "observation", &o->metric));
  CS_TRY(need_text(f, x, "assay", "observation", &o->assay));
  CS_TRY(need_text(f, x, "reliability", "observation", &o->reliability));
  if (yt_get(x, "layer")) CS_TRY(need_text(f, x, "layer", "observation", &o->layer));
  const yt_node *day = yt_get(x, "day"), *val = yt_get(x, "value"), *sd = yt_get(x, "sd"),
                *ex = yt_get(x, "expect");
  if (!day) return sweep_at(f, x->line, x->col, ": missing ", "observation", "day");
  CS_TRY(sweep_scalar_num(f, day, "day", &o->day));
  if (!(o->day > 0)) return sweep_at(f, day->line, day->col, ": expected a day > 0", "day", NULL);
  if (!val == !ex)
    return sweep_at(f, x->line, x->col, ": needs either value (numeric) or expect (qualitative)",
                    "observation", NULL);
  if (val) {
    o->kind = VQ_NUMERIC;
    CS_TRY(sweep_scalar_num(f, val, "value", &o->value));
    if (!(o->value > -100))
      return sweep_at(f, val->line, val->col, ": expected a change > -100 %", "value", NULL);
  } else {
    CS_TRY(parse_expect(f, ex, o, other));
  }
  if (sd && !is_null(sd)) {
    CS_TRY(sweep_scalar_num(f, sd, "sd", &o->sd));
    if (!(o->sd > 0) || !val)
      return sweep_at(f, sd->line, sd->col, ": expected a number > 0 on a numeric row", "sd", NULL);
  }
  return series_of(f, metrics, yt_get(x, "metric"), o->layer, &o->series);
}

/* Base config with run.set and study s's overrides must load; else the error points at the
   study's protocol (or at run.set when the study adds nothing). */
static cs_status check_load(const char *f, const val_spec *vs, int s, const yt_node *at) {
  char *text = NULL;
  CS_TRY(val_study_overrides(vs, s, NULL, &text));
  const char *sets[128];
  int k = 0;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && k < 128; l = strtok_r(NULL, "\n", &save))
    sets[k++] = l;
  params p = {0};
  cs_status st = params_load(&p, vs->base_path, sets, k, model_registry_lookup);
  params_free(&p);
  free(text);
  if (st == CS_OK) return CS_OK;
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", cs_error_message());
  return sweep_at(f, at->line, at->col, ": the run config does not load: ", vs->st[s].id, msg);
}

static cs_status parse_study(const char *f, const yt_node *x, const yt_node *metrics,
                             val_study *s, const char **others) {
  static const char *const keys[] = {"id", "citation", "doi", "pmid", "url", "subjects", "protocol", "observations"};
  static const char *const pkeys[] = {"description", "set", "assumed"};
  if (x->kind != YT_MAP) return sweep_at(f, x->line, x->col, ": expected a mapping", "study", NULL);
  CS_TRY(only_keys(f, x, keys, 8, "a study", "id, citation, doi, pmid, url, subjects, protocol, observations"));
  CS_TRY(need_text(f, x, "id", "study", &s->id));
  CS_TRY(need_text(f, x, "citation", s->id, &s->citation));
  const yt_node *doi = yt_get(x, "doi"), *pr = yt_get(x, "protocol"), *ob = yt_get(x, "observations");
  if (!doi) return sweep_at(f, x->line, x->col, ": missing doi (null where it has none)", s->id, NULL);
  s->doi = is_null(doi) ? "" : doi->value;
  if (!pr || pr->kind != YT_MAP)
    return sweep_at(f, x->line, x->col, ": needs protocol: {description, set, assumed}", s->id, NULL);
  CS_TRY(only_keys(f, pr, pkeys, 3, "protocol", "description, set, assumed"));
  const yt_node *set = yt_get(pr, "set");
  if (!set) return sweep_at(f, pr->line, pr->col, ": needs set: {KEY: VALUE}", "protocol", s->id);
  CS_TRY(parse_set(f, set, &s->set, &s->nset));
  if (!ob || ob->kind != YT_SEQ || ob->n == 0)
    return sweep_at(f, x->line, x->col, ": needs a list of observations", s->id, NULL);
  if (!(s->obs = calloc(ob->n, sizeof(val_obs)))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < ob->n; i++) {
    s->obs[i].other = -1;
    s->nobs = (int)i + 1;
    CS_TRY(parse_obs(f, ob->items[i], metrics, &s->obs[i], &others[i]));
    if (s->obs[i].day > s->end_day) s->end_day = s->obs[i].day;
  }
  return CS_OK;
}

/* {more_than: STUDY}: the index of STUDY among the kept studies. */
static cs_status resolve_other(const char *f, const val_spec *vs, const yt_node *obs_node,
                               const char *name, val_obs *o) {
  for (int j = 0; j < vs->nst; j++)
    if (!strcmp(vs->st[j].id, name)) o->other = j;
  if (o->other >= 0) return CS_OK;
  const yt_node *ex = yt_get(obs_node, "expect");
  return sweep_at(f, ex->line, ex->col, ": more_than: no study (or not selected with --study) ",
                  "expect", name);
}

static cs_status parse_studies(const char *f, const yt_node *list, const yt_node *metrics,
                               const char *const *only, int nonly, val_spec *vs) {
  if (list->kind != YT_SEQ || list->n == 0)
    return sweep_at(f, list->line, list->col, ": expected a list of studies", "studies", NULL);
  vs->st = calloc(list->n, sizeof(val_study));
  const char ***others = calloc(list->n, sizeof(char **));
  const yt_node **nodes = calloc(list->n, sizeof(yt_node *));
  cs_status st = vs->st && others && nodes ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < list->n && st == CS_OK; i++) {
    const yt_node *x = list->items[i], *ob = yt_get(x, "observations");
    val_study *s = &vs->st[vs->nst];
    others[vs->nst] = calloc(ob && ob->kind == YT_SEQ ? ob->n + 1 : 1, sizeof(char *));
    nodes[vs->nst] = x;
    vs->nst++;
    st = others[vs->nst - 1] ? parse_study(f, x, metrics, s, others[vs->nst - 1])
                             : CS_ERROR(CS_ERR_NOMEM, "out of memory");
    for (int j = 0; j + 1 < vs->nst && st == CS_OK; j++)
      if (!strcmp(vs->st[j].id, s->id))
        st = sweep_at(f, x->line, x->col, ": study id used twice: ", s->id, NULL);
  }
  for (int k = 0; k < nonly && st == CS_OK; k++) {
    int found = 0;
    for (int j = 0; j < vs->nst; j++) found |= !strcmp(vs->st[j].id, only[k]);
    if (!found) st = CS_ERROR(CS_ERR_INPUT, "%s: --study %s: no study with that id", f, only[k]);
  }
  int kept = 0;
  for (int j = 0; j < vs->nst && st == CS_OK; j++) {
    int keep = nonly == 0;
    for (int k = 0; k < nonly; k++) keep |= !strcmp(vs->st[j].id, only[k]);
    if (!keep) {
      for (int i = 0; i < vs->st[j].nobs; i++) free(vs->st[j].obs[i].series);
      free(vs->st[j].obs);
      for (int i = 0; i < vs->st[j].nset; i++) free(vs->st[j].set[i]);
      free(vs->st[j].set);
      free(others[j]);
      continue;
    }
    vs->st[kept] = vs->st[j];
    others[kept] = others[j];
    nodes[kept++] = nodes[j];
  }
  if (st == CS_OK) {
    vs->nst = kept;
    for (size_t k = (size_t)kept; k < list->n; k++) others[k] = NULL; /* moved or freed */
  }
  for (int j = 0; j < vs->nst && st == CS_OK; j++) {
    const yt_node *ob = yt_get(nodes[j], "observations");
    for (int i = 0; i < vs->st[j].nobs && st == CS_OK; i++)
      if (vs->st[j].obs[i].kind == VQ_MORE_THAN)
        st = resolve_other(f, vs, ob->items[i], others[j][i], &vs->st[j].obs[i]);
    if (st == CS_OK) st = check_load(f, vs, j, yt_get(yt_get(nodes[j], "protocol"), "set"));
  }
  for (size_t j = 0; j < list->n; j++) free(others[j]);
  free(others);
  free(nodes);
  return st;
}

static cs_status parse_top(const char *f, const yt_node *root, const yt_node **e) {
  static const char *const names[] = {"run", "metrics", "studies", "calibrate"};
  if (root->kind != YT_MAP)
    return sweep_at(f, root->line, root->col, ": expected a mapping (run, metrics, studies)", "table", NULL);
  CS_TRY(only_keys(f, root, names, 4, "the table", "run, metrics, calibrate, studies"));
  for (int j = 0; j < 4; j++) e[j] = yt_get(root, names[j]);
  for (int j = 0; j < 3; j++)
    if (!e[j]) return sweep_at(f, root->line, root->col, ": missing ", "table", names[j]);
  if (e[1]->kind != YT_MAP)
    return sweep_at(f, e[1]->line, e[1]->col, ": expected a mapping NAME: {series: PREFIX}", "metrics", NULL);
  return CS_OK;
}

cs_status val_spec_load(const char *path, const char *base, const char *const *sets, int nsets,
                        const char *const *only, int nonly, val_spec *vs) {
  memset(vs, 0, sizeof *vs);
  vs->log_sd = 0.1;
  CS_TRY(yt_load_file(path, &vs->doc));
  const yt_node *e[4] = {0};
  CS_TRY(parse_top(path, vs->doc.root, e));
  CS_TRY(parse_run(path, e[0], base, vs));
  CS_TRY(add_strings(sets, nsets, &vs->set, &vs->nset));
  if (e[3]) CS_TRY(parse_calibrate(path, e[3], vs));
  CS_TRY(sweep_read_text(vs->base_path, &vs->base_text));
  return parse_studies(path, e[2], e[1], only, nonly, vs);
}

void val_spec_free(val_spec *vs) {
  for (int j = 0; j < vs->nst; j++) {
    for (int i = 0; i < vs->st[j].nobs; i++) free(vs->st[j].obs[i].series);
    free(vs->st[j].obs);
    for (int i = 0; i < vs->st[j].nset; i++) free(vs->st[j].set[i]);
    free(vs->st[j].set);
  }
  free(vs->st);
  for (int i = 0; i < vs->nset; i++) free(vs->set[i]);
  free(vs->set);
  free(vs->fit);
  free(vs->base_path);
  free(vs->base_text);
  yt_free(&vs->doc);
  memset(vs, 0, sizeof *vs);
}

cs_status val_study_overrides(const val_spec *vs, int s, const char *extra, char **text) {
  const val_study *st = &vs->st[s];
  size_t len = 64 + (extra ? strlen(extra) : 0) + 32 * (size_t)st->nobs;
  for (int i = 0; i < vs->nset; i++) len += strlen(vs->set[i]) + 1;
  for (int i = 0; i < st->nset; i++) len += strlen(st->set[i]) + 1;
  char *t = malloc(len);
  if (!t) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  size_t u = 0;
  t[0] = '\0';
  for (int i = 0; i < vs->nset; i++) u += (size_t)snprintf(t + u, len - u, "%s\n", vs->set[i]);
  for (int i = 0; i < st->nset; i++) u += (size_t)snprintf(t + u, len - u, "%s\n", st->set[i]);
  /* The run ends at the last read-out day; its summary lists the read-out days (a summary
     day after the end would only draw a warning). */
  u += (size_t)snprintf(t + u, len - u, "time.end_day=%.17g\noutput.summary_days=[", st->end_day);
  double last = -1;
  for (int k = 0; k < st->nobs; k++) { /* the distinct days, increasing */
    double next = INFINITY;
    for (int i = 0; i < st->nobs; i++)
      if (st->obs[i].day > last && st->obs[i].day < next) next = st->obs[i].day;
    if (!isfinite(next)) break;
    u += (size_t)snprintf(t + u, len - u, "%s%.17g", last >= 0 ? ", " : "", next);
    last = next;
  }
  u += (size_t)snprintf(t + u, len - u, "]\n%s", extra ? extra : "");
  *text = t;
  return CS_OK;
}
