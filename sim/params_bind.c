/* params_bind: reading a configuration (file plus --set overrides) into a params set.
 *
 * Order matters: the model decides the registry, the layers decide how many values a
 * per-layer parameter holds, and only then can defaults, the file and the --set values be
 * bound, in that order, each overriding the one before. Cross checks that need the final
 * values (required keys, grid.dims against grid.size_um, layer thicknesses against the
 * depth) come last, so that they see what --set made of the file. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "ytree.h"

static const char *const *model_names;
static int n_model_names;

void params_set_model_names(const char *const *names, int n) {
  model_names = names;
  n_model_names = names ? n : 0;
}

/* Where a value came from, for messages: a file (with line and column) or one --set. */
typedef struct {
  const char *file;     /* config path; also used in --set-free messages */
  const char *set_arg;  /* the whole --set argument, NULL for the file and defaults */
  const char *set_key;  /* its key part */
  int from;             /* PARAM_FROM_* */
  int index;            /* --set: 1-based argument number */
} source;

typedef struct {
  params *p;
  const source *src;
  int *given_line;      /* per value: line where the current file gave it (duplicate check) */
} binder;

static char *dup_str(const char *s) {
  size_t n = strlen(s);
  char *d = malloc(n + 1);
  if (d) memcpy(d, s, n + 1);
  return d;
}

static cs_status nomem(void) {
  return CS_ERROR(CS_ERR_NOMEM, "out of memory reading the configuration");
}

/* "FILE:L:C: KEY: msg", "--set ARG: [KEY: ]msg" or "FILE: KEY: msg" (line 0). The key is left
 * out of a --set message when it is the argument's own key, which the argument already shows. */
static cs_status bad(const source *s, int line, int col, const char *key, const char *fmt, ...)
    CS_PRINTF(5, 6);
static cs_status bad(const source *s, int line, int col, const char *key, const char *fmt, ...) {
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

static int is_null(const yt_node *n) {
  return n->kind == YT_SCALAR && !n->quoted &&
         (n->value[0] == '\0' || strcmp(n->value, "~") == 0 || strcmp(n->value, "null") == 0 ||
          strcmp(n->value, "Null") == 0 || strcmp(n->value, "NULL") == 0);
}

/* What the user wrote, for the "got ..." half of a message. */
static const char *got(const yt_node *n, char *buf, size_t sz) {
  if (n->kind == YT_MAP) return "a mapping";
  if (n->kind == YT_SEQ) return n->n ? "a list" : "an empty list";
  if (is_null(n)) return "nothing";
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

/* ---- did you mean ---- */

static size_t levenshtein(const char *a, const char *b) {
  enum { MAXL = 127 };
  size_t la = strlen(a), lb = strlen(b);
  if (la > MAXL) la = MAXL;
  if (lb > MAXL) lb = MAXL;
  size_t row[MAXL + 1];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* Close enough to suggest: a few edits, never a word replaced wholesale. */
static int close_enough(size_t d, const char *word) {
  size_t len = strlen(word), lim = len / 3 > 2 ? len / 3 : 2;
  return d <= lim && d < len;
}

typedef struct {
  char best[160];
  size_t score;         /* 2*distance, +1 when only the last component matched */
} suggestion;

static const char *last_part(const char *k) {
  const char *dot = strrchr(k, '.');
  return dot ? dot + 1 : k;
}

static void consider(suggestion *sg, const char *word, const char *cand, int by_last) {
  const char *w = by_last ? last_part(word) : word;
  size_t d = levenshtein(w, by_last ? last_part(cand) : cand);
  if (!close_enough(d, w)) return;
  size_t score = 2 * d + (by_last ? 1 : 0);
  if (sg->best[0] && score >= sg->score) return;
  snprintf(sg->best, sizeof sg->best, "%s", cand);
  sg->score = score;
}

static void consider_both(suggestion *sg, const char *word, const char *cand) {
  consider(sg, word, cand, 0);
  consider(sg, word, cand, 1);
}

/* Candidates for an unknown key: every registry key, every section above one, and layers. */
static void suggest_key(const params *p, const char *key, char *out, size_t sz) {
  suggestion sg = {{0}, 0};
  char sect[160];
  consider_both(&sg, key, "layers");
  for (size_t i = 0; i < p->nvals; i++) {
    const char *k = p->vals[i].desc->key;
    for (const char *dot = strchr(k, '.'); dot; dot = strchr(dot + 1, '.')) {
      snprintf(sect, sizeof sect, "%.*s", (int)(dot - k), k);
      consider_both(&sg, key, sect);
    }
    consider_both(&sg, key, k);
  }
  if (sg.best[0]) snprintf(out, sz, " (did you mean '%s'?)", sg.best);
  else out[0] = '\0';
}

/* Suggestion among a '|'-separated list of words. */
static void suggest_word(const char *list, char sep, const char *word, char *out, size_t sz) {
  suggestion sg = {{0}, 0};
  char w[160];
  const char *s = list;
  while (*s) {
    const char *e = strchr(s, sep);
    size_t n = e ? (size_t)(e - s) : strlen(s);
    snprintf(w, sizeof w, "%.*s", (int)n, s);
    consider(&sg, word, w, 0);
    s += n + (e ? 1 : 0);
  }
  if (sg.best[0]) snprintf(out, sz, " (did you mean '%s'?)", sg.best);
  else out[0] = '\0';
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
  return bad(s, n->line, n->col, key, "expected %s, got %s", exp, got(n, g, sizeof g));
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
  return bad(s, n->line, n->col, d->key, "expected %s, got %s", exp, got(n, g, sizeof g));
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
  return bad(s, n->line, n->col, d->key, "expected true or false, got %s", got(n, g, sizeof g));
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
  if (n->kind == YT_SCALAR && !is_null(n) &&
      (d->type == P_STRING || in_choices(choices, n->value))) {
    char *v = dup_str(n->value);
    if (!v) return nomem();
    free(*out);
    *out = v;
    return CS_OK;
  }
  if (d->type == P_STRING)
    return bad(s, n->line, n->col, d->key, "expected text, got %s", got(n, g, sizeof g));
  size_t k = 0;
  for (const char *c = choices; *c && k + 3 < sizeof list; c++) {
    if (*c == '|') list[k++] = ',', list[k++] = ' ';
    else list[k++] = *c;
  }
  list[k] = '\0';
  hint[0] = '\0';
  if (n->kind == YT_SCALAR) suggest_word(choices, '|', n->value, hint, sizeof hint);
  return bad(s, n->line, n->col, d->key, "expected one of %s, got %s%s", list,
             got(n, g, sizeof g), hint);
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
    return bad(s, n->line, n->col, d->key, "expected %s, got a list of %zu", exp, n->n);
  return bad(s, n->line, n->col, d->key, "expected %s, got %s", exp, got(n, g, sizeof g));
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
      suggest_word(names, '|', n->keys[i], hint, sizeof hint);
      for (char *c = names; *c; c++)
        if (*c == '|') *c = ' ';
      if (hint[0])
        return bad(s, n->key_line[i], n->key_col[i], d->key, "unknown layer '%s'%s", n->keys[i],
                   hint);
      return bad(s, n->key_line[i], n->key_col[i], d->key, "unknown layer '%s' (layers: %s)",
                 n->keys[i], names);
    }
    char key[200];
    snprintf(key, sizeof key, "%s[%s]", d->key, p->layers[l].name);
    CS_TRY(bind_number(s, d, key, n->items[i], &pv->v[l]));
  }
  return CS_OK;
}

static cs_status bind_value(const source *s, const params *p, param_value *pv, const yt_node *n) {
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

static param_value *find_value(params *p, const char *key) {
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
    cs_status st = bind_value(&s, p, pv, d.root);
    yt_free(&d);
    CS_TRY(st);
    pv->from = PARAM_FROM_DEFAULT;
    pv->line = pv->col = 0;
  }
  return CS_OK;
}

static cs_status bind_at(binder *b, const char *key, const yt_node *n, int kline, int kcol);

/* A list of mappings for a list section: item i binds as section KEY[i]; the slots it does
   not fill go back to their defaults, so that a later list (--set) replaces an earlier one. */
static cs_status bind_list(binder *b, const char *key, const yt_node *n, int slots) {
  char slot[256], g[128];
  if (is_null(n)) { /* an empty list, or one with every entry commented out */
    for (int i = 0; i < slots; i++) {
      snprintf(slot, sizeof slot, "%s[%d]", key, i);
      CS_TRY(reset_section(b->p, slot));
    }
    return CS_OK;
  }
  if (n->kind == YT_SEQ && (int)n->n > slots)
    return bad(b->src, n->line, n->col, key,
               "expected a list of at most %d mappings, got a list of %zu", slots, n->n);
  if (n->kind != YT_SEQ)
    return bad(b->src, n->line, n->col, key, "expected a list of at most %d mappings, got %s",
               slots, got(n, g, sizeof g));
  for (int i = 0; i < slots; i++) {
    snprintf(slot, sizeof slot, "%s[%d]", key, i);
    if (i >= (int)n->n) {
      CS_TRY(reset_section(b->p, slot));
      continue;
    }
    const yt_node *it = n->items[i];
    if (it->kind != YT_MAP)
      return bad(b->src, it->line, it->col, slot, "expected a mapping of keys, got %s",
                 got(it, g, sizeof g));
    CS_TRY(reset_section(b->p, slot));
    CS_TRY(bind_at(b, slot, it, it->line, it->col));
  }
  return CS_OK;
}

/* Binds node n given under the dotted key (at kline:kcol) and everything below it. */
static cs_status bind_at(binder *b, const char *key, const yt_node *n, int kline, int kcol) {
  params *p = b->p;
  const source *s = b->src;
  param_value *pv = find_value(p, key);
  const int slots = pv ? 0 : list_slots(p, key);
  if (slots) return bind_list(b, key, n, slots);
  if (pv) {
    size_t i = (size_t)(pv - p->vals);
    if (b->given_line) {
      /* The same key spelled twice, flat and nested ("grid.dims" and grid: {dims}). */
      if (b->given_line[i])
        return bad(s, kline, kcol, NULL, "duplicate key '%s' (first given at line %d)", key,
                   b->given_line[i]);
      b->given_line[i] = kline;
    }
    CS_TRY(bind_value(s, p, pv, n));
    pv->from = s->from;
    pv->line = s->set_arg ? s->index : kline;
    pv->col = s->set_arg ? 0 : kcol;
    return CS_OK;
  }
  if (is_section(p, key)) {
    if (is_null(n)) return CS_OK;  /* a section with everything commented out */
    if (n->kind != YT_MAP) {
      char g[128];
      return bad(s, n->line, n->col, key, "expected a mapping of keys (%s.*), got %s", key,
                 got(n, g, sizeof g));
    }
    for (size_t i = 0; i < n->n; i++) {
      size_t len = strlen(key) + strlen(n->keys[i]) + 2;
      char *full = malloc(len);
      if (!full) return nomem();
      snprintf(full, len, "%s.%s", key, n->keys[i]);
      cs_status st = bind_at(b, full, n->items[i], n->key_line[i], n->key_col[i]);
      free(full);
      CS_TRY(st);
    }
    return CS_OK;
  }
  char hint[220];
  suggest_key(p, key, hint, sizeof hint);
  return bad(s, kline, kcol, NULL, "unknown key '%s'%s", key, hint);
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
    return bad(s, n->line, n->col, key, "expected a mapping {name: ..., thickness_um: ...}, got %s",
               got(n, g, sizeof g));
  layer_desc *L = &p->layers[idx];
  const yt_node *name = NULL, *thick = NULL;
  for (size_t i = 0; i < n->n; i++) {
    if (strcmp(n->keys[i], "name") == 0) name = n->items[i];
    else if (strcmp(n->keys[i], "thickness_um") == 0) thick = n->items[i];
    else {
      char hint[200];
      suggest_word("name|thickness_um", '|', n->keys[i], hint, sizeof hint);
      return bad(s, n->key_line[i], n->key_col[i], key, "unknown key '%s'%s", n->keys[i], hint);
    }
  }
  if (!name || !thick)
    return bad(s, n->line, n->col, key, "missing '%s'", name ? "thickness_um" : "name");
  char nkey[80];
  snprintf(nkey, sizeof nkey, "%s.name", key);
  if (name->kind != YT_SCALAR || !valid_layer_name(name->value))
    return bad(s, name->line, name->col, nkey,
               "expected a name of letters, digits and _ (at most 63), got %s",
               got(name, g, sizeof g));
  for (size_t j = 0; j < idx; j++)
    if (strcmp(p->layers[j].name, name->value) == 0)
      return bad(s, name->line, name->col, nkey,
                 "duplicate layer name '%s' (first given at line %d)", name->value,
                 p->layers[j].line);
  snprintf(L->name, sizeof L->name, "%s", name->value);
  snprintf(nkey, sizeof nkey, "%s.thickness_um", key);
  double v = 0;
  num_result r = thick->kind == YT_SCALAR && !thick->quoted ? parse_number(thick->value, &v)
                                                            : NUM_BAD;
  if (r != NUM_OK || !(v > 0))
    return bad(s, thick->line, thick->col, nkey, "expected a %snumber > 0 µm, got %s",
               r == NUM_NONFINITE ? "finite " : "", got(thick, g, sizeof g));
  L->thickness_um = v;
  L->line = s->set_arg ? s->index : n->line;
  L->col = s->set_arg ? 0 : n->col;
  return CS_OK;
}

static cs_status parse_layers(const source *s, params *p, const yt_node *n) {
  char g[128];
  if (n->kind != YT_SEQ || n->n < 1 || n->n > PARAMS_MAX_LAYERS) {
    if (n->kind == YT_SEQ && n->n) snprintf(g, sizeof g, "a list of %zu", n->n);
    return bad(s, n->line, n->col, "layers",
               "expected a list of 1 to %d layers {name: ..., thickness_um: ...} from the "
               "surface down, got %s",
               PARAMS_MAX_LAYERS, n->kind == YT_SEQ && n->n ? g : got(n, g, sizeof g));
  }
  for (size_t i = 0; i < n->n; i++) CS_TRY(parse_layer(s, p, i, n->items[i]));
  p->nlayers = (int)n->n;
  return CS_OK;
}

/* ---- the whole load ---- */

typedef struct {
  yt_doc file;
  int nsets;
  yt_doc *set_docs;
  source *set_src;
  char **set_keys;
  int *given_line;
} load_state;

static void load_state_free(load_state *L) {
  yt_free(&L->file);
  for (int i = 0; i < L->nsets; i++) {
    if (L->set_docs) yt_free(&L->set_docs[i]);
    if (L->set_keys) free(L->set_keys[i]);
  }
  free(L->set_docs);
  free(L->set_src);
  free(L->set_keys);
  free(L->given_line);
}

static cs_status split_sets(load_state *L, const char *path, const char *const *sets, int nsets) {
  L->nsets = nsets;
  if (nsets <= 0) return CS_OK;
  L->set_docs = calloc((size_t)nsets, sizeof *L->set_docs);
  L->set_src = calloc((size_t)nsets, sizeof *L->set_src);
  L->set_keys = calloc((size_t)nsets, sizeof *L->set_keys);
  if (!L->set_docs || !L->set_src || !L->set_keys) return nomem();
  for (int i = 0; i < nsets; i++) {
    const char *a = sets[i], *eq = strchr(a, '=');
    const char *k0 = a, *k1 = eq;
    while (eq && k0 < k1 && isspace((unsigned char)*k0)) k0++;
    while (eq && k1 > k0 && isspace((unsigned char)k1[-1])) k1--;
    if (!eq || k1 == k0)
      return CS_ERROR(CS_ERR_INPUT, "--set '%s': expected key.path=value", a);
    if (!(L->set_keys[i] = malloc((size_t)(k1 - k0) + 1))) return nomem();
    memcpy(L->set_keys[i], k0, (size_t)(k1 - k0));
    L->set_keys[i][k1 - k0] = '\0';
    L->set_src[i] = (source){path, a, L->set_keys[i], PARAM_FROM_SET, i + 1};
    size_t nl = strlen(a) + 8;
    char *name = malloc(nl);
    if (!name) return nomem();
    snprintf(name, nl, "--set %s", a);
    cs_status st = yt_load_value(name, eq + 1, &L->set_docs[i]);
    free(name);
    CS_TRY(st);
  }
  return CS_OK;
}

static cs_status find_model(load_state *L, const source *file_src, params *p,
                            params_model_lookup lookup) {
  const yt_node *n = NULL;
  const source *s = file_src;
  for (int i = L->nsets - 1; i >= 0 && !n; i--)
    if (strcmp(L->set_keys[i], "model") == 0) n = L->set_docs[i].root, s = &L->set_src[i];
  if (!n) n = yt_get(L->file.root, "model");
  if (!n)
    return CS_ERROR(CS_ERR_INPUT, "%s: missing required key 'model' (%s)", file_src->file,
                    params_engine_registry[0].doc);
  int line = n->line, col = n->col;
  char g[128];
  if (n->kind != YT_SCALAR || is_null(n))
    return bad(s, line, col, "model", "expected a model name, got %s", got(n, g, sizeof g));
  const param_desc *reg = lookup ? lookup(n->value) : NULL;
  if (!reg) {
    char list[1024] = "", hint[200] = "";
    for (int i = 0; i < n_model_names; i++) {
      if (strlen(list) + strlen(model_names[i]) + 3 >= sizeof list) break;
      if (i) strcat(list, "|");
      strcat(list, model_names[i]);
    }
    suggest_word(list, '|', n->value, hint, sizeof hint);
    for (char *c = list; *c; c++)
      if (*c == '|') *c = ' ';
    /* a suggestion says enough; without one, the whole (short) list helps */
    int show = !hint[0] && list[0];
    return bad(s, line, col, "model", "unknown model '%s'%s%s%s%s", n->value, hint,
               show ? " (models: " : "", show ? list : "", show ? ")" : "");
  }
  p->model_registry = reg;
  if (!(p->model_name = dup_str(n->value))) return nomem();
  return CS_OK;
}

/* The layers node and where it came from: the last --set layers=..., else the file. */
static cs_status find_layers(load_state *L, const source *file_src, params *p,
                             const source **lsrc, const yt_node **lnode) {
  *lnode = NULL;
  for (int i = L->nsets - 1; i >= 0 && !*lnode; i--)
    if (strcmp(L->set_keys[i], "layers") == 0) *lnode = L->set_docs[i].root, *lsrc = &L->set_src[i];
  if (!*lnode) *lnode = yt_get(L->file.root, "layers"), *lsrc = file_src;
  if (*lnode) return parse_layers(*lsrc, p, *lnode);
  p->nlayers = 1;
  snprintf(p->layers[0].name, sizeof p->layers[0].name, "tissue");
  return CS_OK;
}

static cs_status make_values(params *p) {
  size_t ne = 0, nm = 0;
  while (params_engine_registry[ne].key) ne++;
  while (p->model_registry[nm].key) nm++;
  p->vals = calloc(ne + nm, sizeof *p->vals);
  if (!p->vals) return nomem();
  for (size_t i = 0; i < ne + nm; i++) {
    param_value *pv = &p->vals[p->nvals++];
    const param_desc *d = i < ne ? &params_engine_registry[i] : &p->model_registry[i - ne];
    pv->desc = d;
    size_t nv = d->type == P_REALS ? (size_t)(d->nmax > 0 ? d->nmax : 1)
                : d->type == P_REAL && d->per_layer ? (size_t)p->nlayers : 1;
    if (!(pv->v = calloc(nv, sizeof *pv->v))) return nomem();
    pv->n = d->type == P_REALS ? 0 : (int)nv;
  }
  return CS_OK;
}

static cs_status bind_defaults(params *p) {
  for (size_t i = 0; i < p->nvals; i++) {
    param_value *pv = &p->vals[i];
    if (!pv->desc->def) continue;
    source s = {"registry default", NULL, NULL, PARAM_FROM_DEFAULT, 0};
    yt_doc d;
    CS_TRY(yt_load_value("registry default", pv->desc->def, &d));
    cs_status st = bind_value(&s, p, pv, d.root);
    yt_free(&d);
    CS_TRY(st);
  }
  return CS_OK;
}

/* The source a value came from, to point at it in a cross-check message. */
static const source *value_source(const load_state *L, const source *file_src,
                                  const param_value *pv) {
  if (pv->from == PARAM_FROM_SET && pv->line >= 1 && pv->line <= L->nsets)
    return &L->set_src[pv->line - 1];
  return file_src;
}

static cs_status cross_check(load_state *L, const source *file_src, params *p,
                             const source *lsrc, const yt_node *lnode) {
  for (size_t i = 0; i < p->nvals; i++) {
    const param_desc *d = p->vals[i].desc;
    if (!d->def && p->vals[i].from == PARAM_FROM_DEFAULT) {
      if (d->unit && d->unit[0])
        return CS_ERROR(CS_ERR_INPUT, "%s: missing required key '%s' (%s: %s)", file_src->file,
                        d->key, d->unit, d->doc);
      return CS_ERROR(CS_ERR_INPUT, "%s: missing required key '%s' (%s)", file_src->file, d->key,
                      d->doc);
    }
  }
  const param_value *dims = find_value(p, "grid.dims"), *size = find_value(p, "grid.size_um");
  if (!dims || !size) return CS_OK;
  if (size->n != (int)dims->v[0]) {
    const source *s = value_source(L, file_src, size);
    return bad(s, size->line, size->col, "grid.size_um",
               "expected %d numbers (%s) for grid.dims = %d, got %d", (int)dims->v[0],
               dims->v[0] == 2 ? "x, depth" : "x, y, depth", (int)dims->v[0], size->n);
  }
  double depth = size->v[size->n - 1];
  if (!lnode) {
    p->layers[0].thickness_um = depth;
    return CS_OK;
  }
  double sum = 0;
  for (int l = 0; l < p->nlayers; l++) sum += p->layers[l].thickness_um;
  if (fabs(sum - depth) > 1e-9 * depth)
    return bad(lsrc, lnode->line, lnode->col, "layers",
               "thicknesses add up to %.15g µm, but the depth (last element of grid.size_um) "
               "is %.15g µm",
               sum, depth);
  return CS_OK;
}

cs_status params_load(params *p, const char *path, const char *const *sets, int nsets,
                      params_model_lookup model_registry_for) {
  memset(p, 0, sizeof *p);
  load_state L;
  memset(&L, 0, sizeof L);
  source file_src = {path, NULL, NULL, PARAM_FROM_FILE, 0};
  const source *lsrc = NULL;
  const yt_node *lnode = NULL;
  cs_status st;
  if ((st = yt_load_file(path, &L.file)) != CS_OK) goto out;
  if ((st = split_sets(&L, path, sets, nsets)) != CS_OK) goto out;
  if ((st = find_model(&L, &file_src, p, model_registry_for)) != CS_OK) goto out;
  if ((st = find_layers(&L, &file_src, p, &lsrc, &lnode)) != CS_OK) goto out;
  if ((st = make_values(p)) != CS_OK) goto out;
  if ((st = bind_defaults(p)) != CS_OK) goto out;
  if (!(L.given_line = calloc(p->nvals, sizeof *L.given_line))) {
    st = nomem();
    goto out;
  }
  binder fb = {p, &file_src, L.given_line};
  const yt_node *root = L.file.root;
  for (size_t i = 0; i < root->n; i++) {
    if (strcmp(root->keys[i], "layers") == 0) continue;
    if ((st = bind_at(&fb, root->keys[i], root->items[i], root->key_line[i], root->key_col[i])) !=
        CS_OK)
      goto out;
  }
  for (int i = 0; i < L.nsets; i++) {
    if (strcmp(L.set_keys[i], "layers") == 0) continue;
    binder sb = {p, &L.set_src[i], NULL};
    if ((st = bind_at(&sb, L.set_keys[i], L.set_docs[i].root, 0, 0)) != CS_OK) goto out;
  }
  if ((st = cross_check(&L, &file_src, p, lsrc, lnode)) != CS_OK) goto out;
  if (!(p->file = dup_str(path))) st = nomem();
out:
  load_state_free(&L);
  if (st != CS_OK) params_free(p);
  return st;
}
