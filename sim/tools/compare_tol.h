/* compare_tol: the per-dataset tolerances of `cisim compare --tolerances FILE.yaml`: a dataset
 * path (time, fields/NAME, series/NAME) or a prefix ending in '*', mapped to {rtol, atol}.
 * Loading checks every entry (FILE:LINE:COL on error); a lookup picks the exact entry, else the
 * longest matching prefix, and marks it used, so that unused entries can be warned about. */
#ifndef CISIM_COMPARE_TOL_H
#define CISIM_COMPARE_TOL_H

#include "error.h"

typedef struct {
  char *pattern;     /* "fields/c"; a prefix without its star: "series/", "" (all) */
  int prefix;        /* pattern ended in '*' */
  double rtol, atol; /* NAN: not given, use the command line's */
  int line, col, used;
} compare_tol_entry;

typedef struct {
  compare_tol_entry *e;
  int n;
} compare_tol_table;

cs_status compare_tol_load(const char *path, compare_tol_table *t);
void compare_tol_free(compare_tol_table *t);
/* The tolerance of dataset NAME: its entry's rtol and atol, each defaulting to rtol0 and atol0
   (the command line's) where the entry leaves it out or no entry matches. */
void compare_tol_for(compare_tol_table *t, double rtol0, double atol0, const char *name,
                     double *rtol, double *atol);

#endif
