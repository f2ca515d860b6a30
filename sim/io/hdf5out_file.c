/* hdf5out_file: an open run file's state and the helpers the run file writer's parts share
 * (see hdf5out_file.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "hdf5out_file.h"

#include "hdf5out_chunk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cf_units.h"
#include "xdmf.h"

/* HDF5 refuses chunks of 4 GiB or more, and deflate holds a chunk and its compressed copy in
   memory together: a snapshot larger than this is split into chunks of whole z-planes. */
#define CHUNK_MAX_BYTES ((hsize_t)1 << 30)

hdf5out *hdf5out_alloc(const char *path, const grid *g, const model *m, int nseries,
                       size_t times_cap) {
  hdf5out *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->file = o->time = o->stime = H5I_INVALID_HID;
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
  o->times_cap = times_cap;
  if (times_cap > 0) o->times = malloc(times_cap * sizeof *o->times);
  if (!o->path || !o->xmf_path || !o->fields || !o->series || (times_cap > 0 && !o->times)) {
    o->nfields = o->nseries = 0;
    hdf5out_release(o);
    return NULL;
  }
  for (int s = 0; s < o->nfields; s++) o->fields[s] = H5I_INVALID_HID;
  for (int i = 0; i < nseries; i++) o->series[i] = H5I_INVALID_HID;
  return o;
}

int hdf5out_release(hdf5out *o) {
  int bad = 0;
  for (int s = 0; o->fields && s < o->nfields; s++)
    if (o->fields[s] >= 0 && H5Dclose(o->fields[s]) < 0) bad = 1;
  for (int i = 0; o->series && i < o->nseries; i++)
    if (o->series[i] >= 0 && H5Dclose(o->series[i]) < 0) bad = 1;
  if (o->time >= 0 && H5Dclose(o->time) < 0) bad = 1;
  if (o->stime >= 0 && H5Dclose(o->stime) < 0) bad = 1;
  if (bad) h5a_note();
  if (o->file >= 0 && H5Fclose(o->file) < 0) {
    h5a_note();
    bad = 1;
  }
  free(o->fields);
  free(o->series);
  free(o->scratch);
  hdf5out_chunk_free(o->zc);
  free(o->sbuf);
  free(o->path);
  free(o->xmf_path);
  free(o->times);
  free(o);
  return bad;
}

cs_status hdf5out_io_err(const hdf5out *o, const char *what, const char *obj) {
  h5a_note();
  const char *d = h5a_error_detail();
  cs_status s = CS_ERROR(CS_ERR_IO, "%s: cannot write %s%s%s%s", o->path, what, obj,
                         d[0] ? ": " : "", d);
  h5a_error_clear();
  return s;
}

cs_status hdf5out_attr_err(const hdf5out *o, const h5a_ctx *c, const char *obj) {
  char what[192];
  snprintf(what, sizeof what, "attribute %s of ", c->failed);
  return hdf5out_io_err(o, what, obj);
}

cs_status hdf5out_label(const hdf5out *o, hid_t ds, const char *obj, const char *units,
                        const char *long_name) {
  char cf[128];
  if (cf_units(units, cf, sizeof cf) < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: %s: unit '%s' has no UDUNITS spelling", o->path, obj,
                    units ? units : "");
  h5a_ctx c;
  h5a_init(&c, ds);
  h5a_str(&c, "units", cf);
  h5a_str(&c, "unit_label", units ? units : "");
  h5a_str(&c, "long_name", long_name);
  return c.failed[0] ? hdf5out_attr_err(o, &c, obj) : CS_OK;
}

cs_status hdf5out_write_vec(const hdf5out *o, hid_t loc, const char *name,
                            const char *obj, hid_t ftype, hid_t mtype, hsize_t n,
                            const void *buf, const char *units, const char *long_name) {
  if (h5a_write_vec(loc, name, ftype, mtype, n, buf, units, long_name) < 0)
    return hdf5out_io_err(o, "", obj);
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0) return hdf5out_io_err(o, "", obj);
  cs_status st = hdf5out_label(o, ds, obj, units, long_name);
  H5Dclose(ds);
  return st;
}

cs_status hdf5out_dataset_err(const hdf5out *o, hid_t ds) {
  char name[256] = "";
  h5a_note(); /* before H5Iget_name clears the stack */
  if (H5Iget_name(ds, name, sizeof name) <= 0) snprintf(name, sizeof name, "(dataset)");
  return hdf5out_io_err(o, "", name);
}

void hdf5out_field_chunk(hsize_t chunk[4], const hsize_t row[3], size_t elem) {
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
