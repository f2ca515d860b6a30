/* hdf5out_punctures: the /punctures group of a treatment run (hdf5out_write_punctures writes it
 * in these three steps): one column per puncture property, the protocol's device settings per
 * session as attributes, and per session the wound maps rasterised on the run's grid. */
#ifndef CISIM_HDF5OUT_PUNCTURES_H
#define CISIM_HDF5OUT_PUNCTURES_H

#include <hdf5.h>

#include "error.h"
#include "grid.h"
#include "hdf5out_file.h"
#include "protocol.h"

/* x_um, y_um, depth_um, radius_um, period_y_um, day, session, pass: one value per puncture. */
cs_status hdf5out_punctures_columns(hdf5out *o, hid_t grp, const protocol *pr);
/* Attributes tip, halo_um, count and, per session, session_day, needle_length_um, penetration,
   passes, density_per_cm2. */
cs_status hdf5out_punctures_sessions(hdf5out *o, hid_t grp, const protocol *pr);
/* channel_fraction and distance_um (nsession, nz, ny, nx; float), rasterised with nthreads. */
cs_status hdf5out_punctures_maps(hdf5out *o, hid_t grp, const protocol *pr, const grid *g,
                                 int nthreads);

#endif
