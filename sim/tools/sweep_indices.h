/* sweep_indices: sensitivity indices from the outcome values of a design (sweep_design.h), the
 * computation `cisim sweep analyze` runs for each outcome.
 *
 * Sobol indices from a Saltelli design, y[j (k + 2) + m] = f(A_j) (m = 0), f(AB_mj)
 * (1 <= m <= k), f(B_j) (m = k + 1):
 *   V   = variance of the 2N values f(A), f(B)
 *   S1_i = (1/N) Σ_j (f(B)_j − c) (f(AB_i)_j − f(A)_j) / V  (Saltelli et al. 2010, Comput
 *                                                          Phys Commun 181:259, Table 2 (b))
 *   ST_i = (1/2N) Σ_j (f(A)_j − f(AB_i)_j)² / V          (Jansen 1999, Comput Phys Commun
 *                                                          117:35; Saltelli 2010 Table 2 (f))
 * where c, the mean of all f(A) and f(B), leaves the estimator's expectation unchanged
 * (E f(AB_i) = E f(A)) but removes the variance a large mean of f would add to it;
 * with percentile bootstrap confidence intervals: the N base samples resampled with
 * replacement `nboot` times (gsl_rng_mt19937 seeded with `seed`). Base samples with a NaN
 * value (a point that did not finish) are left out.
 *
 * Morris elementary effects from r trajectories (u the design's unit coordinates):
 * EE_i = (f(x + Δ_i e_i) − f(x)) / Δ_i per trajectory, in the unit coordinates; μ its mean,
 * μ* the mean of |EE| (Campolongo, Cariboni, Saltelli 2007, Environ Model Softw 22:1509),
 * σ its standard deviation (n − 1; Morris 1991). Trajectories with a NaN value are left out. */
#ifndef CISIM_SWEEP_INDICES_H
#define CISIM_SWEEP_INDICES_H

#include "error.h"

typedef struct {
  double s1, s1_lo, s1_hi; /* first-order index and its confidence interval */
  double st, st_lo, st_hi; /* total index */
} sweep_sobol;

typedef struct {
  double variance; /* V of the outcome */
  long used;       /* base samples without NaN */
} sweep_sobol_info;

/* out[k]; level: the interval's confidence (0.95). Fewer than 2 usable base samples: out is
   all NaN. */
cs_status sweep_sobol_indices(int k, long n, const double *y, long nboot, unsigned long seed,
                              double level, sweep_sobol *out, sweep_sobol_info *info);

typedef struct {
  double mu, mu_star, sigma;
  long used; /* trajectories */
} sweep_morris;

cs_status sweep_morris_indices(int k, long r, const double *u, const double *y,
                               sweep_morris *out);

#endif
