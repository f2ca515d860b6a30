/* hdf5out_meta: /code, /parameters and /grid of a new run file (see hdf5out_meta.h). */
#define _POSIX_C_SOURCE 200809L /* gethostname */

#include "hdf5out_meta.h"

#include <gsl/gsl_version.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "hdf5out_attr.h"

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

static const char *bc_name(bc_kind b) {
  switch (b) {
    case BC_PERIODIC: return "periodic";
    case BC_NOFLUX: return "noflux";
    case BC_DIRICHLET: return "dirichlet";
  }
  return "unknown";
}

cs_status hdf5out_write_code(hdf5out *o, const char *command_line, int threads,
                             const char *now) {
  hid_t g = H5Gcreate2(o->file, "code", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return hdf5out_io_err(o, "group ", "/code");
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
  h5a_int(&c, "threads", threads);
  h5a_str(&c, "host", host);
  h5a_str(&c, "command_line", command_line);
  h5a_str(&c, "start_time", now);
  h5a_str_in_place(&c, "end_time", ""); /* stays empty if the run dies: a sign it did not close */
  cs_status st = c.failed[0] ? hdf5out_attr_err(o, &c, "/code") : CS_OK;
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

cs_status hdf5out_write_params(hdf5out *o, const params *p) {
  hid_t g = H5Gcreate2(o->file, "parameters", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return hdf5out_io_err(o, "group ", "/parameters");
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
    st = hdf5out_io_err(o, "", "/parameters/yaml");
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
    if (c.failed[0]) st = hdf5out_attr_err(o, &c, "/parameters");
  }
  H5Gclose(g);
  return st;
}

/* /grid/layer_cells: the layer index of every cell, (nz, ny, nx) bytes, for viewers that colour
   cells by it (the XDMF sidecar's "layer"); written one z-plane at a time, deflated (a plane is
   one value). Left out above LAYER_CELLS_MAX cells, where it would cost more than it shows. */
#define LAYER_CELLS_MAX ((size_t)1 << 26)
static cs_status write_layer_cells(hdf5out *o, hid_t g, const grid *gr) {
  const char *obj = "/grid/layer_cells";
  if (o->ncell > LAYER_CELLS_MAX || o->ncell == 0) return CS_OK;
  size_t plane = (size_t)gr->nx * (size_t)gr->ny;
  unsigned char *row = malloc(plane);
  if (!row) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing %s", o->path, obj);
  hsize_t chunk[4], one[3] = {1, o->row[1], o->row[2]};
  hdf5out_field_chunk(chunk, o->row, 1);
  chunk[1] = 1; /* one plane per chunk */
  hid_t sp = H5Screate_simple(3, o->row, NULL), mem = H5Screate_simple(3, one, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), ds = H5I_INVALID_HID;
  if (sp >= 0 && mem >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, 3, chunk + 1) >= 0 &&
      H5Pset_deflate(dcpl, 4) >= 0)
    ds = H5Dcreate2(g, "layer_cells", H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  cs_status st = ds < 0 ? hdf5out_io_err(o, "", obj) : CS_OK;
  for (int k = 0; k < gr->nz && st == CS_OK; k++) {
    memset(row, gr->layer_of_z[k], plane);
    hsize_t start[3] = {(hsize_t)k, 0, 0};
    if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, one, NULL) < 0 ||
        H5Dwrite(ds, H5T_NATIVE_UCHAR, mem, sp, H5P_DEFAULT, row) < 0)
      st = hdf5out_io_err(o, "", obj);
  }
  if (st == CS_OK) st = hdf5out_label(o, ds, obj, "-", "layer index of each cell (see layer_names)");
  if (ds >= 0) H5Dclose(ds);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (mem >= 0) H5Sclose(mem);
  if (sp >= 0) H5Sclose(sp);
  free(row);
  if (st == CS_OK) o->extra.layer_cells = 1;
  return st;
}

cs_status hdf5out_write_grid(hdf5out *o, const grid *gr) {
  hid_t g = H5Gcreate2(o->file, "grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (g < 0) return hdf5out_io_err(o, "group ", "/grid");
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
    st = hdf5out_write_vec(o, g, names[a], objs[a], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                           (hsize_t)n[a], coord, "µm", longs[a]);
  }
  free(coord);
  if (st == CS_OK)
    st = hdf5out_write_vec(o, g, "layer", "/grid/layer", H5T_STD_I32LE, H5T_NATIVE_INT,
                           (hsize_t)gr->nz, gr->layer_of_z, "-",
                           "layer index of each depth row (see layer_names)");
  if (st == CS_OK) st = write_layer_cells(o, g, gr);

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
  if (st == CS_OK && c.failed[0]) st = hdf5out_attr_err(o, &c, "/grid");
  H5Gclose(g);
  return st;
}
