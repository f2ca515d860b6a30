/* compare: two run files, point by point, within a tolerance (see compare.h).
 *
 * The files are checked for comparability first (same grid, snapshot count, species and
 * series), so that a comparison that cannot mean anything stops with exit 2 before any field
 * is read. Then /time, each field and each series is compared; fields are read one slab of
 * whole z-planes at a time, the slab being the file's chunk (one snapshot, as cisim writes
 * it), so that HDF5 decompresses every chunk exactly once and memory stays bounded. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "compare.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ytree.h"

/* Elements per block of the parallel comparison. The blocks, not the threads, fix the order
   in which partial results are combined, so the report cannot depend on the thread count. */
#define COMPARE_BLOCK 16384
/* Slab size for a field stored without chunks (not written by cisim, but legal HDF5). */
#define COMPARE_CONTIG_BYTES ((size_t)32 << 20)
/* Grid coordinates are written as (i + 1/2) h by every cisim; allow only rounding noise. */
#define COMPARE_GRID_RTOL 1e-9

/* ---- small helpers ------------------------------------------------------------------------ */

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

static cs_status nomem(void) { return CS_ERROR(CS_ERR_NOMEM, "compare: out of memory"); }

static cs_status add_warning(compare_report *r, char *msg) {
  char **w = msg ? realloc(r->warnings, (size_t)(r->nwarnings + 1) * sizeof *w) : NULL;
  if (!w) {
    free(msg);
    return nomem();
  }
  r->warnings = w;
  r->warnings[r->nwarnings++] = msg;
  return CS_OK;
}

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
static const char *h5_reason(char buf[256]) {
  buf[0] = '\0';
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_err, buf);
  return buf;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(char *const *)x, *(char *const *)y);
}

static void free_names(char **v, int n) {
  for (int i = 0; v && i < n; i++) free(v[i]);
  free(v);
}

/* ---- one run file ------------------------------------------------------------------------- */

typedef struct {
  const char *path;
  hid_t file;
  size_t nsnap;
  double *time;            /* [nsnap] */
  hsize_t n[3];            /* nz, ny, nx */
  double *coord[3];        /* z, y, x cell centres */
  char **species, **series; /* sorted */
  int nspecies, nseries;
  int finished;            /* root attribute; -1 if absent */
} runfile;

static void run_close(runfile *rf) {
  if (rf->file >= 0) H5Fclose(rf->file);
  free(rf->time);
  for (int d = 0; d < 3; d++) free(rf->coord[d]);
  free_names(rf->species, rf->nspecies);
  free_names(rf->series, rf->nseries);
  memset(rf, 0, sizeof *rf);
  rf->file = H5I_INVALID_HID;
}

/* A 1-D dataset read whole as double; *n its length. */
static cs_status read_vector(const runfile *rf, const char *obj, double **v, size_t *n) {
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
    if (!*v) st = nomem();
    else if (dim > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *v) < 0)
      st = CS_ERROR(CS_ERR_INPUT, "%s: cannot read %s: %s", rf->path, obj, h5_reason(why));
  }
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  if (st == CS_OK) *n = (size_t)dim;
  return st;
}

/* The names of the links in group OBJ (absent group: none), sorted. */
static cs_status list_group(const runfile *rf, const char *obj, int required, char ***names,
                            int *n) {
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
  if (!*names) st = nomem();
  for (hsize_t i = 0; st == CS_OK && i < info.nlinks; i++) {
    ssize_t len = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, NULL, 0,
                                     H5P_DEFAULT);
    char *s = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!s || H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, s, (size_t)len + 1,
                                 H5P_DEFAULT) < 0) {
      free(s);
      st = len < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot list /%s", rf->path, obj) : nomem();
      break;
    }
    (*names)[(*n)++] = s;
  }
  H5Gclose(g);
  if (st == CS_OK) qsort(*names, (size_t)*n, sizeof **names, cmp_str);
  return st;
}

/* An attribute as text: numbers shortest-exact, several values as [a, b], strings quoted.
   Comparing these texts compares the values exactly. */
static char *attr_text(hid_t attr) {
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
  char *t = a >= 0 ? attr_text(a) : NULL;
  if (a >= 0) H5Aclose(a);
  return t;
}

static cs_status run_open(const char *path, runfile *rf) {
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
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot open the HDF5 file: %s", path, h5_reason(why));

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
  CS_TRY(read_vector(rf, "time", &rf->time, &rf->nsnap));
  if (H5Lexists(rf->file, "grid", H5P_DEFAULT) <= 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /grid group", path);
  static const char *const axes[3] = {"grid/z", "grid/y", "grid/x"};
  for (int d = 0; d < 3; d++) {
    if (H5Lexists(rf->file, axes[d], H5P_DEFAULT) <= 0)
      return CS_ERROR(CS_ERR_INPUT, "%s: not a cisim run file: no /%s dataset", path, axes[d]);
    size_t len;
    CS_TRY(read_vector(rf, axes[d], &rf->coord[d], &len));
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

static cs_status same_names(const runfile *a, const runfile *b, char **va, int na, char **vb,
                            int nb, const char *what) {
  int same = na == nb;
  for (int i = 0; same && i < na; i++) same = strcmp(va[i], vb[i]) == 0;
  if (same) return CS_OK;
  char la[1024], lb[1024];
  join(la, sizeof la, va, na);
  join(lb, sizeof lb, vb, nb);
  return CS_ERROR(CS_ERR_INPUT, "different %s: %s has %s; %s has %s", what, a->path, la,
                  b->path, lb);
}

static cs_status comparable(const runfile *a, const runfile *b) {
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

/* ---- tolerances --------------------------------------------------------------------------- */

typedef struct {
  char *pattern;     /* "fields/c"; a prefix without its star: "series/", "" (all) */
  int prefix;        /* pattern ended in '*' */
  double rtol, atol; /* NAN: not given, use the command line's */
  int line, col, used;
} tol_entry;

typedef struct {
  tol_entry *e;
  int n;
} tol_table;

static void tol_free(tol_table *t) {
  for (int i = 0; i < t->n; i++) free(t->e[i].pattern);
  free(t->e);
  t->e = NULL;
  t->n = 0;
}

static cs_status tol_number(const yt_doc *doc, const yt_node *v, const char *key,
                            const char *which, double *out) {
  char *end = NULL;
  errno = 0;
  double x = v->kind == YT_SCALAR && !v->quoted && v->value[0] ? strtod(v->value, &end) : NAN;
  if (!end || *end || errno || !isfinite(x) || x < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s.%s: expected a non-negative finite number%s%s%s",
                    doc->name, v->line, v->col, key, which, v->kind == YT_SCALAR ? ", got \"" : "",
                    v->kind == YT_SCALAR ? v->value : "", v->kind == YT_SCALAR ? "\"" : "");
  *out = x;
  return CS_OK;
}

static cs_status tol_entry_parse(const yt_doc *doc, size_t i, tol_entry *t) {
  const yt_node *root = doc->root;
  const char *key = root->keys[i];
  int kl = root->key_line[i], kc = root->key_col[i];
  const char *p = key[0] == '/' ? key + 1 : key; /* "/fields/c" names the same dataset */
  size_t len = strlen(p);
  const char *star = strchr(p, '*');
  int prefix = star != NULL;
  int ok = len > 0 && (!star || star == p + len - 1);
  if (ok && !prefix)
    ok = strcmp(p, "time") == 0 || (strncmp(p, "fields/", 7) == 0 && p[7]) ||
         (strncmp(p, "series/", 7) == 0 && p[7]);
  if (!ok)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s:%d:%d: '%s': expected a dataset path (time, fields/NAME, series/NAME) "
                    "or a prefix ending in '*' (series/*, *)",
                    doc->name, kl, kc, key);
  const yt_node *v = root->items[i];
  if (v->kind != YT_MAP)
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: expected a mapping {rtol: R, atol: A}",
                    doc->name, v->line, v->col, key);
  t->rtol = t->atol = NAN;
  t->line = kl;
  t->col = kc;
  t->prefix = prefix;
  for (size_t j = 0; j < v->n; j++) {
    if (strcmp(v->keys[j], "rtol") == 0)
      CS_TRY(tol_number(doc, v->items[j], key, "rtol", &t->rtol));
    else if (strcmp(v->keys[j], "atol") == 0)
      CS_TRY(tol_number(doc, v->items[j], key, "atol", &t->atol));
    else
      return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s: unknown key '%s' (expected rtol or atol)",
                      doc->name, v->key_line[j], v->key_col[j], key, v->keys[j]);
  }
  t->pattern = strdup(p);
  if (!t->pattern) return nomem();
  if (prefix) t->pattern[len - 1] = '\0';
  return CS_OK;
}

static cs_status tol_load(const char *path, tol_table *t) {
  yt_doc doc;
  CS_TRY(yt_load_file(path, &doc));
  cs_status st = CS_OK;
  const yt_node *root = doc.root;
  if (!root || root->kind != YT_MAP) {
    st = CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: expected a mapping of dataset path to {rtol, atol}",
                  doc.name, root ? root->line : 1, root ? root->col : 1);
  } else {
    t->e = calloc(root->n ? root->n : 1, sizeof *t->e);
    if (!t->e) st = nomem();
    for (size_t i = 0; st == CS_OK && i < root->n; i++) {
      st = tol_entry_parse(&doc, i, &t->e[t->n]);
      if (st == CS_OK) t->n++;
    }
  }
  yt_free(&doc);
  return st;
}

/* An exact entry wins over prefixes; among prefixes the longest. */
static void tol_for(tol_table *t, const compare_options *o, const char *name, double *rtol,
                    double *atol) {
  tol_entry *best = NULL;
  for (int i = 0; i < t->n; i++) {
    tol_entry *e = &t->e[i];
    size_t len = strlen(e->pattern);
    if (!e->prefix && strcmp(e->pattern, name) == 0) {
      best = e;
      break;
    }
    if (e->prefix && strncmp(e->pattern, name, len) == 0 &&
        (!best || len > strlen(best->pattern)))
      best = e;
  }
  *rtol = o->rtol;
  *atol = o->atol;
  if (!best) return;
  best->used = 1;
  if (!isnan(best->rtol)) *rtol = best->rtol;
  if (!isnan(best->atol)) *atol = best->atol;
}

/* ---- parameters --------------------------------------------------------------------------- */

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
  char *t = a >= 0 ? attr_text(a) : NULL;
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
  free_names(l->name, l->n);
  free_names(l->text, l->n);
}

static cs_status read_params(const runfile *rf, attr_list *l) {
  memset(l, 0, sizeof *l);
  if (H5Lexists(rf->file, "parameters", H5P_DEFAULT) <= 0) return CS_OK;
  hid_t g = H5Oopen(rf->file, "parameters", H5P_DEFAULT);
  if (g < 0) return CS_OK; /* unreadable parameters only weaken the report */
  attr_iter it = {l, 0};
  hsize_t idx = 0;
  H5Aiterate2(g, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &it);
  H5Oclose(g);
  if (it.failed) return nomem();
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
  if (!p) return nomem();
  r->params = p;
  compare_param *q = &r->params[r->nparams];
  q->name = strdup(name);
  q->a = strdup(a ? a : "(absent)");
  q->b = strdup(b ? b : "(absent)");
  r->nparams++;
  return q->name && q->a && q->b ? CS_OK : nomem();
}

static cs_status compare_params(const runfile *a, const runfile *b, compare_report *r) {
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

/* ---- the comparison ----------------------------------------------------------------------- */

typedef struct {
  unsigned long long out, nan;
  double max_abs, max_rel;
  int has_worst;
  double excess;      /* of the worst point */
  size_t at;          /* its index in the compared range */
} cmp_part;

/* One block, in index order: a point replaces the worst only if strictly worse, so the first
   of equals is kept. */
static void cmp_block(const double *a, const double *b, size_t n, double rtol, double atol,
                      cmp_part *p, size_t off) {
  for (size_t i = 0; i < n; i++) {
    /* Runs of equal values, the common case, are skipped 8 at a time by a test the compiler
       vectorises; a run with any difference is examined value by value below. */
    if ((i & 7) == 0 && i + 8 <= n) {
      int same = 1;
      for (size_t k = 0; k < 8; k++) same &= a[i + k] == b[i + k];
      if (same) {
        i += 7;
        continue;
      }
    }
    double x = a[i], y = b[i];
    if (x == y) continue; /* equal, infinities included */
    int xn = isnan(x), yn = isnan(y);
    if (xn && yn) continue;
    double excess;
    if (xn || yn) {
      p->nan++;
      p->out++;
      excess = INFINITY;
    } else if (isinf(x) || isinf(y)) {
      /* rtol·|inf| would pass anything against an infinite reference */
      p->out++;
      p->max_abs = p->max_rel = excess = INFINITY;
    } else {
      double d = fabs(x - y), tol = atol + rtol * fabs(y);
      if (!(d <= tol)) p->out++;
      if (d > p->max_abs) p->max_abs = d;
      double rel = d / fabs(y); /* +inf when y == 0 */
      if (rel > p->max_rel) p->max_rel = rel;
      excess = d - tol;
    }
    if (!p->has_worst || excess > p->excess) {
      p->has_worst = 1;
      p->excess = excess;
      p->at = off + i;
    }
  }
}

/* Fold a partial (whose index is relative to BASE) into the running total, in order. */
static void cmp_merge(cmp_part *acc, const cmp_part *p, size_t base) {
  acc->out += p->out;
  acc->nan += p->nan;
  if (p->max_abs > acc->max_abs) acc->max_abs = p->max_abs;
  if (p->max_rel > acc->max_rel) acc->max_rel = p->max_rel;
  if (p->has_worst && (!acc->has_worst || p->excess > acc->excess)) {
    acc->has_worst = 1;
    acc->excess = p->excess;
    acc->at = base + p->at;
  }
}

/* Compare n values in fixed blocks, in parallel when there are several; combine in order. */
static void cmp_range(const double *a, const double *b, size_t n, double rtol, double atol,
                      cmp_part *parts, cmp_part *acc, size_t base) {
  long nblk = (long)((n + COMPARE_BLOCK - 1) / COMPARE_BLOCK);
#pragma omp parallel for schedule(static) if (nblk > 1)
  for (long k = 0; k < nblk; k++) {
    size_t off = (size_t)k * COMPARE_BLOCK;
    size_t len = n - off < COMPARE_BLOCK ? n - off : COMPARE_BLOCK;
    memset(&parts[k], 0, sizeof parts[k]);
    cmp_block(a + off, b + off, len, rtol, atol, &parts[k], off);
  }
  for (long k = 0; k < nblk; k++) cmp_merge(acc, &parts[k], base);
}

typedef struct {
  runfile *a, *b;
  double *buf_a, *buf_b;   /* slab buffers, grown only if a field needs larger slabs */
  cmp_part *parts;
  size_t cap;              /* elements in each buffer */
} cmp_ctx;

static cs_status ensure_cap(cmp_ctx *c, size_t n) {
  if (n <= c->cap) return CS_OK;
  size_t nblk = (n + COMPARE_BLOCK - 1) / COMPARE_BLOCK;
  free(c->buf_a);
  free(c->buf_b);
  free(c->parts);
  c->buf_a = malloc(n * sizeof *c->buf_a);
  c->buf_b = malloc(n * sizeof *c->buf_b);
  c->parts = malloc(nblk * sizeof *c->parts);
  c->cap = c->buf_a && c->buf_b && c->parts ? n : 0;
  return c->cap ? CS_OK : nomem();
}

static void fill_dataset(compare_dataset *d, const cmp_part *acc, const runfile *b) {
  d->out = acc->out;
  d->nan = acc->nan;
  d->max_abs = acc->max_abs;
  d->max_rel = acc->max_rel;
  d->has_worst = acc->has_worst;
  d->worst_k = d->worst_j = d->worst_i = -1;
  d->worst_z = d->worst_y = d->worst_x = NAN;
  if (!acc->has_worst) return;
  size_t plane = (size_t)(b->n[1] * b->n[2]), ncell = plane * (size_t)b->n[0];
  if (d->kind == COMPARE_FIELD) {
    size_t c = acc->at % ncell;
    d->worst_snap = acc->at / ncell;
    d->worst_k = (int)(c / plane);
    d->worst_j = (int)(c / b->n[2] % b->n[1]);
    d->worst_i = (int)(c % b->n[2]);
    d->worst_z = b->coord[0][d->worst_k];
    d->worst_y = b->coord[1][d->worst_j];
    d->worst_x = b->coord[2][d->worst_i];
  } else {
    d->worst_snap = acc->at;
  }
  d->worst_time = b->time[d->worst_snap];
}

/* /time or a series: nsnap values, read whole. */
static cs_status compare_vector(cmp_ctx *c, compare_dataset *d, const char *obj) {
  double *va = NULL, *vb = NULL;
  size_t na = 0, nb = 0;
  cs_status st = read_vector(c->a, obj, &va, &na);
  if (st == CS_OK) st = read_vector(c->b, obj, &vb, &nb);
  size_t n = c->b->nsnap;
  const runfile *short_rf = na < n ? c->a : c->b;
  if (st == CS_OK && (na < n || nb < n))
    st = CS_ERROR(CS_ERR_INPUT, "%s: /%s has %zu values, fewer than the %zu snapshots of /time",
                  short_rf->path, obj, na < n ? na : nb, n);
  if (st == CS_OK) st = ensure_cap(c, n);
  if (st == CS_OK) {
    cmp_part acc = {0};
    cmp_range(va, vb, n, d->rtol, d->atol, c->parts, &acc, 0);
    d->points = n;
    d->worst_a = acc.has_worst ? va[acc.at] : NAN;
    d->worst_b = acc.has_worst ? vb[acc.at] : NAN;
    fill_dataset(d, &acc, c->b);
  }
  free(va);
  free(vb);
  return st;
}

/* Open a field, check its shape against the grid, and learn how many z-planes a chunk holds. */
static cs_status field_open(const runfile *rf, const char *obj, hid_t *ds, hsize_t *planes,
                            size_t *chunk_bytes) {
  *ds = H5Dopen2(rf->file, obj, H5P_DEFAULT);
  if (*ds < 0) return CS_ERROR(CS_ERR_INPUT, "%s: /%s is not a dataset", rf->path, obj);
  hid_t sp = H5Dget_space(*ds), ty = H5Dget_type(*ds), dcpl = H5Dget_create_plist(*ds);
  hsize_t dims[4] = {0, 0, 0, 0}, chunk[4] = {0, 0, 0, 0};
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  if (rank == 4) H5Sget_simple_extent_dims(sp, dims, NULL);
  H5T_class_t cls = ty >= 0 ? H5Tget_class(ty) : H5T_NO_CLASS;
  int chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
                H5Pget_chunk(dcpl, 4, chunk) == 4;
  size_t esize = ty >= 0 ? H5Tget_size(ty) : 8;
  if (sp >= 0) H5Sclose(sp);
  if (ty >= 0) H5Tclose(ty);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (rank != 4 || dims[1] != rf->n[0] || dims[2] != rf->n[1] || dims[3] != rf->n[2] ||
      dims[0] < rf->nsnap)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: /%s: expected shape (snapshots >= %zu, %llu, %llu, %llu) to match "
                    "/time and /grid",
                    rf->path, obj, rf->nsnap, (unsigned long long)rf->n[0],
                    (unsigned long long)rf->n[1], (unsigned long long)rf->n[2]);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return CS_ERROR(CS_ERR_INPUT, "%s: /%s does not hold numbers", rf->path, obj);
  size_t plane_bytes = (size_t)(rf->n[1] * rf->n[2]) * sizeof(double);
  if (chunked) {
    *planes = chunk[1] ? chunk[1] : 1;
    *chunk_bytes = esize * (size_t)(chunk[0] * chunk[1] * chunk[2] * chunk[3]);
  } else {
    *planes = plane_bytes ? COMPARE_CONTIG_BYTES / plane_bytes : 1;
    *chunk_bytes = 0;
  }
  if (*planes < 1) *planes = 1;
  if (*planes > rf->n[0]) *planes = rf->n[0];
  return CS_OK;
}

/* If slabs are thinner than this file's chunks (the two files are chunked differently), each
   chunk is read in parts: reopen with a chunk cache that holds one, or HDF5 would decompress
   it once per part. */
static cs_status field_reopen_cached(const runfile *rf, const char *obj, hid_t *ds,
                                     size_t chunk_bytes) {
  H5Dclose(*ds);
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  if (dapl >= 0)
    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, chunk_bytes + (1 << 20), 1.0);
  *ds = H5Dopen2(rf->file, obj, dapl >= 0 ? dapl : H5P_DEFAULT);
  if (dapl >= 0) H5Pclose(dapl);
  return *ds < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot reopen /%s", rf->path, obj) : CS_OK;
}

static cs_status read_slab(const runfile *rf, hid_t ds, const char *obj, size_t snap,
                           hsize_t z0, hsize_t nz, double *buf) {
  hsize_t start[4] = {snap, z0, 0, 0}, count[4] = {1, nz, rf->n[1], rf->n[2]};
  /* The memory space has the selection's own 4-D shape: given a 1-D one, HDF5 maps every
     element to its chunk one by one, which costs more than reading the file. */
  hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(4, count, NULL);
  herr_t e = fs < 0 || ms < 0 ? -1
                              : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  if (e >= 0) e = H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf);
  char why[256] = "";
  if (e < 0) h5_reason(why);
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (e < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read /%s, snapshot %zu: %s", rf->path, obj, snap,
                    why);
  return CS_OK;
}

static cs_status compare_field(cmp_ctx *c, compare_dataset *d, const char *obj) {
  hid_t da = H5I_INVALID_HID, db = H5I_INVALID_HID;
  hsize_t pa = 1, pb = 1;
  size_t ca = 0, cb = 0;
  const runfile *b = c->b;
  cs_status st = field_open(c->a, obj, &da, &pa, &ca);
  if (st == CS_OK) st = field_open(b, obj, &db, &pb, &cb);
  hsize_t planes = pa < pb ? pa : pb;
  if (st == CS_OK && pa > planes && ca > 0) st = field_reopen_cached(c->a, obj, &da, ca);
  if (st == CS_OK && pb > planes && cb > 0) st = field_reopen_cached(b, obj, &db, cb);
  size_t plane = (size_t)(b->n[1] * b->n[2]), ncell = plane * (size_t)b->n[0];
  if (st == CS_OK) st = ensure_cap(c, (size_t)planes * plane);
  cmp_part acc = {0};
  for (size_t s = 0; st == CS_OK && s < b->nsnap; s++)
    for (hsize_t z0 = 0; st == CS_OK && z0 < b->n[0]; z0 += planes) {
      hsize_t nz = b->n[0] - z0 < planes ? b->n[0] - z0 : planes;
      st = read_slab(c->a, da, obj, s, z0, nz, c->buf_a);
      if (st == CS_OK) st = read_slab(b, db, obj, s, z0, nz, c->buf_b);
      if (st != CS_OK) break;
      cmp_part before = acc;
      cmp_range(c->buf_a, c->buf_b, (size_t)nz * plane, d->rtol, d->atol, c->parts, &acc,
                s * ncell + (size_t)z0 * plane);
      /* The values at the worst point are only in the buffers while its slab is. */
      if (acc.has_worst && (!before.has_worst || acc.at != before.at)) {
        size_t i = acc.at - (s * ncell + (size_t)z0 * plane);
        d->worst_a = c->buf_a[i];
        d->worst_b = c->buf_b[i];
      }
    }
  if (da >= 0) H5Dclose(da);
  if (db >= 0) H5Dclose(db);
  if (st == CS_OK) {
    d->points = (unsigned long long)b->nsnap * ncell;
    fill_dataset(d, &acc, b);
  }
  return st;
}

/* ---- driver ------------------------------------------------------------------------------- */

static cs_status add_dataset(compare_report *r, tol_table *t, const compare_options *o,
                             compare_kind kind, const char *group, const char *name) {
  compare_dataset *d = &r->ds[r->nds];
  memset(d, 0, sizeof *d);
  d->kind = kind;
  d->name = group ? xprintf("%s/%s", group, name) : strdup(name);
  if (!d->name) return nomem();
  d->worst_a = d->worst_b = d->worst_time = NAN;
  tol_for(t, o, d->name, &d->rtol, &d->atol);
  r->nds++;
  return CS_OK;
}

static cs_status run_compare(const compare_options *o, compare_report *r, tol_table *tol,
                             runfile *a, runfile *b) {
  if (o->tolerances) CS_TRY(tol_load(o->tolerances, tol));
  CS_TRY(run_open(r->path_a, a));
  CS_TRY(run_open(r->path_b, b));
  CS_TRY(comparable(a, b));
  for (const runfile *f = a; f; f = f == a ? b : NULL)
    if (f->finished == 0)
      CS_TRY(add_warning(r, xprintf("%s: the run did not finish (attribute finished = 0); only "
                                    "its %zu complete snapshots are compared",
                                    f->path, f->nsnap)));
  CS_TRY(compare_params(a, b, r));

  r->ds = calloc((size_t)(1 + a->nspecies + a->nseries), sizeof *r->ds);
  if (!r->ds) return nomem();
  cmp_ctx c = {a, b, NULL, NULL, NULL, 0};
  cs_status st = add_dataset(r, tol, o, COMPARE_TIME, NULL, "time");
  if (st == CS_OK) st = compare_vector(&c, &r->ds[0], "time");
  char obj[600];
  for (int s = 0; st == CS_OK && s < a->nspecies; s++) {
    st = add_dataset(r, tol, o, COMPARE_FIELD, "fields", a->species[s]);
    snprintf(obj, sizeof obj, "fields/%s", a->species[s]);
    if (st == CS_OK) st = compare_field(&c, &r->ds[r->nds - 1], obj);
  }
  for (int s = 0; st == CS_OK && s < a->nseries; s++) {
    st = add_dataset(r, tol, o, COMPARE_SERIES, "series", a->series[s]);
    snprintf(obj, sizeof obj, "series/%s", a->series[s]);
    if (st == CS_OK) st = compare_vector(&c, &r->ds[r->nds - 1], obj);
  }
  free(c.buf_a);
  free(c.buf_b);
  free(c.parts);
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
  if (!r->path_a || !r->path_b || (o->tolerances && !r->tolerances)) return nomem();
  if (!(o->rtol >= 0 && o->atol >= 0 && isfinite(o->rtol) && isfinite(o->atol)))
    return CS_ERROR(CS_ERR_INPUT, "compare: rtol and atol must be non-negative finite numbers");

  tol_table tol = {NULL, 0};
  runfile a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.file = b.file = H5I_INVALID_HID;
  cs_status st = run_compare(o, r, &tol, &a, &b);
  run_close(&a);
  run_close(&b);
  tol_free(&tol);
  if (st != CS_OK) return st;

  for (int i = 0; i < r->nds; i++)
    if (r->ds[i].out > 0) {
      r->ndifferent++;
      r->npoints_out += r->ds[i].out;
    }
  r->exit_code = r->ndifferent > 0 || (r->strict_params && r->nparams > 0) ? 1 : 0;
  return CS_OK;
}

void compare_report_free(compare_report *r) {
  if (!r) return;
  for (int i = 0; i < r->nds; i++) free(r->ds[i].name);
  for (int i = 0; i < r->nparams; i++) {
    free(r->params[i].name);
    free(r->params[i].a);
    free(r->params[i].b);
  }
  free_names(r->warnings, r->nwarnings);
  free(r->ds);
  free(r->params);
  free(r->path_a);
  free(r->path_b);
  free(r->tolerances);
  memset(r, 0, sizeof *r);
}

int compare_exit_code(cs_status st, const compare_report *r) {
  if (st != CS_OK || !r) return 2;
  return r->exit_code;
}

void compare_verdict(const compare_report *r, char *buf, size_t len) {
  if (r->exit_code == 0) {
    if (r->nparams > 0)
      snprintf(buf, len, "same within tolerance (%d parameter%s differ%s)", r->nparams,
               r->nparams == 1 ? "" : "s", r->nparams == 1 ? "s" : "");
    else
      snprintf(buf, len, "same within tolerance");
    return;
  }
  int n = snprintf(buf, len, "DIFFERENT: %d dataset%s, %llu point%s", r->ndifferent,
                   r->ndifferent == 1 ? "" : "s", r->npoints_out, r->npoints_out == 1 ? "" : "s");
  if (r->strict_params && r->nparams > 0 && n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ", %d parameter%s", r->nparams, r->nparams == 1 ? "" : "s");
}
