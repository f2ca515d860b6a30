/* hdf5out_series: /series rows on their own time axis (see hdf5out_series.h). */
#include "hdf5out_series.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per chunk of a series dataset, and rows kept in memory before a write: a run of a few
   thousand steps writes a handful of blocks, and the buffer stays small for any row count. */
#define SERIES_CHUNK 256
#define SERIES_BUF_ROWS 1024

static cs_status buffer_alloc(hdf5out *o) {
  o->sbuf_cap = SERIES_BUF_ROWS;
  o->sbuf = malloc(sizeof(double) * o->sbuf_cap * (size_t)(o->nseries + 1));
  if (!o->sbuf) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory (series rows)", o->path);
  o->sbuf_n = 0;
  return CS_OK;
}

static cs_status make_time_axis(hdf5out *o, hid_t g) {
  hsize_t chunk = SERIES_CHUNK;
  o->stime = h5a_extendible(g, "time", H5T_IEEE_F64LE, 1, NULL, &chunk, 0);
  if (o->stime < 0) return hdf5out_io_err(o, "", "/series/time");
  CS_TRY(hdf5out_label(o, o->stime, "/series/time", "day",
                       "simulated time of the series row (every accepted step)"));
  if (H5DSset_scale(o->stime, "time") < 0)
    return hdf5out_io_err(o, "dimension scale ", "/series/time");
  h5a_ctx c;
  h5a_init(&c, o->stime);
  h5a_str(&c, "axis", "T");
  h5a_str(&c, "standard_name", "time");
  if (c.failed[0]) return hdf5out_attr_err(o, &c, "/series/time");
  return CS_OK;
}

cs_status hdf5out_series_create(hdf5out *o, const char *const *name, const char *const *unit,
                                const char *const *long_name) {
  for (int i = 0; i < o->nseries; i++)
    if (strcmp(name[i], "time") == 0)
      return CS_ERROR(CS_ERR_INPUT, "%s: a series named 'time' would clash with /series/time",
                      o->path);
  hid_t g = H5Gcreate2(o->file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return hdf5out_io_err(o, "group ", "/series");
  cs_status st = make_time_axis(o, g);
  char obj[320];
  hsize_t chunk = SERIES_CHUNK;
  for (int i = 0; i < o->nseries && st == CS_OK; i++) {
    snprintf(obj, sizeof obj, "/series/%s", name[i]);
    o->series[i] = h5a_extendible(g, name[i], H5T_IEEE_F64LE, 1, NULL, &chunk, 0);
    st = o->series[i] < 0 ? hdf5out_io_err(o, "", obj)
                          : hdf5out_label(o, o->series[i], obj, unit[i], long_name[i]);
    if (st == CS_OK && H5DSattach_scale(o->series[i], o->stime, 0) < 0)
      st = hdf5out_io_err(o, "dimension 0 scale of ", obj);
  }
  H5Gclose(g);
  if (st == CS_OK) st = buffer_alloc(o);
  return st;
}

cs_status hdf5out_series_append(hdf5out *o, double t, const double *vals) {
  if (!o || o->file < 0 || !o->sbuf || (o->nseries > 0 && !vals))
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_series_append: no open output or no data");
  if (o->sbuf_n == o->sbuf_cap) CS_TRY(hdf5out_series_flush(o));
  /* column-major: each dataset's rows lie together, ready for one write */
  for (int i = 0; i < o->nseries; i++) o->sbuf[(size_t)i * o->sbuf_cap + o->sbuf_n] = vals[i];
  o->sbuf[(size_t)o->nseries * o->sbuf_cap + o->sbuf_n] = t;
  o->sbuf_n++;
  return CS_OK;
}

/* Rows [n0, n0 + k) of the 1-D dataset ds from buf. */
static int append_rows(hid_t ds, hsize_t n0, hsize_t k, const double *buf) {
  hsize_t dims = n0 + k, start = n0;
  if (H5Dset_extent(ds, &dims) < 0) return -1;
  hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &k, NULL);
  int rc = 0;
  if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &k, NULL) < 0 ||
      H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0)
    rc = -1;
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  return rc;
}

cs_status hdf5out_series_flush(hdf5out *o) {
  if (!o || o->file < 0 || o->sbuf_n == 0) return CS_OK;
  hsize_t k = o->sbuf_n;
  for (int i = 0; i < o->nseries; i++)
    if (append_rows(o->series[i], o->nrows, k, o->sbuf + (size_t)i * o->sbuf_cap) < 0)
      return hdf5out_dataset_err(o, o->series[i]);
  /* the time axis last: its length counts the rows written completely */
  if (append_rows(o->stime, o->nrows, k, o->sbuf + (size_t)o->nseries * o->sbuf_cap) < 0)
    return hdf5out_dataset_err(o, o->stime);
  o->nrows += k;
  o->sbuf_n = 0;
  return CS_OK;
}

static long length_of(hid_t ds) {
  hid_t sp = H5Dget_space(ds);
  hsize_t n = 0;
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
           H5Sget_simple_extent_dims(sp, &n, NULL) == 1;
  if (sp >= 0) H5Sclose(sp);
  return ok ? (long)n : -1;
}

/* Rows of /series/time at times <= t (the axis increases). */
static cs_status rows_until(hdf5out *o, double t, long n, long *keep) {
  double *tv = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
  if (!tv) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
  cs_status st = CS_OK;
  if (n > 0 && H5Dread(o->stime, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tv) < 0)
    st = hdf5out_dataset_err(o, o->stime);
  long k = 0;
  while (st == CS_OK && k < n && tv[k] <= t) k++;
  free(tv);
  *keep = k;
  return st;
}

static cs_status cut(hdf5out *o, hid_t ds, long n) {
  hsize_t d = (hsize_t)n;
  return H5Dset_extent(ds, &d) < 0 ? hdf5out_dataset_err(o, ds) : CS_OK;
}

cs_status hdf5out_series_resume(hdf5out *o, const char *const *name, double t) {
  if (H5Lexists(o->file, "series", H5P_DEFAULT) <= 0 ||
      H5Lexists(o->file, "/series/time", H5P_DEFAULT) <= 0)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: its /series has no time axis of its own (written before series "
                    "had one; they follow the snapshots): finish the run with that version, or start "
                    "it again",
                    o->path);
  o->stime = H5Dopen2(o->file, "/series/time", H5P_DEFAULT);
  if (o->stime < 0) return hdf5out_io_err(o, "", "/series/time");
  long n = length_of(o->stime), keep = 0;
  if (n < 0) return hdf5out_dataset_err(o, o->stime);
  char obj[320];
  for (int i = 0; i < o->nseries; i++) {
    snprintf(obj, sizeof obj, "/series/%s", name[i]);
    o->series[i] = H5Dopen2(o->file, obj, H5P_DEFAULT);
    if (o->series[i] < 0)
      return CS_ERROR(CS_ERR_INPUT, "%s: cannot continue this run: %s is missing", o->path, obj);
    if (length_of(o->series[i]) < n)
      return CS_ERROR(CS_ERR_INPUT, "%s: cannot continue this run: %s is shorter than /series/time",
                      o->path, obj);
  }
  CS_TRY(rows_until(o, t, n, &keep));
  CS_TRY(cut(o, o->stime, keep));
  for (int i = 0; i < o->nseries; i++) CS_TRY(cut(o, o->series[i], keep));
  o->nrows = (hsize_t)keep;
  return buffer_alloc(o);
}
