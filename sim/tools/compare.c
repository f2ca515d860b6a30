/* compare: two run files, point by point, within a tolerance (see compare.h).
 *
 * The driver: the files are opened and checked for comparability first (compare_runfile), so
 * that a comparison that cannot mean anything stops with exit 2 before any field is read; the
 * parameters are compared (compare_params); then /time, each field and each series
 * (compare_values), each with its tolerance (compare_tol). The report is compare_report's. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "compare.h"

#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare_params.h"
#include "compare_runfile.h"
#include "compare_tol.h"
#include "compare_values.h"

static char *xprintf(const char *fmt, ...) CS_PRINTF(1, 2);
static char *xprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static cs_status add_warning(compare_report *r, char *msg) {
  char **w = msg ? realloc(r->warnings, (size_t)(r->nwarnings + 1) * sizeof *w) : NULL;
  if (!w) {
    free(msg);
    return compare_nomem();
  }
  r->warnings = w;
  r->warnings[r->nwarnings++] = msg;
  return CS_OK;
}

static cs_status add_dataset(compare_report *r, compare_tol_table *t, const compare_options *o,
                             compare_kind kind, const char *group, const char *name) {
  compare_dataset *d = &r->ds[r->nds];
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->name = group ? xprintf("%s/%s", group, name) : strdup(name);
  if (!d->name) return compare_nomem();
  d->worst_a = d->worst_b = d->worst_time = NAN;
  compare_tol_for(t, o->rtol, o->atol, d->name, &d->rtol, &d->atol);
  r->nds++;
  return CS_OK;
}

static cs_status run_compare(const compare_options *o, compare_report *r, compare_tol_table *tol,
                             compare_runfile *a, compare_runfile *b) {
  if (o->tolerances) CS_TRY(compare_tol_load(o->tolerances, tol));
  CS_TRY(compare_runfile_open(r->path_a, a));
  CS_TRY(compare_runfile_open(r->path_b, b));
  CS_TRY(compare_runfile_comparable(a, b));
  for (const compare_runfile *f = a; f; f = f == a ? b : NULL)
    if (f->finished == 0)
      CS_TRY(add_warning(r, xprintf("%s: the run did not finish (attribute finished = 0); only "
                                    "its %zu complete snapshots are compared",
                                    f->path, f->nsnap)));
  CS_TRY(compare_params(a, b, r));

  r->ds = calloc((size_t)(1 + a->nspecies + a->nseries), sizeof *r->ds);
  if (!r->ds) return compare_nomem();
  compare_values_ctx c = {a, b, NULL, NULL, NULL, 0};
  cs_status st = add_dataset(r, tol, o, COMPARE_TIME, NULL, "time");
  if (st == CS_OK) st = compare_values_vector(&c, &r->ds[0], "time");
  char obj[600];
  for (int s = 0; st == CS_OK && s < a->nspecies; s++) {
    st = add_dataset(r, tol, o, COMPARE_FIELD, "fields", a->species[s]);
    snprintf(obj, sizeof obj, "fields/%s", a->species[s]);
    if (st == CS_OK) st = compare_values_field(&c, &r->ds[r->nds - 1], obj);
  }
  for (int s = 0; st == CS_OK && s < a->nseries; s++) {
    st = add_dataset(r, tol, o, COMPARE_SERIES, "series", a->series[s]);
    snprintf(obj, sizeof obj, "series/%s", a->series[s]);
    if (st == CS_OK) st = compare_values_vector(&c, &r->ds[r->nds - 1], obj);
  }
  compare_values_free(&c);
  for (int i = 0; st == CS_OK && i < tol->n; i++)
    if (!tol->e[i].used)
      st = add_warning(r, xprintf("%s:%d:%d: tolerance entry '%s%s' matches no dataset",
                                  o->tolerances, tol->e[i].line, tol->e[i].col,
                                  tol->e[i].pattern, tol->e[i].prefix ? "*" : ""));
  return st;
}

cs_status compare_files(const char *path_a, const char *path_b, const compare_options *o,
                        compare_report *r) {
  memset(r, 0, sizeof *r);
  /* Failures are reported once, through cs_error, in words; never as HDF5's stack. */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  static const compare_options defaults = {0, 0, NULL, 0};
  if (!o) o = &defaults;
  r->rtol = o->rtol;
  r->atol = o->atol;
  r->strict_params = o->strict_params;
  r->path_a = strdup(path_a ? path_a : "");
  r->path_b = strdup(path_b ? path_b : "");
  r->tolerances = o->tolerances ? strdup(o->tolerances) : NULL;
  if (!r->path_a || !r->path_b || (o->tolerances && !r->tolerances)) return compare_nomem();
  if (!(o->rtol >= 0 && o->atol >= 0 && isfinite(o->rtol) && isfinite(o->atol)))
    return CS_ERROR(CS_ERR_INPUT, "compare: rtol and atol must be non-negative finite numbers");

  compare_tol_table tol = {NULL, 0};
  compare_runfile a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.file = b.file = H5I_INVALID_HID;
  cs_status st = run_compare(o, r, &tol, &a, &b);
  compare_runfile_close(&a);
  compare_runfile_close(&b);
  compare_tol_free(&tol);
  if (st != CS_OK) return st;

  for (int i = 0; i < r->nds; i++)
    if (r->ds[i].out > 0) {
      r->ndifferent++;
      r->npoints_out += r->ds[i].out;
    }
  r->exit_code = r->ndifferent > 0 || (r->strict_params && r->nparams > 0) ? 1 : 0;
  return CS_OK;
}
