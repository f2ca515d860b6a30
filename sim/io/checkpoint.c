#define _POSIX_C_SOURCE 200809L /* fsync, strdup */

#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hdf5out.h"
#include "hdf5out_attr.h"
#include "outcome_ckpt.h"
#include "run_id.h"

#ifndef CISIM_VERSION
#define CISIM_VERSION "unknown"
#endif

#define CKPT_FORMAT "cisim-checkpoint"
#define CKPT_MAX_SNAPSHOTS HDF5OUT_MAX_SNAPSHOTS
#define CKPT_VERSION 2 /* 2: run_id and state_fnv1a64 (1: bound by a timestamp, attributes unchecked) */

char *checkpoint_path_for(const char *run_path) {
  size_t n = strlen(run_path) + sizeof ".ckpt";
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s.ckpt", run_path);
  return p;
}

/* ---- the step state, hashed in one canonical form (little-endian 64-bit words) ---- */

/* The scalars a checkpoint restores, in the order they are hashed. */
typedef struct {
  double t, end_day, dt, dt_prev, dt_cap;
  long long have_history, mid_steps, next_session, error_after_transport, nspecies;
  long long nsteps, nrejected, nsubsteps, next_output, nsnap;
  double dims[3];
} step_state;

typedef struct {
  uint64_t h;
} fnv;

static void fnv_bytes(fnv *f, const unsigned char *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    f->h ^= b[i];
    f->h *= 1099511628211ULL;
  }
}

static void fnv_u64(fnv *f, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (8 * i));
  fnv_bytes(f, b, 8);
}

static void fnv_double(fnv *f, double x) {
  uint64_t v;
  memcpy(&v, &x, sizeof v);
  fnv_u64(f, v);
}

static void fnv_str(fnv *f, const char *s) {
  fnv_u64(f, (uint64_t)strlen(s));
  fnv_bytes(f, (const unsigned char *)s, strlen(s));
}

/* Over the run identity, the configuration's hash, every step scalar and the outcome state:
   a flipped bit in any of them, or an edit of one attribute, no longer matches. */
static void state_hash(const char *run_id, const char *yaml_hash, const step_state *z,
                       const double *oc, size_t n, char out[17]) {
  fnv f = {1469598103934665603ULL};
  fnv_str(&f, run_id);
  fnv_str(&f, yaml_hash);
  const double d[] = {z->t, z->end_day, z->dt, z->dt_prev, z->dt_cap, z->dims[0], z->dims[1], z->dims[2]};
  for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) fnv_double(&f, d[i]);
  const long long k[] = {z->have_history, z->mid_steps, z->next_session, z->error_after_transport,
                         z->nspecies, z->nsteps, z->nrejected, z->nsubsteps, z->next_output,
                         z->nsnap};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) fnv_u64(&f, (uint64_t)k[i]);
  fnv_u64(&f, (uint64_t)n);
  for (size_t i = 0; i < n; i++) fnv_double(&f, oc[i]);
  snprintf(out, 17, "%016" PRIx64, f.h);
}

static step_state state_of(const sim *s, long nsnap) {
  const grid *g = s->g;
  return (step_state){
      .t = s->t, .end_day = s->opt.end_day, .dt = s->dt, .dt_prev = s->dt_prev,
      .dt_cap = s->dt_cap, .have_history = s->have_history, .mid_steps = s->mid_steps,
      .next_session = s->next_session, .error_after_transport = s->mid_mem != NULL,
      .nspecies = s->ns, .nsteps = s->nsteps, .nrejected = s->nrejected,
      .nsubsteps = s->nsubsteps, .next_output = s->next_output, .nsnap = nsnap,
      .dims = {g->nx, g->ny, g->nz}};
}

/* ---- writing ---- */

static cs_status h5fail(const char *path, const char *what) {
  h5a_note();
  const char *d = h5a_error_detail();
  cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot write the checkpoint (%s)%s%s", path, what,
                          d[0] ? ": " : "", d);
  h5a_error_clear();
  return st;
}

static int attr_i64(hid_t obj, const char *name, long long v) {
  hid_t s = H5Screate(H5S_SCALAR);
  hid_t a = s < 0 ? H5I_INVALID_HID
                  : H5Acreate2(obj, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT);
  int ok = a >= 0 && H5Awrite(a, H5T_NATIVE_LLONG, &v) >= 0;
  if (a >= 0) H5Aclose(a);
  if (s >= 0) H5Sclose(s);
  return ok;
}

/* (nspecies, ncell) doubles from per-species arrays, one species per chunk, checksummed. */
static int write_state(hid_t f, const char *name, double *const *arr, int ns, size_t ncell) {
  hsize_t dims[2] = {(hsize_t)ns, (hsize_t)ncell}, chunk[2] = {1, (hsize_t)ncell};
  hid_t s = H5Screate_simple(2, dims, NULL), pl = H5Pcreate(H5P_DATASET_CREATE);
  int ok = s >= 0 && pl >= 0 && H5Pset_chunk(pl, 2, chunk) >= 0 && H5Pset_fletcher32(pl) >= 0;
  hid_t ds = ok ? H5Dcreate2(f, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, pl, H5P_DEFAULT)
                : H5I_INVALID_HID;
  ok = ds >= 0;
  hsize_t one[2] = {1, (hsize_t)ncell}, mdim = (hsize_t)ncell;
  hid_t ms = H5Screate_simple(1, &mdim, NULL);
  for (int q = 0; ok && q < ns; q++) {
    hsize_t start[2] = {(hsize_t)q, 0};
    hid_t fs = H5Dget_space(ds);
    ok = fs >= 0 && ms >= 0 &&
         H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL) >= 0 &&
         H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, arr[q]) >= 0;
    if (fs >= 0) H5Sclose(fs);
  }
  if (ms >= 0) H5Sclose(ms);
  if (ds >= 0) H5Dclose(ds);
  if (pl >= 0) H5Pclose(pl);
  if (s >= 0) H5Sclose(s);
  return ok;
}

static int write_text(hid_t f, const char *name, const char *text) {
  hid_t t = h5a_string_type(), s = H5Screate(H5S_SCALAR);
  hid_t ds = (t < 0 || s < 0) ? H5I_INVALID_HID
                              : H5Dcreate2(f, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0;
  if (ds >= 0) H5Dclose(ds);
  if (s >= 0) H5Sclose(s);
  if (t >= 0) H5Tclose(t);
  return ok;
}

static int write_doubles(hid_t f, const char *name, const double *v, size_t n) {
  hsize_t dim = (hsize_t)n;
  hid_t s = H5Screate_simple(1, &dim, NULL);
  hid_t ds = s < 0 ? H5I_INVALID_HID
                   : H5Dcreate2(f, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  int ok = ds >= 0 && (n == 0 || H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  if (ds >= 0) H5Dclose(ds);
  if (s >= 0) H5Sclose(s);
  return ok;
}

static cs_status sync_path(const char *path, int dir) {
  int fd = open(path, dir ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return CS_ERROR(CS_ERR_IO, "%s: cannot open to sync: %s", path, strerror(errno));
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  if (rc != 0 && !(dir && (e == EINVAL || e == EBADF))) /* some file systems refuse dir fsync */
    return CS_ERROR(CS_ERR_IO, "%s: cannot sync to disk: %s", path, strerror(e));
  return CS_OK;
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  size_t len = slash == path ? 1 : (size_t)(slash - path);
  char *d = malloc(len + 1);
  if (d) {
    memcpy(d, path, len);
    d[len] = '\0';
  }
  return d;
}

static void write_step_attrs(h5a_ctx *c, const step_state *z) {
  h5a_doubles(c, "dims", z->dims, 3);
  h5a_int(c, "nspecies", (int)z->nspecies);
  h5a_double(c, "t", z->t);
  h5a_double(c, "end_day", z->end_day);
  h5a_double(c, "dt", z->dt);
  h5a_double(c, "dt_prev", z->dt_prev);
  h5a_double(c, "dt_cap", z->dt_cap);
  h5a_int(c, "have_history", (int)z->have_history);
  h5a_int(c, "mid_steps", (int)z->mid_steps);
  h5a_int(c, "next_session", (int)z->next_session);
  h5a_int(c, "error_after_transport", (int)z->error_after_transport);
}

static cs_status write_file(const char *tmp, const sim *s, long nsnap, const char *yaml,
                            const char *run_id) {
  double *obuf = NULL;
  size_t on = 0;
  CS_TRY(outcome_ckpt_pack(s->oc, &obuf, &on));
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    free(obuf);
    return h5fail(tmp, "create");
  }
  char hash[17], shash[17], now[32];
  run_id_hash_text(yaml, hash);
  const step_state z = state_of(s, nsnap);
  state_hash(run_id, hash, &z, obuf, on, shash);
  time_t tt = time(NULL);
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(now, sizeof now, "unknown");
  const grid *g = s->g;
  h5a_ctx c;
  h5a_init(&c, f);
  h5a_str(&c, "format", CKPT_FORMAT);
  h5a_int(&c, "format_version", CKPT_VERSION);
  h5a_str(&c, "version", CISIM_VERSION);
  h5a_str(&c, "created", now);
  h5a_str(&c, "run_id", run_id);
  h5a_str(&c, "yaml_fnv1a64", hash);
  h5a_str(&c, "state_fnv1a64", shash);
  write_step_attrs(&c, &z);
  cs_status st = c.failed[0] ? h5fail(tmp, c.failed) : CS_OK;
  if (st == CS_OK && !(attr_i64(f, "nsteps", z.nsteps) && attr_i64(f, "nrejected", z.nrejected) &&
                       attr_i64(f, "nsubsteps", z.nsubsteps) &&
                       attr_i64(f, "next_output", z.next_output) && attr_i64(f, "nsnap", z.nsnap)))
    st = h5fail(tmp, "counters");
  if (st == CS_OK && !write_text(f, "yaml", yaml)) st = h5fail(tmp, "/yaml");
  if (st == CS_OK && !write_state(f, "u", s->u, s->ns, g->ncell)) st = h5fail(tmp, "/u");
  if (st == CS_OK && !write_state(f, "du", s->du, s->ns, g->ncell)) st = h5fail(tmp, "/du");
  if (st == CS_OK && s->mid_mem && !write_state(f, "mid_prev", s->mid_prev, s->ns, g->ncell))
    st = h5fail(tmp, "/mid_prev");
  if (st == CS_OK && !write_doubles(f, "outcome", obuf, on)) st = h5fail(tmp, "/outcome");
  free(obuf);
  if (st == CS_OK && H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) st = h5fail(tmp, "flush");
  if (H5Fclose(f) < 0 && st == CS_OK) st = h5fail(tmp, "close");
  h5a_error_clear();
  return st;
}

cs_status checkpoint_write(const char *path, const sim *s, long nsnap, const char *yaml,
                           const char *run_id) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  size_t n = strlen(path) + sizeof ".tmp";
  char *tmp = malloc(n), *dir = dir_of(path);
  if (!tmp || !dir) {
    free(tmp);
    free(dir);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  }
  snprintf(tmp, n, "%s.tmp", path);
  cs_status st = write_file(tmp, s, nsnap, yaml ? yaml : "", run_id ? run_id : "");
  if (st == CS_OK) st = sync_path(tmp, 0);
  if (st == CS_OK && rename(tmp, path) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot put the new checkpoint in place: %s", path,
                  strerror(errno));
  if (st == CS_OK) st = sync_path(dir, 1);
  if (st != CS_OK) unlink(tmp); /* the previous checkpoint, if any, is untouched */
  free(tmp);
  free(dir);
  return st;
}

/* ---- reading ---- */

static cs_status bad(const char *path, const char *what) {
  h5a_note();
  const char *d = h5a_error_detail();
  cs_status st = d[0] ? CS_ERROR(CS_ERR_INPUT, "%s: damaged or incomplete checkpoint: %s (%s)",
                                 path, what, d)
                      : CS_ERROR(CS_ERR_INPUT, "%s: damaged or incomplete checkpoint: %s", path,
                                 what);
  h5a_error_clear();
  return st;
}

/* An attribute of exactly n elements (a damaged or edited file may hold any shape: reading it
   into a buffer of n would write past it). */
static int read_attr_n(hid_t f, const char *name, hid_t mtype, void *out, hssize_t n) {
  if (H5Aexists(f, name) <= 0) return 0;
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
  int ok = sp >= 0 && H5Sget_simple_extent_npoints(sp) == n && H5Aread(a, mtype, out) >= 0;
  if (sp >= 0) H5Sclose(sp);
  if (a >= 0) H5Aclose(a);
  return ok;
}

static int read_attr(hid_t f, const char *name, hid_t mtype, void *out) {
  return read_attr_n(f, name, mtype, out, 1);
}

static int read_attr_str(hid_t f, const char *name, char *out, size_t len) {
  hid_t t = h5a_string_type();
  char *s = NULL;
  int ok = t >= 0 && read_attr(f, name, t, &s) && s;
  if (ok) snprintf(out, len, "%s", s);
  if (s) H5free_memory(s);
  if (t >= 0) H5Tclose(t);
  return ok;
}

static hid_t open_ckpt(const char *path, cs_status *st) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  h5a_error_clear();
  if (access(path, F_OK) != 0) {
    *st = CS_ERROR(CS_ERR_INPUT, "%s: no checkpoint (%s): the run has none to resume from",
                   path, strerror(errno));
    return H5I_INVALID_HID;
  }
  struct stat sb;
  if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    *st = CS_ERROR(CS_ERR_INPUT, "%s: damaged or incomplete checkpoint: not a regular file", path);
    return H5I_INVALID_HID;
  }
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    /* HDF5's own words here are its internals (offsets, descriptors): not for the user */
    h5a_error_clear();
    *st = CS_ERROR(CS_ERR_INPUT, "%s: damaged or incomplete checkpoint: not a readable HDF5 file "
                   "(truncated or overwritten?)", path);
    return H5I_INVALID_HID;
  }
  char fmt[64] = "";
  int ver = 0;
  if (!read_attr_str(f, "format", fmt, sizeof fmt) || strcmp(fmt, CKPT_FORMAT) != 0) {
    *st = bad(path, "not a cisim checkpoint (no format attribute)");
  } else if (!read_attr(f, "format_version", H5T_NATIVE_INT, &ver) || ver != CKPT_VERSION) {
    *st = CS_ERROR(CS_ERR_INPUT, "%s: checkpoint format version %d, this cisim reads %d", path,
                   ver, CKPT_VERSION);
  } else {
    *st = CS_OK;
    return f;
  }
  H5Fclose(f);
  return H5I_INVALID_HID;
}

cs_status checkpoint_read_header(const char *path, checkpoint_header *h) {
  memset(h, 0, sizeof *h);
  cs_status st;
  hid_t f = open_ckpt(path, &st);
  if (f < 0) return st;
  char hash[32] = "", want[17];
  double dims[3] = {0};
  long long nsnap = -1, nsteps = -1;
  hid_t t = h5a_string_type();
  hid_t ds = H5Dopen2(f, "yaml", H5P_DEFAULT);
  char *yaml = NULL;
  if (ds < 0 || t < 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) < 0 || !yaml)
    st = bad(path, "/yaml cannot be read");
  if (ds >= 0) H5Dclose(ds);
  if (t >= 0) H5Tclose(t);
  if (st == CS_OK) {
    h->yaml = strdup(yaml);
    H5free_memory(yaml);
    if (!h->yaml) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  }
  if (st == CS_OK &&
      !(read_attr_str(f, "yaml_fnv1a64", hash, sizeof hash) &&
        read_attr_str(f, "run_id", h->run_id, sizeof h->run_id) &&
        read_attr(f, "t", H5T_NATIVE_DOUBLE, &h->t) &&
        read_attr(f, "end_day", H5T_NATIVE_DOUBLE, &h->end_day) &&
        read_attr_n(f, "dims", H5T_NATIVE_DOUBLE, dims, 3) &&
        read_attr(f, "nspecies", H5T_NATIVE_INT, &h->nspecies) &&
        read_attr(f, "nsnap", H5T_NATIVE_LLONG, &nsnap) &&
        read_attr(f, "nsteps", H5T_NATIVE_LLONG, &nsteps)))
    st = bad(path, "attributes missing");
  if (st == CS_OK) {
    run_id_hash_text(h->yaml, want);
    if (strcmp(hash, want) != 0)
      st = CS_ERROR(CS_ERR_INPUT,
                    "%s: damaged checkpoint: the configuration's hash (%s) does not match the "
                    "one recorded (%s)",
                    path, want, hash);
  }
  if (st == CS_OK && (nsnap < 1 || nsnap > CKPT_MAX_SNAPSHOTS || nsteps < 0 || !isfinite(h->t)))
    st = bad(path, "implausible snapshot count or time");
  for (int i = 0; st == CS_OK && i < 3; i++)
    if (!(dims[i] >= 1 && dims[i] <= GRID_MAX_AXIS && dims[i] == floor(dims[i])))
      st = bad(path, "implausible grid dimensions");
  H5Fclose(f);
  if (st != CS_OK) {
    checkpoint_header_free(h);
    return st;
  }
  h->nsnap = (long)nsnap;
  h->nsteps = (long)nsteps;
  for (int i = 0; i < 3; i++) h->dims[i] = (int)dims[i];
  return CS_OK;
}

void checkpoint_header_free(checkpoint_header *h) {
  free(h->yaml);
  h->yaml = NULL;
}

static int read_state(hid_t f, const char *name, double *const *arr, int ns, size_t ncell) {
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
  if (ds < 0) return 0;
  hid_t fs = H5Dget_space(ds);
  hsize_t dims[2] = {0, 0};
  int ok = fs >= 0 && H5Sget_simple_extent_ndims(fs) == 2 &&
           H5Sget_simple_extent_dims(fs, dims, NULL) == 2 && dims[0] == (hsize_t)ns &&
           dims[1] == (hsize_t)ncell;
  hsize_t one[2] = {1, (hsize_t)ncell}, mdim = (hsize_t)ncell;
  hid_t ms = H5Screate_simple(1, &mdim, NULL);
  for (int q = 0; ok && q < ns; q++) {
    hsize_t start[2] = {(hsize_t)q, 0};
    ok = ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL) >= 0 &&
         H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, arr[q]) >= 0;
  }
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  H5Dclose(ds);
  return ok;
}

static int read_step_attrs(hid_t f, step_state *z) {
  int hh = 0, ms = 0, nse = 0, eat = -1, ns = -1;
  int ok = read_attr_n(f, "dims", H5T_NATIVE_DOUBLE, z->dims, 3) &&
           read_attr(f, "nspecies", H5T_NATIVE_INT, &ns) &&
           read_attr(f, "error_after_transport", H5T_NATIVE_INT, &eat) &&
           read_attr(f, "t", H5T_NATIVE_DOUBLE, &z->t) &&
           read_attr(f, "end_day", H5T_NATIVE_DOUBLE, &z->end_day) &&
           read_attr(f, "dt", H5T_NATIVE_DOUBLE, &z->dt) &&
           read_attr(f, "dt_prev", H5T_NATIVE_DOUBLE, &z->dt_prev) &&
           read_attr(f, "dt_cap", H5T_NATIVE_DOUBLE, &z->dt_cap) &&
           read_attr(f, "have_history", H5T_NATIVE_INT, &hh) &&
           read_attr(f, "mid_steps", H5T_NATIVE_INT, &ms) &&
           read_attr(f, "next_session", H5T_NATIVE_INT, &nse) &&
           read_attr(f, "nsteps", H5T_NATIVE_LLONG, &z->nsteps) &&
           read_attr(f, "nrejected", H5T_NATIVE_LLONG, &z->nrejected) &&
           read_attr(f, "nsubsteps", H5T_NATIVE_LLONG, &z->nsubsteps) &&
           read_attr(f, "next_output", H5T_NATIVE_LLONG, &z->next_output) &&
           read_attr(f, "nsnap", H5T_NATIVE_LLONG, &z->nsnap);
  z->have_history = hh;
  z->mid_steps = ms;
  z->next_session = nse;
  z->error_after_transport = eat;
  z->nspecies = ns;
  return ok;
}

static cs_status read_outcome(hid_t f, const char *path, double **buf, size_t *n) {
  *buf = NULL;
  *n = 0;
  hid_t ds = H5Dopen2(f, "outcome", H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  cs_status st = CS_OK;
  if (np < 0) st = bad(path, "/outcome missing");
  else if (!(*buf = malloc(sizeof(double) * (size_t)(np > 0 ? np : 1))))
    st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  else if (np > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *buf) < 0)
    st = bad(path, "/outcome cannot be read");
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  if (st == CS_OK) *n = (size_t)np;
  return st;
}

/* The scalars of a step state that could have been written by this run: NULL, or what is
   wrong. */
static const char *implausible(const step_state *z, const sim *s) {
  const double every = s->opt.output_every_day, slack = 1e-9 * every;
  if (!isfinite(z->t) || z->t < 0) return "t is not a time of the run";
  if (z->t > s->opt.end_day * (1 + 1e-12)) return "t is after time.end_day";
  if (!(isfinite(z->dt) && z->dt > 0) || !(isfinite(z->dt_prev) && z->dt_prev >= 0) ||
      !(z->dt_cap > 0))
    return "the step sizes (dt, dt_prev, dt_cap) are not positive numbers";
  if ((z->have_history != 0 && z->have_history != 1) || z->mid_steps < 0 || z->mid_steps > 2)
    return "the step history flags are out of range";
  if (z->nsteps < 0 || z->nrejected < 0 || z->nsubsteps < 0) return "a step counter is negative";
  if (z->nsnap < 1 || z->next_output != z->nsnap)
    return "the snapshot count and the next snapshot index disagree";
  /* snapshot n is at min(n * every, end_day): t lies between the last written and the next */
  double last = fmin((double)(z->nsnap - 1) * every, s->opt.end_day);
  if (z->t + slack < last || z->t > (double)z->nsnap * every + slack)
    return "t does not lie between the last snapshot written and the next";
  const treatment *tr = s->treat;
  int nsess = tr ? tr->nsessions : 0;
  if (z->next_session < 0 || z->next_session > nsess) return "the session index is out of range";
  if (z->next_session > 0 && tr->day[z->next_session - 1] > z->t)
    return "a session after t is recorded as applied";
  if (z->next_session < nsess && tr->day[z->next_session] < z->t)
    return "a session before t is recorded as not applied";
  return NULL;
}

static void apply_step_state(sim *s, const step_state *z) {
  for (int q = 0; q < s->ns; q++) memcpy(s->un[q], s->u[q], sizeof(double) * s->g->ncell);
  s->t = z->t;
  s->dt = z->dt;
  s->dt_prev = z->dt_prev;
  s->dt_cap = z->dt_cap;
  s->have_history = (int)z->have_history;
  s->mid_steps = (int)z->mid_steps;
  s->next_session = (int)z->next_session;
  s->nsteps = (long)z->nsteps;
  s->nrejected = (long)z->nrejected;
  s->nsubsteps = (long)z->nsubsteps;
  s->next_output = (long)z->next_output;
}

/* Checksum, identity of the grid, plausibility: everything but the arrays. */
static cs_status verify_step_state(hid_t f, const char *path, const sim *s, const step_state *z,
                                   const double *obuf, size_t on) {
  const grid *g = s->g;
  char run_id[64] = "", yhash[32] = "", shash[32] = "", want[17];
  if (!read_attr_str(f, "run_id", run_id, sizeof run_id) ||
      !read_attr_str(f, "yaml_fnv1a64", yhash, sizeof yhash) ||
      !read_attr_str(f, "state_fnv1a64", shash, sizeof shash))
    return bad(path, "identity attributes missing");
  state_hash(run_id, yhash, z, obuf, on, want);
  if (strcmp(want, shash) != 0)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: damaged checkpoint: the step state's checksum (%s) does not match the "
                    "one recorded (%s); an attribute was changed or corrupted",
                    path, want, shash);
  if (z->dims[0] != g->nx || z->dims[1] != g->ny || z->dims[2] != g->nz || z->nspecies != s->ns)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: the checkpoint's grid (%g×%g×%g, %lld species) is not this run's "
                    "(%d×%d×%d, %d species)",
                    path, z->dims[0], z->dims[1], z->dims[2], z->nspecies, g->nx, g->ny, g->nz,
                    s->ns);
  if (z->error_after_transport != (s->mid_mem != NULL))
    return CS_ERROR(CS_ERR_INPUT, "%s: time.error_estimate differs from the checkpoint's", path);
  const char *why = implausible(z, s);
  if (why) return CS_ERROR(CS_ERR_INPUT, "%s: damaged checkpoint: %s", path, why);
  return CS_OK;
}

cs_status checkpoint_restore(const char *path, sim *s) {
  cs_status st;
  hid_t f = open_ckpt(path, &st);
  if (f < 0) return st;
  const grid *g = s->g;
  step_state z = {0};
  double *obuf = NULL;
  size_t on = 0;
  if (!read_step_attrs(f, &z)) st = bad(path, "stepper attributes missing");
  if (st == CS_OK) st = read_outcome(f, path, &obuf, &on);
  if (st == CS_OK) st = verify_step_state(f, path, s, &z, obuf, on);
  if (st == CS_OK && !read_state(f, "u", s->u, s->ns, g->ncell))
    st = bad(path, "/u cannot be read (checksum or size wrong?)");
  if (st == CS_OK && !read_state(f, "du", s->du, s->ns, g->ncell))
    st = bad(path, "/du cannot be read (checksum or size wrong?)");
  if (st == CS_OK && s->mid_mem && !read_state(f, "mid_prev", s->mid_prev, s->ns, g->ncell))
    st = bad(path, "/mid_prev cannot be read (checksum or size wrong?)");
  if (st == CS_OK) st = outcome_ckpt_unpack(s->oc, obuf, on, path);
  free(obuf);
  H5Fclose(f);
  h5a_error_clear();
  if (st == CS_OK) apply_step_state(s, &z);
  return st;
}
