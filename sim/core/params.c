/* params: typed access to a loaded parameter set and its text forms (YAML, tables).
 * Loading lives in params_bind.c. */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void params_free(params *p) {
  if (!p) return;
  for (size_t i = 0; i < p->nvals; i++) {
    free(p->vals[i].v);
    free(p->vals[i].s);
  }
  free(p->vals);
  free(p->file);
  free(p->model_name);
  memset(p, 0, sizeof *p);
}

/* ---- typed access ---- */

const param_value *params_find(const params *p, const char *key) {
  for (size_t i = 0; i < p->nvals; i++)
    if (strcmp(p->vals[i].desc->key, key) == 0) return &p->vals[i];
  return NULL;
}

/* A wrong key or type is a bug in the caller, never a user error: stop loudly. */
static const param_value *need(const params *p, const char *key, const char *fn, int ok_types) {
  const param_value *v = params_find(p, key);
  if (!v) {
    fprintf(stderr, "cisim: internal error: %s(\"%s\"): no such parameter\n", fn, key);
    abort();
  }
  if (!(ok_types & (1 << v->desc->type))) {
    fprintf(stderr, "cisim: internal error: %s(\"%s\"): parameter has another type\n", fn, key);
    abort();
  }
  return v;
}

double params_real(const params *p, const char *key) {
  const param_value *v = need(p, key, "params_real", 1 << P_REAL);
  if (v->desc->per_layer) {
    fprintf(stderr, "cisim: internal error: params_real(\"%s\"): per-layer, use "
                    "params_layer_real\n", key);
    abort();
  }
  return v->v[0];
}

double params_layer_real(const params *p, const char *key, int layer) {
  const param_value *v = need(p, key, "params_layer_real", 1 << P_REAL);
  if (layer < 0 || layer >= p->nlayers) {
    fprintf(stderr, "cisim: internal error: params_layer_real(\"%s\", %d): %d layers\n", key,
            layer, p->nlayers);
    abort();
  }
  return v->desc->per_layer ? v->v[layer] : v->v[0];
}

long params_int(const params *p, const char *key) {
  return (long)need(p, key, "params_int", 1 << P_INT)->v[0];
}

int params_bool(const params *p, const char *key) {
  return need(p, key, "params_bool", 1 << P_BOOL)->v[0] != 0;
}

const char *params_str(const params *p, const char *key) {
  const param_value *v = need(p, key, "params_str", (1 << P_ENUM) | (1 << P_STRING));
  return v->s ? v->s : "";
}

const double *params_reals(const params *p, const char *key, int *n) {
  const param_value *v = need(p, key, "params_reals", 1 << P_REALS);
  if (n) *n = v->n;
  return v->v;
}

/* ---- text output ---- */

typedef struct {
  char *s;
  size_t n, cap;
  int failed;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) CS_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->failed) return;
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) {
    b->failed = 1;
    return;
  }
  if (b->n + (size_t)len + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (b->n + (size_t)len + 1 > cap) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->failed = 1;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)len + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)len;
}

/* The shortest of %.15g..%.17g that reads back as the same double: exact, yet 0.1 stays 0.1. */
static void fmt_real(double x, char *buf, size_t sz) {
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sz, "%.*g", prec, x);
    if (strtod(buf, NULL) == x) return;
  }
}

static void sb_real(sbuf *b, double x) {
  char t[40];
  fmt_real(x, t, sizeof t);
  sb_printf(b, "%s", t);
}

static void sb_quoted(sbuf *b, const char *s) {
  sb_printf(b, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') sb_printf(b, "\\%c", *c);
    else if (*c < 0x20 || *c == 0x7f) sb_printf(b, "\\x%02x", *c);
    else sb_printf(b, "%c", *c);
  }
  sb_printf(b, "\"");
}

static int plain_word(const char *s) {
  if (!*s) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_'))
      return 0;
  return 1;
}

/* A value as YAML flow text; the form params_load reads back to the same value. */
static void sb_value(sbuf *b, const params *p, const param_value *v) {
  const param_desc *d = v->desc;
  switch (d->type) {
    case P_REAL: {
      int same = 1;
      if (d->per_layer)
        for (int l = 1; l < p->nlayers; l++) same = same && v->v[l] == v->v[0];
      if (same) {
        sb_real(b, v->v[0]);
        break;
      }
      sb_printf(b, "{");
      for (int l = 0; l < p->nlayers; l++) {
        sb_printf(b, "%s%s: ", l ? ", " : "", p->layers[l].name);
        sb_real(b, v->v[l]);
      }
      sb_printf(b, "}");
      break;
    }
    case P_INT: sb_printf(b, "%ld", (long)v->v[0]); break;
    case P_BOOL: sb_printf(b, "%s", v->v[0] != 0 ? "true" : "false"); break;
    case P_ENUM:
      if (v->s && plain_word(v->s)) sb_printf(b, "%s", v->s);
      else sb_quoted(b, v->s ? v->s : "");
      break;
    case P_STRING: sb_quoted(b, v->s ? v->s : ""); break;
    case P_REALS:
      sb_printf(b, "[");
      for (int i = 0; i < v->n; i++) {
        if (i) sb_printf(b, ", ");
        sb_real(b, v->v[i]);
      }
      sb_printf(b, "]");
      break;
  }
}

static int has_unit(const param_desc *d) {
  return d->unit && d->unit[0] && strcmp(d->unit, "-") != 0;
}

static void sb_layers(sbuf *b, const params *p) {
  sb_printf(b, "layers: [");
  for (int l = 0; l < p->nlayers; l++) {
    sb_printf(b, "%s{name: %s, thickness_um: ", l ? ", " : "", p->layers[l].name);
    sb_real(b, p->layers[l].thickness_um);
    sb_printf(b, "}");
  }
  sb_printf(b, "]  # from the surface down, thickness in µm\n");
}

/* List sections (a registry declaring "x.list[0].a", "x.list[1].a", ...): the entry a key
   belongs to ("x.list[1].a": 1), -1 for a key outside a list. */
static int slot_of(const char *key) {
  const char *l = strchr(key, '[');
  return l ? atoi(l + 1) : -1;
}

/* Whether every value in the list entry that key belongs to still has its default: such an
   entry is left out of the YAML text and the value listing (it is as good as absent). */
static int slot_unused(const params *p, const char *key) {
  const char *r = strchr(key, ']');
  if (!r) return 0;
  size_t n = (size_t)(r - key) + 1;
  for (size_t i = 0; i < p->nvals; i++)
    if (strncmp(p->vals[i].desc->key, key, n) == 0 && p->vals[i].from != PARAM_FROM_DEFAULT)
      return 0;
  return 1;
}

/* The key as the registry tables show it: list entries as "[i]" (entry 0 stands for all). */
static const char *table_key(const char *key, char *buf, size_t sz) {
  const char *l = strchr(key, '['), *r = l ? strchr(l, ']') : NULL;
  if (!r) return key;
  snprintf(buf, sz, "%.*s[i]%s", (int)(l - key), key, r + 1);
  return buf;
}

/* Does key sit under prefix ("" = the top), and if so, what follows? */
static const char *under(const char *key, const char *prefix) {
  size_t n = strlen(prefix);
  if (!n) return key;
  return strncmp(key, prefix, n) == 0 && key[n] == '.' ? key + n + 1 : NULL;
}

static size_t first_part_len(const char *rest) {
  const char *dot = strchr(rest, '.');
  return dot ? (size_t)(dot - rest) : strlen(rest);
}

/* Emits the keys under prefix as nested YAML, sections in the order of their first key, so a
 * section is never opened twice even if the registry interleaves its keys. */
static void emit_section(sbuf *b, const params *p, const char *prefix, int depth) {
  for (size_t i = 0; i < p->nvals; i++) {
    const char *rest = under(p->vals[i].desc->key, prefix);
    if (!rest) continue;
    size_t len = first_part_len(rest);
    int done = 0;
    for (size_t j = 0; j < i && !done; j++) {
      const char *r2 = under(p->vals[j].desc->key, prefix);
      done = r2 && first_part_len(r2) == len && strncmp(r2, rest, len) == 0;
    }
    if (done) continue;
    if (memchr(rest, ']', len) && slot_unused(p, p->vals[i].desc->key)) continue;
    if (rest[len] == '\0') {
      sb_printf(b, "%*s%s: ", 2 * depth, "", rest);
      sb_value(b, p, &p->vals[i]);
      if (has_unit(p->vals[i].desc)) sb_printf(b, "  # %s", p->vals[i].desc->unit);
      sb_printf(b, "\n");
      continue;
    }
    sb_printf(b, "%*s%.*s:\n", 2 * depth, "", (int)len, rest);
    size_t plen = strlen(prefix);
    char *sub = malloc(plen + len + 2);
    if (!sub) {
      b->failed = 1;
      return;
    }
    snprintf(sub, plen + len + 2, "%s%s%.*s", prefix, plen ? "." : "", (int)len, rest);
    emit_section(b, p, sub, depth + 1);
    free(sub);
    /* layers belong with the grid they divide */
    if (depth == 0 && len == 4 && strncmp(rest, "grid", 4) == 0) sb_layers(b, p);
  }
}

char *params_to_yaml(const params *p) {
  sbuf b = {NULL, 0, 0, 0};
  sb_printf(&b, "# cisim configuration, every parameter resolved\n");
  emit_section(&b, p, "", 0);
  if (!params_find(p, "grid.dims")) sb_layers(&b, p);
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* ---- tables ---- */

/* Display width of UTF-8 text (µ is two bytes, one column). */
static int width(const char *s) {
  int w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

static void cell(FILE *out, const char *s, int w) {
  fprintf(out, "%s%*s", s, w - width(s) + 2, "");
}

static const char *type_name(const param_desc *d) {
  switch (d->type) {
    case P_REAL: return d->per_layer ? "real/layer" : "real";
    case P_INT: return "int";
    case P_BOOL: return "bool";
    case P_ENUM: return "enum";
    case P_STRING: return "string";
    case P_REALS: return "reals";
  }
  return "?";
}

static void range_of(const param_desc *d, char *buf, size_t sz) {
  switch (d->type) {
    case P_REAL:
    case P_INT: snprintf(buf, sz, "[%g, %g]", d->min, d->max); break;
    case P_REALS:
      if (d->nmin == d->nmax) snprintf(buf, sz, "%d in [%g, %g]", d->nmin, d->min, d->max);
      else snprintf(buf, sz, "%d to %d in [%g, %g]", d->nmin, d->nmax, d->min, d->max);
      break;
    case P_BOOL: snprintf(buf, sz, "true|false"); break;
    case P_ENUM: snprintf(buf, sz, "%s", d->choices ? d->choices : ""); break;
    case P_STRING: buf[0] = '\0'; break;
  }
}

void params_print_registry(FILE *out, const param_desc *reg, const char *prefix) {
  static const char *const head[5] = {"key", "type", "unit", "default", "range"};
  int w[5];
  char range[256], kb[256];
  for (int c = 0; c < 5; c++) w[c] = width(head[c]);
  for (const param_desc *d = reg; d->key; d++) {
    if (slot_of(d->key) > 0) continue;
    range_of(d, range, sizeof range);
    const char *col[5] = {table_key(d->key, kb, sizeof kb), type_name(d), d->unit ? d->unit : "",
                          d->def ? d->def : "(required)", range};
    for (int c = 0; c < 5; c++)
      if (width(col[c]) > w[c]) w[c] = width(col[c]);
  }
  if (prefix && *prefix) fprintf(out, "# %s\n", prefix);
  for (int c = 0; c < 5; c++) cell(out, head[c], w[c]);
  fprintf(out, "doc\n");
  for (const param_desc *d = reg; d->key; d++) {
    if (slot_of(d->key) > 0) continue;
    range_of(d, range, sizeof range);
    const char *col[5] = {table_key(d->key, kb, sizeof kb), type_name(d), d->unit ? d->unit : "",
                          d->def ? d->def : "(required)", range};
    for (int c = 0; c < 5; c++) cell(out, col[c], w[c]);
    fprintf(out, "%s\n", d->doc ? d->doc : "");
  }
}

void params_print_markdown(FILE *out, const param_desc *reg, const char *title) {
  char range[256], kb[256];
  fprintf(out, "## %s\n\n| key | type | unit | default | range | description |\n", title);
  fprintf(out, "|---|---|---|---|---|---|\n");
  for (const param_desc *d = reg; d->key; d++) {
    if (slot_of(d->key) > 0) continue;
    range_of(d, range, sizeof range);
    for (char *q = range; *q; q++)
      if (*q == '|') *q = '/'; /* a bare | would end the table cell */
    fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", table_key(d->key, kb, sizeof kb),
            type_name(d),
            d->unit && *d->unit ? d->unit : "", d->def ? d->def : "(required)", range,
            d->doc ? d->doc : "");
  }
  fprintf(out, "\n");
}

static const char *from_text(int from) {
  return from == PARAM_FROM_SET ? "(--set)" : from == PARAM_FROM_FILE ? "(config)" : "(default)";
}

void params_print_values(FILE *out, const params *p) {
  int kw = width("layers");
  for (size_t i = 0; i < p->nvals; i++)
    if (width(p->vals[i].desc->key) > kw) kw = width(p->vals[i].desc->key);
  for (size_t i = 0; i < p->nvals; i++) {
    const param_value *v = &p->vals[i];
    if (slot_unused(p, v->desc->key)) continue;
    sbuf b = {NULL, 0, 0, 0};
    sb_value(&b, p, v);
    if (has_unit(v->desc)) sb_printf(&b, " %s", v->desc->unit);
    fprintf(out, "%-*s = %s %s\n", kw, v->desc->key, b.s && !b.failed ? b.s : "?",
            from_text(v->from));
    free(b.s);
    int last_grid = strncmp(v->desc->key, "grid.", 5) == 0 &&
                    (i + 1 == p->nvals || strncmp(p->vals[i + 1].desc->key, "grid.", 5) != 0);
    if (!last_grid) continue;
    const layer_desc *L0 = &p->layers[0];
    fprintf(out, "%-*s = ", kw, "layers");
    for (int l = 0; l < p->nlayers; l++) {
      char t[40];
      fmt_real(p->layers[l].thickness_um, t, sizeof t);
      fprintf(out, "%s%s %s µm", l ? ", " : "", p->layers[l].name, t);
    }
    fprintf(out, " %s\n", L0->line == 0 ? "(default)" : L0->col == 0 ? "(--set)" : "(config)");
  }
}

cs_status params_key_error(const params *p, const char *key, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const param_value *v = params_find(p, key);
  if (v && v->from == PARAM_FROM_FILE && v->line > 0)
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: %s", p->file, v->line, v->col, key, msg);
  if (v && v->from == PARAM_FROM_SET)
    return CS_ERROR(CS_ERR_INPUT, "%s: %s (from --set): %s", p->file, key, msg);
  return CS_ERROR(CS_ERR_INPUT, "%s: %s: %s", p->file, key, msg);
}
