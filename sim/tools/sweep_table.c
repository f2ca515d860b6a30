/* sweep_table: the collected table in HDF5 with dimension scales (see sweep_table.h). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_table.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hdf5out_attr.h"
#include "model.h"
#include "params.h"
#include "params_load.h"

double sweep_table_value(const sweep_table *t, long n, int c, int what, int j) {
  const sweep_outcome *m = &t->per[n];
  for (int i = 0; i < m->n; i++) {
    if (strcmp(m->names[i], t->cols[c]) != 0) continue;
    if (what == SWEEP_FINAL) return m->vals[i];
    if (what == SWEEP_AT_DAY) return m->at && j < m->ndays ? m->at[i * m->ndays + j] : NAN;
    return m->ser && j < m->ntime ? m->ser[i * m->ntime + j] : NAN;
  }
  return NAN;
}

static int all_numeric(const sweep_table *t, int c, double *out) {
  for (long n = 0; n < t->npts; n++) {
    const char *s = t->man_cell[n * t->nman + c];
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*s == '\0' || *end || errno) return 0;
    out[n] = v;
  }
  return 1;
}

/* Column buffers for the values of one column, the string type, and the dimension scales. */
typedef struct {
  double *num;
  long long *ints;
  const char **strs;
  hid_t str;
  hid_t index, day, time; /* the scale datasets (H5I_INVALID_HID until made) */
} h5_columns;

/* Attaches the scales to dataset name of loc: index to dimension 0, s1 (if valid) to 1. */
static int attach(hid_t loc, const char *name, hid_t index, hid_t s1) {
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  int ok = d >= 0 && H5DSattach_scale(d, index, 0) >= 0 && (s1 < 0 || H5DSattach_scale(d, s1, 1) >= 0);
  if (d >= 0) H5Dclose(d);
  return ok;
}

/* A 1-D column of the point dimension. */
static int column(hid_t loc, const char *name, hid_t ftype, hid_t mtype, const sweep_table *t,
                  const void *buf, const char *units, const char *doc, const h5_columns *col) {
  return h5a_write_vec(loc, name, ftype, mtype, (hsize_t)t->npts, buf, units, doc) == 0 &&
         attach(loc, name, col->index, H5I_INVALID_HID);
}

/* A 1-D scale dataset: values, units, a name for the dimension. */
static hid_t scale(hid_t f, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                   const void *buf, const char *units, const char *doc) {
  if (h5a_write_vec(f, name, ftype, mtype, n, buf, units, doc) != 0) return H5I_INVALID_HID;
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d >= 0 && H5DSset_scale(d, name) < 0) {
    H5Dclose(d);
    d = H5I_INVALID_HID;
  }
  return d;
}

static int h5_root(hid_t f, const char *dir) {
  h5a_ctx c;
  h5a_init(&c, f);
  h5a_str(&c, "sweep", dir);
  h5a_str(&c, "cisim_version", CISIM_VERSION);
  h5a_str(&c, "description", "cisim sweep collect: one row per point (docs/sweeps.md)");
  return !c.failed[0];
}

/* /index, /day and /time: the dimension scales. */
static int h5_scales(hid_t f, const sweep_table *t, h5_columns *col) {
  long np = t->npts;
  for (long n = 0; n < np; n++) col->ints[n] = strtoll(t->man_cell[n * t->nman], NULL, 10);
  col->index = scale(f, "index", H5T_STD_I64LE, H5T_NATIVE_LLONG, (hsize_t)np, col->ints, "-",
                     "point index");
  if (col->index < 0) return 0;
  if (t->ndays) {
    col->day = scale(f, "day", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)t->ndays, t->days,
                     "day", "days of /metrics_at_day (collect --days)");
    if (col->day < 0) return 0;
  }
  if (t->ntime) {
    col->time = scale(f, "time", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)t->ntime, t->time,
                      "day", "snapshot days of /series (collect --series)");
    if (col->time < 0) return 0;
  }
  return 1;
}

/* HDF5 lists members by name; the spec's order is kept in the attribute "order". */
static int h5_parameter_order(hid_t g, const sweep_table *t) {
  size_t len = 1;
  for (int c = 1; c < t->nman - 1; c++) len += strlen(t->man_head[c]) + 1;
  char *order = calloc(len, 1);
  for (int c = 1; order && c < t->nman - 1; c++) {
    if (c > 1) strcat(order, ",");
    strcat(order, t->man_head[c]);
  }
  h5a_ctx c;
  h5a_init(&c, g);
  h5a_str(&c, "order", order ? order : "");
  int ok = order && !c.failed[0];
  free(order);
  return ok;
}

/* /parameters/<key>, the varied keys (the manifest's columns between index and seed): float64
   when every value is a number, else strings (labels); units and descriptions from the base
   config's registry (base, or NULL when it does not load). */
static int h5_parameters(hid_t f, const sweep_table *t, const params *base, h5_columns *col) {
  long np = t->npts;
  hid_t g = H5Gcreate2(f, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = g >= 0 && h5_parameter_order(g, t);
  for (int c = 1; ok && c < t->nman - 1; c++) {
    const param_value *pv = base ? params_find(base, t->man_head[c]) : NULL;
    const char *unit = pv ? pv->desc->unit : "", *doc = pv ? pv->desc->doc : t->man_head[c];
    if (all_numeric(t, c, col->num)) {
      ok = column(g, t->man_head[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t, col->num, unit, doc, col);
    } else {
      for (long n = 0; n < np; n++) col->strs[n] = t->man_cell[n * t->nman + c];
      ok = column(g, t->man_head[c], col->str, col->str, t, col->strs, unit, doc, col);
    }
  }
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* /seed, /state and /status. */
static int h5_states(hid_t f, const sweep_table *t, h5_columns *col) {
  long np = t->npts;
  hid_t str = col->str;
  for (long n = 0; n < np; n++) {
    const char *s = t->man_cell[n * t->nman + t->nman - 1];
    col->ints[n] = *s ? strtoll(s, NULL, 10) : -1;
  }
  int ok = column(f, "seed", H5T_STD_I64LE, H5T_NATIVE_LLONG, t, col->ints, "-",
                  "replicate seed (-1: none)", col);
  for (long n = 0; ok && n < np; n++) col->strs[n] = sweep_state_name(t->state[n]);
  ok = ok && column(f, "state", str, str, t, col->strs, "",
                    "done, running, interrupted, failed or missing", col);
  for (long n = 0; ok && n < np; n++) col->strs[n] = t->status[n];
  ok = ok && column(f, "status", str, str, t, col->strs, "", "status line of the point", col);
  return ok;
}

/* A 2-D float64 dataset (npts x m) of metric column c, with units, scales index and s1. */
static int metric_2d(hid_t g, const sweep_table *t, int c, int what, int m, hid_t s1,
                     const h5_columns *col, const char *doc) {
  hsize_t dims[2] = {(hsize_t)t->npts, (hsize_t)m};
  double *buf = malloc((size_t)(t->npts * m + 1) * sizeof(double));
  hid_t sp = H5Screate_simple(2, dims, NULL);
  hid_t d = buf && sp >= 0 ? H5Dcreate2(g, t->cols[c], H5T_IEEE_F64LE, sp, H5P_DEFAULT,
                                        H5P_DEFAULT, H5P_DEFAULT)
                           : H5I_INVALID_HID;
  for (long n = 0; buf && n < t->npts; n++)
    for (int j = 0; j < m; j++) buf[n * m + j] = sweep_table_value(t, n, c, what, j);
  int ok = d >= 0 && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
  if (ok) {
    h5a_ctx a;
    h5a_init(&a, d);
    h5a_str(&a, "units", t->col_units[c]);
    h5a_str(&a, "long_name", doc);
    ok = !a.failed[0] && H5DSattach_scale(d, col->index, 0) >= 0 && H5DSattach_scale(d, s1, 1) >= 0;
  }
  if (d >= 0) H5Dclose(d);
  if (sp >= 0) H5Sclose(sp);
  free(buf);
  return ok;
}

/* /metrics/<name> (point), /metrics_at_day/<name> (point x day), /series/<name> (point x
   time): float64, NaN for points without a value; units from the run files. */
static int h5_metrics(hid_t f, const sweep_table *t, h5_columns *col) {
  long np = t->npts;
  hid_t g = H5Gcreate2(f, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = g >= 0;
  for (int c = 0; ok && c < t->ncols; c++) {
    for (long n = 0; n < np; n++) col->num[n] = sweep_table_value(t, n, c, SWEEP_FINAL, 0);
    ok = column(g, t->cols[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, t, col->num, t->col_units[c],
                "final value of /series/<name> in the point's run file; NaN: no value", col);
  }
  if (g >= 0) H5Gclose(g);
  hid_t ga = ok && t->ndays ? H5Gcreate2(f, "metrics_at_day", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                            : H5I_INVALID_HID;
  ok = ok && (!t->ndays || ga >= 0);
  for (int c = 0; ok && ga >= 0 && c < t->ncols; c++)
    ok = metric_2d(ga, t, c, SWEEP_AT_DAY, t->ndays, col->day, col,
                   "/series/<name> at the day /day[j] (linear between the series rows); NaN: no value");
  if (ga >= 0) H5Gclose(ga);
  hid_t gs = ok && t->ntime ? H5Gcreate2(f, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                            : H5I_INVALID_HID;
  ok = ok && (!t->ntime || gs >= 0);
  for (int c = 0; ok && gs >= 0 && c < t->ncols; c++)
    ok = metric_2d(gs, t, c, SWEEP_ALONG_TIME, t->ntime, col->time, col,
                   "/series/<name> at the day /time[j]; NaN: no value");
  if (gs >= 0) H5Gclose(gs);
  return ok;
}

static int h5_all(hid_t f, const sweep_table *t, const char *dir, const params *base,
                  h5_columns *col) {
  return h5_root(f, dir) && h5_scales(f, t, col) && h5_parameters(f, t, base, col) &&
         h5_states(f, t, col) && h5_metrics(f, t, col);
}

cs_status sweep_table_h5(const sweep_table *t, const char *dir, const char *out) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", out, (long)getpid());
  params base = {0};
  char base_path[4096];
  snprintf(base_path, sizeof base_path, "%s/base.yaml", dir);
  int have_base = params_load(&base, base_path, NULL, 0, model_registry_lookup) == CS_OK;
  if (!have_base) cs_error_clear();
  size_t np = (size_t)t->npts;
  h5_columns col = {malloc((np + 1) * sizeof(double)), malloc((np + 1) * sizeof(long long)),
                    malloc((np + 1) * sizeof(char *)), h5a_string_type(),
                    H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = col.num && col.ints && col.strs && col.str >= 0
                ? H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)
                : H5I_INVALID_HID;
  int ok = f >= 0 && h5_all(f, t, dir, have_base ? &base : NULL, &col);
  if (!ok) h5a_note();
  hid_t scales[3] = {col.index, col.day, col.time};
  for (int i = 0; i < 3; i++)
    if (scales[i] >= 0) H5Dclose(scales[i]);
  if (f >= 0 && H5Fclose(f) < 0) ok = 0;
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  if (col.str >= 0) H5Tclose(col.str);
  free(col.num);
  free(col.ints);
  free(col.strs);
  params_free(&base);
  cs_status st = CS_OK;
  if (!ok) {
    const char *d = h5a_error_detail();
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write the HDF5 table%s%s", tmp, d[0] ? ": " : "", d);
    h5a_error_clear();
  }
  if (st == CS_OK && rename(tmp, out) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
  if (st != CS_OK) unlink(tmp);
  return st;
}
