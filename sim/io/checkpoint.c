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
#include <time.h>
#include <unistd.h>

#include "hdf5out_attr.h"
#include "outcome_ckpt.h"

#ifndef CISIM_VERSION
#define CISIM_VERSION "unknown"
#endif

#define CKPT_FORMAT "cisim-checkpoint"
#define CKPT_VERSION 1

char *checkpoint_path_for(const char *run_path) {
  size_t n = strlen(run_path) + sizeof ".ckpt";
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s.ckpt", run_path);
  return p;
}

void checkpoint_hash(const char *text, char out[17]) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    h ^= *c;
    h *= 1099511628211ULL;
  }
  snprintf(out, 17, "%016" PRIx64, h);
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

static cs_status write_file(const char *tmp, const sim *s, long nsnap, const char *yaml,
                            const char *run_created) {
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return h5fail(tmp, "create");
  char hash[17], now[32];
  checkpoint_hash(yaml, hash);
  time_t tt = time(NULL);
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(now, sizeof now, "unknown");
  const grid *g = s->g;
  double dims[3] = {g->nx, g->ny, g->nz};
  h5a_ctx c;
  h5a_init(&c, f);
  h5a_str(&c, "format", CKPT_FORMAT);
  h5a_int(&c, "format_version", CKPT_VERSION);
  h5a_str(&c, "version", CISIM_VERSION);
  h5a_str(&c, "created", now);
  h5a_str(&c, "run_created", run_created);
  h5a_str(&c, "yaml_fnv1a64", hash);
  h5a_doubles(&c, "dims", dims, 3);
  h5a_int(&c, "nspecies", s->ns);
  h5a_double(&c, "t", s->t);
  h5a_double(&c, "end_day", s->opt.end_day);
  h5a_double(&c, "dt", s->dt);
  h5a_double(&c, "dt_prev", s->dt_prev);
  h5a_double(&c, "dt_cap", s->dt_cap);
  h5a_int(&c, "have_history", s->have_history);
  h5a_int(&c, "mid_steps", s->mid_steps);
  h5a_int(&c, "next_session", s->next_session);
  h5a_int(&c, "error_after_transport", s->mid_mem != NULL);
  cs_status st = c.failed[0] ? h5fail(tmp, c.failed) : CS_OK;
  if (st == CS_OK && !(attr_i64(f, "nsteps", s->nsteps) && attr_i64(f, "nrejected", s->nrejected) &&
                       attr_i64(f, "nsubsteps", s->nsubsteps) &&
                       attr_i64(f, "next_output", s->next_output) && attr_i64(f, "nsnap", nsnap)))
    st = h5fail(tmp, "counters");
  if (st == CS_OK && !write_text(f, "yaml", yaml)) st = h5fail(tmp, "/yaml");
  if (st == CS_OK && !write_state(f, "u", s->u, s->ns, g->ncell)) st = h5fail(tmp, "/u");
  if (st == CS_OK && !write_state(f, "du", s->du, s->ns, g->ncell)) st = h5fail(tmp, "/du");
  if (st == CS_OK && s->mid_mem && !write_state(f, "mid_prev", s->mid_prev, s->ns, g->ncell))
    st = h5fail(tmp, "/mid_prev");
  if (st == CS_OK) {
    double *buf = NULL;
    size_t n = 0;
    st = outcome_ckpt_pack(s->oc, &buf, &n);
    if (st == CS_OK && !write_doubles(f, "outcome", buf, n)) st = h5fail(tmp, "/outcome");
    free(buf);
  }
  if (st == CS_OK && H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) st = h5fail(tmp, "flush");
  if (H5Fclose(f) < 0 && st == CS_OK) st = h5fail(tmp, "close");
  h5a_error_clear();
  return st;
}

cs_status checkpoint_write(const char *path, const sim *s, long nsnap, const char *yaml,
                           const char *run_created) {
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  size_t n = strlen(path) + sizeof ".tmp";
  char *tmp = malloc(n), *dir = dir_of(path);
  if (!tmp || !dir) {
    free(tmp);
    free(dir);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  }
  snprintf(tmp, n, "%s.tmp", path);
  cs_status st = write_file(tmp, s, nsnap, yaml ? yaml : "", run_created ? run_created : "");
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

static int read_attr(hid_t f, const char *name, hid_t mtype, void *out) {
  if (H5Aexists(f, name) <= 0) return 0;
  hid_t a = H5Aopen(f, name, H5P_DEFAULT);
  int ok = a >= 0 && H5Aread(a, mtype, out) >= 0;
  if (a >= 0) H5Aclose(a);
  return ok;
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
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) {
    *st = bad(path, "not a readable HDF5 file (truncated or overwritten?)");
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
        read_attr_str(f, "run_created", h->run_created, sizeof h->run_created) &&
        read_attr(f, "t", H5T_NATIVE_DOUBLE, &h->t) &&
        read_attr(f, "end_day", H5T_NATIVE_DOUBLE, &h->end_day) &&
        read_attr(f, "dims", H5T_NATIVE_DOUBLE, dims) &&
        read_attr(f, "nspecies", H5T_NATIVE_INT, &h->nspecies) &&
        read_attr(f, "nsnap", H5T_NATIVE_LLONG, &nsnap) &&
        read_attr(f, "nsteps", H5T_NATIVE_LLONG, &nsteps)))
    st = bad(path, "attributes missing");
  if (st == CS_OK) {
    checkpoint_hash(h->yaml, want);
    if (strcmp(hash, want) != 0)
      st = CS_ERROR(CS_ERR_INPUT,
                    "%s: damaged checkpoint: the configuration's hash (%s) does not match the "
                    "one recorded (%s)",
                    path, want, hash);
  }
  if (st == CS_OK && (nsnap < 1 || !isfinite(h->t)))
    st = bad(path, "implausible snapshot count or time");
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

cs_status checkpoint_restore(const char *path, sim *s) {
  cs_status st;
  hid_t f = open_ckpt(path, &st);
  if (f < 0) return st;
  const grid *g = s->g;
  double dims[3] = {0};
  int ns = -1, eat = -1, have_history = 0, mid_steps = 0, next_session = 0;
  long long nsteps = 0, nrejected = 0, nsubsteps = 0, next_output = 0;
  double t = 0, dt = 0, dt_prev = 0, dt_cap = 0;
  if (!(read_attr(f, "dims", H5T_NATIVE_DOUBLE, dims) &&
        read_attr(f, "nspecies", H5T_NATIVE_INT, &ns) &&
        read_attr(f, "error_after_transport", H5T_NATIVE_INT, &eat) &&
        read_attr(f, "t", H5T_NATIVE_DOUBLE, &t) && read_attr(f, "dt", H5T_NATIVE_DOUBLE, &dt) &&
        read_attr(f, "dt_prev", H5T_NATIVE_DOUBLE, &dt_prev) &&
        read_attr(f, "dt_cap", H5T_NATIVE_DOUBLE, &dt_cap) &&
        read_attr(f, "have_history", H5T_NATIVE_INT, &have_history) &&
        read_attr(f, "mid_steps", H5T_NATIVE_INT, &mid_steps) &&
        read_attr(f, "next_session", H5T_NATIVE_INT, &next_session) &&
        read_attr(f, "nsteps", H5T_NATIVE_LLONG, &nsteps) &&
        read_attr(f, "nrejected", H5T_NATIVE_LLONG, &nrejected) &&
        read_attr(f, "nsubsteps", H5T_NATIVE_LLONG, &nsubsteps) &&
        read_attr(f, "next_output", H5T_NATIVE_LLONG, &next_output)))
    st = bad(path, "stepper attributes missing");
  else if (dims[0] != g->nx || dims[1] != g->ny || dims[2] != g->nz || ns != s->ns)
    st = CS_ERROR(CS_ERR_INPUT,
                  "%s: the checkpoint's grid (%g×%g×%g, %d species) is not this run's "
                  "(%d×%d×%d, %d species)",
                  path, dims[0], dims[1], dims[2], ns, g->nx, g->ny, g->nz, s->ns);
  else if (eat != (s->mid_mem != NULL))
    st = CS_ERROR(CS_ERR_INPUT, "%s: time.error_estimate differs from the checkpoint's", path);
  else if (s->treat ? next_session < 0 || next_session > s->treat->nsessions : next_session != 0)
    st = bad(path, "session index out of range");
  else if (!read_state(f, "u", s->u, s->ns, g->ncell))
    st = bad(path, "/u cannot be read (checksum or size wrong?)");
  else if (!read_state(f, "du", s->du, s->ns, g->ncell))
    st = bad(path, "/du cannot be read (checksum or size wrong?)");
  else if (s->mid_mem && !read_state(f, "mid_prev", s->mid_prev, s->ns, g->ncell))
    st = bad(path, "/mid_prev cannot be read (checksum or size wrong?)");
  if (st == CS_OK) {
    hid_t ds = H5Dopen2(f, "outcome", H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    double *buf = n >= 0 ? malloc(sizeof(double) * (size_t)(n > 0 ? n : 1)) : NULL;
    if (n < 0) st = bad(path, "/outcome missing");
    else if (!buf) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
    else if (n > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
      st = bad(path, "/outcome cannot be read");
    else
      st = outcome_ckpt_unpack(s->oc, buf, (size_t)n, path);
    free(buf);
    if (sp >= 0) H5Sclose(sp);
    if (ds >= 0) H5Dclose(ds);
  }
  H5Fclose(f);
  h5a_error_clear();
  if (st != CS_OK) return st;
  for (int q = 0; q < s->ns; q++) memcpy(s->un[q], s->u[q], sizeof(double) * g->ncell);
  s->t = t;
  s->dt = dt;
  s->dt_prev = dt_prev;
  s->dt_cap = dt_cap;
  s->have_history = have_history;
  s->mid_steps = mid_steps;
  s->next_session = next_session;
  s->nsteps = (long)nsteps;
  s->nrejected = (long)nrejected;
  s->nsubsteps = (long)nsubsteps;
  s->next_output = (long)next_output;
  return CS_OK;
}
