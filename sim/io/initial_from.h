/* initial_from: a run's starting state read from an HDF5 file in the run-file layout
 * (`initial.from`, `initial.day`; docs/run-file.md): the end state of an earlier run, or a
 * field a user built with a script.
 *
 * What the file must hold: /time (the snapshot days) and /fields/<species> of shape
 * (nsnap, nz, ny, nx) for this run's grid; optionally /grid (spacing_um, layer), checked
 * against the configuration where present, and `units` or `unit_label` per field, which must
 * be the species' unit. A species the file lacks keeps the model's own initial value (and is
 * named in the report), so a script need only write the fields it changes. The snapshot is
 * chosen by its exact day: a day that is not a snapshot time is refused with the days there
 * are, never replaced by the nearest. Nothing is written anywhere. */
#ifndef CISIM_INITIAL_FROM_H
#define CISIM_INITIAL_FROM_H

#include "error.h"
#include "grid.h"
#include "model.h"
#include "params.h"

typedef struct {
  char path[1024];       /* initial.from as given */
  double day;            /* the snapshot's day in that file */
  long snapshot;         /* its index in /time */
  int nfound;            /* species read from the file */
  char missing[512];     /* the model's species the file lacks, comma-separated ("" if none) */
  char run_id[64];       /* the file's run_id attribute ("" if it has none) */
} initial_source;

/* Whether the configuration asks for a starting state from a file (initial.from not ""). */
int initial_from_wanted(const params *p);

/* Open initial.from, find the snapshot at initial.day (-1: the last), check its fields against
   grid g and model m, and, where u is not NULL, read them into u[q] (g->ncell values each,
   double) for every species the file holds. nonnegative: refuse negative values (every
   species of a model whose densities cannot be negative). CS_ERR_INPUT naming the
   configuration key and the file on any mismatch. */
cs_status initial_from_read(const params *p, const grid *g, const model *m, int nonnegative,
                            double *const *u, initial_source *src);

/* One line for stderr: where the state came from, and the species that kept the model's
   initial value. */
void initial_from_describe(const initial_source *src, char *out, size_t size);

/* Whether out_path is the same file as initial.from (so that writing it would destroy the
   starting state): 1 yes, 0 no or either does not exist. */
int initial_from_is_output(const params *p, const char *out_path);

#endif
