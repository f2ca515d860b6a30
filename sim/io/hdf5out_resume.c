/* hdf5out_resume: continuing an existing run file (see hdf5out_resume.h). */
#include "hdf5out_resume.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdf5out_attr.h"

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
    return hdf5out_dataset_err(o, ds);
  }
  H5Sclose(sp);
  if ((long)dims[0] == n) return CS_OK;
  dims[0] = (hsize_t)n;
  if (H5Dset_extent(ds, dims) < 0) return hdf5out_dataset_err(o, ds);
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

cs_status hdf5out_resume_open(hdf5out *o) {
  cs_status st = CS_OK;
  o->file = H5Fopen(o->path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (o->file < 0) st = open_fail(o, "the file", "cannot be opened for writing");
  if (st == CS_OK) {
    o->time = H5Dopen2(o->file, "time", H5P_DEFAULT);
    if (o->time < 0) st = open_fail(o, "/time", "is missing");
  }
  char obj[320];
  for (int s = 0; st == CS_OK && s < o->nfields; s++) {
    snprintf(obj, sizeof obj, "/fields/%s", o->m->species[s].name);
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
  return st;
}

cs_status hdf5out_resume_cut(hdf5out *o, long nsnap) {
  cs_status st = CS_OK;
  char obj[320];
  if (o->single) {
    o->scratch = malloc((o->ncell ? o->ncell : 1) * sizeof *o->scratch);
    if (!o->scratch) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", o->path);
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
  if (st == CS_OK) st = cut_to(o, o->time, nsnap);
  for (int s = 0; st == CS_OK && s < o->nfields; s++) st = cut_to(o, o->fields[s], nsnap);
  if (st == CS_OK && nsnap > 0 &&
      H5Dread(o->time, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, o->times) < 0)
    st = open_fail(o, "/time", "cannot be read");
  return st;
}

/* The root attribute `created`, which names the run, into o->created (kept "" if absent). */
static void read_created(hdf5out *o) {
  if (H5Aexists(o->file, "created") <= 0) return;
  hid_t a = H5Aopen(o->file, "created", H5P_DEFAULT), t = h5a_string_type();
  char *cr = NULL;
  if (a >= 0 && t >= 0 && H5Aread(a, t, &cr) >= 0 && cr) {
    snprintf(o->created, sizeof o->created, "%s", cr);
    H5free_memory(cr);
  }
  if (t >= 0) H5Tclose(t);
  if (a >= 0) H5Aclose(a);
}

/* The root attribute `resumed`: how often the run was continued before; 0 if absent. */
static int read_resumed(hid_t file) {
  int resumed = 0;
  if (H5Aexists(file, "resumed") > 0) {
    hid_t a = H5Aopen(file, "resumed", H5P_DEFAULT);
    if (a >= 0) {
      if (H5Aread(a, H5T_NATIVE_INT, &resumed) < 0) resumed = 0;
      H5Aclose(a);
    }
  }
  return resumed;
}

cs_status hdf5out_resume_mark(hdf5out *o, long nsnap) {
  char *id = h5a_read_str(o->file, "run_id");
  snprintf(o->run_id, sizeof o->run_id, "%s", id ? id : "");
  free(id);
  read_created(o);
  o->nsnap = (hsize_t)nsnap;
  int resumed = read_resumed(o->file);
  h5a_error_clear();
  h5a_ctx c;
  h5a_init(&c, o->file);
  h5a_int_in_place(&c, "finished", 0);
  h5a_int_in_place(&c, "resumed", resumed < INT_MAX ? resumed + 1 : resumed);
  h5a_str_in_place(&c, "status", "running");
  if (c.failed[0]) return hdf5out_attr_err(o, &c, "/");
  if (H5Fflush(o->file, H5F_SCOPE_GLOBAL) < 0) return hdf5out_io_err(o, "(flush) ", "/");
  return CS_OK;
}

void hdf5out_resume_extra(hdf5out *o) {
  o->extra.layer_cells = H5Lexists(o->file, "grid", H5P_DEFAULT) > 0 &&
                         H5Lexists(o->file, "/grid/layer_cells", H5P_DEFAULT) > 0;
  o->extra.channel_maps = 0;
  if (H5Lexists(o->file, "punctures", H5P_DEFAULT) <= 0 ||
      H5Lexists(o->file, "/punctures/channel_fraction", H5P_DEFAULT) <= 0)
    return;
  hid_t ds = H5Dopen2(o->file, "/punctures/channel_fraction", H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
  hsize_t dims[4] = {0};
  if (sp >= 0 && H5Sget_simple_extent_ndims(sp) == 4 && H5Sget_simple_extent_dims(sp, dims, NULL) == 4 &&
      dims[1] == o->row[0] && dims[2] == o->row[1] && dims[3] == o->row[2] && dims[0] < 1000000)
    o->extra.channel_maps = (int)dims[0];
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  h5a_error_clear();
}
