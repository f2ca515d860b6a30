/* compare_params: which /parameters differ between two run files (see compare_params.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "compare_params.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char **name, **text;
  int n, cap;
} attr_list;

typedef struct {
  attr_list *l;
  int failed;
} attr_iter;

static herr_t collect_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  attr_iter *it = data;
  attr_list *l = it->l;
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    char **nn = realloc(l->name, (size_t)cap * sizeof *nn);
    if (nn) l->name = nn;
    char **nt = nn ? realloc(l->text, (size_t)cap * sizeof *nt) : NULL;
    if (nt) l->text = nt;
    if (!nn || !nt) {
      it->failed = 1;
      return -1;
    }
    l->cap = cap;
  }
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  char *t = a >= 0 ? compare_attr_text(a) : NULL;
  if (a >= 0) H5Aclose(a);
  if (!t) t = strdup("(unreadable)");
  char *nm = strdup(name);
  if (!nm || !t) {
    free(nm);
    free(t);
    it->failed = 1;
    return -1;
  }
  l->name[l->n] = nm;
  l->text[l->n++] = t;
  return 0;
}

static void attr_list_free(attr_list *l) {
  compare_free_names(l->name, l->n);
  compare_free_names(l->text, l->n);
}

static cs_status read_params(const compare_runfile *rf, attr_list *l) {
  memset(l, 0, sizeof *l);
  if (H5Lexists(rf->file, "parameters", H5P_DEFAULT) <= 0) return CS_OK;
  hid_t g = H5Oopen(rf->file, "parameters", H5P_DEFAULT);
  if (g < 0) return CS_OK; /* unreadable parameters only weaken the report */
  attr_iter it = {l, 0};
  hsize_t idx = 0;
  H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &it);
  H5Oclose(g);
  if (it.failed) return compare_nomem();
  /* Name order makes the list readable and lets the two files be merged; insertion sort on
     the pairs is enough for a few hundred parameters. */
  for (int i = 1; i < l->n; i++)
    for (int j = i; j > 0 && strcmp(l->name[j - 1], l->name[j]) > 0; j--) {
      char *tn = l->name[j], *tt = l->text[j];
      l->name[j] = l->name[j - 1];
      l->text[j] = l->text[j - 1];
      l->name[j - 1] = tn;
      l->text[j - 1] = tt;
    }
  return CS_OK;
}

static cs_status add_param(compare_report *r, const char *name, const char *a, const char *b) {
  compare_param *p = realloc(r->params, (size_t)(r->nparams + 1) * sizeof *p);
  if (!p) return compare_nomem();
  r->params = p;
  compare_param *q = &r->params[r->nparams];
  q->name = strdup(name);
  q->a = strdup(a ? a : "(absent)");
  q->b = strdup(b ? b : "(absent)");
  r->nparams++;
  return q->name && q->a && q->b ? CS_OK : compare_nomem();
}

cs_status compare_params(const compare_runfile *a, const compare_runfile *b, compare_report *r) {
  attr_list la, lb;
  cs_status st = read_params(a, &la);
  if (st == CS_OK) st = read_params(b, &lb);
  else memset(&lb, 0, sizeof lb);
  int i = 0, j = 0;
  while (st == CS_OK && (i < la.n || j < lb.n)) {
    int c = i >= la.n ? 1 : j >= lb.n ? -1 : strcmp(la.name[i], lb.name[j]);
    if (c < 0) {
      st = add_param(r, la.name[i], la.text[i], NULL);
      i++;
    } else if (c > 0) {
      st = add_param(r, lb.name[j], NULL, lb.text[j]);
      j++;
    } else {
      if (strcmp(la.text[i], lb.text[j]) != 0)
        st = add_param(r, la.name[i], la.text[i], lb.text[j]);
      i++;
      j++;
    }
  }
  attr_list_free(&la);
  attr_list_free(&lb);
  return st;
}
