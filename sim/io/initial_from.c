#include "initial_from.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cf_units.h"
#include "hdf5out_attr.h"

#define KEY "initial.from"

int initial_from_wanted(const params *p) {
  const char *f = params_str(p, KEY);
  return f && f[0];
}

/* A refusal on initial.from: the configuration's location, then the file and why. */
static cs_status refuse(const params *p, const char *fmt, const char *a, const char *b) {
  char why[768];
  snprintf(why, sizeof why, fmt, a, b);
  return params_key_error(p, KEY, "%s: %s", params_str(p, KEY), why);
}

/* The snapshot days: NULL (and *nt = 0) when /time is missing, empty or unreadable. */
static double *read_times(hid_t f, long *nt) {
  size_t n = 0;
  double *t = h5a_read_vec(f, "time", &n);
  *nt = (long)n;
  return t;
}

/* The snapshot at `day` (-1: the last): its index, or a refusal listing the days there are. */
static cs_status pick_snapshot(const params *p, const double *t, long nt, double day, long *idx) {
  if (day < 0) {
    *idx = nt - 1;
    return CS_OK;
  }
  for (long n = 0; n < nt; n++)
    if (fabs(t[n] - day) <= 1e-9 * fmax(1.0, fabs(day))) {
      *idx = n;
      return CS_OK;
    }
  char days[400] = "", d[32];
  for (long n = 0; n < nt && strlen(days) + 40 < sizeof days; n++) {
    snprintf(d, sizeof d, "%s%.9g", n ? ", " : "", t[n]);
    strcat(days, d);
  }
  if (nt > 0 && strlen(days) + 40 >= sizeof days) strcat(days, ", ...");
  char want[64];
  snprintf(want, sizeof want, "%.9g", day);
  return params_key_error(p, "initial.day",
                          "%s has no snapshot at day %s (initial.day must be one of its /time "
                          "days: %s)",
                          params_str(p, KEY), want, days);
}

/* /grid, where the file has one: the same cell size and the same layer at every depth. */
static cs_status check_grid(const params *p, hid_t f, const grid *g) {
  if (H5Lexists(f, "grid", H5P_DEFAULT) <= 0) return CS_OK;
  hid_t gr = H5Gopen2(f, "grid", H5P_DEFAULT);
  if (gr < 0) return CS_OK;
  cs_status st = CS_OK;
  char a[64], b[64];
  if (H5Aexists(gr, "spacing_um") > 0) {
    double h = NAN;
    hid_t at = H5Aopen(gr, "spacing_um", H5P_DEFAULT);
    if (at >= 0) {
      H5Aread(at, H5T_NATIVE_DOUBLE, &h);
      H5Aclose(at);
    }
    if (!(fabs(h - g->h) <= 1e-12 * g->h)) {
      snprintf(a, sizeof a, "%.9g", h);
      snprintf(b, sizeof b, "%.9g", g->h);
      st = refuse(p, "its cells are %s µm, this run's grid.spacing_um is %s", a, b);
    }
  }
  if (st == CS_OK && H5Lexists(gr, "layer", H5P_DEFAULT) > 0) {
    int *lay = malloc(sizeof(int) * (size_t)g->nz);
    hid_t ds = H5Dopen2(gr, "layer", H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
    hsize_t n = 0;
    int ok = lay && sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
             H5Sget_simple_extent_dims(sp, &n, NULL) == 1 && n == (hsize_t)g->nz &&
             H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, lay) >= 0;
    for (int k = 0; ok && k < g->nz; k++)
      if (lay[k] != g->layer_of_z[k]) {
        snprintf(a, sizeof a, "%g", (k + 0.5) * g->h);
        snprintf(b, sizeof b, "%d in the file, %d here", lay[k], g->layer_of_z[k]);
        st = refuse(p, "its layers differ from this run's at depth %s µm (layer %s)", a, b);
        break;
      }
    if (!ok && st == CS_OK) st = refuse(p, "%s%s", "/grid/layer does not match this run's depth rows", "");
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
    free(lay);
  }
  H5Gclose(gr);
  return st;
}

/* A field's unit, where it states one, must be the species' (either spelling). */
static cs_status check_unit(const params *p, hid_t ds, const species_info *sp) {
  char cf[128], *label = h5a_read_str(ds, "unit_label"), *units = h5a_read_str(ds, "units");
  const char *want = sp->unit ? sp->unit : "";
  int ok = 1;
  if (cf_units(want, cf, sizeof cf) != 0) cf[0] = '\0';
  if (label) ok = strcmp(label, want) == 0;
  else if (units) ok = strcmp(units, want) == 0 || strcmp(units, cf) == 0;
  char what[320];
  snprintf(what, sizeof what, "/fields/%s is in '%s', the species' unit is '%s'", sp->name,
           label ? label : units ? units : "", want);
  free(label);
  free(units);
  return ok ? CS_OK : refuse(p, "%s%s", what, "");
}

/* One species' snapshot into u (NULL: shape and unit only). 0: absent; 1: read. */
static cs_status read_species(const params *p, hid_t f, const grid *g, const species_info *sp,
                              long nt, long snap, int nonnegative, double *u, int *found) {
  char obj[320];
  snprintf(obj, sizeof obj, "fields/%s", sp->name);
  *found = 0;
  if (H5Lexists(f, "fields", H5P_DEFAULT) <= 0 || H5Lexists(f, obj, H5P_DEFAULT) <= 0) return CS_OK;
  hid_t ds = H5Dopen2(f, obj, H5P_DEFAULT);
  if (ds < 0) return refuse(p, "/%s cannot be opened%s", obj, "");
  hid_t fs = H5Dget_space(ds);
  hsize_t d[4] = {0};
  char want[160], have[480];
  snprintf(want, sizeof want, "(%ld, %d, %d, %d)", nt, g->nz, g->ny, g->nx);
  int ok = fs >= 0 && H5Sget_simple_extent_ndims(fs) == 4 && H5Sget_simple_extent_dims(fs, d, NULL) == 4;
  snprintf(have, sizeof have, "/%s has shape (%llu, %llu, %llu, %llu)", obj, (unsigned long long)d[0],
           (unsigned long long)d[1], (unsigned long long)d[2], (unsigned long long)d[3]);
  cs_status st = CS_OK;
  if (!ok || d[0] != (hsize_t)nt || d[1] != (hsize_t)g->nz || d[2] != (hsize_t)g->ny ||
      d[3] != (hsize_t)g->nx)
    st = refuse(p, "%s; this run's grid and the file's /time need %s (time, z, y, x)", have, want);
  if (st == CS_OK) st = check_unit(p, ds, sp);
  if (st == CS_OK && u) {
    hsize_t start[4] = {(hsize_t)snap, 0, 0, 0}, count[4] = {1, d[1], d[2], d[3]};
    hid_t ms = H5Screate_simple(1, (hsize_t[]){(hsize_t)g->ncell}, NULL);
    if (ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) < 0 ||
        H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, u) < 0)
      st = refuse(p, "/%s cannot be read%s", obj, "");
    if (ms >= 0) H5Sclose(ms);
    for (size_t c = 0; st == CS_OK && c < g->ncell; c++)
      if (!isfinite(u[c]) || (nonnegative && u[c] < 0)) {
        char at[96];
        snprintf(at, sizeof at, "value %.6g at cell %zu (x fastest)", u[c], c);
        st = refuse(p, isfinite(u[c]) ? "/fields/%s holds a negative %s"
                                      : "/fields/%s holds a non-finite %s", sp->name, at);
      }
  }
  if (fs >= 0) H5Sclose(fs);
  H5Dclose(ds);
  *found = st == CS_OK;
  return st;
}

static cs_status read_fields(const params *p, hid_t f, const grid *g, const model *m,
                             int nonnegative, double *const *u, initial_source *src, long nt) {
  for (int q = 0; q < m->nspecies; q++) {
    int found = 0;
    CS_TRY(read_species(p, f, g, &m->species[q], nt, src->snapshot, nonnegative, u ? u[q] : NULL,
                        &found));
    if (found) {
      src->nfound++;
    } else if (strlen(src->missing) + strlen(m->species[q].name) + 3 < sizeof src->missing) {
      if (src->missing[0]) strcat(src->missing, ", ");
      strcat(src->missing, m->species[q].name);
    }
  }
  if (src->nfound == 0)
    return refuse(p, "it holds none of the model's fields (/fields/%s, ...)%s", m->species[0].name, "");
  return CS_OK;
}

cs_status initial_from_read(const params *p, const grid *g, const model *m, int nonnegative,
                            double *const *u, initial_source *src) {
  memset(src, 0, sizeof *src);
  const char *path = params_str(p, KEY);
  snprintf(src->path, sizeof src->path, "%s", path);
  struct stat sb;
  if (stat(path, &sb) != 0) return refuse(p, "%s%s", "no such file", "");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  h5a_error_clear();
  if (f < 0) return refuse(p, "%s%s", "not a readable HDF5 file", "");
  long nt = 0;
  double *t = read_times(f, &nt);
  cs_status st = CS_OK;
  if (!t) st = refuse(p, "%s%s", "it has no /time of snapshot days (the run-file layout: "
                                 "docs/run-file.md)", "");
  if (st == CS_OK) st = pick_snapshot(p, t, nt, params_real(p, "initial.day"), &src->snapshot);
  if (st == CS_OK) {
    src->day = t[src->snapshot];
    char *id = h5a_read_str(f, "run_id");
    if (id) snprintf(src->run_id, sizeof src->run_id, "%s", id);
    free(id);
    st = check_grid(p, f, g);
  }
  if (st == CS_OK) st = read_fields(p, f, g, m, nonnegative, u, src, nt);
  free(t);
  H5Fclose(f);
  h5a_error_clear();
  return st;
}

void initial_from_describe(const initial_source *src, char *out, size_t size) {
  int n = snprintf(out, size, "initial state from %s at day %.9g (snapshot %ld%s%s)", src->path,
                   src->day, src->snapshot, src->run_id[0] ? ", run " : "", src->run_id);
  if (n >= 0 && (size_t)n < size && src->missing[0])
    snprintf(out + n, size - (size_t)n, "; not in the file, so the model's own initial value: %s",
             src->missing);
}

int initial_from_is_output(const params *p, const char *out_path) {
  struct stat a, b;
  if (!initial_from_wanted(p) || stat(params_str(p, KEY), &a) != 0 || stat(out_path, &b) != 0)
    return 0;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
