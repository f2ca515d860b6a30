/* hdf5out: the run file (see hdf5out.h) — creating it, appending snapshots, closing it, and
 * continuing it on resume. The parts live beside it: hdf5out_file (the shared state and
 * helpers), hdf5out_meta (/code, /parameters, /grid), hdf5out_punctures (/punctures) and
 * hdf5out_resume (reopening a file to continue it). */
#define _POSIX_C_SOURCE 200809L /* gmtime_r, strdup, access, fsync */

#include "hdf5out.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hdf5out_attr.h"
#include "hdf5out_chunk.h"
#include "hdf5out_dims.h"
#include "hdf5out_file.h"
#include "hdf5out_meta.h"
#include "hdf5out_punctures.h"
#include "hdf5out_resume.h"
#include "hdf5out_series.h"
#include "protocol.h"
#include "run_id.h"
#include "xdmf.h"

/* Provenance macro from CMake; the fallback lets the file build on its own. */
#ifndef CISIM_VERSION
#define CISIM_VERSION "unknown"
#endif

/* /time grows by one value per snapshot; a chunk per value would bloat the index. */
#define TIME_CHUNK 256

static void iso_now(char buf[32]) {
  time_t now = time(NULL);
  struct tm tm;
  if (!gmtime_r(&now, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(buf, 32, "unknown");
}

/* Datasets that grow by one row per snapshot, /time and /fields/<species>, and /series. */
static cs_status make_growing(hdf5out *o, const hdf5out_options *opt, const model *m,
                              const series_desc *sd) {
  hsize_t one = TIME_CHUNK;
  o->time = h5a_extendible(o->file, "time", H5T_IEEE_F64LE, 1, NULL, &one, 0);
  if (o->time < 0) return hdf5out_io_err(o, "", "/time");
  CS_TRY(hdf5out_label(o, o->time, "/time", "day", "simulated time of the snapshot"));

  char obj[320];
  hsize_t chunk[4];
  size_t elem = o->single ? sizeof(float) : sizeof(double);
  hdf5out_field_chunk(chunk, o->row, elem);
  hid_t g = H5Gcreate2(o->file, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return hdf5out_io_err(o, "group ", "/fields");
  cs_status st = CS_OK;
  for (int s = 0; s < o->nfields && st == CS_OK; s++) {
    const species_info *sp = &m->species[s];
    snprintf(obj, sizeof obj, "/fields/%s", sp->name);
    o->fields[s] = h5a_extendible(g, sp->name, o->single ? H5T_IEEE_F32LE : H5T_IEEE_F64LE, 4,
                                  o->row, chunk, opt->deflate);
    st = o->fields[s] < 0 ? hdf5out_io_err(o, "", obj)
                          : hdf5out_label(o, o->fields[s], obj, sp->unit, sp->long_name);
    if (st == CS_OK) { /* what "small" means for this species: its absolute tolerance's unit */
      h5a_ctx c;
      h5a_init(&c, o->fields[s]);
      h5a_double(&c, "tolerance_scale", sp->scale > 0 ? sp->scale : 1.0);
      if (c.failed[0]) st = hdf5out_attr_err(o, &c, obj);
    }
  }
  H5Gclose(g);
  if (st != CS_OK) return st;
  const char **col = malloc(sizeof(char *) * 3 * (size_t)(o->nseries > 0 ? o->nseries : 1));
  if (!col) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
  for (int i = 0; i < o->nseries; i++) {
    col[i] = sd[i].name;
    col[o->nseries + i] = sd[i].unit;
    col[2 * o->nseries + i] = sd[i].long_name;
  }
  st = hdf5out_series_create(o, col, col + o->nseries, col + 2 * o->nseries);
  free(col);
  return st;
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

/* The root attributes of a new run file: what it is, when it was made, its identity (a fresh
   run_id) and its config's hash, that it is running. */
static cs_status write_root(hdf5out *o, const params *p, const char *now) {
  cs_status st = run_id_new(o->run_id);
  char *yaml = st == CS_OK && p ? params_to_yaml(p) : NULL;
  char hash[17] = "";
  if (yaml) run_id_hash_text(yaml, hash);
  free(yaml);
  h5a_ctx c;
  h5a_init(&c, o->file);
  h5a_str(&c, "program", "cisim");
  h5a_str(&c, "version", CISIM_VERSION);
  h5a_str(&c, "created", now);
  h5a_str(&c, "run_id", o->run_id);
  h5a_str(&c, "config_fnv1a64", hash);
  /* rewritten while the run goes on: fixed size, overwritten in place (hdf5out_attr.h) */
  h5a_int_in_place(&c, "finished", 0);
  h5a_int_in_place(&c, "resumed", 0);
  h5a_str_in_place(&c, "status", "running");
  snprintf(o->created, sizeof o->created, "%s", now);
  if (st == CS_OK && c.failed[0]) st = hdf5out_attr_err(o, &c, "/");
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

  hdf5out *o = hdf5out_alloc(opt->path, g, m, nseries, 0);
  if (!o) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", opt->path);
  o->single = opt->single_precision != 0;
  if (o->single) o->scratch = malloc((o->ncell ? o->ncell : 1) * sizeof *o->scratch);
  if (o->single && !o->scratch) {
    hdf5out_release(o);
    return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", opt->path);
  }

  /* EXCL as well as the check above: another process may create the file in between. */
  errno = 0;
  o->file = H5Fcreate(opt->path, opt->force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT,
                      H5P_DEFAULT);
  if (o->file < 0) {
    /* The system's reason (no such directory, name too long, read-only) is the user's to fix:
       say it plainly; HDF5's own text (flags, descriptors) only when there is none. */
    int e = errno;
    h5a_note();
    const char *d = h5a_error_detail();
    cs_status st = e ? CS_ERROR(CS_ERR_INPUT, "%s: cannot create the output file: %s", opt->path,
                                strerror(e))
                     : CS_ERROR(CS_ERR_IO, "%s: cannot create the output file%s%s", opt->path,
                                d[0] ? ": " : "", d);
    h5a_error_clear();
    hdf5out_release(o);
    return st;
  }

  char now[32];
  iso_now(now);
  cs_status st = write_root(o, p, now);
  if (st == CS_OK) st = hdf5out_write_code(o, opt->command_line, opt->threads, now);
  if (st == CS_OK) st = hdf5out_write_params(o, p);
  if (st == CS_OK) st = hdf5out_write_grid(o, g);
  if (st == CS_OK) st = make_growing(o, opt, m, series);
  if (st == CS_OK) st = hdf5out_write_dims(o);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) st = hdf5out_io_err(o, "", "/");
  if (st == CS_OK) hdf5out_set_threads(o, opt->threads);
  if (st != CS_OK) {
    /* A half-written file would only block the next attempt (it exists, so needs --force). */
    char *path = o->path;
    o->path = NULL;
    hdf5out_release(o);
    unlink(path);
    free(path);
    return st;
  }
  *out = o;
  return CS_OK;
}

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cs_status write_snapshot_timed(hdf5out *o, double t, const double *const *u,
                                      const double *series_values);

static cs_status write_to(void *ctx, double t, const double *const *fields) {
  return hdf5out_write_snapshot(ctx, t, fields, NULL);
}

static cs_status series_to(void *ctx, double t, const double *series) {
  return hdf5out_series_append(ctx, t, series);
}

sim_output hdf5out_output(hdf5out *o) { return (sim_output){write_to, series_to, o}; }

cs_status hdf5out_write_snapshot(hdf5out *o, double t, const double *const *u,
                                 const double *series_values) {
  double t0 = mono_s();
  cs_status st = write_snapshot_timed(o, t, u, series_values);
  if (o) o->io_seconds += mono_s() - t0;
  return st;
}

void hdf5out_set_threads(hdf5out *o, int nthreads) {
  if (!o) return;
  o->nthreads = nthreads > 0 ? nthreads : 1;
  unsigned level = o->nfields > 0 ? hdf5out_chunk_level(o->fields[0], o->row) : 0;
  for (int s = 1; s < o->nfields && level; s++)
    if (hdf5out_chunk_level(o->fields[s], o->row) != level) level = 0;
  o->zlevel = level;
}

void hdf5out_set_rle(hdf5out *o, int rle) {
  if (o) o->zrle = rle != 0;
}

static cs_status write_fields(hdf5out *o, hsize_t n, const double *const *u) {
  for (int s = 0; s < o->nfields; s++) {
    const void *buf = u[s];
    if (o->single) {
      /* A plain cast keeps NaN and infinities, which the engine checks for separately. */
      for (size_t i = 0; i < o->ncell; i++) o->scratch[i] = (float)u[s][i];
      buf = o->scratch;
    }
    hid_t mtype = o->single ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    if (h5a_append_row(o->fields[s], 4, o->row, n, mtype, buf) < 0)
      return hdf5out_dataset_err(o, o->fields[s]);
  }
  return CS_OK;
}

/* The fields' chunks filtered on every thread (hdf5out_chunk.h). Slots for at most half the
   species at once: the buffers stay within one copy of the state. Where even that much
   memory is not there, HDF5 filters them itself, as before. */
static cs_status write_chunks(hdf5out *o, hsize_t n, const double *const *u) {
  if (!o->zc) {
    int slots = o->nfields / 2 > 1 ? o->nfields / 2 : 1;
    if (slots > o->nthreads) slots = o->nthreads;
    o->zc = hdf5out_chunk_alloc(o->ncell, o->single ? sizeof(float) : sizeof(double), slots,
                                o->nthreads);
    if (!o->zc) {
      o->zlevel = 0;
      return write_fields(o, n, u);
    }
  }
  const hsize_t dims[4] = {n + 1, o->row[0], o->row[1], o->row[2]};
  for (int s = 0; s < o->nfields; s++)
    if (H5Dset_extent(o->fields[s], dims) < 0) {
      h5a_note();
      return hdf5out_dataset_err(o, o->fields[s]);
    }
  int bad = 0;
  if (hdf5out_chunk_write(o->zc, o->fields, o->nfields, n, u, o->zlevel, o->zrle, &bad) < 0) {
    h5a_note();
    return hdf5out_dataset_err(o, o->fields[bad]);
  }
  return CS_OK;
}

static cs_status write_snapshot_timed(hdf5out *o, double t, const double *const *u,
                                      const double *series_values) {
  if (!o || o->file < 0 || (o->nfields > 0 && !u))
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_write_snapshot: no open output or no data");
  h5a_error_clear();
  if (series_values) CS_TRY(hdf5out_series_append(o, t, series_values));
  CS_TRY(hdf5out_series_flush(o));
  hsize_t n = o->nsnap;
  CS_TRY(o->zlevel ? write_chunks(o, n, u) : write_fields(o, n, u));
  /* /time last: its length counts the snapshots that were written completely. */
  if (h5a_append_row(o->time, 1, NULL, n, H5T_NATIVE_DOUBLE, &t) < 0)
    return hdf5out_dataset_err(o, o->time);
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return hdf5out_io_err(o, "(flush) ", "/");
  o->nsnap = n + 1;
  if (o->nsnap > o->times_cap) {
    size_t cap = o->times_cap ? 2 * o->times_cap : 64;
    double *t2 = realloc(o->times, cap * sizeof *t2);
    if (!t2) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
    o->times = t2;
    o->times_cap = cap;
  }
  o->times[n] = t;
  return xdmf_write(o->xmf_path, o->path, o->g, o->m, o->times, (int)o->nsnap, o->single,
                    &o->extra);
}

/* Per-puncture columns and per-session maps; see hdf5out.h. */
cs_status hdf5out_write_punctures(hdf5out *o, const protocol *pr, const grid *g, int nthreads) {
  if (!o || o->file < 0 || !pr) return CS_ERROR(CS_ERR_INPUT, "hdf5out_write_punctures: no output");
  h5a_error_clear();
  hid_t grp = H5Gcreate2(o->file, "punctures", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp < 0) return hdf5out_io_err(o, "group ", "/punctures");
  cs_status st = hdf5out_punctures_columns(o, grp, pr);
  if (st == CS_OK) st = hdf5out_punctures_sessions(o, grp, pr);
  if (st == CS_OK) st = hdf5out_punctures_maps(o, grp, pr, g, nthreads);
  if (st == CS_OK) o->extra.channel_maps = pr->nsessions;
  H5Gclose(grp);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0)
    st = hdf5out_io_err(o, "(flush) ", "/");
  return st;
}

cs_status hdf5out_close(hdf5out *o, int finished) {
  if (!o) return CS_OK;
  h5a_error_clear();
  cs_status st = CS_OK;
  if (o->file >= 0) st = hdf5out_series_flush(o);
  if (o->file >= 0) {
    char now[32];
    iso_now(now);
    h5a_ctx c;
    hid_t code = H5Gopen2(o->file, "code", H5P_DEFAULT);
    if (code < 0) st = hdf5out_io_err(o, "group ", "/code");
    h5a_init(&c, code);
    if (code >= 0) h5a_str_in_place(&c, "end_time", now);
    if (st == CS_OK && c.failed[0]) st = hdf5out_attr_err(o, &c, "/code");
    if (code >= 0) H5Gclose(code);
    h5a_init(&c, o->file);
    h5a_int_in_place(&c, "finished", finished ? 1 : 0);
    if (st == CS_OK && c.failed[0]) st = hdf5out_attr_err(o, &c, "/");
  }
  char *path = o->path;
  o->path = NULL;
  if (hdf5out_release(o) && st == CS_OK) {
    const char *d = h5a_error_detail();
    st = CS_ERROR(CS_ERR_IO, "%s: cannot close the output file%s%s", path ? path : "",
                  d[0] ? ": " : "", d);
  }
  h5a_error_clear();
  free(path);
  return st;
}

/* ---- continuing a run (cisim run --resume) ---- */

cs_status hdf5out_open_append(hdf5out **out, const char *path, const grid *g, const model *m,
                              const series_desc *series, int nseries, long nsnap,
                              double t) {
  *out = NULL;
  if (!path || !g || !m || nseries < 0 || (nseries > 0 && !series) || nsnap < 0)
    return CS_ERROR(CS_ERR_INPUT, "hdf5out_open_append: missing path, grid or model");
  if (nsnap > HDF5OUT_MAX_SNAPSHOTS)
    return CS_ERROR(CS_ERR_INPUT, "%s: %ld snapshots: more than a run writes", path, nsnap);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  h5a_error_clear();
  hdf5out *o = hdf5out_alloc(path, g, m, nseries, (size_t)nsnap + 64);
  if (!o) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  cs_status st = hdf5out_resume_open(o);
  const char **names = malloc(sizeof(char *) * (size_t)(nseries > 0 ? nseries : 1));
  if (!names) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  for (int i = 0; st == CS_OK && i < nseries; i++) names[i] = series[i].name;
  if (st == CS_OK) st = hdf5out_series_resume(o, names, t);
  free(names);
  if (st == CS_OK) st = hdf5out_resume_cut(o, nsnap);
  if (st == CS_OK) st = hdf5out_resume_mark(o, nsnap);
  if (st == CS_OK) hdf5out_resume_extra(o);
  if (st == CS_OK)
    st = xdmf_write(o->xmf_path, o->path, o->g, o->m, o->times, (int)o->nsnap, o->single,
                    &o->extra);
  if (st != CS_OK) {
    hdf5out_release(o);
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
  CS_TRY(hdf5out_series_flush(o));
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return hdf5out_io_err(o, "(flush) ", "/");
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
  h5a_str_in_place(&c, "status", status);
  if (c.failed[0]) return hdf5out_attr_err(o, &c, "/");
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return hdf5out_io_err(o, "(flush) ", "/");
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
    return hdf5out_io_err(o, "(replace) ", "/parameters");
  }
  cs_status st = hdf5out_write_params(o, p);
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
      if (g < 0 || c.failed[0])
        st = hdf5out_io_err(o, "attribute changed_on_resume of ", "/parameters");
      if (g >= 0) H5Gclose(g);
      free(all);
    }
  }
  free(before);
  if (st == CS_OK && H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0)
    st = hdf5out_io_err(o, "(flush) ", "/");
  return st;
}
