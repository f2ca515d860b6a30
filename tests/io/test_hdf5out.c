/* test_hdf5out: write a small run file, read it back with the plain HDF5 API, and check the
 * layout, the values (exact in double, exact float casts in single), the attributes, and the
 * refusals (existing file without force, missing directory).
 *
 * Built normally it loads a real configuration (params_load, grid_init). Built with
 * -DHDF5OUT_STANDALONE it needs only error.c, engine_params.c, cf_units.c and hdf5out*.c
 * (with hdf5_hl): the grid and
 * parameters are filled in by hand and params_to_yaml is a weak stub. Exit status 0: pass. */
#define _POSIX_C_SOURCE 200809L

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hdf5out.h"
#include "params_load.h"

static int failures;
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      failures++;                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);        \
      fprintf(stderr, __VA_ARGS__);                               \
      fputc('\n', stderr);                                        \
    }                                                             \
  } while (0)

static const param_desc fake_registry[] = {
    {"fake.rate", P_REAL, "1/day", "1", 0, 100, NULL, 1, 0, 0, "per-layer rate"},
    {"fake.count", P_INT, "-", "3", 0, 100, NULL, 0, 0, 0, "a count"},
    {"fake.label", P_STRING, "", "x", 0, 0, NULL, 0, 0, 0, "a label"},
    {"fake.weights", P_REALS, "-", "[1, 2]", 0, 10, NULL, 0, 1, 4, "weights"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};
static const species_info fake_species[2] = {
    {"a", "µm", "species a", -1, 0},
    {"b", "ng/mL", "species b", -1, 0},
};
static const series_desc fake_series[2] = {
    {"mass_a", "µm³", "total of a"},
    {"peak_b", "ng/mL", "largest b"},
};
/* the UDUNITS spellings (`units`) of the units above (`unit_label`) */
static const char *const cf_species[2] = {"um", "ng mL-1"}, *const cf_series[2] = {"um3", "ng mL-1"};

/* Expected contents: 5 x 3 x 4 cells of 10 µm, two layers of 20 µm. */
enum { NX = 5, NY = 3, NZ = 4, NSNAP = 3 };
static const double times[NSNAP] = {0.0, 0.5, 1.25};
static double value(int s, int snap, size_t c) {
  if (s == 1 && snap == 1 && c == 7) return NAN; /* must reach the file unchanged */
  return s * 1000.0 + snap * 100.0 + (double)c + 1.0 / 3.0;
}
static double series_value(int i, int snap) { return 10.0 * i + snap + 0.25; }

#ifdef HDF5OUT_STANDALONE
__attribute__((weak)) char *params_to_yaml(const params *p) {
  (void)p;
  return strdup("# params_to_yaml stub (HDF5OUT_STANDALONE)\n");
}

static const param_desc *find_desc(const param_desc *reg, const char *key) {
  for (; reg->key; reg++)
    if (strcmp(reg->key, key) == 0) return reg;
  return NULL;
}

static double rate_v[2] = {1.5, 2.5}, count_v[1] = {7}, spacing_v[1] = {10}, adaptive_v[1] = {1},
              size_v[3] = {50, 30, 40};
static char periodic_s[] = "periodic", label_s[] = "hello µ";

static int setup(grid *g, params *p, const char *dir) {
  (void)dir;
  static param_value vals[7];
  memset(p, 0, sizeof *p);
  const param_desc *e = params_engine_registry;
  vals[0] = (param_value){find_desc(e, "grid.spacing_um"), 0, 0, 0, spacing_v, 1, NULL};
  vals[1] = (param_value){find_desc(e, "time.adaptive"), 0, 0, 0, adaptive_v, 1, NULL};
  vals[2] = (param_value){find_desc(e, "grid.boundary.x"), 0, 0, 0, NULL, 0, periodic_s};
  vals[3] = (param_value){find_desc(e, "grid.size_um"), 0, 0, 0, size_v, 3, NULL};
  vals[4] = (param_value){&fake_registry[0], 1, 0, 0, rate_v, 2, NULL};
  vals[5] = (param_value){&fake_registry[1], 1, 0, 0, count_v, 1, NULL};
  vals[6] = (param_value){&fake_registry[2], 1, 0, 0, NULL, 0, label_s};
  p->vals = vals;
  p->nvals = 7;
  p->nlayers = 2;

  memset(g, 0, sizeof *g);
  g->dims = 3;
  g->nx = NX, g->ny = NY, g->nz = NZ;
  g->h = 10;
  g->size[0] = 50, g->size[1] = 30, g->size[2] = 40;
  g->ncell = (size_t)NX * NY * NZ;
  g->bc_x = g->bc_y = BC_PERIODIC;
  g->bc_top = BC_NOFLUX;
  g->bc_bottom = BC_DIRICHLET;
  g->nlayers = 2;
  strcpy(g->layers[0].name, "epidermis");
  strcpy(g->layers[1].name, "dermis");
  g->layers[0].thickness_um = g->layers[1].thickness_um = 20;
  g->layer_top[0] = 0, g->layer_top[1] = 20;
  g->layer_of_z = malloc(NZ * sizeof(int));
  if (!g->layer_of_z) return -1;
  for (int k = 0; k < NZ; k++) g->layer_of_z[k] = k < 2 ? 0 : 1;
  return 0;
}
static void teardown(grid *g, params *p) {
  free(g->layer_of_z);
  (void)p;
}
static int big_grid(grid *g, int nx, int ny, int nz) {
  memset(g, 0, sizeof *g);
  g->dims = 3, g->nx = nx, g->ny = ny, g->nz = nz, g->h = 1;
  g->nlayers = 1;
  strcpy(g->layers[0].name, "tissue");
  g->layer_of_z = calloc((size_t)nz, sizeof(int));
  return g->layer_of_z ? 0 : -1;
}
#define big_grid_free(g) free((g)->layer_of_z)
#else
static const param_desc *lookup(const char *name) {
  return strcmp(name, "fake") == 0 ? fake_registry : NULL;
}

static int setup(grid *g, params *p, const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/config.yaml", dir);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fputs("model: fake\n"
        "grid:\n  dims: 3\n  size_um: [50, 30, 40]\n  spacing_um: 10\n"
        "  boundary: {x: periodic, y: periodic, surface: noflux, deep: dirichlet}\n"
        "time:\n  end_day: 2\n"
        "layers:\n  - {name: epidermis, thickness_um: 20}\n  - {name: dermis, thickness_um: 20}\n"
        "fake:\n  rate: {epidermis: 1.5, dermis: 2.5}\n  count: 7\n  label: \"hello µ\"\n",
        f);
  fclose(f);
  cs_status s = params_load(p, path, NULL, 0, lookup);
  unlink(path);
  if (s != CS_OK) {
    fprintf(stderr, "params_load: %s\n", cs_error_message());
    return -1;
  }
  if (grid_init(g, p) != CS_OK) {
    fprintf(stderr, "grid_init: %s\n", cs_error_message());
    return -1;
  }
  return 0;
}
static void teardown(grid *g, params *p) {
  grid_free(g);
  params_free(p);
}
static int big_grid(grid *g, int nx, int ny, int nz) {
  return grid_init_simple(g, 3, nx, ny, nz, 1.0, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX,
                          BC_NOFLUX) == CS_OK ? 0 : -1;
}
#define big_grid_free(g) grid_free(g)
#endif

/* ---- reading back ------------------------------------------------------------------------ */

static char *read_file_bytes(const char *path, long *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  *len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)*len + 1);
  if (b && fread(b, 1, (size_t)*len, f) != (size_t)*len) {
    free(b);
    b = NULL;
  }
  fclose(f);
  return b;
}

/* String attribute (variable- or fixed-length) into out; "" and -1 if absent. */
static int attr_str(hid_t obj, const char *name, char *out, size_t n) {
  out[0] = '\0';
  if (H5Aexists(obj, name) <= 0) return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5Aget_type(a);
  int rc = -1;
  if (H5Tget_class(t) == H5T_STRING) {
    if (H5Tis_variable_str(t) > 0) {
      char *s = NULL;
      if (H5Aread(a, t, &s) >= 0 && s) {
        snprintf(out, n, "%s", s);
        rc = 0;
      }
      H5free_memory(s);
    } else {
      size_t sz = H5Tget_size(t);
      char *s = calloc(sz + 1, 1);
      if (s && H5Aread(a, t, s) >= 0) {
        snprintf(out, n, "%s", s);
        rc = 0;
      }
      free(s);
    }
  }
  H5Tclose(t);
  H5Aclose(a);
  return rc;
}

/* Numeric attribute as doubles; returns the element count, -1 if absent. */
static int attr_doubles(hid_t obj, const char *name, double *out, int max) {
  if (H5Aexists(obj, name) <= 0) return -1;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT), s = H5Aget_space(a);
  hssize_t n = H5Sget_simple_extent_npoints(s);
  int rc = -1;
  if (n >= 0 && n <= max && (n == 0 || H5Aread(a, H5T_NATIVE_DOUBLE, out) >= 0)) rc = (int)n;
  H5Sclose(s);
  H5Aclose(a);
  return rc;
}

static herr_t count_attr(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)loc, (void)name, (void)info;
  ++*(int *)data;
  return 0;
}

/* Dataset shape; returns rank, fills dims and maxdims. */
static int shape(hid_t file, const char *name, hsize_t dims[4], hsize_t maxd[4]) {
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t s = H5Dget_space(d);
  int r = H5Sget_simple_extent_dims(s, dims, maxd);
  H5Sclose(s);
  H5Dclose(d);
  return r;
}

static int read_all(hid_t file, const char *name, double *buf) {
  hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
  if (d < 0) return -1;
  herr_t r = H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  H5Dclose(d);
  return r < 0 ? -1 : 0;
}

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* ---- the checks ---------------------------------------------------------------------------- */

static void write_run(const char *path, int single, int deflate, const grid *g, const params *p) {
  hdf5out_options opt = {path, 0, single, deflate, "cisim run test.yaml", 2};
  hdf5out *o = NULL;
  cs_status s = hdf5out_create(&o, &opt, g, &(model){.name = "fake", .nspecies = 2,
                                                      .species = fake_species},
                               p, fake_series, 2);
  CHECK(s == CS_OK, "create %s: %s", path, cs_error_message());
  if (s != CS_OK) return;
  double *u[2];
  u[0] = malloc(g->ncell * sizeof(double));
  u[1] = malloc(g->ncell * sizeof(double));
  for (int snap = 0; snap < NSNAP && u[0] && u[1]; snap++) {
    for (int sp = 0; sp < 2; sp++)
      for (size_t c = 0; c < g->ncell; c++) u[sp][c] = value(sp, snap, c);
    double sv[2] = {series_value(0, snap), series_value(1, snap)};
    s = hdf5out_write_snapshot(o, times[snap], (const double *const *)u, sv);
    CHECK(s == CS_OK, "snapshot %d: %s", snap, cs_error_message());
  }
  free(u[0]);
  free(u[1]);
  s = hdf5out_close(o, 1);
  CHECK(s == CS_OK, "close: %s", cs_error_message());
}

/* The name of the (one) dimension scale attached to dimension DIM of DS. */
static herr_t first_scale(hid_t did, unsigned dim, hid_t dsid, void *data) {
  (void)did;
  (void)dim;
  char *out = data;
  return H5DSget_scale_name(dsid, out, 64) > 0 ? 1 : -1;
}
static int scale_name(hid_t ds, unsigned dim, char *out, size_t n) {
  char name[64] = "";
  if (H5DSiterate_scales(ds, dim, NULL, first_scale, name) != 1) return -1;
  snprintf(out, n, "%s", name);
  return 0;
}

/* Dimension scales (hdf5out_dims.h): /time, /grid/z, y, x are scales, linked into /fields (the
   same objects), attached to every field as (time, z, y, x), with CF axis attributes. */
static void check_dims(hid_t f) {
  static const char *const dim[4] = {"time", "z", "y", "x"};
  static const char *const at[4] = {"/time", "/grid/z", "/grid/y", "/grid/x"};
  static const char *const axis[4] = {"T", "Z", "Y", "X"};
  char str[256], link[32];
  for (int d = 0; d < 4; d++) {
    hid_t ds = H5Dopen2(f, at[d], H5P_DEFAULT);
    CHECK(ds >= 0 && H5DSis_scale(ds) > 0, "%s is not a dimension scale", at[d]);
    CHECK(attr_str(ds, "axis", str, sizeof str) == 0 && strcmp(str, axis[d]) == 0, "%s axis", at[d]);
    H5O_info_t a, b; /* HDF5 1.10: objects are told apart by address */
    snprintf(link, sizeof link, "/fields/%s", dim[d]);
    CHECK(H5Oget_info_by_name2(f, at[d], &a, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
              H5Oget_info_by_name2(f, link, &b, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
              a.addr == b.addr && a.rc == 2,
          "%s is not a hard link to %s", link, at[d]);
    if (ds >= 0) H5Dclose(ds);
  }
  hid_t z = H5Dopen2(f, "/grid/z", H5P_DEFAULT);
  CHECK(attr_str(z, "positive", str, sizeof str) == 0 && strcmp(str, "down") == 0, "z positive");
  CHECK(attr_str(z, "units", str, sizeof str) == 0 && strcmp(str, "um") == 0, "z units '%s'", str);
  H5Dclose(z);
  for (int sp = 0; sp < 2; sp++) {
    snprintf(str, sizeof str, "/fields/%s", fake_species[sp].name);
    hid_t ds = H5Dopen2(f, str, H5P_DEFAULT);
    for (unsigned d = 0; d < 4; d++) {
      char name[64] = "";
      CHECK(H5DSget_num_scales(ds, d) == 1 && scale_name(ds, d, name, sizeof name) == 0 &&
                strcmp(name, dim[d]) == 0, "%s: dimension %u scale '%s', want %s", str, d, name,
            dim[d]);
    }
    H5Dclose(ds);
  }
}

static void check_run(const char *path, int single, int deflate, const grid *g, const params *p) {
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(f >= 0, "%s: cannot reopen", path);
  if (f < 0) return;
  char str[4096];
  double d[8];
  hsize_t dims[4], maxd[4];

  CHECK(attr_str(f, "program", str, sizeof str) == 0 && strcmp(str, "cisim") == 0, "program");
  CHECK(attr_doubles(f, "finished", d, 1) == 1 && d[0] == 1, "finished != 1");
  CHECK(attr_str(f, "created", str, sizeof str) == 0 && strlen(str) == 20, "created '%s'", str);

  for (int sp = 0; sp < 2; sp++) {
    char name[32];
    snprintf(name, sizeof name, "/fields/%s", fake_species[sp].name);
    int r = shape(f, name, dims, maxd);
    CHECK(r == 4 && dims[0] == NSNAP && dims[1] == NZ && dims[2] == NY && dims[3] == NX,
          "%s shape", name);
    CHECK(r == 4 && maxd[0] == H5S_UNLIMITED && maxd[1] == NZ, "%s maxdims", name);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds), t = H5Dget_type(ds);
    hsize_t ch[4] = {0};
    CHECK(H5Pget_chunk(dcpl, 4, ch) == 4 && ch[0] == 1 && ch[1] == NZ && ch[2] == NY &&
              ch[3] == NX, "%s chunk", name);
    CHECK(H5Pget_nfilters(dcpl) == (deflate ? 2 : 0), "%s filters %d", name,
          H5Pget_nfilters(dcpl));
    CHECK(H5Tget_size(t) == (single ? 4u : 8u), "%s element size", name);
    CHECK(attr_str(ds, "units", str, sizeof str) == 0 && strcmp(str, cf_species[sp]) == 0,
          "%s units '%s'", name, str);
    CHECK(attr_str(ds, "unit_label", str, sizeof str) == 0 &&
              strcmp(str, fake_species[sp].unit) == 0, "%s unit_label '%s'", name, str);
    CHECK(attr_str(ds, "long_name", str, sizeof str) == 0 &&
              strcmp(str, fake_species[sp].long_name) == 0, "%s long_name", name);
    H5Tclose(t);
    H5Pclose(dcpl);
    H5Dclose(ds);
    double *buf = malloc(NSNAP * g->ncell * sizeof *buf);
    CHECK(buf && read_all(f, name, buf) == 0, "%s read", name);
    int bad = 0;
    for (int snap = 0; buf && snap < NSNAP; snap++)
      for (size_t c = 0; c < g->ncell; c++) {
        double want = value(sp, snap, c);
        if (single) want = (double)(float)want;
        if (!same(buf[(size_t)snap * g->ncell + c], want) && bad++ < 3)
          fprintf(stderr, "  %s[%d][%zu] = %.17g, want %.17g\n", name, snap, c,
                  buf[(size_t)snap * g->ncell + c], want);
      }
    CHECK(bad == 0, "%s: %d wrong values", name, bad);
    free(buf);
  }

  CHECK(shape(f, "/time", dims, maxd) == 1 && dims[0] == NSNAP, "/time shape");
  CHECK(read_all(f, "/time", d) == 0 && d[0] == times[0] && d[1] == times[1] && d[2] == times[2],
        "/time values");
  hid_t ds = H5Dopen2(f, "/time", H5P_DEFAULT);
  CHECK(attr_str(ds, "units", str, sizeof str) == 0 && strcmp(str, "day") == 0, "/time units");
  H5Dclose(ds);
  for (int i = 0; i < 2; i++) {
    char name[32];
    snprintf(name, sizeof name, "/series/%s", fake_series[i].name);
    CHECK(shape(f, name, dims, maxd) == 1 && dims[0] == NSNAP, "%s shape", name);
    CHECK(read_all(f, name, d) == 0 && d[0] == series_value(i, 0) &&
              d[1] == series_value(i, 1) && d[2] == series_value(i, 2), "%s values", name);
    ds = H5Dopen2(f, name, H5P_DEFAULT);
    CHECK(attr_str(ds, "units", str, sizeof str) == 0 && strcmp(str, cf_series[i]) == 0,
          "%s units '%s'", name, str);
    CHECK(H5DSget_num_scales(ds, 0) == 1 && scale_name(ds, 0, str, sizeof str) == 0 &&
              strcmp(str, "time") == 0, "%s: dimension 0 is not the scale time", name);
    H5Dclose(ds);
  }

  check_dims(f);
  int cells[NZ * NY * NX];
  hid_t lc = H5Dopen2(f, "/grid/layer_cells", H5P_DEFAULT);
  CHECK(lc >= 0 && H5Dread(lc, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, cells) >= 0 &&
            cells[0] == 0 && cells[NY * NX - 1] == 0 && cells[2 * NY * NX] == 1 &&
            cells[NZ * NY * NX - 1] == 1 && H5DSget_num_scales(lc, 0) == 1,
        "/grid/layer_cells: the layer of each cell, dimension z");
  if (lc >= 0) H5Dclose(lc);

  /* /grid */
  double xs[NX];
  int layer[NZ];
  CHECK(read_all(f, "/grid/x", xs) == 0 && xs[0] == 5 && xs[NX - 1] == 45, "/grid/x");
  CHECK(shape(f, "/grid/y", dims, maxd) == 1 && dims[0] == NY, "/grid/y shape");
  CHECK(shape(f, "/grid/z", dims, maxd) == 1 && dims[0] == NZ, "/grid/z shape");
  ds = H5Dopen2(f, "/grid/layer", H5P_DEFAULT);
  CHECK(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, layer) >= 0 &&
            memcmp(layer, g->layer_of_z, sizeof layer) == 0 && layer[0] == 0 && layer[3] == 1,
        "/grid/layer");
  H5Dclose(ds);
  hid_t gr = H5Gopen2(f, "/grid", H5P_DEFAULT);
  CHECK(attr_doubles(gr, "spacing_um", d, 1) == 1 && d[0] == 10, "spacing_um");
  CHECK(attr_doubles(gr, "size_um", d, 3) == 3 && d[2] == 40, "size_um");
  CHECK(attr_doubles(gr, "layer_top_um", d, 8) == 2 && d[1] == 20, "layer_top_um");
  CHECK(attr_str(gr, "layer_names", str, sizeof str) == 0 &&
            strcmp(str, "epidermis,dermis") == 0, "layer_names '%s'", str);
  CHECK(attr_str(gr, "boundary_deep", str, sizeof str) == 0 && strcmp(str, "dirichlet") == 0,
        "boundary_deep '%s'", str);
  H5Gclose(gr);

  /* /code */
  hid_t code = H5Gopen2(f, "/code", H5P_DEFAULT);
  CHECK(attr_str(code, "command_line", str, sizeof str) == 0 &&
            strcmp(str, "cisim run test.yaml") == 0, "command_line");
  CHECK(attr_str(code, "hdf5_version", str, sizeof str) == 0 && str[0] == '1', "hdf5_version");
  CHECK(attr_str(code, "end_time", str, sizeof str) == 0 && strlen(str) == 20, "end_time '%s'",
        str);
  CHECK(attr_doubles(code, "threads", d, 1) == 1 && d[0] == 2, "threads");
  H5Gclose(code);

  /* /parameters: the YAML text and one attribute per parameter */
  hid_t pg = H5Gopen2(f, "/parameters", H5P_DEFAULT);
  ds = H5Dopen2(pg, "yaml", H5P_DEFAULT);
  hid_t t = H5Dget_type(ds);
  char *yaml = NULL, *want = params_to_yaml(p);
  CHECK(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) >= 0 && yaml && want &&
            strcmp(yaml, want) == 0, "/parameters/yaml differs from params_to_yaml");
  H5free_memory(yaml);
  free(want);
  H5Tclose(t);
  H5Dclose(ds);
  CHECK(attr_doubles(pg, "grid.spacing_um", d, 1) == 1 && d[0] == 10, "grid.spacing_um");
  CHECK(attr_str(pg, "grid.spacing_um.unit", str, sizeof str) == 0 && strcmp(str, "µm") == 0,
        "grid.spacing_um.unit '%s'", str);
  CHECK(attr_doubles(pg, "time.adaptive", d, 1) == 1 && d[0] == 1, "time.adaptive");
  CHECK(attr_str(pg, "time.adaptive.unit", str, sizeof str) < 0, "unit attribute for ''");
  CHECK(attr_str(pg, "grid.boundary.x", str, sizeof str) == 0 && strcmp(str, "periodic") == 0,
        "grid.boundary.x");
  CHECK(attr_doubles(pg, "grid.size_um", d, 8) == 3 && d[0] == 50 && d[2] == 40, "size_um");
  CHECK(attr_doubles(pg, "fake.rate", d, 8) == 2 && d[0] == 1.5 && d[1] == 2.5, "fake.rate");
  CHECK(attr_str(pg, "fake.rate.unit", str, sizeof str) == 0 && strcmp(str, "1/day") == 0,
        "fake.rate.unit");
  CHECK(attr_doubles(pg, "fake.count", d, 1) == 1 && d[0] == 7, "fake.count");
  CHECK(attr_str(pg, "fake.label", str, sizeof str) == 0 && strcmp(str, "hello µ") == 0,
        "fake.label '%s'", str);
  H5Gclose(pg);

  CHECK(H5Fget_obj_count(f, H5F_OBJ_ALL) == 1, "objects left open by the test");
  H5Fclose(f);
}

int main(void) {
  char dir[] = "/tmp/test_hdf5out.XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  grid g;
  params p;
  memset(&p, 0, sizeof p);
  if (setup(&g, &p, dir) != 0) {
    fprintf(stderr, "FAIL: cannot set up the grid and parameters\n");
    rmdir(dir);
    return 1;
  }
  char path64[600], path32[600], other[600];
  snprintf(path64, sizeof path64, "%s/run.h5", dir);
  snprintf(path32, sizeof path32, "%s/run32.h5", dir);

  write_run(path64, 0, 4, &g, &p);
  check_run(path64, 0, 4, &g, &p);
  write_run(path32, 1, 0, &g, &p);
  check_run(path32, 1, 0, &g, &p);

  /* An existing file is refused without force and left untouched. */
  long len0 = 0, len1 = 0;
  char *before = read_file_bytes(path64, &len0);
  model m = {.name = "fake", .nspecies = 2, .species = fake_species};
  hdf5out_options opt = {path64, 0, 0, 4, "again", 1};
  hdf5out *o = NULL;
  cs_status s = hdf5out_create(&o, &opt, &g, &m, &p, fake_series, 2);
  CHECK(s == CS_ERR_INPUT && o == NULL && strstr(cs_error_message(), "--force"),
        "existing file: status %d, '%s'", (int)s, cs_error_message());
  char *after = read_file_bytes(path64, &len1);
  CHECK(before && after && len0 == len1 && memcmp(before, after, (size_t)len0) == 0,
        "refused create changed the existing file");
  free(before);
  free(after);

  /* With force it is replaced; no parameters gives an empty /parameters; unfinished close. */
  opt.force = 1;
  s = hdf5out_create(&o, &opt, &g, &m, NULL, NULL, 0);
  CHECK(s == CS_OK, "force: %s", cs_error_message());
  s = hdf5out_close(o, 0);
  CHECK(s == CS_OK, "close after force: %s", cs_error_message());
  hid_t f = H5Fopen(path64, H5F_ACC_RDONLY, H5P_DEFAULT);
  hsize_t dims[4], maxd[4];
  double d[1];
  int nattr = 0;
  CHECK(shape(f, "/fields/a", dims, maxd) == 4 && dims[0] == 0, "replaced file has snapshots");
  CHECK(attr_doubles(f, "finished", d, 1) == 1 && d[0] == 0, "finished should be 0");
  hid_t pg = H5Gopen2(f, "/parameters", H5P_DEFAULT);
  H5Aiterate2(pg, H5_INDEX_NAME, H5_ITER_NATIVE, NULL, count_attr, &nattr);
  CHECK(nattr == 0 && H5Lexists(pg, "yaml", H5P_DEFAULT) > 0, "empty /parameters: %d attrs",
        nattr);
  H5Gclose(pg);
  H5Fclose(f);

  /* A missing directory is an input error naming the path. */
  snprintf(other, sizeof other, "%s/no/such/dir/run.h5", dir);
  opt.path = other;
  s = hdf5out_create(&o, &opt, &g, &m, &p, fake_series, 2);
  CHECK(s == CS_ERR_INPUT && o == NULL && strstr(cs_error_message(), other),
        "missing directory: status %d, '%s'", (int)s, cs_error_message());

  /* A failure half-way through create (two series of one name) is an I/O error naming the
     dataset, and leaves no half-written file behind. */
  static const series_desc dup[2] = {{"dup", "-", "first"}, {"dup", "-", "second"}};
  snprintf(other, sizeof other, "%s/dup.h5", dir);
  s = hdf5out_create(&o, &opt, &g, &m, &p, dup, 2);
  CHECK(s == CS_ERR_IO && o == NULL && strstr(cs_error_message(), "/series/dup"),
        "duplicate series: status %d, '%s'", (int)s, cs_error_message());
  CHECK(access(other, F_OK) != 0, "failed create left %s behind", other);

  /* A read-only directory too (root ignores permissions, so only as a normal user). */
  if (geteuid() != 0) {
    char ro[64];
    snprintf(ro, sizeof ro, "%s/ro", dir);
    mkdir(ro, 0500);
    snprintf(other, sizeof other, "%s/run.h5", ro);
    s = hdf5out_create(&o, &opt, &g, &m, &p, fake_series, 2);
    CHECK(s == CS_ERR_INPUT && o == NULL, "read-only directory: status %d, '%s'", (int)s,
          cs_error_message());
    rmdir(ro);
  }

  /* A snapshot of 8 GiB is split into chunks of whole z-planes below 4 GiB. */
  grid big;
  if (big_grid(&big, 4096, 4096, 64) == 0) {
    snprintf(other, sizeof other, "%s/big.h5", dir);
    opt.deflate = 0;
    s = hdf5out_create(&o, &opt, &big, &m, NULL, NULL, 0);
    CHECK(s == CS_OK, "big grid: %s", cs_error_message());
    CHECK(hdf5out_close(o, 0) == CS_OK, "big close: %s", cs_error_message());
    f = H5Fopen(other, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, "/fields/a", H5P_DEFAULT), dcpl = H5Dget_create_plist(ds);
    hsize_t ch[4] = {0};
    CHECK(H5Pget_chunk(dcpl, 4, ch) == 4 && ch[0] == 1 && ch[1] == 8 && ch[2] == 4096 &&
              ch[3] == 4096, "big chunk (%llu, %llu, %llu, %llu)", (unsigned long long)ch[0],
          (unsigned long long)ch[1], (unsigned long long)ch[2], (unsigned long long)ch[3]);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(f);
    unlink(other);
    big_grid_free(&big);
  } else {
    CHECK(0, "cannot build the big grid");
  }

  if (getenv("TEST_HDF5OUT_KEEP")) /* to look at the files with h5dump or h5py */
    printf("kept %s and %s\n", path64, path32);
  else {
    unlink(path64);
    unlink(path32);
    rmdir(dir);
  }
  teardown(&g, &p);
  if (failures) {
    fprintf(stderr, "test_hdf5out: %d check(s) failed\n", failures);
    return 1;
  }
  printf("test_hdf5out: ok\n");
  return 0;
}
