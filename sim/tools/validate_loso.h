/* validate_loso: leave-one-study-out prediction error (docs/validation.md). For each study
 * with a numeric observation the model predicts, the table's calibrate.fit parameters are
 * fitted by `cisim calibrate`'s least squares (calib_fit.h; its runs cached with the others)
 * to the predicted numeric observations of the other studies, and the held-out study is run
 * at the fitted values: its log-ratios are out-of-sample errors. A residual is weighted by the
 * reported sd, or else by log_sd × (100 + value), i.e. a relative error of log_sd on the
 * treated/untreated level. Each training study is one observation group of the fit (its own
 * protocol: calib_spec.h), so a point of the fit is one run per training study. */
#ifndef CISIM_VALIDATE_LOSO_H
#define CISIM_VALIDATE_LOSO_H

#include <stdio.h>

#include "calib_runs.h"
#include "error.h"
#include "validate_run.h"
#include "validate_spec.h"

typedef struct {
  int held;         /* the held-out study */
  int ntrain, ntrainst; /* training observations, and the studies they come from */
  int fitted, converged;
  double best[20], lo95[20], hi95[20];
  int at_bound[20]; /* the fit ended on a bound: its interval is not meaningful */
  val_row *rows;    /* [held study's nobs] predictions at the fitted values */
} val_fold;

/* The folds (caller frees with val_loso_free) from the predictions rows at the base values. */
cs_status val_loso(const val_spec *vs, calib_runner *r, val_row *const *rows, val_fold **folds,
                   int *nfolds);
void val_loso_free(val_fold *folds, int n);
/* The folds' table and the out-of-sample RMS log-ratio in markdown. */
void val_write_loso(FILE *f, const val_spec *vs, val_row *const *rows, const val_fold *folds,
                    int n);

#endif
