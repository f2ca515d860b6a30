#define _POSIX_C_SOURCE 200809L /* gethostname, gmtime_r, strdup, access, fsync */

#include "hdf5out.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_version.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "checkpoint.h"
#include "hdf5out_attr.h"
#include "run_id.h"
#include "protocol.h"
#include "xdmf.h"

/* Provenance macros come from CMake; the fallbacks let the file build on its own. */
#ifndef CISIM_VERSION
#define CISIM_VERSION "unknown"
#endif
#ifndef CISIM_GIT
#define CISIM_GIT "unknown"
#endif
#ifndef CISIM_COMPILER
#define CISIM_COMPILER "unknown"
#endif
#ifndef CISIM_CFLAGS
#define CISIM_CFLAGS "unknown"
#endif

/* HDF5 refuses chunks of 4 GiB or more, and deflate holds a chunk and its compressed copy in
   memory together: a snapshot larger than this is split into chunks of whole z-planes. */
#define CHUNK_MAX_BYTES ((hsize_t)1 << 30)
/* Time and series grow by one value per snapshot; a chunk per value would bloat the index. */
#define SERIES_CHUNK 256

struct hdf5out {
  char *path;
  hid_t file, time;
  hid_t *fields;    /* [nfields] /fields/<species> */
  hid_t *series;    /* [nseries] /series/<name> */
  int nfields, nseries;
  hsize_t row[3];   /* nz, ny, nx */
  size_t ncell;
  int single;
  float *scratch;   /* [ncell] single-precision copy of one field, allocated once */
  hsize_t nsnap;
  /* for the XDMF sidecar */
  const grid *g;
  const model *m;
  char *xmf_path;
  double *times;
  size_t times_cap;
  double io_seconds; /* in hdf5out_write_snapshot */
  char created[64];  /* the root attribute `created` */
  char run_id[RUN_ID_LEN]; /* the root attribute `run_id`: names the run (checkpoints refer to it) */
};

static void iso_now(char buf[32]) {
  time_t now = time(NULL);
  struct tm tm;
  if (!gmtime_r(&now, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(buf, 32, "unknown");
}

static const char *bc_name(bc_kind b) {
  switch (b) {
    case BC_PERIODIC: return "periodic";
    case BC_NOFLUX: return "noflux";
    case BC_DIRICHLET: return "dirichlet";
  }
  return "unknown";
}

/* An HDF5 failure, named by file and object, with HDF5's own most specific reason. */
static cs_status io_err(const hdf5out *o, const char *what, const char *obj) {
  h5a_note();
  const char *d = h5a_error_detail();
  cs_status s = CS_ERROR(CS_ERR_IO, "%s: cannot write %s%s%s%s", o->path, what, obj,
                         d[0] ? ": " : "", d);
  h5a_error_clear();
  return s;
}

static cs_status attr_err(const hdf5out *o, const h5a_ctx *c, const char *obj) {
  char what[192];
  snprintf(what, sizeof what, "attribute %s of ", c->failed);
  return io_err(o, what, obj);
}

/* Every dataset says what it holds and in which unit, for readers without our docs. */
static cs_status label(const hdf5out *o, hid_t ds, const char *obj, const char *units,
                       const char *long_name) {
  h5a_ctx c;
  h5a_init(&c, ds);
  h5a_str(&c, "units", units);
  h5a_str(&c, "long_name", long_name);
  return c.failed[0] ? attr_err(o, &c, obj) : CS_OK;
}

/* A fixed 1-D dataset written whole. */
static cs_status write_vec(const hdf5out *o, hid_t loc, const char *name, const char *obj,
                           hid_t ftype, hid_t mtype, hsize_t n, const void *buf,
                           const char *units, const char *long_name) {
  return h5a_write_vec(loc, name, ftype, mtype, n, buf, units, long_name) < 0 ? io_err(o, "", obj)
                                                                             : CS_OK;
}

/* One snapshot per chunk unless that exceeds CHUNK_MAX_BYTES; then fewer z-planes (and, for
   absurdly wide planes, fewer rows). */
static void field_chunk(hsize_t chunk[4], const hsize_t row[3], size_t elem) {
  chunk[0] = 1;
  for (int d = 1; d <= 3; d++) chunk[d] = row[d - 1];
  for (int d = 1; d <= 3; d++) {
    hsize_t inner = elem, total;
    for (int e = d + 1; e <= 3; e++) inner *= chunk[e];
    total = inner * chunk[d];
    if (total <= CHUNK_MAX_BYTES) break;
    chunk[d] = CHUNK_MAX_BYTES / inner > 0 ? CHUNK_MAX_BYTES / inner : 1;
  }
}

static cs_status write_code(hdf5out *o, const hdf5out_options *opt, const char *now) {
  hid_t g = H5Gcreate2(o->file, "code", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return io_err(o, "group ", "/code");
  unsigned maj = 0, min = 0, rel = 0;
  char hdf5v[48], host[256];
  H5get_libversion(&maj, &min, &rel);
  snprintf(hdf5v, sizeof hdf5v, "%u.%u.%u", maj, min, rel);
  if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
  host[sizeof host - 1] = '\0'; /* gethostname may truncate without terminating */

  h5a_ctx c;
  h5a_init(&c, g);
  h5a_str(&c, "version", CISIM_VERSION);
  h5a_str(&c, "git_commit", CISIM_GIT);
  h5a_str(&c, "compiler", CISIM_COMPILER);
  h5a_str(&c, "cflags", CISIM_CFLAGS);
  h5a_str(&c, "gsl_version", GSL_VERSION);
  h5a_str(&c, "hdf5_version", hdf5v);
  h5a_str(&c, "libyaml_version", yaml_get_version_string());
  h5a_int(&c, "threads", opt->threads);
  h5a_str(&c, "host", host);
  h5a_str(&c, "command_line", opt->command_line);
  h5a_str(&c, "start_time", now);
  h5a_str(&c, "end_time", ""); /* stays empty if the run dies: a sign it did not close */
  cs_status st = c.failed[0] ? attr_err(o, &c, "/code") : CS_OK;
  H5Gclose(g);
  return st;
}

static void param_attr(h5a_ctx *c, const param_value *pv) {
  const param_desc *d = pv->desc;
  size_t n = pv->v && pv->n > 0 ? (size_t)pv->n : 0;
  switch (d->type) {
    case P_REAL:
    case P_INT:
    case P_BOOL:
      /* Per-layer reals are always an array, even with one layer, so readers need no case. */
      if (d->type == P_REAL && d->per_layer)
        h5a_doubles(c, d->key, pv->v, n);
      else
        h5a_double(c, d->key, pv->v ? pv->v[0] : NAN);
      break;
    case P_REALS: h5a_doubles(c, d->key, pv->v, n); break;
    case P_ENUM:
    case P_STRING: h5a_str(c, d->key, pv->s); break;
  }
}

static cs_status write_params(hdf5out *o, const params *p) {
  hid_t g = H5Gcreate2(o->file, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return io_err(o, "group ", "/parameters");
  int have = p && p->nvals > 0 && p->vals;
  char *yaml = have ? params_to_yaml(p) : NULL;
  if (have && !yaml) {
    H5Gclose(g);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /parameters", o->path);
  }
  const char *text = yaml ? yaml : "";
  hid_t t = h5a_string_type(), s = H5Screate(H5S_SCALAR);
  hid_t ds = (t < 0 || s < 0) ? H5I_INVALID_HID
                              : H5Dcreate2(g, "yaml", t, s, H5P_DEFAULT, H5P_DEFAULT,
                                           H5P_DEFAULT);
  cs_status st = CS_OK;
  if (ds < 0 || H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0)
    st = io_err(o, "", "/parameters/yaml");
  if (ds >= 0) H5Dclose(ds);
  if (s >= 0) H5Sclose(s);
  if (t >= 0) H5Tclose(t);
  free(yaml);

  h5a_ctx c;
  h5a_init(&c, g);
  for (size_t i = 0; have && st == CS_OK && i < p->nvals; i++) {
    const param_value *pv = &p->vals[i];
    if (!pv->desc || !pv->desc->key) continue;
    param_attr(&c, pv);
    if (pv->desc->unit && pv->desc->unit[0]) {
      size_t len = strlen(pv->desc->key) + sizeof ".unit";
      char *name = malloc(len);
      if (!name) {
        st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /parameters", o->path);
        break;
      }
      snprintf(name, len, "%s.unit", pv->desc->key);
      h5a_str(&c, name, pv->desc->unit);
      free(name);
    }
    if (c.failed[0]) st = attr_err(o, &c, "/parameters");
  }
  H5Gclose(g);
  return st;
}

static cs_status write_grid(hdf5out *o, const grid *gr) {
  hid_t g = H5Gcreate2(o->file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return io_err(o, "group ", "/grid");
  int n[3] = {gr->nx, gr->ny, gr->nz};
  int nmax = n[0] > n[1] ? n[0] : n[1];
  nmax = nmax > n[2] ? nmax : n[2];
  double *coord = malloc((size_t)nmax * sizeof *coord);
  if (!coord) {
    H5Gclose(g);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /grid", o->path);
  }
  static const char *const names[3] = {"x", "y", "z"};
  static const char *const objs[3] = {"/grid/x", "/grid/y", "/grid/z"};
  static const char *const longs[3] = {"cell centre, x", "cell centre, y",
                                       "cell centre, depth below the skin surface"};
  cs_status st = CS_OK;
  for (int a = 0; a < 3 && st == CS_OK; a++) {
    for (int i = 0; i < n[a]; i++) coord[i] = (i + 0.5) * gr->h;
    st = write_vec(o, g, names[a], objs[a], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, (hsize_t)n[a],
                   coord, "µm", longs[a]);
  }
  free(coord);
  if (st == CS_OK)
    st = write_vec(o, g, "layer", "/grid/layer", H5T_STD_I32LE, H5T_NATIVE_INT,
                   (hsize_t)gr->nz, gr->layer_of_z, "-",
                   "layer index of each depth row (see layer_names)");

  /* One comma-separated string: a list of variable-length strings is awkward in most readers. */
  char lnames[PARAMS_MAX_LAYERS * 65] = "";
  size_t used = 0;
  for (int l = 0; l < gr->nlayers && l < PARAMS_MAX_LAYERS; l++) {
    int w = snprintf(lnames + used, sizeof lnames - used, "%s%s", l ? "," : "",
                     gr->layers[l].name);
    if (w > 0) used += (size_t)w < sizeof lnames - used ? (size_t)w : sizeof lnames - used - 1;
  }
  const double origin[3] = {0, 0, 0};
  h5a_ctx c;
  h5a_init(&c, g);
  h5a_double(&c, "spacing_um", gr->h);
  h5a_doubles(&c, "origin_um", origin, 3);
  h5a_doubles(&c, "size_um", gr->size, 3);
  h5a_int(&c, "dims", gr->dims);
  h5a_str(&c, "boundary_x", bc_name(gr->bc_x));
  h5a_str(&c, "boundary_y", bc_name(gr->bc_y));
  h5a_str(&c, "boundary_surface", bc_name(gr->bc_top));
  h5a_str(&c, "boundary_deep", bc_name(gr->bc_bottom));
  h5a_str(&c, "layer_names", lnames);
  h5a_doubles(&c, "layer_top_um", gr->layer_top,
              gr->nlayers > 0 ? (size_t)gr->nlayers : 0);
  if (st == CS_OK && c.failed[0]) st = attr_err(o, &c, "/grid");
  H5Gclose(g);
  return st;
}

/* Datasets that grow by one row per snapshot: /time, /fields/<species>, /series/<name>. */
static cs_status make_growing(hdf5out *o, const hdf5out_options *opt, const model *m,
                              const series_desc *sd) {
  hsize_t one = SERIES_CHUNK;
  o->time = h5a_extendible(o->file, "time", H5T_IEEE_F64LE, 1, NULL, &one, 0);
  if (o->time < 0) return io_err(o, "", "/time");
  CS_TRY(label(o, o->time, "/time", "day", "simulated time of the snapshot"));

  char obj[320];
  hsize_t chunk[4];
  size_t elem = o->single ? sizeof(float) : sizeof(double);
  field_chunk(chunk, o->row, elem);
  hid_t g = H5Gcreate2(o->file, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return io_err(o, "group ", "/fields");
  cs_status st = CS_OK;
  for (int s = 0; s < o->nfields && st == CS_OK; s++) {
    const species_info *sp = &m->species[s];
    snprintf(obj, sizeof obj, "/fields/%s", sp->name);
    o->fields[s] = h5a_extendible(g, sp->name, o->single ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, 4,
                                  o->row, chunk, opt->deflate);
    st = o->fields[s] < 0 ? io_err(o, "", obj) : label(o, o->fields[s], obj, sp->unit,
                                                       sp->long_name);
  }
  H5Gclose(g);
  if (st != CS_OK) return st;

  g = H5Gcreate2(o->file, "series", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return io_err(o, "group ", "/series");
  for (int i = 0; i < o->nseries && st == CS_OK; i++) {
    snprintf(obj, sizeof obj, "/series/%s", sd[i].name);
    o->series[i] = h5a_extendible(g, sd[i].name, H5T_IEEE_F64LE, 1, NULL, &one, 0);
    st = o->series[i] < 0 ? io_err(o, "", obj) : label(o, o->series[i], obj, sd[i].unit,
                                                       sd[i].long_name);
  }
  H5Gclose(g);
  return st;
}

/* Close every handle and free; nonzero if HDF5 reported a failure (e.g. the final write). */
static int release(hdf5out *o) {
  int bad = 0;
  for (int s = 0; o->fields && s < o->nfields; s++)
    if (o->fields[s] >= 0 && H5Dclose(o->fields[s]) < 0) bad = 1;
  for (int i = 0; o->series && i < o->nseries; i++)
    if (o->series[i] >= 0 && H5Dclose(o->series[i]) < 0) bad = 1;
  if (o->time >= 0 && H5Dclose(o->time) < 0) bad = 1;
  if (bad) h5a_note();
  if (o->file >= 0 && H5Fclose(o->file) < 0) {
    h5a_note();
    bad = 1;
  }
  free(o->fields);
  free(o->series);
  free(o->scratch);
  free(o->path);
  free(o->xmf_path);
  free(o->times);
  free(o);
  return bad;
}

static cs_status check_path(const char *path, int force) {
  struct stat sb;
  if (stat(path, &sb) == 0) {
    if (S_ISDIR(sb.st_mode))
      return CS_ERROR(CS_ERR_INPUT, "%s: output path is a directory", path);
    if (!force) return CS_ERROR(CS_ERR_INPUT, "%s: output exists; use --force to replace it", path);
  }
  /* Check the directory ourselves: HDF5's own message for this is a stack of internals. */
  const char *slash = strrchr(path, '/');
  size_t len = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;
  char *dir = malloc(len + 1);
  if (!dir) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  memcpy(dir, slash ? path : ".", len);
  dir[len] = '\0';
  cs_status st = CS_OK;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    st = CS_ERROR(CS_ERR_INPUT, "%s: cannot create output: directory %s does not exist", path,
                  dir);
  else if (access(dir, W_OK | X_OK) != 0)
    st = CS_ERROR(CS_ERR_INPUT, "%s: cannot create output: directory %s is not writable (%s)",
                  path, dir, strerror(errno));
  free(dir);
  return st;
}

cs_status hdf5out_create(hdf5out **out, const hdf5out_options *opt, const grid *g,
                         const model *m, const params *p, const series_desc *series,
                         int nseries) {
  *out = NULL;
  if (!opt || !opt->path || !opt->path[0] || !g || !m || m->nspecies < 0 ||
      (m->nspecies > 0 && !m->species) || nseries < 0 || (nseries > 0 && !series))
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_create: missing output path, grid or model");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* failures are reported through cs_error */
  h5a_error_clear();
  CS_TRY(check_path(opt->path, opt->force));

  hdf5out *o = calloc(1, sizeof *o);
  if (!o) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", opt->path);
  o->file = o->time = H5I_INVALID_HID;
  o->nfields = m->nspecies;
  o->nseries = nseries;
  o->row[0] = (hsize_t)g->nz;
  o->row[1] = (hsize_t)g->ny;
  o->row[2] = (hsize_t)g->nx;
  o->ncell = (size_t)g->nx * (size_t)g->ny * (size_t)g->nz;
  o->single = opt->single_precision != 0;
  o->path = strdup(opt->path);
  o->xmf_path = xdmf_path_for(opt->path);
  o->g = g;
  o->m = m;
  o->fields = malloc((size_t)(o->nfields > 0 ? o->nfields : 1) * sizeof *o->fields);
  o->series = malloc((size_t)(nseries > 0 ? nseries : 1) * sizeof *o->series);
  if (o->single) o->scratch = malloc((o->ncell ? o->ncell : 1) * sizeof *o->scratch);
  if (!o->path || !o->xmf_path || !o->fields || !o->series || (o->single && !o->scratch)) {
    o->nfields = o->nseries = 0;
    release(o);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", opt->path);
  }
  for (int s = 0; s < o->nfields; s++) o->fields[s] = H5I_INVALID_HID;
  for (int i = 0; i < nseries; i++) o->series[i] = H5I_INVALID_HID;

  /* EXCL as well as the check above: another process may create the file in between. */
  o->file = H5Fcreate(opt->path, opt->force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT,
                      H5P_DEFAULT);
  if (o->file < 0) {
    h5a_note();
    const char *d = h5a_error_detail();
    cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot create the output file%s%s", opt->path,
                            d[0] ? ": " : "", d);
    h5a_error_clear();
    release(o);
    return st;
  }

  char now[32];
  iso_now(now);
  cs_status st = run_id_new(o->run_id);
  char *yaml = st == CS_OK && p ? params_to_yaml(p) : NULL;
  char hash[17] = "";
  if (yaml) checkpoint_hash(yaml, hash);
  free(yaml);
  h5a_ctx c;
  h5a_init(&c, o->file);
  h5a_str(&c, "program", "cisim");
  h5a_str(&c, "version", CISIM_VERSION);
  h5a_str(&c, "created", now);
  h5a_str(&c, "run_id", o->run_id);
  h5a_str(&c, "config_fnv1a64", hash);
  h5a_int(&c, "finished", 0);
  h5a_str(&c, "status", "running");
  snprintf(o->created, sizeof o->created, "%s", now);
  if (st == CS_OK && c.failed[0]) st = attr_err(o, &c, "/");
  if (st == CS_OK) st = write_code(o, opt, now);
  if (st == CS_OK) st = write_params(o, p);
  if (st == CS_OK) st = write_grid(o, g);
  if (st == CS_OK) st = make_growing(o, opt, m, series);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) st = io_err(o, "", "/");
  if (st != CS_OK) {
    /* A half-written file would only block the next attempt (it exists, so needs --force). */
    char *path = o->path;
    o->path = NULL;
    release(o);
    unlink(path);
    free(path);
    return st;
  }
  *out = o;
  return CS_OK;
}

static cs_status dataset_err(const hdf5out *o, hid_t ds) {
  char name[256] = "";
  h5a_note(); /* before H5Iget_name clears the stack */
  if (H5Iget_name(ds, name, sizeof name) <= 0) snprintf(name, sizeof name, "(dataset)");
  return io_err(o, "", name);
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cs_status write_snapshot_timed(hdf5out *o, double t, const double *const *u,
                                      const double *series_values);

static cs_status write_to(void *ctx, double t, const double *const *fields,
                          const double *series) {
  return hdf5out_write_snapshot(ctx, t, fields, series);
}

sim_output hdf5out_output(hdf5out *o) { return (sim_output){write_to, o}; }

cs_status hdf5out_write_snapshot(hdf5out *o, double t, const double *const *u,
                                 const double *series_values) {
  double t0 = mono_s();
  cs_status st = write_snapshot_timed(o, t, u, series_values);
  if (o) o->io_seconds += mono_s() - t0;
  return st;
}

static cs_status write_snapshot_timed(hdf5out *o, double t, const double *const *u,
                                      const double *series_values) {
  if (!o || o->file < 0 || (o->nfields > 0 && !u) || (o->nseries > 0 && !series_values))
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_write_snapshot: no open output or no data");
  h5a_error_clear();
  hsize_t n = o->nsnap;
  for (int s = 0; s < o->nfields; s++) {
    const void *buf = u[s];
    if (o->single) {
      /* A plain cast keeps NaN and infinities, which the engine checks for separately. */
      for (size_t i = 0; i < o->ncell; i++) o->scratch[i] = (float)u[s][i];
      buf = o->scratch;
    }
    hid_t mtype = o->single ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    if (h5a_append_row(o->fields[s], 4, o->row, n, mtype, buf) < 0)
      return dataset_err(o, o->fields[s]);
  }
  for (int i = 0; i < o->nseries; i++)
    if (h5a_append_row(o->series[i], 1, NULL, n, H5T_NATIVE_DOUBLE, &series_values[i]) < 0)
      return dataset_err(o, o->series[i]);
  /* /time last: its length counts the snapshots that were written completely. */
  if (h5a_append_row(o->time, 1, NULL, n, H5T_NATIVE_DOUBLE, &t) < 0)
    return dataset_err(o, o->time);
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return io_err(o, "(flush) ", "/");
  o->nsnap = n + 1;
  if (o->nsnap > o->times_cap) {
    size_t cap = o->times_cap ? 2 * o->times_cap : 64;
    double *t2 = realloc(o->times, cap * sizeof *t2);
    if (!t2) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
    o->times = t2;
    o->times_cap = cap;
  }
  o->times[n] = t;
  return xdmf_write(o->xmf_path, o->path, o->g, o->m, o->times, (int)o->nsnap, o->single);
}

/* Per-puncture columns and per-session maps; see hdf5out.h. */
cs_status hdf5out_write_punctures(hdf5out *o, const protocol *pr, const grid *g, int nthreads) {
  if (!o || o->file < 0 || !pr) return CS_ERROR(CS_ERR_INPUT, "hdf5out_write_punctures: no output");
  h5a_error_clear();
  hid_t grp = H5Gcreate2(o->file, "punctures", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp < 0) return io_err(o, "group ", "/punctures");
  size_t n = (size_t)pr->npunctures, ns = (size_t)pr->nsessions;
  size_t cols = n > 0 ? n : 1, sc = ns > 0 ? ns : 1;
  double *d = malloc(sizeof(double) * cols * 5 + sizeof(double) * sc * 5);
  int *iv = malloc(sizeof(int) * cols * 2);
  float *map = malloc(sizeof(float) * (g->ncell ? g->ncell : 1));
  cs_status st = CS_OK;
  if (!d || !iv || !map) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /punctures", o->path);
  if (st == CS_OK) {
    double *x = d, *y = d + cols, *dep = d + 2 * cols, *rad = d + 3 * cols, *day = d + 4 * cols;
    int *ses = iv, *pas = iv + cols;
    for (size_t q = 0; q < n; q++) {
      const puncture *c = &pr->punctures[q];
      x[q] = c->x;
      y[q] = c->y;
      dep[q] = c->depth;
      rad[q] = c->radius;
      day[q] = pr->sessions[c->session].day;
      ses[q] = c->session;
      pas[q] = c->pass;
    }
    st = write_vec(o, grp, "x_um", "/punctures/x_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, x, "µm",
                   "needle axis at the skin surface, x");
    if (st == CS_OK)
      st = write_vec(o, grp, "y_um", "/punctures/y_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, y,
                     "µm", "needle axis at the skin surface, y (0 in 2D)");
    if (st == CS_OK)
      st = write_vec(o, grp, "depth_um", "/punctures/depth_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n,
                     dep, "µm", "channel depth (needle length × penetration)");
    if (st == CS_OK)
      st = write_vec(o, grp, "radius_um", "/punctures/radius_um", H5T_IEEE_F64LE,
                     H5T_NATIVE_DOUBLE, n, rad, "µm", "channel radius at the skin surface");
    for (size_t q = 0; q < n; q++) rad[q] = pr->punctures[q].period_y;
    if (st == CS_OK)
      st = write_vec(o, grp, "period_y_um", "/punctures/period_y_um", H5T_IEEE_F64LE,
                     H5T_NATIVE_DOUBLE, n, rad, "µm",
                     "2D: y period of the needle row a puncture stands for (0 in 3D)");
    if (st == CS_OK)
      st = write_vec(o, grp, "day", "/punctures/day", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n, day,
                     "day", "day of the puncture's session");
    if (st == CS_OK)
      st = write_vec(o, grp, "session", "/punctures/session", H5T_STD_I32LE, H5T_NATIVE_INT, n,
                     ses, "-", "session index (0-based)");
    if (st == CS_OK)
      st = write_vec(o, grp, "pass", "/punctures/pass", H5T_STD_I32LE, H5T_NATIVE_INT, n, pas,
                     "-", "pass index within the session (0-based)");
  }
  if (st == CS_OK) {
    double *sd = d + 5 * cols;
    h5a_ctx c;
    h5a_init(&c, grp);
    h5a_str(&c, "tip", pr->tip == TIP_CONE ? "cone" : "cylinder");
    h5a_double(&c, "halo_um", pr->halo);
    h5a_int(&c, "count", pr->npunctures);
    for (size_t k = 0; k < ns; k++) sd[k] = pr->sessions[k].day;
    h5a_doubles(&c, "session_day", sd, ns);
    for (size_t k = 0; k < ns; k++) sd[k] = pr->sessions[k].needle_length_um;
    h5a_doubles(&c, "needle_length_um", sd, ns);
    for (size_t k = 0; k < ns; k++) sd[k] = pr->sessions[k].penetration;
    h5a_doubles(&c, "penetration", sd, ns);
    for (size_t k = 0; k < ns; k++) sd[k] = pr->sessions[k].passes;
    h5a_doubles(&c, "passes", sd, ns);
    for (size_t k = 0; k < ns; k++) sd[k] = pr->sessions[k].density_per_cm2;
    h5a_doubles(&c, "density_per_cm2", sd, ns);
    if (c.failed[0]) st = attr_err(o, &c, "/punctures");
  }
  /* Wound maps, one session per row. */
  static const char *const mname[2] = {"channel_fraction", "distance_um"};
  static const char *const mobj[2] = {"/punctures/channel_fraction", "/punctures/distance_um"};
  static const char *const munit[2] = {"-", "µm"};
  static const char *const mlong[2] = {
      "volume fraction of the cell inside a channel of the session (2D: averaged over y)",
      "distance from the cell centre to the nearest channel of the session"};
  hsize_t chunk[4];
  field_chunk(chunk, o->row, sizeof(float));
  for (int mi = 0; mi < 2 && st == CS_OK; mi++) {
    hid_t ds = h5a_extendible(grp, mname[mi], H5T_IEEE_F32LE, 4, o->row, chunk, 4);
    if (ds < 0) {
      st = io_err(o, "", mobj[mi]);
      break;
    }
    st = label(o, ds, mobj[mi], munit[mi], mlong[mi]);
    for (size_t k = 0; k < ns && st == CS_OK; k++) {
      protocol_rasterise(pr, g, (int)k, mi == 0 ? map : NULL, NULL, mi == 1 ? map : NULL,
                         nthreads);
      if (h5a_append_row(ds, 4, o->row, (hsize_t)k, H5T_NATIVE_FLOAT, map) < 0)
        st = dataset_err(o, ds);
    }
    H5Dclose(ds);
  }
  free(d);
  free(iv);
  free(map);
  H5Gclose(grp);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) st = io_err(o, "(flush) ", "/");
  return st;
}

cs_status hdf5out_close(hdf5out *o, int finished) {
  if (!o) return CS_OK;
  h5a_error_clear();
  cs_status st = CS_OK;
  if (o->file >= 0) {
    char now[32];
    iso_now(now);
    h5a_ctx c;
    hid_t code = H5Gopen2(o->file, "code", H5P_DEFAULT);
    if (code < 0) st = io_err(o, "group ", "/code");
    h5a_init(&c, code);
    if (code >= 0) h5a_str(&c, "end_time", now);
    if (st == CS_OK && c.failed[0]) st = attr_err(o, &c, "/code");
    if (code >= 0) H5Gclose(code);
    h5a_init(&c, o->file);
    h5a_int(&c, "finished", finished ? 1 : 0);
    if (st == CS_OK && c.failed[0]) st = attr_err(o, &c, "/");
  }
  char *path = o->path;
  o->path = NULL;
  if (release(o) && st == CS_OK) {
    const char *d = h5a_error_detail();
    st = CS_ERROR(CS_ERR_IO, "%s: cannot close the output file%s%s", path ? path : "",
                  d[0] ? ": " : "", d);
  }
  h5a_error_clear();
  free(path);
  return st;
}

/* ---- continuing a run (cisim run --resume) ---- */

/* Length of the first dimension of DS, or -1. */
static long rows_of(hid_t ds) {
  hid_t sp = H5Dget_space(ds);
  if (sp < 0) return -1;
  hsize_t dims[4] = {0};
  int rank = H5Sget_simple_extent_ndims(sp);
  if (rank < 1 || rank > 4 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) rank = -1;
  H5Sclose(sp);
  return rank < 0 ? -1 : (long)dims[0];
}

static cs_status cut_to(hdf5out *o, hid_t ds, long n) {
  hid_t sp = H5Dget_space(ds);
  hsize_t dims[4] = {0};
  int rank = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
  if (rank < 1 || rank > 4 || H5Sget_simple_extent_dims(sp, dims, NULL) < 0) {
    if (sp >= 0) H5Sclose(sp);
    return dataset_err(o, ds);
  }
  H5Sclose(sp);
  if ((long)dims[0] == n) return CS_OK;
  dims[0] = (hsize_t)n;
  if (H5Dset_extent(ds, dims) < 0) return dataset_err(o, ds);
  return CS_OK;
}

static cs_status open_fail(hdf5out *o, const char *obj, const char *why) {
  h5a_note();
  const char *d = h5a_error_detail();
  cs_status st = CS_ERROR(CS_ERR_INPUT, "%s: cannot continue this run file: %s %s%s%s", o->path,
                          obj, why, d[0] && !strstr(why, "holds") ? ": " : "",
                          d[0] && !strstr(why, "holds") ? d : "");
  h5a_error_clear();
  return st;
}

cs_status hdf5out_open_append(hdf5out **out, const char *path, const grid *g, const model *m,
                              const series_desc *series, int nseries, long nsnap) {
  *out = NULL;
  if (!path || !g || !m || nseries < 0 || (nseries > 0 && !series) || nsnap < 0)
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_open_append: missing path, grid or model");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  h5a_error_clear();
  hdf5out *o = calloc(1, sizeof *o);
  if (!o) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  o->file = o->time = H5I_INVALID_HID;
  o->nfields = m->nspecies;
  o->nseries = nseries;
  o->row[0] = (hsize_t)g->nz;
  o->row[1] = (hsize_t)g->ny;
  o->row[2] = (hsize_t)g->nx;
  o->ncell = (size_t)g->nx * (size_t)g->ny * (size_t)g->nz;
  o->path = strdup(path);
  o->xmf_path = xdmf_path_for(path);
  o->g = g;
  o->m = m;
  o->fields = malloc((size_t)(o->nfields > 0 ? o->nfields : 1) * sizeof *o->fields);
  o->series = malloc((size_t)(nseries > 0 ? nseries : 1) * sizeof *o->series);
  o->times_cap = (size_t)nsnap + 64;
  o->times = malloc(o->times_cap * sizeof *o->times);
  if (!o->path || !o->xmf_path || !o->fields || !o->series || !o->times) {
    o->nfields = o->nseries = 0;
    release(o);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  }
  for (int s = 0; s < o->nfields; s++) o->fields[s] = H5I_INVALID_HID;
  for (int i = 0; i < nseries; i++) o->series[i] = H5I_INVALID_HID;
  cs_status st = CS_OK;
  o->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (o->file < 0) st = open_fail(o, "the file", "cannot be opened for writing");
  if (st == CS_OK) {
    o->time = H5Dopen2(o->file, "time", H5P_DEFAULT);
    if (o->time < 0) st = open_fail(o, "/time", "is missing");
  }
  char obj[320];
  for (int s = 0; st == CS_OK && s < o->nfields; s++) {
    snprintf(obj, sizeof obj, "/fields/%s", m->species[s].name);
    o->fields[s] = H5Dopen2(o->file, obj, H5P_DEFAULT);
    if (o->fields[s] < 0) {
      st = open_fail(o, obj, "is missing");
      break;
    }
    hid_t sp = H5Dget_space(o->fields[s]), ty = H5Dget_type(o->fields[s]);
    hsize_t dims[4] = {0};
    int ok = sp >= 0 && ty >= 0 && H5Sget_simple_extent_ndims(sp) == 4 &&
             H5Sget_simple_extent_dims(sp, dims, NULL) == 4 && dims[1] == o->row[0] &&
             dims[2] == o->row[1] && dims[3] == o->row[2];
    if (ty >= 0) {
      o->single = H5Tget_size(ty) == sizeof(float);
      H5Tclose(ty);
    }
    if (sp >= 0) H5Sclose(sp);
    if (!ok) st = open_fail(o, obj, "holds a different grid than the checkpoint's");
  }
  for (int i = 0; st == CS_OK && i < nseries; i++) {
    snprintf(obj, sizeof obj, "/series/%s", series[i].name);
    o->series[i] = H5Dopen2(o->file, obj, H5P_DEFAULT);
    if (o->series[i] < 0) st = open_fail(o, obj, "is missing");
  }
  if (st == CS_OK && o->single) {
    o->scratch = malloc((o->ncell ? o->ncell : 1) * sizeof *o->scratch);
    if (!o->scratch) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  }
  /* Every dataset must hold the checkpoint's snapshots; /time counts the complete ones. */
  if (st == CS_OK) {
    long nt = rows_of(o->time);
    if (nt < nsnap) {
      snprintf(obj, sizeof obj, "holds %ld snapshot%s, the checkpoint needs %ld", nt,
               nt == 1 ? "" : "s", nsnap);
      st = open_fail(o, "/time", obj);
    }
  }
  for (int s = 0; st == CS_OK && s < o->nfields; s++)
    if (rows_of(o->fields[s]) < nsnap) st = open_fail(o, "a field", "holds too few snapshots");
  for (int i = 0; st == CS_OK && i < nseries; i++)
    if (rows_of(o->series[i]) < nsnap) st = open_fail(o, "a series", "holds too few snapshots");
  if (st == CS_OK) st = cut_to(o, o->time, nsnap);
  for (int s = 0; st == CS_OK && s < o->nfields; s++) st = cut_to(o, o->fields[s], nsnap);
  for (int i = 0; st == CS_OK && i < nseries; i++) st = cut_to(o, o->series[i], nsnap);
  if (st == CS_OK && nsnap > 0 &&
      H5Dread(o->time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->times) < 0)
    st = open_fail(o, "/time", "cannot be read");
  if (st == CS_OK) {
    char *id = h5a_read_str(o->file, "run_id");
    snprintf(o->run_id, sizeof o->run_id, "%s", id ? id : "");
    free(id);
  }
  if (st == CS_OK && H5Aexists(o->file, "created") > 0) {
    hid_t a = H5Aopen(o->file, "created", H5P_DEFAULT), t = h5a_string_type();
    char *cr = NULL;
    if (a >= 0 && t >= 0 && H5Aread(a, t, &cr) >= 0 && cr) {
      snprintf(o->created, sizeof o->created, "%s", cr);
      H5free_memory(cr);
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
  }
  if (st == CS_OK) {
    o->nsnap = (hsize_t)nsnap;
    int resumed = 0;
    if (H5Aexists(o->file, "resumed") > 0) {
      hid_t a = H5Aopen(o->file, "resumed", H5P_DEFAULT);
      if (a >= 0) {
        if (H5Aread(a, H5T_NATIVE_INT, &resumed) < 0) resumed = 0;
        H5Aclose(a);
      }
    }
    h5a_error_clear();
    h5a_ctx c;
    h5a_init(&c, o->file);
    h5a_int(&c, "finished", 0);
    h5a_int(&c, "resumed", resumed + 1);
    h5a_str(&c, "status", "running");
    if (c.failed[0]) st = attr_err(o, &c, "/");
  }
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) st = io_err(o, "(flush) ", "/");
  if (st == CS_OK)
    st = xdmf_write(o->xmf_path, o->path, o->g, o->m, o->times, (int)o->nsnap, o->single);
  if (st != CS_OK) {
    release(o);
    return st;
  }
  *out = o;
  return CS_OK;
}

long hdf5out_nsnap(const hdf5out *o) { return o ? (long)o->nsnap : 0; }

const char *hdf5out_created(const hdf5out *o) { return o ? o->created : ""; }

const char *hdf5out_run_id(const hdf5out *o) { return o ? o->run_id : ""; }

double hdf5out_io_seconds(const hdf5out *o) { return o ? o->io_seconds : 0; }

cs_status hdf5out_sync(hdf5out *o) {
  if (!o || o->file < 0) return CS_OK;
  h5a_error_clear();
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return io_err(o, "(flush) ", "/");
  void *handle = NULL;
  if (H5Fget_vfd_handle(o->file, H5P_DEFAULT, &handle) >= 0 && handle) {
    int fd = *(int *)handle;
    if (fsync(fd) != 0)
      return CS_ERROR(CS_ERR_IO, "%s: cannot sync the run file to disk: %s", o->path,
                      strerror(errno));
  }
  h5a_error_clear();
  return CS_OK;
}

cs_status hdf5out_set_status(hdf5out *o, const char *status) {
  if (!o || o->file < 0) return CS_OK;
  h5a_error_clear();
  h5a_ctx c;
  h5a_init(&c, o->file);
  h5a_str(&c, "status", status);
  if (c.failed[0]) return attr_err(o, &c, "/");
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return io_err(o, "(flush) ", "/");
  return CS_OK;
}

cs_status hdf5out_replace_parameters(hdf5out *o, const params *p, const char *change) {
  if (!o || o->file < 0) return CS_OK;
  h5a_error_clear();
  /* the earlier record of changes, kept */
  char *before = NULL;
  hid_t g = H5Gopen2(o->file, "parameters", H5P_DEFAULT);
  if (g >= 0 && H5Aexists(g, "changed_on_resume") > 0) {
    hid_t a = H5Aopen(g, "changed_on_resume", H5P_DEFAULT), t = h5a_string_type();
    char *s = NULL;
    if (a >= 0 && t >= 0 && H5Aread(a, t, &s) >= 0 && s) {
      before = strdup(s);
      H5free_memory(s);
    }
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
  }
  if (g >= 0) H5Gclose(g);
  h5a_error_clear();
  if (H5Ldelete(o->file, "parameters", H5P_DEFAULT) < 0) {
    free(before);
    return io_err(o, "(replace) ", "/parameters");
  }
  cs_status st = write_params(o, p);
  if (st == CS_OK) {
    size_t len = (before ? strlen(before) : 0) + strlen(change) + 4;
    char *all = malloc(len);
    if (!all) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
    else {
      snprintf(all, len, "%s%s%s", before ? before : "", before ? "; " : "", change);
      g = H5Gopen2(o->file, "parameters", H5P_DEFAULT);
      h5a_ctx c;
      h5a_init(&c, g);
      h5a_str(&c, "changed_on_resume", all);
      if (g < 0 || c.failed[0]) st = io_err(o, "attribute changed_on_resume of ", "/parameters");
      if (g >= 0) H5Gclose(g);
      free(all);
    }
  }
  free(before);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) st = io_err(o, "(flush) ", "/");
  return st;
}
