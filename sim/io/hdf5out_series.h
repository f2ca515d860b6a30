/* hdf5out_series: the run file's /series, scalar diagnostics on a time axis of their own.
 *
 *   /series/time     (nrows) day; dimension scale "time" of the group (CF axis T)
 *   /series/<name>   (nrows) dimension time attached
 *
 * A row is written per accepted step (or per output.series_every_day; docs/run-file.md), so
 * the hours-long peaks after a session are in the file whatever the snapshot cadence. Rows
 * are kept in memory and written in blocks: when the block is full, at every snapshot, before
 * a checkpoint (hdf5out_sync) and at close; /series/time is extended last, so its length
 * counts the rows written completely. On resume the rows after the checkpoint's time are
 * cut. Part of the run file writer (hdf5out_file.h). */
#ifndef CISIM_HDF5OUT_SERIES_H
#define CISIM_HDF5OUT_SERIES_H

#include "error.h"
#include "hdf5out_file.h"

/* The group, its time axis and one dataset per series (name[i], unit[i], long_name[i] for
   i < o->nseries), and the row buffer. */
cs_status hdf5out_series_create(hdf5out *o, const char *const *name, const char *const *unit,
                                const char *const *long_name);
/* One row: time t and o->nseries values. */
cs_status hdf5out_series_append(hdf5out *o, double t, const double *vals);
/* Write the buffered rows. */
cs_status hdf5out_series_flush(hdf5out *o);
/* Resume: open /series/time and the datasets, keep the rows at times <= t (the checkpoint's).
   A run file without /series/time (written before series had their own axis) is refused. */
cs_status hdf5out_series_resume(hdf5out *o, const char *const *name, double t);

#endif
