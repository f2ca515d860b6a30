/* hdf5out_chunk: the field snapshots' chunks filtered on every thread. HDF5 runs a dataset's
 * filters (shuffle, then deflate) in the calling thread, one chunk after another, and with
 * deflate on that was most of a run's output time. A snapshot's species are independent
 * chunks: this module shuffles and deflates them in parallel, the way HDF5's own filters do
 * (its byte shuffle, then zlib's compress2 at the dataset's level), and hands HDF5 the
 * finished chunks (H5Dwrite_chunk), in species order from one thread. Readers see an ordinary
 * shuffle + deflate dataset; the values are the ones H5Dwrite would store. With rle, zlib's
 * run-length strategy (Z_RLE: matches of one repeated byte only) instead of its default: on
 * shuffled doubles, whose exponent bytes come in runs and whose low mantissa bytes do not
 * compress anyway, about a third of the deflate time for about 2 % more bytes; any inflate
 * reads it. */
#ifndef CISIM_HDF5OUT_CHUNK_H
#define CISIM_HDF5OUT_CHUNK_H

#include <hdf5.h>
#include <stddef.h>

#include "error.h"

typedef struct hdf5out_chunk hdf5out_chunk;

/* The deflate level if dataset ds (rank 4: snapshot, z, y, x) stores a snapshot of
   row[0..2] values as one chunk through exactly shuffle then deflate, the pipeline this
   module reproduces; 0 otherwise (the caller writes through H5Dwrite). */
unsigned hdf5out_chunk_level(hid_t ds, const hsize_t row[3]);

/* Buffers for up to nslots chunks at once of ncell values of elem bytes (4: single, 8:
   double); NULL if out of memory. */
hdf5out_chunk *hdf5out_chunk_alloc(size_t ncell, size_t elem, int nslots, int nthreads);
void hdf5out_chunk_free(hdf5out_chunk *c);

/* Snapshot n of the nfields datasets ds[] (already extended to n + 1 rows), from the fields
   u[s][ncell], at deflate level, with zlib's default strategy (the bytes HDF5's own filter
   writes) or, rle != 0, its run-length one. On failure: -1 and *bad the dataset that failed. */
int hdf5out_chunk_write(hdf5out_chunk *c, const hid_t *ds, int nfields, hsize_t n,
                        const double *const *u, unsigned level, int rle, int *bad);

#endif
