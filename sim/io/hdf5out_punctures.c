/* hdf5out_punctures: a treatment's punctures and wound maps in the run file (see
 * hdf5out_punctures.h). */
#include "hdf5out_punctures.h"

#include <stdlib.h>

#include "hdf5out_attr.h"

cs_status hdf5out_punctures_columns(hdf5out *o, hid_t grp, const protocol *pr) {
  size_t n = (size_t)pr->npunctures, cols = n > 0 ? n : 1;
  double *d = malloc(sizeof(double) * cols * 5);
  int *iv = malloc(sizeof(int) * cols * 2);
  cs_status st = CS_OK;
  if (!d || !iv) st = CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /punctures", o->path);
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
    const hid_t f64 = H5T_IEEE_F64LE, dbl = H5T_NATIVE_DOUBLE;
    st = hdf5out_write_vec(o, grp, "x_um", "/punctures/x_um", f64, dbl, n, x, "µm",
                           "needle axis at the skin surface, x");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "y_um", "/punctures/y_um", f64, dbl, n, y, "µm",
                             "needle axis at the skin surface, y (0 in 2D)");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "depth_um", "/punctures/depth_um", f64, dbl, n, dep, "µm",
                             "channel depth (needle length × penetration)");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "radius_um", "/punctures/radius_um", f64, dbl, n, rad, "µm",
                             "channel radius at the skin surface");
    for (size_t q = 0; q < n; q++) rad[q] = pr->punctures[q].period_y;
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "period_y_um", "/punctures/period_y_um", f64, dbl, n, rad,
                             "µm",
                             "2D: y period of the needle row a puncture stands for (0 in 3D)");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "day", "/punctures/day", f64, dbl, n, day, "day",
                             "day of the puncture's session");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "session", "/punctures/session", H5T_STD_I32LE,
                             H5T_NATIVE_INT, n, ses, "-", "session index (0-based)");
    if (st == CS_OK)
      st = hdf5out_write_vec(o, grp, "pass", "/punctures/pass", H5T_STD_I32LE, H5T_NATIVE_INT,
                             n, pas, "-", "pass index within the session (0-based)");
  }
  free(d);
  free(iv);
  return st;
}

cs_status hdf5out_punctures_sessions(hdf5out *o, hid_t grp, const protocol *pr) {
  size_t ns = (size_t)pr->nsessions;
  double *sd = malloc(sizeof(double) * (ns > 0 ? ns : 1));
  if (!sd) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /punctures", o->path);
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
  free(sd);
  return c.failed[0] ? hdf5out_attr_err(o, &c, "/punctures") : CS_OK;
}

cs_status hdf5out_punctures_maps(hdf5out *o, hid_t grp, const protocol *pr, const grid *g,
                                 int nthreads) {
  static const char *const mname[2] = {"channel_fraction", "distance_um"};
  static const char *const mobj[2] = {"/punctures/channel_fraction", "/punctures/distance_um"};
  static const char *const munit[2] = {"-", "µm"};
  static const char *const mlong[2] = {
      "volume fraction of the cell inside a channel of the session (2D: averaged over y)",
      "distance from the cell centre to the nearest channel of the session"};
  size_t ns = (size_t)pr->nsessions;
  float *map = malloc(sizeof(float) * (g->ncell ? g->ncell : 1));
  if (!map) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory writing /punctures", o->path);
  hsize_t chunk[4];
  hdf5out_field_chunk(chunk, o->row, sizeof(float));
  cs_status st = CS_OK;
  for (int mi = 0; mi < 2 && st == CS_OK; mi++) {
    hid_t ds = h5a_extendible(grp, mname[mi], H5T_IEEE_F32LE, 4, o->row, chunk, 4);
    if (ds < 0) {
      st = hdf5out_io_err(o, "", mobj[mi]);
      break;
    }
    st = hdf5out_label(o, ds, mobj[mi], munit[mi], mlong[mi]);
    for (size_t k = 0; k < ns && st == CS_OK; k++) {
      protocol_rasterise(pr, g, (int)k, mi == 0 ? map : NULL, NULL, mi == 1 ? map : NULL,
                         nthreads);
      if (h5a_append_row(ds, 4, o->row, (hsize_t)k, H5T_NATIVE_FLOAT, map) < 0)
        st = hdf5out_dataset_err(o, ds);
    }
    H5Dclose(ds);
  }
  free(map);
  return st;
}
