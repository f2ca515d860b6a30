/* compare_values: one dataset of two run files compared point by point: /time or a series read
 * whole, a field streamed one slab of whole z-planes at a time (the file's chunk, so that HDF5
 * decompresses every chunk once and memory stays bounded). Each slab is split into fixed blocks
 * compared in parallel and combined in index order, so the result, the worst point included,
 * is the same for any number of OpenMP threads. */
#ifndef CISIM_COMPARE_VALUES_H
#define CISIM_COMPARE_VALUES_H

#include <stddef.h>

#include "compare_report.h"
#include "compare_runfile.h"
#include "error.h"

typedef struct compare_part compare_part; /* one block's partial result */

/* The two files and the slab buffers, allocated once and grown only if a field needs larger
   slabs. Start from {a, b} (the rest zero); compare_values_free releases the buffers. */
typedef struct {
  compare_runfile *a, *b;
  double *buf_a, *buf_b;
  compare_part *parts;
  size_t cap;              /* elements in each buffer */
} compare_values_ctx;

/* /time or /series/<name> (obj): nsnap values, read whole. Fills d's counts and worst point. */
cs_status compare_values_vector(compare_values_ctx *c, compare_dataset *d, const char *obj);
/* /fields/<species> (obj), every snapshot. */
cs_status compare_values_field(compare_values_ctx *c, compare_dataset *d, const char *obj);
void compare_values_free(compare_values_ctx *c);

#endif
