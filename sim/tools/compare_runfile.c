/* compare_runfile: one run file as compare reads it, and whether two can be compared (see
 * compare_runfile.h). Comparability is checked before any field is read, so that a comparison
 * that cannot mean anything stops with exit 2 at once. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "compare_runfile.h"

#include <errno.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Grid coordinates are written as (i + 1/2) h by every cisim; allow only rounding noise. */
#define COMPARE_GRID_RTOL 1e-9

/* ---- small helpers ------------------------------------------------------------------------ */

cs_status compare_nomem(void) { return CS_ERROR(CS_ERR_NOMEM, "compare: out of memory"); }

/* Shortest of %.15g / %.17g that reads back as the same double: readable, and exact. */
static void fmt_double(char *buf, size_t len, double v) {
  snprintf(buf, len, "%.15g", v);
  if (isfinite(v) && strtod(buf, NULL) != v) snprintf(buf, len, "%.17g", v);
}

/* HDF5's own reason for the last failure (its innermost message), so that a damaged file is
   reported as such without printing the whole error stack. */
static herr_t first_err(unsigned n, const H5E_error2_t *e, void *data) {
  if (n == 0 && e->desc) snprintf(data, 256, "%s", e->desc);
  return 0;
}
const char *compare_h5_reason(char buf[256]) {
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_err, buf);
  return buf;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

void compare_free_names(char **v, int n) {
  for (int i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

/* ---- one run file ------------------------------------------------------------------------- */

void compare_runfile_close(compare_runfile *rf) {
  if (rf->file >= 0) H5Fclose(rf->file);
  free(rf->time);
  for (int d = 0; d < 3; d++) free(rf->coord[d]);
  compare_free_names(rf->species, rf->nspecies);
  compare_free_names(rf->series, rf->nseries);
  memset(rf, 0, sizeof *rf);
  rf->file = H5I_INVALID_HID;
}

cs_status compare_runfile_vector(const compare_runfile *rf, const char *obj, double **v,
                                 size_t *n) {
  *v = NULL;
  *n = 0;
  char why[256];
  hid_t ds = H5Dopen2(rf->file, obj, H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  hsize_t dim = 0;
  cs_status st = CS_OK;
  if (rank != 1) {
    st = CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: %s is not a 1-D dataset", rf->path,
                  obj);
  } else {
    H5Sget_simple_extent_dims(sp, &dim, NULL);
    *v = malloc((dim ? dim : 1) * sizeof **v);
    if (!*v) st = compare_nomem();
    else if (dim > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v) < 0)
      st = CS_ERROR(CS_ERR_INPUT, "%s: cannot read %s: %s", rf->path, obj, compare_h5_reason(why));
  }
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  if (st == CS_OK) *n = (size_t)dim;
  return st;
}

cs_status compare_runfile_series(const compare_runfile *rf, const char *obj, double **v,
                                 size_t *n) {
  if (H5Lexists(rf->file, "series/time", H5P_DEFAULT) <= 0)
    return compare_runfile_vector(rf, obj, v, n);
  double *rows = NULL, *t = NULL;
  size_t nr = 0, nt = 0;
  cs_status st = compare_runfile_vector(rf, obj, &rows, &nr);
  if (st == CS_OK) st = compare_runfile_vector(rf, "series/time", &t, &nt);
  if (st == CS_OK) {
    *v = malloc((rf->nsnap ? rf->nsnap : 1) * sizeof **v);
    if (!*v) st = compare_nomem();
  }
  if (nr < nt) nt = nr; /* rows are written time axis last: a row shorter than it is cut */
  size_t r = 0;
  for (size_t i = 0; st == CS_OK && i < rf->nsnap; i++) {
    while (r < nt && t[r] < rf->time[i]) r++;
    (*v)[i] = r < nt && t[r] == rf->time[i] ? rows[r] : NAN;
  }
  if (st == CS_OK) *n = rf->nsnap;
  free(rows);
  free(t);
  return st;
}

/* Whether link NAME of group G is a dimension scale: the coordinates that newer run files link
   into /fields (time, z, y, x). Older files have none. */
static int is_scale(hid_t g, const char *name) {
  hid_t d = H5Oopen(g, name, H5P_DEFAULT);
  if (d < 0) return 0;
  int scale = H5Iget_type(d) == H5I_DATASET && H5DSis_scale(d) > 0;
  H5Oclose(d);
  return scale;
}

/* The names of the links in group OBJ (absent group: none) that are not dimension scales,
   sorted. */
static cs_status list_group(const compare_runfile *rf, const char *obj, int required,
                            char ***names, int *n) {
  *names = NULL;
  *n = 0;
  if (H5Lexists(rf->file, obj, H5P_DEFAULT) <= 0) {
    if (!required) return CS_OK;
    return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /%s group", rf->path, obj);
  }
  hid_t g = H5Gopen2(rf->file, obj, H5P_DEFAULT);
  H5G_info_t info;
  if (g < 0 || H5Gget_info(g, &info) < 0) {
    if (g >= 0) H5Gclose(g);
    return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: /%s is not a group", rf->path, obj);
  }
  cs_status st = CS_OK;
  *names = calloc(info.nlinks ? info.nlinks : 1, sizeof **names);
  if (!*names) st = compare_nomem();
  for (hsize_t i = 0; st == CS_OK && i < info.nlinks; i++) {
    ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0,
                                     H5P_DEFAULT);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s || H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s, (size_t)len + 1,
                                 H5P_DEFAULT) < 0) {
      free(s);
      st = len < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot list /%s", rf->path, obj) : compare_nomem();
      break;
    }
    if (is_scale(g, s)) free(s); /* a coordinate (hdf5out_dims.h), not a species or series */
    else (*names)[(*n)++] = s;
  }
  H5Gclose(g);
  if (st == CS_OK) qsort(*names, (size_t)*n, sizeof **names, cmp_str);
  return st;
}

char *compare_attr_text(hid_t attr) {
  hid_t ft = H5Aget_type(attr), sp = H5Aget_space(attr);
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  int scalar = sp >= 0 && H5Sget_simple_extent_type(sp) == H5S_SCALAR;
  H5T_class_t cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
  size_t n = np > 0 ? (size_t)np : 0, cap = 16 + n * 32, used = 0;
  char *out = NULL;
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    double *v = malloc((n ? n : 1) * sizeof *v);
    out = malloc(cap);
    if (v && out && (n == 0 || H5Aread(attr, H5T_NATIVE_DOUBLE, v) >= 0)) {
      used += (size_t)snprintf(out, cap, "%s", scalar ? "" : "[");
      for (size_t i = 0; i < n; i++) {
        char num[32];
        fmt_double(num, sizeof num, v[i]);
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? ", " : "", num);
      }
      snprintf(out + used, cap - used, "%s", scalar ? "" : "]");
    } else {
      free(out);
      out = NULL;
    }
    free(v);
  } else if (cls == H5T_STRING) {
    int var = H5Tis_variable_str(ft) > 0;
    size_t fsize = H5Tget_size(ft);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, var ? H5T_VARIABLE : fsize + 1);
    H5Tset_cset(mt, H5Tget_cset(ft));
    char **vs = var ? calloc(n ? n : 1, sizeof *vs) : NULL;
    char *fs = var ? NULL : calloc((n ? n : 1) * (fsize + 1), 1);
    if ((vs || fs) && (n == 0 || H5Aread(attr, mt, var ? (void *)vs : (void *)fs) >= 0)) {
      cap = 16;
      for (size_t i = 0; i < n; i++)
        cap += strlen(var ? (vs[i] ? vs[i] : "") : fs + i * (fsize + 1)) + 4;
      out = malloc(cap);
      if (out) {
        used += (size_t)snprintf(out, cap, "%s", scalar ? "" : "[");
        for (size_t i = 0; i < n; i++)
          used += (size_t)snprintf(out + used, cap - used, "%s\"%s\"", i ? ", " : "",
                                   var ? (vs[i] ? vs[i] : "") : fs + i * (fsize + 1));
        snprintf(out + used, cap - used, "%s", scalar ? "" : "]");
      }
      for (size_t i = 0; var && i < n; i++) H5free_memory(vs[i]);
    }
    free(vs);
    free(fs);
    H5Tclose(mt);
  } else {
    out = strdup("(a value of a type compare does not read)");
  }
  if (ft >= 0) H5Tclose(ft);
  if (sp >= 0) H5Sclose(sp);
  return out;
}

/* A named attribute of OBJ as text, or NULL if absent or unreadable. */
static char *attr_text_by_name(hid_t loc, const char *obj, const char *name) {
  if (H5Aexists_by_name(loc, obj, name, H5P_DEFAULT) <= 0) return NULL;
  hid_t a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  char *t = a >= 0 ? compare_attr_text(a) : NULL;
  if (a >= 0) H5Aclose(a);
  return t;
}

cs_status compare_runfile_open(const char *path, compare_runfile *rf) {
  memset(rf, 0, sizeof *rf);
  rf->file = H5I_INVALID_HID;
  rf->path = path;
  rf->finished = -1;
  struct stat sb;
  if (stat(path, &sb) != 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
  if (S_ISDIR(sb.st_mode))
    return CS_ERROR(CS_ERR_INPUT, "%s: is a directory, not a run file", path);
  if (access(path, R_OK) != 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read: %s", path, strerror(errno));
  if (H5Fis_hdf5(path) <= 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: not an HDF5 file (so not a cisim run file)", path);
  char why[256];
  rf->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (rf->file < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot open the HDF5 file: %s", path,
                    compare_h5_reason(why));

  char *prog = attr_text_by_name(rf->file, ".", "program");
  int ok = prog && strcmp(prog, "\"cisim\"") == 0;
  cs_status st = CS_OK;
  if (!ok)
    st = CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: root attribute 'program' is %s, "
                  "expected \"cisim\"", path, prog ? prog : "absent");
  free(prog);
  if (st != CS_OK) return st;
  char *fin = attr_text_by_name(rf->file, ".", "finished");
  if (fin) rf->finished = atoi(fin);
  free(fin);

  CS_TRY(list_group(rf, "fields", 1, &rf->species, &rf->nspecies));
  CS_TRY(list_group(rf, "series", 0, &rf->series, &rf->nseries));
  if (H5Lexists(rf->file, "time", H5P_DEFAULT) <= 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /time dataset", path);
  CS_TRY(compare_runfile_vector(rf, "time", &rf->time, &rf->nsnap));
  if (H5Lexists(rf->file, "grid", H5P_DEFAULT) <= 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /grid group", path);
  static const char *const axes[3] = {"grid/z", "grid/y", "grid/x"};
  for (int d = 0; d < 3; d++) {
    if (H5Lexists(rf->file, axes[d], H5P_DEFAULT) <= 0)
      return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /%s dataset", path, axes[d]);
    size_t len;
    CS_TRY(compare_runfile_vector(rf, axes[d], &rf->coord[d], &len));
    rf->n[d] = len;
  }
  return CS_OK;
}

/* ---- comparability ------------------------------------------------------------------------ */

static void join(char *buf, size_t len, char **v, int n) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < n && used + 1 < len; i++) {
    int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", v[i]);
    used += w > 0 ? (size_t)w : 0;
  }
  if (n == 0) snprintf(buf, len, "none");
}

static cs_status same_names(const compare_runfile *a, const compare_runfile *b, char **va,
                            int na, char **vb, int nb, const char *what) {
  int same = na == nb;
  for (int i = 0; same && i < na; i++) same = strcmp(va[i], vb[i]) == 0;
  if (same) return CS_OK;
  char la[1024], lb[1024];
  join(la, sizeof la, va, na);
  join(lb, sizeof lb, vb, nb);
  return CS_ERROR(CS_ERR_INPUT, "different %s: %s has %s; %s has %s", what, a->path, la,
                  b->path, lb);
}

cs_status compare_runfile_comparable(const compare_runfile *a, const compare_runfile *b) {
  if (a->n[0] != b->n[0] || a->n[1] != b->n[1] || a->n[2] != b->n[2])
    return CS_ERROR(CS_ERR_INPUT,
                    "different grids: %s has %llu × %llu × %llu cells (x × y × z), %s has "
                    "%llu × %llu × %llu",
                    a->path, (unsigned long long)a->n[2], (unsigned long long)a->n[1],
                    (unsigned long long)a->n[0], b->path, (unsigned long long)b->n[2],
                    (unsigned long long)b->n[1], (unsigned long long)b->n[0]);
  static const char axis[3] = {'z', 'y', 'x'};
  for (int d = 0; d < 3; d++)
    for (hsize_t i = 0; i < a->n[d]; i++) {
      double xa = a->coord[d][i], xb = b->coord[d][i];
      if (!(fabs(xa - xb) <= COMPARE_GRID_RTOL * fmax(1.0, fabs(xb))))
        return CS_ERROR(CS_ERR_INPUT,
                        "different grids: cell centre /grid/%c[%llu] is %.17g µm in %s and "
                        "%.17g µm in %s",
                        axis[d], (unsigned long long)i, xa, a->path, xb, b->path);
    }
  if (a->nsnap != b->nsnap)
    return CS_ERROR(CS_ERR_INPUT, "different snapshot counts: %s has %zu snapshots, %s has %zu",
                    a->path, a->nsnap, b->path, b->nsnap);
  CS_TRY(same_names(a, b, a->species, a->nspecies, b->species, b->nspecies,
                    "species (/fields)"));
  return same_names(a, b, a->series, a->nseries, b->series, b->nseries, "series (/series)");
}
