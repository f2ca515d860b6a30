/* hdf5out: the run file (layout in docs/run-file.md).
 *
 *   /                attrs program, version, created, finished (0/1)
 *   /code            attrs version, git_commit, compiler, cflags, gsl/hdf5/libyaml versions,
 *                    threads, host, command_line, start_time, end_time
 *   /parameters      dataset "yaml" (the resolved config text); one attribute per parameter
 *                    (value) plus "<key>.unit" attributes
 *   /grid            x, y, z cell centres (µm, attrs units/long_name), layer (nz, int),
 *                    layer_cells (nz, ny, nx, uint8: the layer of every cell, for viewers; not
 *                    on grids over 2^26 cells);
 *                    attrs spacing_um, origin_um, size_um, dims, boundary_x/y/surface/deep,
 *                    layer_names, layer_top_um
 *   /time            (nsnap) day, extendible
 *   /fields/<sp>     (nsnap, nz, ny, nx), extendible in nsnap, one snapshot per chunk,
 *                    shuffle + deflate; attrs units (UDUNITS), unit_label, long_name;
 *                    dimension scales time, z, y, x (hdf5out_dims.h), linked into /fields
 *   /series/<name>   (nsnap) scalar diagnostics at snapshot times; attrs units, unit_label,
 *                    long_name; dimension scale time
 *   /punctures       treatment runs only (hdf5out_write_punctures): per puncture x_um, y_um,
 *                    depth_um, radius_um, period_y_um, session, pass, day; per session
 *                    channel_fraction and distance_um maps (nsession, nz, ny, nx, float);
 *                    attrs tip, halo_um, session_day, needle_length_um, penetration, passes,
 *                    density_per_cm2 (per session)
 *
 * A run file is created only after the configuration is valid, never over an existing file
 * unless force is set, and every snapshot is flushed to disk when written. */
#ifndef CISIM_HDF5OUT_H
#define CISIM_HDF5OUT_H

#include "error.h"
#include "grid.h"
#include "model.h"
#include "params.h"
#include "sim.h"

typedef struct hdf5out hdf5out;

/* More snapshots than any run writes (one a minute for a thousand years): a larger count in a
   file or checkpoint is damage, refused before anything is sized by it. */
#define HDF5OUT_MAX_SNAPSHOTS 600000000L

typedef struct {
  const char *path;
  int force;               /* replace an existing file */
  int single_precision;    /* store fields as float */
  int deflate;             /* 0..9 */
  const char *command_line;
  int threads;
} hdf5out_options;

typedef struct {
  const char *name;        /* dataset name under /series */
  const char *unit;
  const char *long_name;
} series_desc;

cs_status hdf5out_create(hdf5out **out, const hdf5out_options *o, const grid *g,
                         const model *m, const params *p, const series_desc *series,
                         int nseries);
/* The run file as the place a run's snapshots and series rows go (sim_run). */
sim_output hdf5out_output(hdf5out *o);
/* Append one snapshot: time t (days) and every species field u[s][ncell]; with series_values
   (the nseries values given at create; may be NULL) also a series row at t. Writes the
   buffered series rows and flushes the file. */
cs_status hdf5out_write_snapshot(hdf5out *o, double t, const double *const *u,
                                 const double *series_values);
/* Record a treatment protocol's punctures and its wound maps (rasterised here with nthreads)
   under /punctures. Call once, after create. */
struct protocol;
cs_status hdf5out_write_punctures(hdf5out *o, const struct protocol *pr, const grid *g,
                                  int nthreads);

/* Reopen an existing run file to continue it (cisim run --resume): the file must hold the
   datasets create would have made for this grid, model and series, and at least nsnap
   snapshots; snapshots after the first nsnap and series rows after time t (written after
   the checkpoint being resumed) are cut off. Marks the file unfinished again and counts the resume in the root
   attribute `resumed`. */
cs_status hdf5out_open_append(hdf5out **out, const char *path, const grid *g, const model *m,
                              const series_desc *series, int nseries, long nsnap,
                              double t);
/* Threads that shuffle and deflate the snapshots' chunks (create sets its options' count;
   call after open_append). Which threads do it changes no byte of the file. */
void hdf5out_set_threads(hdf5out *o, int nthreads);
/* Deflate the snapshots with zlib's run-length strategy (output.compression_strategy: rle)
   instead of its default; the values stored are the same (hdf5out_chunk.h). */
void hdf5out_set_rle(hdf5out *o, int rle);
/* Snapshots written completely so far. */
long hdf5out_nsnap(const hdf5out *o);
/* The root attribute `created` (UTC time the file was made). */
const char *hdf5out_created(const hdf5out *o);
/* The root attribute `run_id` (run_id.h): identifies the run; its checkpoints carry it. */
const char *hdf5out_run_id(const hdf5out *o);
/* Flush and fsync the file (before a checkpoint that refers to its snapshots). */
cs_status hdf5out_sync(hdf5out *o);
/* Replace /parameters by p's (a resume with an allowed change), recording what changed in
   the attribute /parameters/changed_on_resume (appended to any earlier record). */
cs_status hdf5out_replace_parameters(hdf5out *o, const params *p, const char *change);
/* A root attribute `status` saying how the run ended ("finished", "stopped: ...", "failed: ...");
   written by close's caller before close. */
cs_status hdf5out_set_status(hdf5out *o, const char *status);
/* Seconds spent in hdf5out_write_snapshot (writing, compressing, flushing, XDMF). */
double hdf5out_io_seconds(const hdf5out *o);

/* Mark the run finished (attribute), record end time, close. Safe on NULL. */
cs_status hdf5out_close(hdf5out *o, int finished);

#endif
