/* sweep_design: the sensitivity designs of `cisim sweep plan` in the unit cube [0, 1]^k (each
 * coordinate then goes through its parameter's distribution, sweep_vary.h).
 *
 * Saltelli (Saltelli et al. 2010, Comput Phys Commun 181:259, §3): two N x k matrices A and B
 * from one 2k-dimensional Sobol sequence (GSL's gsl_qrng_sobol, unscrambled, as the sobol
 * mode; A the first k coordinates, B the last k; its first 2^m >= N points are skipped, their
 * coordinates repeat across dimensions and would give A_j = B_j), and the k matrices AB_i (A with column i
 * from B). Rows are grouped by base sample j: k + 2 rows A_j, AB_1j, ..., AB_kj, B_j, so
 * design point j (k + 2) + m is A (m = 0), AB_m (1 <= m <= k) or B (m = k + 1).
 *
 * Morris (Morris 1991, Technometrics 33:161): r trajectories of k + 1 points on a p-level grid
 * {0, 1/(p-1), ..., 1}, each starting at a random grid point and moving one coordinate at a
 * time, in a random order, by ±Δ with Δ = p / (2 (p - 1)) (p even); the random choices come
 * from gsl_rng_mt19937 seeded with `seed`, so the analysis regenerates the same trajectories.
 * Point t (k + 1) + s is step s of trajectory t. */
#ifndef CISIM_SWEEP_DESIGN_H
#define CISIM_SWEEP_DESIGN_H

#include "error.h"

#define SWEEP_SALTELLI_MAX_K 20 /* 2k Sobol dimensions, at most GSL's 40 */

/* u[(point) * k + i], n * (k + 2) points. */
cs_status sweep_design_saltelli(int k, long n, double *u);
/* u[(point) * k + i], r * (k + 1) points; p even, >= 2. */
cs_status sweep_design_morris(int k, long r, int p, unsigned long seed, double *u);
/* Morris's step Δ on the p-level grid. */
double sweep_morris_delta(int p);

#endif
