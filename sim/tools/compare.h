/* compare: are two run files (docs/run-file.md) the same within a tolerance, and if not, by
 * how much and where?  This is `cisim compare A B`; B is the reference.
 *
 * A point passes when |a - b| <= atol + rtol*|b|. With the defaults rtol = atol = 0 that is
 * exact equality (-0 equals +0). NaN at a point in both files counts as equal; NaN in only one
 * is a difference. Compared: /time, every /fields/<species> snapshot and every /series/<name>,
 * first /time-length rows only (a row past that was never completed). /code is provenance and
 * skipped; /parameters attributes that differ are listed (a difference only if strict_params).
 *
 * Unusable input (missing file, not HDF5, not a cisim run file, different grids, snapshot
 * counts, species or series sets) is a CS_ERR_INPUT whose message names the file: that is a
 * different answer from "different" (exit 2, not 1), because nothing was compared.
 *
 * Fields are streamed one snapshot (or one file chunk of z-planes) at a time through buffers
 * allocated once; the per-slab comparison is split into fixed blocks whose partial results are
 * combined in index order, so the report, the worst point included, is the same for any
 * number of OpenMP threads. */
#ifndef CISIM_COMPARE_H
#define CISIM_COMPARE_H

#include "compare_report.h"
#include "error.h"

typedef struct {
  double rtol, atol;          /* for every dataset not named in the tolerance file */
  const char *tolerances;     /* YAML file: dataset path or prefix* -> {rtol, atol}; or NULL */
  int strict_params;          /* differing /parameters make the files DIFFERENT */
} compare_options;

/* Compare A with the reference B. On CS_OK r holds the report (compare_report.h) and
   r->exit_code the verdict; on failure (CS_ERR_INPUT: unusable input; CS_ERR_NOMEM) the message
   is in cs_error_message() and r holds what was gathered so far. Always call
   compare_report_free. */
cs_status compare_files(const char *a, const char *b, const compare_options *o,
                        compare_report *r);

#endif
