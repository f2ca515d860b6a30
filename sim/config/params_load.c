/* params_load: reading a configuration (file plus --set overrides) into a params set.
 *
 * Order matters: the model decides the registry, the layers decide how many values a
 * per-layer parameter holds, and only then can defaults, the file and the --set values be
 * bound, in that order, each overriding the one before. Cross checks that need the final
 * values (required keys, grid.dims against grid.size_um, layer thicknesses against the
 * depth) come last, so that they see what --set made of the file. */
#include "params_load.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "params_bind.h"
#include "params_suggest.h"
#include "ytree.h"

static const char *const *model_names;
static int n_model_names;

void params_set_model_names(const char *const *names, int n) {
  model_names = names;
  n_model_names = names ? n : 0;
}

/* Where a value came from, for messages: a file (with line and column) or one --set. */
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
  if (!L->set_docs || !L->set_src || !L->set_keys) return params_bind_nomem();
  for (int i = 0; i < nsets; i++) {
    const char *a = sets[i], *eq = strchr(a, '=');
    const char *k0 = a, *k1 = eq;
    while (eq && k0 < k1 && isspace((unsigned char)*k0)) k0++;
    while (eq && k1 > k0 && isspace((unsigned char)k1[-1])) k1--;
    if (!eq || k1 == k0)
      return CS_ERROR(CS_ERR_INPUT, "--set '%s': expected key.path=value", a);
    if (!(L->set_keys[i] = malloc((size_t)(k1 - k0) + 1))) return params_bind_nomem();
    memcpy(L->set_keys[i], k0, (size_t)(k1 - k0));
    L->set_keys[i][k1 - k0] = '\0';
    L->set_src[i] = (source){path, a, L->set_keys[i], PARAM_FROM_SET, i + 1};
    size_t nl = strlen(a) + 8;
    char *name = malloc(nl);
    if (!name) return params_bind_nomem();
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
  if (n->kind != YT_SCALAR || params_bind_is_null(n))
    return params_bind_error(s, line, col, "model", "expected a model name, got %s", params_bind_got(n, g, sizeof g));
  const param_desc *reg = lookup ? lookup(n->value) : NULL;
  if (!reg) {
    char list[1024] = "", hint[200] = "";
    for (int i = 0; i < n_model_names; i++) {
      if (strlen(list) + strlen(model_names[i]) + 3 >= sizeof list) break;
      if (i) strcat(list, "|");
      strcat(list, model_names[i]);
    }
    params_suggest_word(list, '|', n->value, hint, sizeof hint);
    for (char *c = list; *c; c++)
      if (*c == '|') *c = ' ';
    /* a suggestion says enough; without one, the whole (short) list helps */
    int show = !hint[0] && list[0];
    return params_bind_error(s, line, col, "model", "unknown model '%s'%s%s%s%s", n->value, hint,
               show ? " (models: " : "", show ? list : "", show ? ")" : "");
  }
  p->model_registry = reg;
  if (!(p->model_name = params_bind_dup(n->value))) return params_bind_nomem();
  return CS_OK;
}

/* The layers node and where it came from: the last --set layers=..., else the file. */
static cs_status find_layers(load_state *L, const source *file_src, params *p,
                             const source **lsrc, const yt_node **lnode) {
  *lnode = NULL;
  for (int i = L->nsets - 1; i >= 0 && !*lnode; i--)
    if (strcmp(L->set_keys[i], "layers") == 0) *lnode = L->set_docs[i].root, *lsrc = &L->set_src[i];
  if (!*lnode) *lnode = yt_get(L->file.root, "layers"), *lsrc = file_src;
  if (*lnode) return params_bind_layers(*lsrc, p, *lnode);
  p->nlayers = 1;
  snprintf(p->layers[0].name, sizeof p->layers[0].name, "tissue");
  return CS_OK;
}

static cs_status make_values(params *p) {
  size_t ne = 0, nm = 0;
  while (params_engine_registry[ne].key) ne++;
  while (p->model_registry[nm].key) nm++;
  p->vals = calloc(ne + nm, sizeof *p->vals);
  if (!p->vals) return params_bind_nomem();
  for (size_t i = 0; i < ne + nm; i++) {
    param_value *pv = &p->vals[p->nvals++];
    const param_desc *d = i < ne ? &params_engine_registry[i] : &p->model_registry[i - ne];
    pv->desc = d;
    size_t nv = d->type == P_REALS ? (size_t)(d->nmax > 0 ? d->nmax : 1)
                : d->type == P_REAL && d->per_layer ? (size_t)p->nlayers : 1;
    if (!(pv->v = calloc(nv, sizeof *pv->v))) return params_bind_nomem();
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
    cs_status st = params_bind_value(&s, p, pv, d.root);
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
  const param_value *of = params_bind_find(p, "output.file");
  if (of && (!of->s || !of->s[0]))
    return params_bind_error(value_source(L, file_src, of), of->line, of->col, "output.file",
               "expected a file name, got an empty one");
  const param_value *dmin = params_bind_find(p, "time.dt_min_day"),
                    *dmax = params_bind_find(p, "time.dt_max_day");
  if (dmin && dmax && dmin->v[0] > dmax->v[0])
    return params_bind_error(value_source(L, file_src, dmin), dmin->line, dmin->col,
                             "time.dt_min_day", "%g day exceeds time.dt_max_day (%g day)",
                             dmin->v[0], dmax->v[0]);
  const param_value *dims = params_bind_find(p, "grid.dims"), *size = params_bind_find(p, "grid.size_um");
  if (!dims || !size) return CS_OK;
  if (size->n != (int)dims->v[0]) {
    const source *s = value_source(L, file_src, size);
    return params_bind_error(s, size->line, size->col, "grid.size_um",
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
    return params_bind_error(lsrc, lnode->line, lnode->col, "layers",
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
    st = params_bind_nomem();
    goto out;
  }
  binder fb = {p, &file_src, L.given_line};
  const yt_node *root = L.file.root;
  for (size_t i = 0; i < root->n; i++) {
    if (strcmp(root->keys[i], "layers") == 0) continue;
    if ((st = params_bind_at(&fb, root->keys[i], root->items[i], root->key_line[i], root->key_col[i])) !=
        CS_OK)
      goto out;
  }
  for (int i = 0; i < L.nsets; i++) {
    if (strcmp(L.set_keys[i], "layers") == 0) continue;
    binder sb = {p, &L.set_src[i], NULL};
    if ((st = params_bind_at(&sb, L.set_keys[i], L.set_docs[i].root, 0, 0)) != CS_OK) goto out;
  }
  if ((st = cross_check(&L, &file_src, p, lsrc, lnode)) != CS_OK) goto out;
  if (!(p->file = params_bind_dup(path))) st = params_bind_nomem();
out:
  load_state_free(&L);
  if (st != CS_OK) params_free(p);
  return st;
}

