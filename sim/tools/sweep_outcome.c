/* sweep_outcome: outcome metrics of a run file (see sweep_outcome.h). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_outcome.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdf5out_attr.h"

static int wanted(const char *name) {
  size_t l = strlen(name);
  return strstr(name, "_change_") || strstr(name, "_depth_um") || strstr(name, "_peak") ||
         strstr(name, "_return_day_") || (l >= 6 && strcmp(name + l - 6, "_total") == 0);
}

/* What the iteration over /series needs. */
typedef struct {
  sweep_outcome *o;
  const double *days, *time;
  int ndays, ntime;
  const double *snap; /* the times of the /series rows */
  long nsnap;
} visit_ctx;

/* Value at day d of series v over the snapshot days t (n values), NaN outside. */
static double at_day(const double *t, const double *v, long n, double d) {
  if (n < 1 || !(d >= t[0]) || !(d <= t[n - 1])) return NAN;
  long lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    long mid = (lo + hi) / 2;
    if (t[mid] <= d) lo = mid;
    else hi = mid;
  }
  if (t[lo] == d) return v[lo];
  if (t[hi] == d) return v[hi];
  double f = (d - t[lo]) / (t[hi] - t[lo]);
  return v[lo] + f * (v[hi] - v[lo]);
}

static int grow(sweep_outcome *o, const visit_ctx *c) {
  if (o->n < o->cap) return 1;
  int cap = o->cap ? 2 * o->cap : 16;
  char **nn = realloc(o->names, (size_t)cap * sizeof(char *));
  if (nn) o->names = nn;
  char **nu = nn ? realloc(o->units, (size_t)cap * sizeof(char *)) : NULL;
  if (nu) o->units = nu;
  double *nv = nu ? realloc(o->vals, (size_t)cap * sizeof(double)) : NULL;
  if (nv) o->vals = nv;
  double *na = nv && c->ndays ? realloc(o->at, (size_t)cap * (size_t)c->ndays * sizeof(double)) : NULL;
  if (na) o->at = na;
  double *ns = nv && c->ntime ? realloc(o->ser, (size_t)cap * (size_t)c->ntime * sizeof(double)) : NULL;
  if (ns) o->ser = ns;
  if (!nv || (c->ndays && !na) || (c->ntime && !ns)) return 0;
  o->cap = cap;
  return 1;
}

/* Reads dataset d of n values: the last only (*last), or all into *all (caller frees). */
static int read_values(hid_t d, int whole, double *last, double **all, long *n) {
  hid_t sp = H5Dget_space(d);
  hsize_t dims[1] = {0};
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
           H5Sget_simple_extent_dims(sp, dims, NULL) == 1 && dims[0] > 0;
  *n = ok ? (long)dims[0] : 0;
  if (ok && whole) {
    *all = malloc((size_t)dims[0] * sizeof(double));
    ok = *all && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *all) >= 0;
    if (ok) *last = (*all)[dims[0] - 1];
  } else if (ok) {
    hsize_t start[1] = {dims[0] - 1}, count[1] = {1};
    hid_t mem = H5Screate_simple(1, count, NULL);
    ok = H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
         H5Dread(d, H5T_NATIVE_DOUBLE, mem, sp, H5P_DEFAULT, last) >= 0;
    H5Sclose(mem);
  }
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  visit_ctx *c = data;
  sweep_outcome *o = c->o;
  if (!wanted(name)) return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;
  double v = 0, *all = NULL;
  long n = 0;
  int ok = read_values(d, c->ndays || c->ntime, &v, &all, &n);
  const double *ts = all && n == c->nsnap ? all : NULL; /* NULL: not a series over the axis */
  char *u = ok ? h5a_read_str(d, "units") : NULL;
  H5Dclose(d);
  int mem = 1;
  if (ok && (mem = grow(o, c))) {
    int i = o->n;
    o->names[i] = strdup(name);
    o->units[i] = strdup(u ? u : "");
    mem = o->names[i] && o->units[i];
    if (mem) {
      o->vals[i] = v;
      for (int j = 0; j < c->ndays; j++)
        o->at[i * c->ndays + j] = ts ? at_day(c->snap, ts, n, c->days[j]) : NAN;
      for (int j = 0; j < c->ntime; j++)
        o->ser[i * c->ntime + j] = ts ? at_day(c->snap, ts, n, c->time[j]) : NAN;
      o->n++;
    } else {
      free(o->names[i]);
      free(o->units[i]);
    }
  }
  free(u);
  free(all);
  return mem ? 0 : -1;
}

void sweep_outcome_free(sweep_outcome *o) {
  for (int i = 0; i < o->n; i++) {
    free(o->names[i]);
    free(o->units[i]);
  }
  free(o->names);
  free(o->units);
  free(o->vals);
  free(o->at);
  free(o->ser);
  memset(o, 0, sizeof *o);
}

/* The 1-D dataset obj ("time", "series/time") of an open file (caller frees). */
static cs_status read_axis(hid_t f, const char *h5, const char *obj, double **time, long *n) {
  *time = NULL;
  hid_t d = H5Dopen2(f, obj, H5P_DEFAULT);
  double last;
  int ok = d >= 0 && read_values(d, 1, &last, time, n);
  if (d >= 0) H5Dclose(d);
  if (ok) return CS_OK;
  free(*time);
  *time = NULL;
  return CS_ERROR(CS_ERR_INPUT, "%s: no readable /%s", h5, obj);
}

/* /time of an open file (caller frees). */
static cs_status read_time(hid_t f, const char *h5, double **time, long *n) {
  return read_axis(f, h5, "time", time, n);
}

/* The times of the /series rows: /series/time, or in run files written before series had
   their own axis, the snapshot times /time. */
static cs_status read_series_time(hid_t f, const char *h5, double **time, long *n) {
  int own = H5Lexists(f, "series", H5P_DEFAULT) > 0 && H5Lexists(f, "series/time", H5P_DEFAULT) > 0;
  return read_axis(f, h5, own ? "series/time" : "time", time, n);
}

cs_status sweep_outcome_read(const char *h5, const double *days, int ndays, const double *time,
                             int ntime, sweep_outcome *o) {
  memset(o, 0, sizeof *o);
  o->ndays = ndays;
  o->ntime = ntime;
  visit_ctx c = {o, days, time, ndays, ntime, NULL, 0};
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  cs_status st = CS_OK;
  double *snap = NULL;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: cannot open as HDF5", h5);
  if (st == CS_OK && (ndays || ntime)) st = read_series_time(f, h5, &snap, &c.nsnap);
  c.snap = snap;
  hid_t g = st == CS_OK ? H5Gopen2(f, "series", H5P_DEFAULT) : -1;
  if (st == CS_OK && g < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: no /series group", h5);
  if (st == CS_OK && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, &c) < 0)
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  free(snap);
  if (st != CS_OK) sweep_outcome_free(o);
  o->ndays = ndays;
  o->ntime = ntime;
  return st;
}

cs_status sweep_outcome_time(const char *h5, double **time, int *ntime) {
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  long n = 0;
  cs_status st = f < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot open as HDF5", h5)
                       : read_time(f, h5, time, &n);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  *ntime = (int)n;
  return st;
}

cs_status sweep_outcome_series(const char *h5, const char *name, const double *days, int ndays,
                               double *vals) {
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  double *snap = NULL, *v = NULL, last;
  long nsnap = 0, n = 0;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  cs_status st = f < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot open as HDF5", h5)
                       : read_series_time(f, h5, &snap, &nsnap);
  hid_t g = st == CS_OK ? H5Gopen2(f, "series", H5P_DEFAULT) : H5I_INVALID_HID;
  hid_t d = g >= 0 && H5Lexists(g, name, H5P_DEFAULT) > 0 ? H5Dopen2(g, name, H5P_DEFAULT)
                                                         : H5I_INVALID_HID;
  if (st == CS_OK && (d < 0 || !read_values(d, 1, &last, &v, &n) || n != nsnap))
    st = CS_ERROR(CS_ERR_INPUT, "%s: no series /series/%s over /series/time", h5, name);
  for (int j = 0; st == CS_OK && j < ndays; j++) vals[j] = at_day(snap, v, n, days[j]);
  if (d >= 0) H5Dclose(d);
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  free(snap);
  free(v);
  return st;
}
