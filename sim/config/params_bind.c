#include "params_bind.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params_suggest.h"

char *params_bind_dup(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

cs_status params_bind_nomem(void) {
  return CS_ERROR(CS_ERR_NOMEM, "out of memory reading the configuration");
}

cs_status params_bind_error(const source *s, int line, int col, const char *key, const char *fmt, ...) {
  char msg[1400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (s->set_arg) {
    if (key && strcmp(key, s->set_key) != 0)
      return CS_ERROR(CS_ERR_INPUT, "--set %s: %s: %s", s->set_arg, key, msg);
    return CS_ERROR(CS_ERR_INPUT, "--set %s: %s", s->set_arg, msg);
  }
  if (line > 0) {
    if (key) return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: %s", s->file, line, col, key, msg);
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s", s->file, line, col, msg);
  }
  if (key) return CS_ERROR(CS_ERR_INPUT, "%s: %s: %s", s->file, key, msg);
  return CS_ERROR(CS_ERR_INPUT, "%s: %s", s->file, msg);
}

int params_bind_is_null(const yt_node *n) {
  return n->kind == YT_SCALAR && !n->quoted &&
         (n->value[0] == '\0' || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
          strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

/* What the user wrote, for the "got ..." half of a message. */
const char *params_bind_got(const yt_node *n, char *buf, size_t sz) {
  if (n->kind == YT_MAP) return "a mapping";
  if (n->kind == YT_SEQ) return n->n ? "a list" : "an empty list";
  if (params_bind_is_null(n)) return "nothing";
  int len = (int)strlen(n->value);
  snprintf(buf, sz, "\"%.*s%s\"%s", len > 60 ? 57 : len, n->value, len > 60 ? "..." : "",
           n->quoted ? " (in quotes, so text)" : "");
  return buf;
}

static const char *unit_suffix(const param_desc *d, char *buf, size_t sz) {
  if (!d->unit || !d->unit[0] || strcmp(d->unit, "-") == 0) return "";
  snprintf(buf, sz, " %s", d->unit);
  return buf;
}

/* ---- scalar parsing ---- */

typedef enum { NUM_OK, NUM_BAD, NUM_NONFINITE } num_result;

static int ci_equal(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
  return *a == *b;
}

/* Decimal numbers only: strtod alone would also take hex, "infinity" and leading blanks. */
static num_result parse_number(const char *s, double *out) {
  const char *t = s;
  if (*t == '+' || *t == '-') t++;
  const char *w = *t == '.' ? t + 1 : t;
  if (ci_equal(w, "nan") || ci_equal(w, "inf") || ci_equal(w, "infinity")) return NUM_NONFINITE;
  int digits = 0;
  while (isdigit((unsigned char)*t)) t++, digits++;
  if (*t == '.') {
    t++;
    while (isdigit((unsigned char)*t)) t++, digits++;
  }
  if (!digits) return NUM_BAD;
  if (*t == 'e' || *t == 'E') {
    t++;
    if (*t == '+' || *t == '-') t++;
    if (!isdigit((unsigned char)*t)) return NUM_BAD;
    while (isdigit((unsigned char)*t)) t++;
  }
  if (*t) return NUM_BAD;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end) return NUM_BAD;
  if (!isfinite(v)) return NUM_NONFINITE;  /* 1e999 */
  *out = v;
  return NUM_OK;
}

static void range_text(const param_desc *d, const char *what, int finite, char *buf, size_t sz) {
  char u[64];
  snprintf(buf, sz, "%s in [%g, %g]%s", finite ? "a finite number" : what, d->min, d->max,
           unit_suffix(d, u, sizeof u));
}

/* One number of a P_REAL or P_REALS parameter, range checked. */
static cs_status bind_number(const source *s, const param_desc *d, const char *key,
                             const yt_node *n, double *out) {
  char exp[256], g[128];
  double v = 0;
  num_result r = NUM_BAD;
  if (n->kind == YT_SCALAR && !n->quoted) r = parse_number(n->value, &v);
  if (r == NUM_OK && v >= d->min && v <= d->max) {
    *out = v;
    return CS_OK;
  }
  range_text(d, "a number", r == NUM_NONFINITE, exp, sizeof exp);
  return params_bind_error(s, n->line, n->col, key, "expected %s, got %s", exp, params_bind_got(n, g, sizeof g));
}

static cs_status bind_int(const source *s, const param_desc *d, const yt_node *n, double *out) {
  char exp[256], g[128];
  if (n->kind == YT_SCALAR && !n->quoted) {
    const char *t = n->value + (n->value[0] == '+' || n->value[0] == '-');
    int ok = *t != '\0';
    for (; *t; t++) ok = ok && isdigit((unsigned char)*t);
    if (ok) {
      errno = 0;
      long v = strtol(n->value, NULL, 10);
      if (errno == 0 && (double)v >= d->min && (double)v <= d->max) {
        *out = (double)v;
        return CS_OK;
      }
    }
  }
  range_text(d, "an integer", 0, exp, sizeof exp);
  return params_bind_error(s, n->line, n->col, d->key, "expected %s, got %s", exp, params_bind_got(n, g, sizeof g));
}

static cs_status bind_bool(const source *s, const param_desc *d, const yt_node *n, double *out) {
  static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
  char g[128];
  if (n->kind == YT_SCALAR && !n->quoted) {
    for (int i = 0; i < 3; i++) {
      if (ci_equal(n->value, yes[i])) return *out = 1, CS_OK;
      if (ci_equal(n->value, no[i])) return *out = 0, CS_OK;
    }
  }
  return params_bind_error(s, n->line, n->col, d->key, "expected true or false, got %s", params_bind_got(n, g, sizeof g));
}

static int in_choices(const char *choices, const char *w) {
  size_t n = strlen(w);
  for (const char *c = choices; c && *c;) {
    const char *e = strchr(c, '|');
    size_t cn = e ? (size_t)(e - c) : strlen(c);
    if (cn == n && strncmp(c, w, n) == 0) return 1;
    c += cn + (e ? 1 : 0);
  }
  return 0;
}

static cs_status bind_text(const source *s, const param_desc *d, const yt_node *n, char **out) {
  char g[128], hint[200], list[256];
  const char *choices = d->choices ? d->choices : "";
  if (n->kind == YT_SCALAR && !params_bind_is_null(n) &&
      (d->type == P_STRING || in_choices(choices, n->value))) {
    char *v = params_bind_dup(n->value);
    if (!v) return params_bind_nomem();
    free(*out);
    *out = v;
    return CS_OK;
  }
  if (d->type == P_STRING)
    return params_bind_error(s, n->line, n->col, d->key, "expected text, got %s", params_bind_got(n, g, sizeof g));
  size_t k = 0;
  for (const char *c = choices; *c && k + 3 < sizeof list; c++) {
    if (*c == '|') list[k++] = ',', list[k++] = ' ';
    else list[k++] = *c;
  }
  list[k] = '\0';
  hint[0] = '\0';
  if (n->kind == YT_SCALAR) params_suggest_word(choices, '|', n->value, hint, sizeof hint);
  return params_bind_error(s, n->line, n->col, d->key, "expected one of %s, got %s%s", list,
             params_bind_got(n, g, sizeof g), hint);
}

static cs_status bind_reals(const source *s, const param_desc *d, const yt_node *n,
                            param_value *pv) {
  char exp[256], what[64], g[128];
  if (n->kind == YT_SEQ && (int)n->n >= d->nmin && (int)n->n <= d->nmax) {
    /* pv->v holds nmax values; a failure here fails the whole load, so writing in place is
       safe. */
    for (size_t i = 0; i < n->n; i++) {
      char key[200];
      snprintf(key, sizeof key, "%s[%zu]", d->key, i);
      CS_TRY(bind_number(s, d, key, n->items[i], &pv->v[i]));
    }
    pv->n = (int)n->n;
    return CS_OK;
  }
  if (d->nmin == d->nmax) snprintf(what, sizeof what, "a list of %d numbers", d->nmin);
  else snprintf(what, sizeof what, "a list of %d to %d numbers", d->nmin, d->nmax);
  range_text(d, what, 0, exp, sizeof exp);
  if (n->kind == YT_SEQ && n->n)
    return params_bind_error(s, n->line, n->col, d->key, "expected %s, got a list of %zu", exp, n->n);
  return params_bind_error(s, n->line, n->col, d->key, "expected %s, got %s", exp, params_bind_got(n, g, sizeof g));
}

static cs_status bind_per_layer(const source *s, const params *p, const param_desc *d,
                                const yt_node *n, param_value *pv) {
  if (n->kind != YT_MAP) {
    double v;
    CS_TRY(bind_number(s, d, d->key, n, &v));
    for (int l = 0; l < p->nlayers; l++) pv->v[l] = v;
    return CS_OK;
  }
  for (size_t i = 0; i < n->n; i++) {
    int l = 0;
    while (l < p->nlayers && strcmp(p->layers[l].name, n->keys[i]) != 0) l++;
    if (l == p->nlayers) {
      char names[PARAMS_MAX_LAYERS * 66] = "", hint[200];
      for (int j = 0; j < p->nlayers; j++) {
        if (j) strcat(names, "|");
        strcat(names, p->layers[j].name);
      }
      params_suggest_word(names, '|', n->keys[i], hint, sizeof hint);
      for (char *c = names; *c; c++)
        if (*c == '|') *c = ' ';
      if (hint[0])
        return params_bind_error(s, n->key_line[i], n->key_col[i], d->key, "unknown layer '%s'%s", n->keys[i],
                   hint);
      return params_bind_error(s, n->key_line[i], n->key_col[i], d->key, "unknown layer '%s' (layers: %s)",
                 n->keys[i], names);
    }
    char key[200];
    snprintf(key, sizeof key, "%s[%s]", d->key, p->layers[l].name);
    CS_TRY(bind_number(s, d, key, n->items[i], &pv->v[l]));
  }
  return CS_OK;
}

cs_status params_bind_value(const source *s, const params *p, param_value *pv,
                            const yt_node *n) {
  const param_desc *d = pv->desc;
  switch (d->type) {
    case P_REAL:
      if (d->per_layer) return bind_per_layer(s, p, d, n, pv);
      return bind_number(s, d, d->key, n, &pv->v[0]);
    case P_INT: return bind_int(s, d, n, &pv->v[0]);
    case P_BOOL: return bind_bool(s, d, n, &pv->v[0]);
    case P_ENUM:
    case P_STRING: return bind_text(s, d, n, &pv->s);
    case P_REALS: return bind_reals(s, d, n, pv);
  }
  return CS_ERROR(CS_ERR_INPUT, "%s: unknown parameter type", d->key);
}

/* ---- walking the tree ---- */

param_value *params_bind_find(params *p, const char *key) {
  for (size_t i = 0; i < p->nvals; i++)
    if (strcmp(p->vals[i].desc->key, key) == 0) return &p->vals[i];
  return NULL;
}

static int is_section(const params *p, const char *key) {
  size_t n = strlen(key);
  for (size_t i = 0; i < p->nvals; i++) {
    const char *k = p->vals[i].desc->key;
    if (strncmp(k, key, n) == 0 && k[n] == '.') return 1;
  }
  return 0;
}

/* A list section: the registry declares KEY[0], KEY[1], ... (up to the longest list it takes)
   as sections. Returns how many, 0 if KEY is no list. */
static int list_slots(const params *p, const char *key) {
  char slot[256];
  int n = 0;
  for (;; n++) {
    snprintf(slot, sizeof slot, "%s[%d]", key, n);
    if (!is_section(p, slot)) return n;
  }
}

/* Every value under section PREFIX back to its registry default. */
static cs_status reset_section(params *p, const char *prefix) {
  size_t n = strlen(prefix);
  for (size_t i = 0; i < p->nvals; i++) {
    param_value *pv = &p->vals[i];
    if (strncmp(pv->desc->key, prefix, n) != 0 || pv->desc->key[n] != '.' || !pv->desc->def)
      continue;
    source s = {"registry default", NULL, NULL, PARAM_FROM_DEFAULT, 0};
    yt_doc d;
    CS_TRY(yt_load_value("registry default", pv->desc->def, &d));
    cs_status st = params_bind_value(&s, p, pv, d.root);
    yt_free(&d);
    CS_TRY(st);
    pv->from = PARAM_FROM_DEFAULT;
    pv->line = pv->col = 0;
  }
  return CS_OK;
}

/* A list of mappings for a list section: item i binds as section KEY[i]; the slots it does
   not fill go back to their defaults, so that a later list (--set) replaces an earlier one. */
static cs_status bind_list(binder *b, const char *key, const yt_node *n, int slots) {
  char slot[256], g[128];
  if (params_bind_is_null(n)) { /* an empty list, or one with every entry commented out */
    for (int i = 0; i < slots; i++) {
      snprintf(slot, sizeof slot, "%s[%d]", key, i);
      CS_TRY(reset_section(b->p, slot));
    }
    return CS_OK;
  }
  if (n->kind == YT_SEQ && (int)n->n > slots)
    return params_bind_error(b->src, n->line, n->col, key,
                             "expected a list of at most %d mappings, got a list of %zu", slots,
                             n->n);
  if (n->kind != YT_SEQ)
    return params_bind_error(b->src, n->line, n->col, key,
                             "expected a list of at most %d mappings, got %s", slots,
                             params_bind_got(n, g, sizeof g));
  for (int i = 0; i < slots; i++) {
    snprintf(slot, sizeof slot, "%s[%d]", key, i);
    if (i >= (int)n->n) {
      CS_TRY(reset_section(b->p, slot));
      continue;
    }
    const yt_node *it = n->items[i];
    if (it->kind != YT_MAP)
      return params_bind_error(b->src, it->line, it->col, slot, "expected a mapping of keys, got %s",
                               params_bind_got(it, g, sizeof g));
    CS_TRY(reset_section(b->p, slot));
    CS_TRY(params_bind_at(b, slot, it, it->line, it->col));
  }
  return CS_OK;
}

/* Binds node n given under the dotted key (at kline:kcol) and everything below it. */
cs_status params_bind_at(binder *b, const char *key, const yt_node *n, int kline, int kcol) {
  params *p = b->p;
  const source *s = b->src;
  param_value *pv = params_bind_find(p, key);
  const int slots = pv ? 0 : list_slots(p, key);
  if (slots) return bind_list(b, key, n, slots);
  if (pv) {
    size_t i = (size_t)(pv - p->vals);
    if (b->given_line) {
      /* The same key spelled twice, flat and nested ("grid.dims" and grid: {dims}). */
      if (b->given_line[i])
        return params_bind_error(s, kline, kcol, NULL, "duplicate key '%s' (first given at line %d)", key,
                   b->given_line[i]);
      b->given_line[i] = kline;
    }
    CS_TRY(params_bind_value(s, p, pv, n));
    pv->from = s->from;
    pv->line = s->set_arg ? s->index : kline;
    pv->col = s->set_arg ? 0 : kcol;
    return CS_OK;
  }
  if (is_section(p, key)) {
    if (params_bind_is_null(n)) return CS_OK;  /* a section with everything commented out */
    if (n->kind != YT_MAP) {
      char g[128];
      return params_bind_error(s, n->line, n->col, key, "expected a mapping of keys (%s.*), got %s", key,
                 params_bind_got(n, g, sizeof g));
    }
    for (size_t i = 0; i < n->n; i++) {
      size_t len = strlen(key) + strlen(n->keys[i]) + 2;
      char *full = malloc(len);
      if (!full) return params_bind_nomem();
      snprintf(full, len, "%s.%s", key, n->keys[i]);
      cs_status st = params_bind_at(b, full, n->items[i], n->key_line[i], n->key_col[i]);
      free(full);
      CS_TRY(st);
    }
    return CS_OK;
  }
  char hint[220];
  params_suggest_key(p, key, hint, sizeof hint);
  return params_bind_error(s, kline, kcol, NULL, "unknown key '%s'%s", key, hint);
}

/* ---- layers ---- */

static int valid_layer_name(const char *s) {
  if (!*s || strlen(s) >= sizeof(((layer_desc *)0)->name)) return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_') return 0;
  return 1;
}

static cs_status parse_layer(const source *s, params *p, size_t idx, const yt_node *n) {
  char key[64], g[128];
  snprintf(key, sizeof key, "layers[%zu]", idx);
  if (n->kind != YT_MAP)
    return params_bind_error(s, n->line, n->col, key, "expected a mapping {name: ..., thickness_um: ...}, got %s",
               params_bind_got(n, g, sizeof g));
  layer_desc *L = &p->layers[idx];
  const yt_node *name = NULL, *thick = NULL;
  for (size_t i = 0; i < n->n; i++) {
    if (strcmp(n->keys[i], "name") == 0) name = n->items[i];
    else if (strcmp(n->keys[i], "thickness_um") == 0) thick = n->items[i];
    else {
      char hint[200];
      params_suggest_word("name|thickness_um", '|', n->keys[i], hint, sizeof hint);
      return params_bind_error(s, n->key_line[i], n->key_col[i], key, "unknown key '%s'%s", n->keys[i], hint);
    }
  }
  if (!name || !thick)
    return params_bind_error(s, n->line, n->col, key, "missing '%s'", name ? "thickness_um" : "name");
  char nkey[80];
  snprintf(nkey, sizeof nkey, "%s.name", key);
  if (name->kind != YT_SCALAR || !valid_layer_name(name->value))
    return params_bind_error(s, name->line, name->col, nkey,
               "expected a name of letters, digits and _ (at most 63), got %s",
               params_bind_got(name, g, sizeof g));
  for (size_t j = 0; j < idx; j++)
    if (strcmp(p->layers[j].name, name->value) == 0)
      return params_bind_error(s, name->line, name->col, nkey,
                 "duplicate layer name '%s' (first given at line %d)", name->value,
                 p->layers[j].line);
  snprintf(L->name, sizeof L->name, "%s", name->value);
  snprintf(nkey, sizeof nkey, "%s.thickness_um", key);
  double v = 0;
  num_result r = thick->kind == YT_SCALAR && !thick->quoted ? parse_number(thick->value, &v)
                                                            : NUM_BAD;
  if (r != NUM_OK || !(v > 0))
    return params_bind_error(s, thick->line, thick->col, nkey, "expected a %snumber > 0 µm, got %s",
               r == NUM_NONFINITE ? "finite " : "", params_bind_got(thick, g, sizeof g));
  L->thickness_um = v;
  L->line = s->set_arg ? s->index : n->line;
  L->col = s->set_arg ? 0 : n->col;
  return CS_OK;
}

cs_status params_bind_layers(const source *s, params *p, const yt_node *n) {
  char g[128];
  if (n->kind != YT_SEQ || n->n < 1 || n->n > PARAMS_MAX_LAYERS) {
    if (n->kind == YT_SEQ && n->n) snprintf(g, sizeof g, "a list of %zu", n->n);
    return params_bind_error(s, n->line, n->col, "layers",
               "expected a list of 1 to %d layers {name: ..., thickness_um: ...} from the "
               "surface down, got %s",
               PARAMS_MAX_LAYERS, n->kind == YT_SEQ && n->n ? g : params_bind_got(n, g, sizeof g));
  }
  for (size_t i = 0; i < n->n; i++) CS_TRY(parse_layer(s, p, i, n->items[i]));
  p->nlayers = (int)n->n;
  return CS_OK;
}

