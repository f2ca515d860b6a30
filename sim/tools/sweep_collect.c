/* sweep_collect: `cisim sweep collect` and `cisim sweep metrics` (see sweep_collect.h;
 * docs/sweeps.md). Only the small /series datasets of the run files are read, never /fields. */
#define _POSIX_C_SOURCE 200809L

#include "sweep_collect.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hdf5out_attr.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sweep_point.h"
#include "sweep_util.h"

/* ---- metrics ---- */

typedef struct {
  char **names;
  char **units; /* the dataset's "units" attribute, "" if none */
  double *vals;
  int n, cap;
} metric_list;

static int wanted(const char *name) {
  size_t l = strlen(name);
  return strstr(name, "_change_") || strstr(name, "_depth_um") || strstr(name, "_peak") ||
         strstr(name, "_return_day_") || (l >= 6 && strcmp(name + l - 6, "_total") == 0);
}

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  metric_list *ml = data;
  if (!wanted(name)) return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;
  hid_t sp = H5Dget_space(d);
  hsize_t dims[1] = {0};
  double v = 0;
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1 &&
           dims[0] > 0;
  if (ok) {
    hsize_t start[1] = {dims[0] - 1}, count[1] = {1};
    hid_t mem = H5Screate_simple(1, count, NULL);
    ok = H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
         H5Dread(d, H5T_NATIVE_DOUBLE, mem, sp, H5P_DEFAULT, &v) >= 0;
    H5Sclose(mem);
  }
  if (sp >= 0) H5Sclose(sp);
  char *u = ok ? h5a_read_str(d, "units") : NULL;
  char unit[64];
  snprintf(unit, sizeof unit, "%s", u ? u : "");
  free(u);
  H5Dclose(d);
  if (!ok) return 0;
  if (ml->n == ml->cap) {
    int cap = ml->cap ? 2 * ml->cap : 16;
    char **nn = realloc(ml->names, (size_t)cap * sizeof(char *));
    if (!nn) return -1;
    ml->names = nn;
    double *nv = realloc(ml->vals, (size_t)cap * sizeof(double));
    if (!nv) return -1;
    ml->vals = nv;
    char **nu = realloc(ml->units, (size_t)cap * sizeof(char *));
    if (!nu) return -1;
    ml->units = nu;
    ml->cap = cap;
  }
  ml->names[ml->n] = strdup(name);
  ml->units[ml->n] = strdup(unit);
  if (!ml->names[ml->n] || !ml->units[ml->n]) {
    free(ml->names[ml->n]);
    free(ml->units[ml->n]);
    return -1;
  }
  ml->vals[ml->n++] = v;
  return 0;
}

static void metrics_free(metric_list *ml) {
  for (int i = 0; i < ml->n; i++) {
    free(ml->names[i]);
    free(ml->units[i]);
  }
  free(ml->names);
  free(ml->units);
  free(ml->vals);
  memset(ml, 0, sizeof *ml);
}

/* The final value of each wanted /series dataset, in name order. Never touches /fields. */
static cs_status read_metrics(const char *h5, metric_list *ml) {
  memset(ml, 0, sizeof *ml);
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  cs_status st = CS_OK;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: cannot open as HDF5", h5);
  hid_t g = f >= 0 ? H5Gopen2(f, "series", H5P_DEFAULT) : -1;
  if (st == CS_OK && g < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: no /series group", h5);
  if (st == CS_OK && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, ml) < 0)
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  if (st != CS_OK) metrics_free(ml);
  return st;
}

static void fmt_num(char *b, size_t size, double v) { snprintf(b, size, "%.17g", v); }

int sweep_metrics(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: cisim sweep metrics RUN.h5   (name,value per line: what collect takes)\n",
          argc == 2 ? stdout : stderr);
    return argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
  }
  metric_list ml;
  cs_status st = read_metrics(argv[1], &ml);
  if (st != CS_OK) {
    cli_fail("sweep metrics");
    return cs_exit_code(st);
  }
  char b[64];
  for (int i = 0; i < ml.n; i++) {
    fmt_num(b, sizeof b, ml.vals[i]);
    printf("%s,%s\n", ml.names[i], b);
  }
  metrics_free(&ml);
  return 0;
}

/* ---- collect ---- */

/* Splits one CSV line (the manifest's quoting: fields with , " or newline in double quotes)
   in place into at most max fields; returns the count. */
static int csv_split(char *line, char **field, int max) {
  int n = 0;
  char *r = line, *w = line;
  while (n < max) {
    field[n++] = w;
    if (*r == '"') {
      r++;
      while (*r && !(*r == '"' && r[1] != '"')) {
        if (*r == '"') r++;
        *w++ = *r++;
      }
      if (*r == '"') r++;
    }
    while (*r && *r != ',') *w++ = *r++;
    int more = *r == ',';
    *w++ = '\0';
    if (!more) break;
    r++;
  }
  return n;
}

static int name_index(char ***names, char ***units, int *n, const char *name, const char *unit) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return i;
  char **nn = realloc(*names, (size_t)(*n + 1) * sizeof(char *));
  if (!nn) return -1;
  *names = nn;
  char **nu = realloc(*units, (size_t)(*n + 1) * sizeof(char *));
  if (!nu) return -1;
  *units = nu;
  nn[*n] = strdup(name);
  nu[*n] = strdup(unit);
  if (!nn[*n] || !nu[*n]) {
    free(nn[*n]);
    free(nu[*n]);
    return -1;
  }
  return (*n)++;
}

/* Everything collect gathers: the manifest split into columns, each point's state and
   metrics, and the union of metric names (first-seen order, which is name order). */
typedef struct {
  long npts;
  char *manifest;
  int nman;            /* manifest columns: index, varied keys..., seed */
  char **man_head;     /* [nman] */
  char **man_cell;     /* [npts * nman], pointing into manifest */
  char **status;       /* [npts] status line ("missing" when none) */
  sweep_state *state;  /* [npts] */
  metric_list *per;    /* [npts] */
  char **cols, **col_units;
  int ncols;
} table;

static void table_free(table *t) {
  for (long n = 0; n < t->npts; n++) {
    if (t->per) metrics_free(&t->per[n]);
    if (t->status) free(t->status[n]);
  }
  for (int c = 0; c < t->ncols; c++) {
    free(t->cols[c]);
    free(t->col_units[c]);
  }
  free(t->cols);
  free(t->col_units);
  free(t->per);
  free(t->status);
  free(t->state);
  free(t->man_head);
  free(t->man_cell);
  free(t->manifest);
}

static cs_status table_gather(const char *dir, table *t) {
  memset(t, 0, sizeof *t);
  CS_TRY(sweep_count_points(dir, &t->npts, &t->manifest));
  long np = t->npts;
  char *save = NULL, *line = strtok_r(t->manifest, "\n", &save);
  char *head[80];
  int nh = line ? csv_split(line, head, 80) : 0;
  t->nman = nh;
  t->man_head = malloc((size_t)(nh + 1) * sizeof(char *));
  t->man_cell = calloc((size_t)(np * nh + 1), sizeof(char *));
  t->per = calloc((size_t)np + 1, sizeof(metric_list));
  t->status = calloc((size_t)np + 1, sizeof(char *));
  t->state = calloc((size_t)np + 1, sizeof(sweep_state));
  if (!t->man_head || !t->man_cell || !t->per || !t->status || !t->state)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  memcpy(t->man_head, head, (size_t)nh * sizeof(char *));
  for (long n = 0; n < np; n++) {
    line = strtok_r(NULL, "\n", &save);
    char *f[80];
    int k = line ? csv_split(line, f, 80) : 0;
    if (k != nh)
      return CS_ERROR(CS_ERR_INPUT, "%s/manifest.csv: row %ld has %d columns, expected %d", dir,
                      n + 2, k, nh);
    memcpy(&t->man_cell[n * nh], f, (size_t)nh * sizeof(char *));
  }
  for (long n = 0; n < np; n++) {
    t->state[n] = sweep_point_state(dir, n, &t->status[n]);
    if (!t->status[n] && !(t->status[n] = strdup("missing"))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    if (t->state[n] != SWEEP_DONE) continue;
    char h5[4096];
    sweep_point_path(h5, sizeof h5, dir, "runs", n, ".h5");
    if (read_metrics(h5, &t->per[n]) != CS_OK) {
      char *s = malloc(1100);
      if (!s) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
      snprintf(s, 1100, "failed: cannot read metrics: %s", cs_error_message());
      cs_error_clear();
      free(t->status[n]);
      t->status[n] = s;
      t->state[n] = SWEEP_FAILED;
    }
    for (int i = 0; i < t->per[n].n; i++)
      if (name_index(&t->cols, &t->col_units, &t->ncols, t->per[n].names[i], t->per[n].units[i]) < 0)
        return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  return CS_OK;
}

/* Point n's value of metric column c, NaN when it has none. */
static double table_metric(const table *t, long n, int c) {
  const metric_list *m = &t->per[n];
  for (int i = 0; i < m->n; i++)
    if (strcmp(m->names[i], t->cols[c]) == 0) return m->vals[i];
  return NAN;
}

static cs_status write_csv(const table *t, const char *out) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", out, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  for (int c = 0; c < t->nman; c++) {
    if (c) fputc(',', f);
    sweep_csv_field(f, t->man_head[c]);
  }
  fputs(",status", f);
  for (int c = 0; c < t->ncols; c++) {
    fputc(',', f);
    sweep_csv_field(f, t->cols[c]);
  }
  fputc('\n', f);
  for (long n = 0; n < t->npts; n++) {
    for (int c = 0; c < t->nman; c++) {
      if (c) fputc(',', f);
      sweep_csv_field(f, t->man_cell[n * t->nman + c]);
    }
    fputc(',', f);
    sweep_csv_field(f, t->status[n]);
    for (int c = 0; c < t->ncols; c++) {
      fputc(',', f);
      double v = table_metric(t, n, c);
      if (!isnan(v)) {
        char b[64];
        fmt_num(b, sizeof b, v);
        fputs(b, f);
      }
    }
    fputc('\n', f);
  }
  cs_status st = fclose(f) == 0 ? CS_OK : CS_ERROR(CS_ERR_IO, "%s: write error", tmp);
  if (st == CS_OK && rename(tmp, out) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
  if (st != CS_OK) unlink(tmp);
  return st;
}

static int all_numeric(const table *t, int c, double *out) {
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

/* Column buffers for np values, and the string type, shared by the steps of write_h5. */
typedef struct {
  double *num;
  long long *ints;
  const char **strs;
  hid_t str;
} h5_columns;

/* Steps of write_h5; each returns 1 when written. */
static int h5_root(hid_t f, const char *dir) {
  h5a_ctx c;
  h5a_init(&c, f);
  h5a_str(&c, "sweep", dir);
  h5a_str(&c, "cisim_version", CISIM_VERSION);
  h5a_str(&c, "description", "cisim sweep collect: one row per point (docs/sweeps.md)");
  return !c.failed[0];
}

static int h5_index(hid_t f, const table *t, h5_columns *col) {
  long np = t->npts;
  for (long n = 0; n < np; n++) col->ints[n] = strtoll(t->man_cell[n * t->nman], NULL, 10);
  return h5a_write_vec(f, "index", H5T_STD_I64LE, H5T_NATIVE_LLONG, (hsize_t)np, col->ints, "-",
                       "point index") == 0;
}

/* HDF5 lists members by name; the spec's order is kept in the attribute "order". */
static int h5_parameter_order(hid_t g, const table *t) {
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
   when every value is a number, else strings; units and descriptions from the base config's
   registry (base, or NULL when it does not load). */
static int h5_parameters(hid_t f, const table *t, const params *base, h5_columns *col) {
  long np = t->npts;
  hid_t g = H5Gcreate2(f, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = g >= 0 && h5_parameter_order(g, t);
  for (int c = 1; ok && c < t->nman - 1; c++) {
    const param_value *pv = base ? params_find(base, t->man_head[c]) : NULL;
    const char *unit = pv ? pv->desc->unit : "";
    if (all_numeric(t, c, col->num)) {
      ok = h5a_write_vec(g, t->man_head[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)np,
                         col->num, unit, pv ? pv->desc->doc : t->man_head[c]) == 0;
    } else {
      for (long n = 0; n < np; n++) col->strs[n] = t->man_cell[n * t->nman + c];
      ok = h5a_write_vec(g, t->man_head[c], col->str, col->str, (hsize_t)np, col->strs, unit,
                         pv ? pv->desc->doc : t->man_head[c]) == 0;
    }
  }
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* /seed, /state and /status. */
static int h5_states(hid_t f, const table *t, h5_columns *col) {
  long np = t->npts;
  hid_t str = col->str;
  for (long n = 0; n < np; n++) {
    const char *s = t->man_cell[n * t->nman + t->nman - 1];
    col->ints[n] = *s ? strtoll(s, NULL, 10) : -1;
  }
  int ok = h5a_write_vec(f, "seed", H5T_STD_I64LE, H5T_NATIVE_LLONG, (hsize_t)np, col->ints, "-",
                         "replicate seed (-1: none)") == 0;
  for (long n = 0; ok && n < np; n++) col->strs[n] = sweep_state_name(t->state[n]);
  ok = ok && h5a_write_vec(f, "state", str, str, (hsize_t)np, col->strs, "",
                           "done, running, interrupted, failed or missing") == 0;
  for (long n = 0; ok && n < np; n++) col->strs[n] = t->status[n];
  ok = ok && h5a_write_vec(f, "status", str, str, (hsize_t)np, col->strs, "",
                           "status line of the point") == 0;
  return ok;
}

/* /metrics/<name>: float64, NaN for points without a value; units from the run files. */
static int h5_metrics(hid_t f, const table *t, h5_columns *col) {
  long np = t->npts;
  hid_t g = H5Gcreate2(f, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = g >= 0;
  for (int c = 0; ok && c < t->ncols; c++) {
    for (long n = 0; n < np; n++) col->num[n] = table_metric(t, n, c);
    ok = h5a_write_vec(g, t->cols[c], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)np, col->num,
                       t->col_units[c],
                       "final value of /series/<name> in the point's run file; NaN: no value") == 0;
  }
  if (g >= 0) H5Gclose(g);
  return ok;
}

/* The same table in HDF5, column by column (h5py: {k: f[k][()] for k in f}): /index,
   /parameters/<key> (the group's attribute "order" lists the keys as the spec does,
   comma-separated), /seed (-1 without replicate seeds), /state (done, running, interrupted,
   failed, missing), /status (the full status line), /metrics/<name>. Written to a temporary
   file, then renamed. */
static cs_status write_h5(const table *t, const char *dir, const char *out) {
  char tmp[4300];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", out, (long)getpid());
  params base = {0};
  char base_path[4096];
  snprintf(base_path, sizeof base_path, "%s/base.yaml", dir);
  int have_base = params_load(&base, base_path, NULL, 0, model_registry_lookup) == CS_OK;
  if (!have_base) cs_error_clear();
  size_t np = (size_t)t->npts;
  h5_columns col = {malloc((np + 1) * sizeof(double)), malloc((np + 1) * sizeof(long long)),
                    malloc((np + 1) * sizeof(char *)), h5a_string_type()};
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = col.num && col.ints && col.strs && col.str >= 0
                ? H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)
                : H5I_INVALID_HID;
  int ok = f >= 0 && h5_root(f, dir) && h5_index(f, t, &col) &&
           h5_parameters(f, t, have_base ? &base : NULL, &col) && h5_states(f, t, &col) &&
           h5_metrics(f, t, &col);
  if (f >= 0 && H5Fclose(f) < 0) ok = 0;
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  if (col.str >= 0) H5Tclose(col.str);
  free(col.num);
  free(col.ints);
  free(col.strs);
  params_free(&base);
  cs_status st = CS_OK;
  if (!ok) {
    h5a_note();
    const char *d = h5a_error_detail();
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write the HDF5 table%s%s", tmp, d[0] ? ": " : "", d);
    h5a_error_clear();
  }
  if (st == CS_OK && rename(tmp, out) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
  if (st != CS_OK) unlink(tmp);
  return st;
}

static const char collect_usage[] =
    "usage: cisim sweep collect DIR [-o TABLE.csv]\n"
    "  one row per point (parameters, seed, status, metrics) in TABLE.csv and, beside it, the\n"
    "  same table in HDF5 (TABLE.h5); default DIR/results.csv and DIR/results.h5\n";

int sweep_collect(int argc, char **argv) {
  const char *dir = NULL, *out = NULL;
  const sweep_opt opts[] = {{"-o", "--output", &out, NULL, 0}, {0}};
  int rc = sweep_args(argc, argv, "collect", collect_usage, opts, &dir, "DIR");
  if (rc) return rc < 0 ? 0 : rc;
  char csv[4096], h5[4200];
  snprintf(csv, sizeof csv, "%s", out ? out : "");
  if (!out) snprintf(csv, sizeof csv, "%s/results.csv", dir);
  size_t len = strlen(csv);
  if (len > 4 && strcmp(csv + len - 4, ".csv") == 0)
    snprintf(h5, sizeof h5, "%.*s.h5", (int)(len - 4), csv);
  else
    snprintf(h5, sizeof h5, "%s.h5", csv);
  table t;
  cs_status st = table_gather(dir, &t);
  if (st == CS_OK) st = write_csv(&t, csv);
  if (st == CS_OK) st = write_h5(&t, dir, h5);
  long counts[5] = {0};
  for (long n = 0; st == CS_OK && n < t.npts; n++) counts[t.state[n]]++;
  long rows = t.npts;
  table_free(&t);
  if (st != CS_OK) {
    cli_fail("sweep collect");
    return cs_exit_code(st);
  }
  printf("%ld rows (%ld done, %ld running, %ld interrupted, %ld failed, %ld missing) -> %s, %s\n", rows,
         counts[SWEEP_DONE], counts[SWEEP_RUNNING], counts[SWEEP_INTERRUPTED], counts[SWEEP_FAILED],
         counts[SWEEP_MISSING], csv, h5);
  return 0;
}
