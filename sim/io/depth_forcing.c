#include "depth_forcing.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hdf5out_attr.h"

/* A refusal: the configuration's location, then the file and why. */
static cs_status refuse(const params *p, const char *key, const char *why) {
  return params_key_error(p, key, "%s: %s", params_str(p, key), why);
}

/* The first depth row below the skin's surface, and the surface's depth in the file's z:
   the film of a finite-dose topical run is left out. */
static int surface_row(hid_t f, const double *z, size_t nz, double *surface) {
  double h = z[1 < nz ? 1 : 0] - z[0];
  if (H5Lexists(f, "grid", H5P_DEFAULT) > 0) {
    hid_t g = H5Gopen2(f, "grid", H5P_DEFAULT);
    if (g >= 0 && H5Aexists(g, "spacing_um") > 0) {
      hid_t a = H5Aopen(g, "spacing_um", H5P_DEFAULT);
      if (a >= 0) {
        H5Aread(a, H5T_NATIVE_DOUBLE, &h);
        H5Aclose(a);
      }
    }
    if (g >= 0) H5Gclose(g);
  }
  int finite = 0;
  if (H5Lexists(f, "parameters", H5P_DEFAULT) > 0) {
    hid_t g = H5Gopen2(f, "parameters", H5P_DEFAULT);
    char *dose = g >= 0 ? h5a_read_str(g, "topical.dose") : NULL;
    finite = dose && strcmp(dose, "finite") == 0;
    free(dose);
    if (g >= 0) H5Gclose(g);
  }
  size_t k0 = 0;
  if (finite && H5Lexists(f, "grid/layer", H5P_DEFAULT) > 0) {
    int *lay = malloc(sizeof(int) * nz);
    hid_t ds = H5Dopen2(f, "grid/layer", H5P_DEFAULT);
    if (lay && ds >= 0 && H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, lay) >= 0)
      while (k0 < nz && lay[k0] == 0) k0++;
    if (ds >= 0) H5Dclose(ds);
    free(lay);
  }
  *surface = k0 < nz ? z[k0] - h / 2 : 0;
  return (int)k0;
}

/* The lateral means of every snapshot's rows k0.. of the (nt, nz, ny, nx) dataset, read one
   snapshot at a time, summed in x-fastest order (the same bits every time). */
static int lateral_means(hid_t ds, const hsize_t *d, size_t k0, double *v) {
  size_t nlat, nsnap;
  if (__builtin_mul_overflow((size_t)d[2], (size_t)d[3], &nlat) ||
      __builtin_mul_overflow(nlat, (size_t)d[1], &nsnap) || nsnap > ((size_t)1 << 31))
    return -1;
  double *buf = malloc(sizeof(double) * nsnap);
  hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, (hsize_t[]){nsnap}, NULL);
  int rc = buf && fs >= 0 && ms >= 0 ? 0 : -1;
  const size_t nd = (size_t)d[1] - k0;
  for (hsize_t it = 0; rc == 0 && it < d[0]; it++) {
    hsize_t start[4] = {it, 0, 0, 0}, count[4] = {1, d[1], d[2], d[3]};
    if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0) {
      rc = -1;
      break;
    }
    for (size_t k = k0; k < (size_t)d[1]; k++) {
      double s = 0;
      for (size_t c = 0; c < nlat; c++) s += buf[k * nlat + c];
      v[it * nd + (k - k0)] = s / (double)nlat;
      if (!isfinite(v[it * nd + (k - k0)])) rc = -2;
    }
  }
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  free(buf);
  return rc;
}

static cs_status read_field(const params *p, const char *key, hid_t f, const char *field,
                            size_t nt, const double *z, size_t nz, depth_forcing *out) {
  char obj[160], why[400];
  snprintf(obj, sizeof obj, "fields/%s", field);
  hid_t ds = H5Dopen2(f, obj, H5P_DEFAULT);
  if (ds < 0) return refuse(p, key, "its field cannot be opened");
  hid_t fs = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
  hsize_t d[4] = {0};
  int ok = fs >= 0 && H5Sget_simple_extent_ndims(fs) == 4 && H5Sget_simple_extent_dims(fs, d, NULL) == 4 &&
           d[0] == nt && d[1] == nz;
  if (fs >= 0) H5Sclose(fs);
  cs_status st = CS_OK;
  if (!ok) {
    snprintf(why, sizeof why, "/%s is not of shape (time, z, y, x) with /time's %zu snapshots and "
             "/fields/z's %zu depths", obj, nt, nz);
    st = refuse(p, key, why);
  }
  double surface = 0;
  const size_t k0 = ok ? (size_t)surface_row(f, z, nz, &surface) : 0;
  if (st == CS_OK && k0 >= nz) st = refuse(p, key, "it has no cells below the vehicle film");
  if (st == CS_OK) {
    const size_t nd = nz - k0;
    out->depth = malloc(sizeof(double) * nd);
    out->v = nt <= ((size_t)1 << 40) / nd ? malloc(sizeof(double) * nt * nd) : NULL;
    if (!out->depth || !out->v) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    for (size_t k = 0; st == CS_OK && k < nd; k++) out->depth[k] = z[k0 + k] - surface;
    int rc = st == CS_OK ? lateral_means(ds, d, k0, out->v) : 0;
    if (rc == -2) st = refuse(p, key, "its field holds non-finite values");
    else if (rc != 0) st = refuse(p, key, "its field cannot be read");
    out->prof.nd = (int)nd;
    char *u = h5a_read_str(ds, "unit_label");
    if (!u) u = h5a_read_str(ds, "units");
    snprintf(out->unit, sizeof out->unit, "%s", u ? u : "");
    free(u);
  }
  H5Dclose(ds);
  return st;
}

cs_status depth_forcing_read(const params *p, const char *key, const char *field,
                             depth_forcing *out) {
  memset(out, 0, sizeof *out);
  const char *path = params_str(p, key);
  struct stat sb;
  if (stat(path, &sb) != 0) return refuse(p, key, "no such file");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  h5a_error_clear();
  if (f < 0) return refuse(p, key, "not a readable HDF5 file");
  char obj[160], why[400];
  snprintf(obj, sizeof obj, "fields/%s", field);
  if (H5Lexists(f, "fields", H5P_DEFAULT) <= 0 || H5Lexists(f, obj, H5P_DEFAULT) <= 0) {
    H5Fclose(f);
    h5a_error_clear();
    snprintf(why, sizeof why, "it has no /%s (a topical run file: model topical)", obj);
    return refuse(p, key, why);
  }
  size_t nt = 0, nz = 0;
  out->t = h5a_read_vec(f, "time", &nt);
  double *z = h5a_read_vec(f, "fields/z", &nz);
  cs_status st = CS_OK;
  if (!out->t || nt < 2) st = refuse(p, key, "it has no /time with two or more snapshot days");
  for (size_t i = 1; st == CS_OK && i < nt; i++)
    if (!(out->t[i] > out->t[i - 1])) st = refuse(p, key, "its /time is not increasing");
  if (st == CS_OK && out->t[0] != 0)
    st = refuse(p, key, "its /time does not start at day 0 (its day 0 is the session's)");
  if (st == CS_OK && !z) st = refuse(p, key, "it has no /fields/z of cell depths");
  if (st == CS_OK) st = read_field(p, key, f, field, nt, z, nz, out);
  free(z);
  H5Fclose(f);
  h5a_error_clear();
  out->prof = (forcing_profile){(int)nt, out->prof.nd, out->t, out->depth, out->v, out->unit};
  if (st != CS_OK) depth_forcing_free(out);
  return st;
}

void depth_forcing_free(depth_forcing *f) {
  free(f->t);
  free(f->depth);
  free(f->v);
  memset(f, 0, sizeof *f);
}

cs_status depth_forcing_apply(const params *p, const model *m, void *inst) {
  if (!m->forcing_key || !m->set_forcing) return CS_OK;
  const char *path = params_str(p, m->forcing_key);
  if (!path || !path[0]) return CS_OK;
  depth_forcing f;
  CS_TRY(depth_forcing_read(p, m->forcing_key, m->forcing_field, &f));
  cs_status st = m->set_forcing(inst, p, &f.prof);
  depth_forcing_free(&f);
  return st;
}
