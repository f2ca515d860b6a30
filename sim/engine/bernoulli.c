#include "bernoulli.h"

#include <stdint.h>
#include <string.h>

#include "clones.h"

/* e^-y for 0 <= y <= 708 (the caller clamps): y = n ln2 + r with |r| <= ln2/2, then
   e^-y = 2^-n e^-r. ln2 in two parts (Cody & Waite 1980) keeps r exact to the last bits;
   the Taylor series of e^-r to degree 13 is below 1e-17 relative on that interval. */
static inline double exp_neg(double y) {
  const double shift = 0x1.8p52; /* adding it rounds to an integer held in the low bits */
  const double t = -y * 0x1.71547652b82fep0 + shift;
  const double n = t - shift;
  const double r = (-y - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  /* 2^n from the integer in t's low bits (n >= -1022 for y <= 708) */
  uint64_t tb, sb;
  memcpy(&tb, &t, sizeof tb);
  const uint64_t shift_bits = 0x4338000000000000ull;
  sb = (tb - shift_bits + 1023u) << 52;
  double scale;
  memcpy(&scale, &sb, sizeof scale);
  return p * scale;
}

/* B(y) for 0 <= y < 1/2 by its series, sum B_2k y^2k / (2k)!: the terms fall by more than
   (y / 2π)² each, the first left out is below 1e-17 relative. */
static inline double bern_series(double y) {
  const double y2 = y * y;
  double s = 1.0 / 74724249600.0;
  s = s * y2 - 691.0 / 1307674368000.0;
  s = s * y2 + 1.0 / 47900160.0;
  s = s * y2 - 1.0 / 1209600.0;
  s = s * y2 + 1.0 / 30240.0;
  s = s * y2 - 1.0 / 720.0;
  s = s * y2 + 1.0 / 12.0;
  return (s * y2 + 1.0) - 0.5 * y;
}

ENGINE_CLONES void bernoulli_pairs(int n, const double *restrict P, double *restrict bp,
                                 double *restrict bm) {
  for (int i = 0; i < n; i++) {
    const double x = P[i], y = x < 0 ? -x : x;
    const double yc = y < 708.0 ? y : 708.0; /* B(708) ~ 1e-305: zero to any use */
    /* both branches computed, one kept: a select, not a jump, so the loop vectorises (at
       y = 0 the quotient is 0/0, and not the one kept) */
    const double e = exp_neg(yc), q = yc * e / (1.0 - e), ser = bern_series(y);
    const double by = y < 0.5 ? ser : q; /* B(|x|) */
    const double bo = by + y;                                          /* B(-|x|) */
    bp[i] = x < 0 ? bo : by;
    bm[i] = x < 0 ? by : bo;
  }
}
