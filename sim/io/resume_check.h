/* resume_check: whether a run file can take the continuation a checkpoint offers, decided
 * without writing a byte. `cisim run --resume` calls it after the checkpoint has been read and
 * verified and before the run file is opened for writing, so that a refused resume leaves the
 * run file exactly as it was (docs/checkpoint.md). */
#ifndef CISIM_RESUME_CHECK_H
#define CISIM_RESUME_CHECK_H

#include "error.h"
#include "grid.h"
#include "hdf5out.h"
#include "model.h"

typedef struct {
  const char *run_id;   /* the checkpoint's run identity: must equal the run file's */
  long nsnap;           /* snapshots the checkpoint covers */
  double t;             /* the checkpoint's time: the last covered snapshot is not after it */
} resume_claim;

/* CS_OK when PATH is writable, is the run the claim names, holds the grid, fields and series
   of this configuration and at least claim->nsnap complete snapshots; otherwise CS_ERR_INPUT
   naming PATH and what does not fit. Opens PATH read-only. */
cs_status resume_check_runfile(const char *path, const grid *g, const model *m,
                               const series_desc *series, int nseries, const resume_claim *c);

#endif
