#include "resume_check.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hdf5out_attr.h"

static cs_status refuse(const char *path, const char *fmt, const char *what) {
  char why[512];
  snprintf(why, sizeof why, fmt, what);
  return CS_ERROR(CS_ERR_INPUT, "%s: cannot continue this run file: %s (the file is unchanged)",
                  path, why);
}

/* Rows along the first dimension (and the rest of the shape into dims), or -1. */
static long shape_of(hid_t loc, const char *name, int want_rank, hsize_t *dims) {
  if (H5Lexists(loc, name, H5P_DEFAULT) <= 0) return -1;
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0) return -1;
  hid_t sp = H5Dget_space(ds);
  long rows = -1;
  if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == want_rank &&
      H5Sget_simple_extent_dims(sp, dims, NULL) == want_rank)
    rows = (long)dims[0];
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(ds);
  return rows;
}

static cs_status check_identity(hid_t f, const char *path, const resume_claim *c) {
  char *id = h5a_read_str(f, "run_id");
  cs_status st = CS_OK;
  if (!id)
    st = refuse(path, "%s", "it has no run_id (written by a cisim before 0.2?), so no checkpoint "
                            "can be matched to it");
  else if (strcmp(id, c->run_id) != 0)
    st = CS_ERROR(CS_ERR_INPUT,
                  "%s: the checkpoint belongs to another run (its run_id %s, this file's %s); "
                  "the file is unchanged",
                  path, c->run_id, id);
  free(id);
  return st;
}

static cs_status check_time(hid_t f, const char *path, const resume_claim *c) {
  hsize_t dims[1] = {0};
  long nt = shape_of(f, "time", 1, dims);
  char what[160];
  if (nt < 0) return refuse(path, "%s", "/time is missing or not 1-D");
  if (nt < c->nsnap) {
    snprintf(what, sizeof what, "/time holds %ld snapshot%s, the checkpoint covers %ld", nt,
             nt == 1 ? "" : "s", c->nsnap);
    return refuse(path, "%s", what);
  }
  double *times = malloc(sizeof(double) * (size_t)(nt > 0 ? nt : 1));
  if (!times) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", path);
  hid_t ds = H5Dopen2(f, "time", H5P_DEFAULT);
  int ok = ds >= 0 && (nt == 0 || H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                          times) >= 0);
  if (ds >= 0) H5Dclose(ds);
  cs_status st = CS_OK;
  if (!ok) st = refuse(path, "%s", "/time cannot be read");
  for (long n = 0; st == CS_OK && n < c->nsnap; n++)
    if (!isfinite(times[n]) || (n > 0 && !(times[n] > times[n - 1])))
      st = refuse(path, "%s", "/time is not increasing");
  if (st == CS_OK && c->nsnap > 0 && times[c->nsnap - 1] > c->t) {
    snprintf(what, sizeof what, "snapshot %ld is at day %.9g, after the checkpoint's day %.9g",
             c->nsnap, times[c->nsnap - 1], c->t);
    st = refuse(path, "%s", what);
  }
  free(times);
  return st;
}

static cs_status check_datasets(hid_t f, const char *path, const grid *g, const model *m,
                                const series_desc *series, int nseries, long nsnap) {
  char obj[320];
  for (int s = 0; s < m->nspecies; s++) {
    hsize_t d[4] = {0};
    snprintf(obj, sizeof obj, "fields/%s", m->species[s].name);
    long rows = shape_of(f, obj, 4, d);
    if (rows < 0) return refuse(path, "/%s is missing or not 4-D", obj);
    if (d[1] != (hsize_t)g->nz || d[2] != (hsize_t)g->ny || d[3] != (hsize_t)g->nx)
      return refuse(path, "/%s holds a different grid than the checkpoint's", obj);
    if (rows < nsnap) return refuse(path, "/%s holds fewer snapshots than the checkpoint covers", obj);
  }
  hsize_t dt[1] = {0};
  if (shape_of(f, "series/time", 1, dt) < 0)
    return refuse(path, "%s",
                  "its /series has no time axis of its own (written before series had "
                  "one; they follow the snapshots): finish it with that version, or start it again");
  for (int i = 0; i < nseries; i++) {
    hsize_t d[1] = {0};
    snprintf(obj, sizeof obj, "series/%s", series[i].name);
    long rows = shape_of(f, obj, 1, d);
    if (rows < 0) return refuse(path, "/%s is missing", obj);
    if (rows < nsnap) return refuse(path, "/%s holds fewer snapshots than the checkpoint covers", obj);
  }
  return CS_OK;
}

cs_status resume_check_runfile(const char *path, const grid *g, const model *m,
                               const series_desc *series, int nseries, const resume_claim *c) {
  /* Writable, asked of the file system directly: HDF5's own refusal is an error stack. */
  int fd = open(path, O_WRONLY);
  if (fd < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot continue this run: %s",
                    path, strerror(errno));
  close(fd);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  h5a_error_clear();
  if (f < 0) return refuse(path, "%s", "it is not a readable HDF5 file");
  cs_status st = check_identity(f, path, c);
  if (st == CS_OK) st = check_time(f, path, c);
  if (st == CS_OK) st = check_datasets(f, path, g, m, series, nseries, c->nsnap);
  H5Fclose(f);
  h5a_error_clear();
  return st;
}
