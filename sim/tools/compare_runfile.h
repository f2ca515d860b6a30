/* compare_runfile: one run file as `cisim compare` reads it (open, check that it is a cisim run
 * file, its /time, /grid and dataset names), whether two of them can be compared at all, and
 * the small HDF5 helpers the comparison's parts share (HDF5's reason for a failure, an
 * attribute as exact text). */
#ifndef CISIM_COMPARE_RUNFILE_H
#define CISIM_COMPARE_RUNFILE_H

#include <hdf5.h>
#include <stddef.h>

#include "error.h"

typedef struct {
  const char *path;
  hid_t file;
  size_t nsnap;
  double *time;            /* [nsnap] */
  hsize_t n[3];            /* nz, ny, nx */
  double *coord[3];        /* z, y, x cell centres */
  char **species, **series; /* sorted */
  int nspecies, nseries;
  int finished;            /* root attribute; -1 if absent */
} compare_runfile;

/* Open PATH and read what the comparison needs first; CS_ERR_INPUT names the file and what
   makes it unusable. Call compare_runfile_close in any case. */
cs_status compare_runfile_open(const char *path, compare_runfile *rf);
void compare_runfile_close(compare_runfile *rf);
/* A 1-D dataset read whole as double; *n its length. */
cs_status compare_runfile_vector(const compare_runfile *rf, const char *obj, double **v,
                                 size_t *n);
/* Series obj ("series/NAME") at the snapshot times /time: *n = rf->nsnap values. Series rows
   have their own axis /series/time (a row per accepted step), which lands on every snapshot
   time; a snapshot time without a row (a diagnostic snapshot) gives NaN. Files without
   /series/time (older run files) hold the series at the snapshots already. */
cs_status compare_runfile_series(const compare_runfile *rf, const char *obj, double **v,
                                 size_t *n);
/* Same grid (within rounding), snapshot count, species and series; else CS_ERR_INPUT. */
cs_status compare_runfile_comparable(const compare_runfile *a, const compare_runfile *b);

/* An attribute as text: numbers shortest-exact, several values as [a, b], strings quoted.
   Comparing these texts compares the values exactly. NULL if unreadable. */
char *compare_attr_text(hid_t attr);
/* HDF5's own reason for the last failure (its innermost message) into buf. */
const char *compare_h5_reason(char buf[256]);
/* The out-of-memory failure of compare. */
cs_status compare_nomem(void);
/* Frees n strings and the array. */
void compare_free_names(char **v, int n);

#endif
