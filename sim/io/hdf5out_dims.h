/* hdf5out_dims: the run file's coordinates as HDF5 dimension scales (the H5DS API of
 * hdf5_hl), so that netCDF-4 readers (xarray with h5netcdf or netCDF4, ncdump, Panoply) name
 * every axis and find its coordinates:
 *
 *   /time, /grid/z, /grid/y, /grid/x   made dimension scales "time", "z", "y", "x", with CF
 *                                      attributes axis (T, Z, Y, X), standard_name (time,
 *                                      depth) and positive = "down" on z (depth below the
 *                                      skin surface)
 *   /fields/time, z, y, x              hard links to them (the same datasets), so that the
 *                                      group /fields holds its own coordinates: xarray's
 *                                      open_dataset(f, group="fields") reads only one group
 *   /fields/<species>                  dimensions attached: (time, z, y, x)
 *   /series/time, /series/<name>       the series' own time axis, made and attached by
 *                                      hdf5out_series.h
 *   /grid/layer                        (z)
 *   /grid/layer_cells                  (z, y, x)
 *
 * Readers that list /fields for species skip the dimension scales (H5DSis_scale, or the
 * attribute CLASS = "DIMENSION_SCALE"). Part of the run file writer (hdf5out_file.h). */
#ifndef CISIM_HDF5OUT_DIMS_H
#define CISIM_HDF5OUT_DIMS_H

#include "error.h"
#include "hdf5out_file.h"

/* The coordinate links' names in /fields; a species may not take one of them. */
extern const char *const hdf5out_dim_names[4];

/* Make the scales and attach them (after /grid, /time, /fields and /series exist). A species
   named like a coordinate (time, z, y, x) is refused: its link would clash. */
cs_status hdf5out_write_dims(hdf5out *o);

#endif
