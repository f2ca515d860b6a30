/* hdf5out_meta: what a run file records once, when it is created: /code (the build and the
 * run's provenance), /parameters (the resolved config as YAML, and one attribute per
 * parameter with its unit) and /grid (cell centres, layers, spacing, boundaries). */
#ifndef CISIM_HDF5OUT_META_H
#define CISIM_HDF5OUT_META_H

#include "error.h"
#include "grid.h"
#include "hdf5out_file.h"
#include "params.h"

/* /code; now is the start time (UTC, ISO 8601). end_time stays empty until close. */
cs_status hdf5out_write_code(hdf5out *o, const char *command_line, int threads,
                             const char *now);
/* /parameters from p (empty when p holds no values). */
cs_status hdf5out_write_params(hdf5out *o, const params *p);
cs_status hdf5out_write_grid(hdf5out *o, const grid *g);

#endif
