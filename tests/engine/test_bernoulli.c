/* test_bernoulli: bernoulli_pairs (sim/engine/bernoulli.c) against B(x) = x / expm1(x)
 * evaluated in long double, over the Péclet numbers a sweep can meet (|P| from 1e-300 to
 * 1e5, both signs, and the switch between series and exponential at 1/2), and the property
 * the Scharfetter–Gummel flux relies on: B(-P) / B(P) = e^P (the zero-flux state is the
 * Boltzmann profile). Tolerance: 16 units of 2^-52 relative — the long-double reference is
 * exact to ~1e-19, and the kernel's own rounding (13 Horner steps, the reduction, the
 * quotient) stays within a few units. Also: same bits for every array length (the vector body
 * and its scalar tail). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bernoulli.h"

static long double bern_ref(long double x) {
  if (x == 0) return 1.0L;
  return x / expm1l(x);
}

static int fails = 0;

static void check(double x, double bp, double bm, double *worst) {
  const long double rp = bern_ref(x), rm = bern_ref(-(long double)x);
  const double ep = (double)fabsl((bp - rp) / rp), em = rm > 0 ? (double)fabsl((bm - rm) / rm) : 0;
  /* B(-x) underflows to 0 for x > ~745; the kernel clamps to a harmless tiny value there */
  const int tiny_m = rm < 1e-300L, tiny_p = rp < 1e-300L;
  const double e = fmax(tiny_p ? 0 : ep, tiny_m ? 0 : em);
  if (e > *worst) *worst = e;
  if (e > 16 * DBL_EPSILON || !(bp >= 0) || !(bm >= 0)) {
    if (fails++ < 10)
      fprintf(stderr, "FAIL x = %.17g: B(x) %.17g (ref %.17Lg), B(-x) %.17g (ref %.17Lg)\n", x,
              bp, rp, bm, rm);
  }
}

int main(void) {
  enum { N = 200003 };
  double *P = malloc(sizeof(double) * N), *bp = malloc(sizeof(double) * N);
  double *bm = malloc(sizeof(double) * N);
  if (!P || !bp || !bm) return 1;
  for (int i = 0; i < N; i++) { /* log-spaced magnitudes, alternating signs */
    const double mag = pow(10.0, -300.0 + 305.0 * i / (N - 1));
    P[i] = i % 2 ? -mag : mag;
  }
  /* the series/exponential switch and the clamp, closely */
  for (int i = 0; i < 1000; i++) P[i] = (i % 2 ? -1 : 1) * (0.5 + (i / 2 - 250) * 1e-12);
  for (int i = 1000; i < 1100; i++) P[i] = (i % 2 ? -1 : 1) * (700.0 + (i - 1000) * 0.5);
  P[1100] = 0.0;
  bernoulli_pairs(N, P, bp, bm);
  double worst = 0;
  for (int i = 0; i < N; i++) check(P[i], bp[i], bm[i], &worst);
  /* Boltzmann: B(-P)/B(P) = e^P where both are normal numbers */
  double worst_ratio = 0;
  for (int i = 0; i < N; i++) {
    if (fabs(P[i]) > 700 || bp[i] < 1e-290 || bm[i] < 1e-290) continue;
    const long double q = (long double)bm[i] / bp[i], ex = expl((long double)P[i]);
    const double e = (double)fabsl(q / ex - 1);
    if (e > worst_ratio) worst_ratio = e;
  }
  if (worst_ratio > 32 * DBL_EPSILON) {
    fprintf(stderr, "FAIL B(-P)/B(P) differs from e^P by %.3g relative\n", worst_ratio);
    fails++;
  }
  /* any length, any offset: the same bits as the long call */
  double cbp[37], cbm[37];
  for (int len = 1; len <= 37; len++)
    for (int off = 0; off + len <= 5000; off += 997) {
      bernoulli_pairs(len, P + off, cbp, cbm);
      if (memcmp(cbp, bp + off, sizeof(double) * (size_t)len) ||
          memcmp(cbm, bm + off, sizeof(double) * (size_t)len)) {
        fprintf(stderr, "FAIL length %d at %d: bits differ from the long call\n", len, off);
        fails++;
      }
    }
  printf("bernoulli_pairs: worst relative error %.3g (%.1f ulp), B(-P)/B(P) vs e^P %.3g; %s\n",
         worst, worst / DBL_EPSILON, worst_ratio, fails ? "FAIL" : "ok");
  free(P);
  free(bp);
  free(bm);
  return fails ? 1 : 0;
}
