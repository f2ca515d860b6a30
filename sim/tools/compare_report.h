/* compare_report: what `cisim compare` found, as compare_files (compare.h) fills it: per dataset
 * the points out of tolerance, the largest differences and the worst point; the parameters that
 * differ; warnings; the verdict. Its one-line verdict, exit status, and its text and JSON forms
 * are here too, so that a report can be printed without the comparison's code. */
#ifndef CISIM_COMPARE_REPORT_H
#define CISIM_COMPARE_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef enum { COMPARE_TIME, COMPARE_FIELD, COMPARE_SERIES } compare_kind;

typedef struct {
  char *name;                 /* "time", "fields/<species>", "series/<name>" */
  compare_kind kind;
  double rtol, atol;          /* tolerance applied to this dataset */
  unsigned long long points;  /* values compared */
  unsigned long long out;     /* values out of tolerance (NaN mismatches included) */
  unsigned long long nan;     /* NaN in exactly one file */
  /* Over points that are not NaN in either file: largest |a - b|, and largest |a - b|/|b|
     (infinite where b = 0 and a differs). 0 when the datasets are equal. */
  double max_abs, max_rel;
  double ref_max;             /* largest finite |b| */
  double scale;               /* fields: the species' tolerance_scale in B (0: not stated) */
  /* The worst point: the one exceeding its tolerance the most (|a-b| - atol - rtol|b|; a NaN
     mismatch or an infinite difference ranks above everything), first in index order on ties.
     Only points where a and b differ are candidates: has_worst = 0 when they are equal. */
  int has_worst;
  size_t worst_snap;          /* snapshot index */
  double worst_time;          /* that snapshot's time in B, day */
  int worst_k, worst_j, worst_i; /* COMPARE_FIELD: z, y, x indices; -1 otherwise */
  double worst_z, worst_y, worst_x; /* COMPARE_FIELD: cell centre in B's /grid, µm */
  double worst_a, worst_b;    /* the values there */
} compare_dataset;

typedef struct {
  char *name;                 /* parameter (attribute of /parameters) */
  char *a, *b;                /* its value in each file, as text; "(absent)" if missing */
} compare_param;

typedef struct {
  char *path_a, *path_b;
  double rtol, atol;          /* the command-line (default) tolerance */
  char *tolerances;           /* tolerance file used, or NULL */
  int strict_params;
  compare_dataset *ds;
  int nds;
  compare_param *params;      /* sorted by name */
  int nparams;
  char **warnings;            /* e.g. a run that did not finish, an unused tolerance entry */
  int nwarnings;
  int ndifferent;             /* datasets with points out of tolerance */
  unsigned long long npoints_out; /* their points out of tolerance, all datasets */
  int exit_code;              /* 0 same within tolerance, 1 different */
} compare_report;

void compare_report_free(compare_report *r);

/* Process exit status for a compare_files outcome: 0 same, 1 different, 2 anything that kept
   the files from being compared (not 1: a script must not read an error as "different"). */
int compare_exit_code(cs_status st, const compare_report *r);

/* The one-line verdict, e.g. "same within tolerance" or "DIFFERENT: 2 datasets, 17 points". */
void compare_verdict(const compare_report *r, char *buf, size_t len);

/* Human-readable report (quiet: verdict only) and the JSON object for scripts; on failure
   (st != CS_OK) the JSON carries the error message and exit code 2. */
void compare_print_text(FILE *f, const compare_report *r, int quiet);
void compare_print_json(FILE *f, const compare_report *r, cs_status st);

#endif
