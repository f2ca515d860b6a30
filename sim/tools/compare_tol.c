/* compare_tol: the tolerance file of `cisim compare --tolerances` (see compare_tol.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "compare_tol.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ytree.h"


void compare_tol_free(compare_tol_table *t) {
  for (int i = 0; i < t->n; i++) free(t->e[i].pattern);
  free(t->e);
  t->e = NULL;
  t->n = 0;
}

static cs_status tol_number(const yt_doc *doc, const yt_node *v, const char *key,
                            const char *which, double *out) {
  char *end = NULL;
  errno = 0;
  double x = v->kind == YT_SCALAR && !v->quoted && v->value[0] ? strtod(v->value, &end) : NAN;
  if (!end || *end || errno || !isfinite(x) || x < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s.%s: expected a non-negative finite number%s%s%s",
                    doc->name, v->line, v->col, key, which, v->kind == YT_SCALAR ? ", got \"" : "",
                    v->kind == YT_SCALAR ? v->value : "", v->kind == YT_SCALAR ? "\"" : "");
  *out = x;
  return CS_OK;
}

static cs_status tol_entry_parse(const yt_doc *doc, size_t i, compare_tol_entry *t) {
  const yt_node *root = doc->root;
  const char *key = root->keys[i];
  int kl = root->key_line[i], kc = root->key_col[i];
  const char *p = key[0] == '/' ? key + 1 : key; /* "/fields/c" names the same dataset */
  size_t len = strlen(p);
  const char *star = strchr(p, '*');
  int prefix = star != NULL;
  int ok = len > 0 && (!star || star == p + len - 1);
  if (ok && !prefix)
    ok = strcmp(p, "time") == 0 || (strncmp(p, "fields/", 7) == 0 && p[7]) ||
         (strncmp(p, "series/", 7) == 0 && p[7]);
  if (!ok)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s:%d:%d: '%s': expected a dataset path (time, fields/NAME, series/NAME) "
                    /* "series/" "*" apart: a slash-star in a string reads as a comment to
                       tests/test_layers.py */
                    "or a prefix ending in '*' (series/" "*, *)",
                    doc->name, kl, kc, key);
  const yt_node *v = root->items[i];
  if (v->kind != YT_MAP)
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: expected a mapping {rtol: R, atol: A}",
                    doc->name, v->line, v->col, key);
  t->rtol = t->atol = NAN;
  t->line = kl;
  t->col = kc;
  t->prefix = prefix;
  for (size_t j = 0; j < v->n; j++) {
    if (strcmp(v->keys[j], "rtol") == 0)
      CS_TRY(tol_number(doc, v->items[j], key, "rtol", &t->rtol));
    else if (strcmp(v->keys[j], "atol") == 0)
      CS_TRY(tol_number(doc, v->items[j], key, "atol", &t->atol));
    else
      return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: unknown key '%s' (expected rtol or atol)",
                      doc->name, v->key_line[j], v->key_col[j], key, v->keys[j]);
  }
  t->pattern = strdup(p);
  if (!t->pattern) return CS_ERROR(CS_ERR_NOMEM, "compare: out of memory");
  if (prefix) t->pattern[len - 1] = '\0';
  return CS_OK;
}

cs_status compare_tol_load(const char *path, compare_tol_table *t) {
  yt_doc doc;
  CS_TRY(yt_load_file(path, &doc));
  cs_status st = CS_OK;
  const yt_node *root = doc.root;
  if (!root || root->kind != YT_MAP) {
    st = CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: expected a mapping of dataset path to {rtol, atol}",
                  doc.name, root ? root->line : 1, root ? root->col : 1);
  } else {
    t->e = calloc(root->n ? root->n : 1, sizeof *t->e);
    if (!t->e) st = CS_ERROR(CS_ERR_NOMEM, "compare: out of memory");
    for (size_t i = 0; st == CS_OK && i < root->n; i++) {
      st = tol_entry_parse(&doc, i, &t->e[t->n]);
      if (st == CS_OK) t->n++;
    }
  }
  yt_free(&doc);
  return st;
}

/* An exact entry wins over prefixes; among prefixes the longest. */
void compare_tol_for(compare_tol_table *t, double rtol0, double atol0, const char *name,
                     double *rtol, double *atol) {
  compare_tol_entry *best = NULL;
  for (int i = 0; i < t->n; i++) {
    compare_tol_entry *e = &t->e[i];
    size_t len = strlen(e->pattern);
    if (!e->prefix && strcmp(e->pattern, name) == 0) {
      best = e;
      break;
    }
    if (e->prefix && strncmp(e->pattern, name, len) == 0 &&
        (!best || len > strlen(best->pattern)))
      best = e;
  }
  *rtol = rtol0;
  *atol = atol0;
  if (!best) return;
  best->used = 1;
  if (!isnan(best->rtol)) *rtol = best->rtol;
  if (!isnan(best->atol)) *atol = best->atol;
}
