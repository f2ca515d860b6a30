/* bernoulli: the Bernoulli function B(x) = x / (e^x - 1) of the Scharfetter–Gummel chemotaxis
 * flux, for a whole array of cell Péclet numbers at once.
 *
 * Each face needs B(P) and B(-P); the identity B(-x) = x + B(x) gives both from one
 * exponential of -|P| (in (0, 1], so it never overflows). The exponential is our own
 * (Cody–Waite reduction, degree-13 Taylor polynomial, exponent by integer arithmetic), so the
 * loop vectorises: libm's expm1 cannot. Below |P| = 1/2 the Bernoulli series is used instead,
 * where 1 - e^-|P| would lose digits. Relative error a few units in the last place (checked
 * against expm1 in test_transport_kernels); only correctly rounded operations, so the
 * baseline, AVX2 and AVX-512 builds give the same bits. */
#ifndef CISIM_BERNOULLI_H
#define CISIM_BERNOULLI_H

/* bp[i] = B(P[i]), bm[i] = B(-P[i]) for i < n. Both are >= 0, and bm / bp = e^P. */
void bernoulli_pairs(int n, const double *P, double *bp, double *bm);

#endif
