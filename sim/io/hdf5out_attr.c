#include "hdf5out_attr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char err_detail[512];

static herr_t note_first(unsigned n, const H5E_error2_t *e, void *data) {
  (void)data;
  /* Walking upward, entry 0 is where the error was first detected: the most specific text
     (e.g. "... errno = 28, error message = 'No space left on device'"). */
  if (n == 0 && e->desc) snprintf(err_detail, sizeof err_detail, "%s", e->desc);
  return 0;
}

/* HDF5's low-level messages carry the system's reason among its internals ("file write
   failed: time = ..., filename = ..., file descriptor = 3, errno = 28, error message = 'No
   space left on device', buf = 0x..."): keep the reason alone, or else the first line. */
static void clean_detail(void) {
  const char *m = strstr(err_detail, "error message = '");
  if (m) {
    m += strlen("error message = '");
    const char *q = strchr(m, '\'');
    size_t n = q ? (size_t)(q - m) : strlen(m);
    memmove(err_detail, m, n);
    err_detail[n] = '\0';
    return;
  }
  char *nl = strchr(err_detail, '\n');
  if (nl) *nl = '\0';
  char *tm = strstr(err_detail, ": time = ");
  if (tm) *tm = '\0';
}

void h5a_note(void) {
  if (err_detail[0]) return; /* keep the first cause, not the clean-up that followed it */
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, note_first, NULL);
  clean_detail();
}

const char *h5a_error_detail(void) { return err_detail; }
void h5a_error_clear(void) { err_detail[0] = '\0'; }

void h5a_init(h5a_ctx *c, hid_t obj) {
  c->obj = obj;
  c->failed[0] = '\0';
}

static void fail(h5a_ctx *c, const char *name) {
  h5a_note();
  snprintf(c->failed, sizeof c->failed, "%s", name);
}

/* Create (replacing) attribute NAME with file type FTYPE over SPACE and write BUF, given in
   memory type MTYPE; BUF NULL leaves it unwritten (empty dataspace). */
static void put(h5a_ctx *c, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                const void *buf) {
  if (c->failed[0]) return;
  if (space < 0) {
    fail(c, name);
    return;
  }
  htri_t exists = H5Aexists(c->obj, name);
  if (exists < 0 || (exists > 0 && H5Adelete(c->obj, name) < 0)) {
    fail(c, name);
    return;
  }
  hid_t a = H5Acreate2(c->obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0) {
    fail(c, name);
    return;
  }
  if (buf && H5Awrite(a, mtype, buf) < 0) fail(c, name);
  if (H5Aclose(a) < 0) fail(c, name);
}

void h5a_str(h5a_ctx *c, const char *name, const char *value) {
  if (c->failed[0]) return;
  const char *v = value ? value : "";
  hid_t t = h5a_string_type();
  if (t < 0) {
    fail(c, name);
    return;
  }
  hid_t s = H5Screate(H5S_SCALAR);
  put(c, name, t, t, s, &v);
  if (s >= 0) H5Sclose(s);
  H5Tclose(t);
}

void h5a_int(h5a_ctx *c, const char *name, int value) {
  if (c->failed[0]) return;
  hid_t s = H5Screate(H5S_SCALAR);
  put(c, name, H5T_STD_I32LE, H5T_NATIVE_INT, s, &value);
  if (s >= 0) H5Sclose(s);
}

void h5a_double(h5a_ctx *c, const char *name, double value) {
  if (c->failed[0]) return;
  hid_t s = H5Screate(H5S_SCALAR);
  put(c, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, &value);
  if (s >= 0) H5Sclose(s);
}

void h5a_doubles(h5a_ctx *c, const char *name, const double *v, size_t n) {
  if (c->failed[0]) return;
  hsize_t dim = n;
  /* An empty list gets a null dataspace: a zero-length simple one cannot be written. */
  hid_t s = (n > 0 && v) ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_NULL);
  put(c, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, (n > 0 && v) ? v : NULL);
  if (s >= 0) H5Sclose(s);
}

/* Overwrites the existing attribute's bytes when it has the wanted type (no new space in the
   file: a full disk cannot leave it half written); creates it otherwise. */
static void put_in_place(h5a_ctx *c, const char *name, hid_t ftype, hid_t mtype, const void *buf) {
  if (c->failed[0]) return;
  htri_t exists = H5Aexists(c->obj, name);
  if (exists > 0) {
    hid_t a = H5Aopen(c->obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    htri_t same = t >= 0 ? H5Tequal(t, ftype) : -1;
    if (t >= 0) H5Tclose(t);
    if (same > 0) {
      if (H5Awrite(a, mtype, buf) < 0) fail(c, name);
      if (H5Aclose(a) < 0) fail(c, name);
      return;
    }
    if (a >= 0) H5Aclose(a);
  }
  hid_t sp = H5Screate(H5S_SCALAR);
  put(c, name, ftype, mtype, sp, buf);
  if (sp >= 0) H5Sclose(sp);
}

void h5a_int_in_place(h5a_ctx *c, const char *name, int value) {
  put_in_place(c, name, H5T_STD_I32LE, H5T_NATIVE_INT, &value);
}

void h5a_str_in_place(h5a_ctx *c, const char *name, const char *value) {
  if (c->failed[0]) return;
  char buf[H5A_FIXED_STR];
  memset(buf, 0, sizeof buf);
  snprintf(buf, sizeof buf, "%s", value ? value : "");
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0 || H5Tset_size(t, sizeof buf) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
      H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    if (t >= 0) H5Tclose(t);
    fail(c, name);
    return;
  }
  put_in_place(c, name, t, t, buf);
  H5Tclose(t);
}

hid_t h5a_string_type(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) {
    h5a_note();
    return H5I_INVALID_HID;
  }
  if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
    h5a_note();
    H5Tclose(t);
    return H5I_INVALID_HID;
  }
  return t;
}

/* Extendible datasets let a killed run keep every snapshot written so far. */
hid_t h5a_extendible(hid_t loc, const char *name, hid_t ftype, int rank, const hsize_t *row,
                     const hsize_t *chunk, int deflate) {
  hsize_t dims[4] = {0}, maxd[4] = {H5S_UNLIMITED};
  for (int r = 1; r < rank; r++) dims[r] = maxd[r] = row[r - 1];
  hid_t s = H5Screate_simple(rank, dims, maxd);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t ds = H5I_INVALID_HID;
  if (s >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
      (deflate <= 0 ||
       (H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, (unsigned)deflate) >= 0)))
    ds = H5Dcreate2(loc, name, ftype, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (ds < 0) h5a_note();
  if (dcpl >= 0) H5Pclose(dcpl);
  if (s >= 0) H5Sclose(s);
  return ds;
}

/* Extending then writing one hyperslab keeps memory use at one row whatever the run length. */
int h5a_append_row(hid_t ds, int rank, const hsize_t *row, hsize_t n, hid_t mtype,
                   const void *buf) {
  hsize_t dims[4], start[4] = {n}, count[4] = {1}, nelem = 1;
  dims[0] = n + 1;
  for (int r = 1; r < rank; r++) {
    dims[r] = count[r] = row[r - 1];
    nelem *= row[r - 1];
  }
  if (H5Dset_extent(ds, dims) < 0) {
    h5a_note();
    return -1;
  }
  hid_t fs = H5Dget_space(ds);
  hid_t ms = H5Screate_simple(1, &nelem, NULL);
  int rc = 0;
  if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
      H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, buf) < 0) {
    h5a_note();
    rc = -1;
  }
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  return rc;
}

char *h5a_read_str(hid_t obj, const char *name) {
  if (H5Aexists(obj, name) <= 0) return NULL;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t ft = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
  char *out = NULL;
  if (ft >= 0 && H5Tget_class(ft) == H5T_STRING) {
    int var = H5Tis_variable_str(ft) > 0;
    size_t fsize = H5Tget_size(ft);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, var ? H5T_VARIABLE : fsize + 1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    if (var) {
      char *s = NULL;
      if (H5Aread(a, mt, &s) >= 0 && s) {
        out = strdup(s);
        H5free_memory(s);
      }
    } else {
      out = calloc(fsize + 1, 1);
      if (out && H5Aread(a, mt, out) < 0) {
        free(out);
        out = NULL;
      }
    }
    H5Tclose(mt);
  }
  if (ft >= 0) H5Tclose(ft);
  if (a >= 0) H5Aclose(a);
  return out;
}

int h5a_write_vec(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                  const void *buf, const char *units, const char *long_name) {
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t ds = sp < 0 ? H5I_INVALID_HID
                    : H5Dcreate2(loc, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = ds >= 0 && (n == 0 || H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
  if (!ok) h5a_note();
  if (ok) {
    h5a_ctx c;
    h5a_init(&c, ds);
    h5a_str(&c, "units", units);
    h5a_str(&c, "long_name", long_name);
    ok = !c.failed[0];
  }
  if (ds >= 0) H5Dclose(ds);
  if (sp >= 0) H5Sclose(sp);
  return ok ? 0 : -1;
}

double *h5a_read_vec(hid_t loc, const char *name, size_t *n) {
  *n = 0;
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return NULL;
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0) return NULL;
  hid_t sp = H5Dget_space(ds);
  hsize_t d = 0;
  double *v = NULL;
  if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &d, NULL) == 1 &&
      d > 0 && d < ((hsize_t)1 << 31) && (v = malloc(sizeof(double) * d)) &&
      H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
    *n = (size_t)d;
  } else {
    free(v);
    v = NULL;
  }
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return v;
}
