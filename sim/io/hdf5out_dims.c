/* hdf5out_dims: dimension scales and CF axis attributes on the run file (see hdf5out_dims.h). */
#include "hdf5out_dims.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <string.h>

const char *const hdf5out_dim_names[4] = {"time", "z", "y", "x"};

/* Where each scale lives, its netCDF dimension name and its CF axis attributes. */
static const struct {
  const char *path, *axis, *standard_name, *positive;
} scales[4] = {
    {"/time", "T", "time", NULL},
    {"/grid/z", "Z", "depth", "down"},
    {"/grid/y", "Y", NULL, NULL},
    {"/grid/x", "X", NULL, NULL},
};

static cs_status make_scales(hdf5out *o, hid_t ds[4]) {
  cs_status st = CS_OK;
  for (int d = 0; d < 4 && st == CS_OK; d++) {
    ds[d] = H5Dopen2(o->file, scales[d].path, H5P_DEFAULT);
    if (ds[d] < 0 || H5DSset_scale(ds[d], hdf5out_dim_names[d]) < 0) {
      st = hdf5out_io_err(o, "dimension scale ", scales[d].path);
      break;
    }
    h5a_ctx c;
    h5a_init(&c, ds[d]);
    h5a_str(&c, "axis", scales[d].axis);
    if (scales[d].standard_name) h5a_str(&c, "standard_name", scales[d].standard_name);
    if (scales[d].positive) h5a_str(&c, "positive", scales[d].positive);
    if (c.failed[0]) st = hdf5out_attr_err(o, &c, scales[d].path);
  }
  return st;
}

static cs_status attach(hdf5out *o, hid_t target, const char *obj, hid_t scale, unsigned dim) {
  if (H5DSattach_scale(target, scale, dim) < 0) {
    char what[64];
    snprintf(what, sizeof what, "dimension %u scale of ", dim);
    return hdf5out_io_err(o, what, obj);
  }
  return CS_OK;
}

static cs_status link_into_fields(hdf5out *o) {
  for (int d = 0; d < 4; d++) {
    char link[32];
    snprintf(link, sizeof link, "/fields/%s", hdf5out_dim_names[d]);
    if (H5Lcreate_hard(o->file, scales[d].path, o->file, link, H5P_DEFAULT, H5P_DEFAULT) < 0)
      return hdf5out_io_err(o, "link ", link);
  }
  return CS_OK;
}

cs_status hdf5out_write_dims(hdf5out *o) {
  for (int s = 0; s < o->nfields; s++)
    for (int d = 0; d < 4; d++)
      if (strcmp(o->m->species[s].name, hdf5out_dim_names[d]) == 0)
        return CS_ERROR(CS_ERR_INPUT,
                        "%s: species '%s' has the name of a coordinate of /fields (time, z, y, "
                        "x): rename the species in its model",
                        o->path, o->m->species[s].name);
  hid_t ds[4] = {H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID, H5I_INVALID_HID};
  cs_status st = make_scales(o, ds);
  char obj[320];
  for (int s = 0; s < o->nfields && st == CS_OK; s++) {
    snprintf(obj, sizeof obj, "/fields/%s", o->m->species[s].name);
    for (unsigned d = 0; d < 4 && st == CS_OK; d++) st = attach(o, o->fields[s], obj, ds[d], d);
  }
  if (st == CS_OK) {
    hid_t layer = H5Dopen2(o->file, "/grid/layer", H5P_DEFAULT);
    st = layer < 0 ? hdf5out_io_err(o, "", "/grid/layer")
                   : attach(o, layer, "/grid/layer", ds[1], 0);
    if (layer >= 0) H5Dclose(layer);
  }
  if (st == CS_OK && o->extra.layer_cells) {
    hid_t cells = H5Dopen2(o->file, "/grid/layer_cells", H5P_DEFAULT);
    if (cells < 0) st = hdf5out_io_err(o, "", "/grid/layer_cells");
    for (unsigned d = 0; d < 3 && st == CS_OK; d++)
      st = attach(o, cells, "/grid/layer_cells", ds[d + 1], d);
    if (cells >= 0) H5Dclose(cells);
  }
  if (st == CS_OK) st = link_into_fields(o);
  for (int d = 0; d < 4; d++)
    if (ds[d] >= 0) H5Dclose(ds[d]);
  return st;
}
