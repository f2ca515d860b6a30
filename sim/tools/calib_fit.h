/* calib_fit: weighted nonlinear least squares of `cisim calibrate` with GSL's
 * gsl_multifit_nlinear (trust region, Levenberg-Marquardt steps; docs/calibration.md).
 *
 * Residuals r_i = (model_i − value_i) / sd_i: cost χ² = Σ r_i². The fit works in
 * coordinates z = ln x for a parameter on a log scale, z = x otherwise; a trial point outside
 * the bounds is evaluated at the bound (and a fit that ends there is flagged). The Jacobian
 * is taken by forward differences, step h_j = fd_step · max(|z_j|, 1) (backwards where the
 * forward step would leave the bounds), its p runs going out together (calib_runs.h).
 * Covariance C = (JᵀJ)⁻¹ at the best fit (the sd are taken as known, not rescaled by χ²),
 * in z; 95 % intervals z ± 1.96 √C_jj mapped back to x (asymmetric on a log scale).
 * Predictions: value at the best fit ± 1.96 √(g C gᵀ), g their forward-difference gradient
 * from the same runs (linearised propagation). With observation groups (calib_spec.h:
 * observations under different protocols) every point is one run per group. */
#ifndef CISIM_CALIB_FIT_H
#define CISIM_CALIB_FIT_H

#include <stdio.h>

#include "calib_runs.h"
#include "calib_spec.h"
#include "error.h"

typedef struct {
  int np, nobs, npred;
  double *best;             /* [np] */
  double *cov;              /* [np * np], fit coordinates */
  double *lo95, *hi95;      /* [np] */
  int *at_bound;            /* [np] */
  double *model;            /* [nobs] at the best fit */
  double *pred, *pred_lo, *pred_hi; /* [npred] */
  double chi2, chi2_start;
  long iterations;
  int converged;            /* 1: a tolerance was met; 0: max_iterations reached */
  char best_run[CALIB_PATH]; /* the run file at the best fit */
} calib_result;

/* Fits cs's parameters; each accepted iteration appends "iteration,chi2,x..." to progress
   (and a line to stdout). */
cs_status calib_fit(const calib_spec *cs, calib_runner *r, FILE *progress, calib_result *res);
void calib_result_free(calib_result *res);
/* The overrides text of the parameter values x: the spec's set, then "key=value\n" per
   fitted key. */
cs_status calib_overrides(const calib_spec *cs, const double *x, char **text);

#endif
