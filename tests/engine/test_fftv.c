/* test_fftv: the vectorised mixed-radix FFT (sim/engine/fftv.h) against the DFT summed directly
 * in long double, for lengths with every kind of factor (1, 2, 3, 4, 5, 8, 12, 13, 26, 50, 77,
 * 128, 130 = 2·5·13, 256) and P = 1, 3 and 16 sequences of random data. Bound: max |X − X_ref|
 * ≤ 1e-13 · Σ|x| (the transform's rounding grows like log n · ε times the magnitude of the
 * sums, here at most about 2e-15 Σ|x|; the bound leaves room for the direct radix-13 stage).
 * Also: the same bits for a sequence whatever P it is transformed with. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fftv.h"

int main(void) {
  const int ns[] = {1, 2, 3, 4, 5, 8, 12, 13, 26, 50, 77, 128, 130, 256}, Ps[] = {1, 3, 16};
  int fails = 0;
  srand(11);
  for (size_t a = 0; a < sizeof ns / sizeof *ns; a++) {
    const int n = ns[a];
    fftv *f;
    if (fftv_create(&f, n) != CS_OK) return 1;
    double worst = 0;
    double *first = malloc(sizeof(double) * 2 * (size_t)n);
    int same = 1;
    for (size_t b = 0; b < sizeof Ps / sizeof *Ps; b++) {
      const int P = Ps[b];
      double *xr = malloc(sizeof(double) * (size_t)(n * P)), *xi = malloc(sizeof(double) * (size_t)(n * P));
      double *re = malloc(sizeof(double) * (size_t)(n * P)), *im = malloc(sizeof(double) * (size_t)(n * P));
      double *scr = malloc(sizeof(double) * (fftv_scratch(f, P) + 1));
      srand(11 + n); /* sequence 0 is the same in every P */
      for (int j = 0; j < n; j++)
        for (int p = 0; p < P; p++) {
          xr[j * P + p] = p ? rand() / (double)RAND_MAX - 0.5 : sin(j + 0.3);
          xi[j * P + p] = p ? rand() / (double)RAND_MAX - 0.5 : cos(2 * j + 0.1);
        }
      for (int j = 0; j < n; j++)
        for (int p = 0; p < P; p++) {
          re[fftv_perm(f)[j] * P + p] = xr[j * P + p];
          im[fftv_perm(f)[j] * P + p] = xi[j * P + p];
        }
      fftv_forward(f, P, re, im, scr);
      for (int p = 0; p < P; p++) {
        long double l1 = 0;
        for (int j = 0; j < n; j++) l1 += fabsl((long double)xr[j * P + p]) + fabsl((long double)xi[j * P + p]);
        for (int k = 0; k < n; k++) {
          long double sr = 0, si = 0;
          for (int j = 0; j < n; j++) {
            const long double ang = -2.0L * 3.14159265358979323846264338327950288L * (long double)((long)j * k % n) / n;
            sr += xr[j * P + p] * cosl(ang) - xi[j * P + p] * sinl(ang);
            si += xr[j * P + p] * sinl(ang) + xi[j * P + p] * cosl(ang);
          }
          const double e = (double)(fabsl(re[k * P + p] - sr) + fabsl(im[k * P + p] - si)) / (double)l1;
          if (e > worst) worst = e;
        }
      }
      for (int k = 0; k < n; k++) {
        if (b == 0) first[2 * k] = re[k * P], first[2 * k + 1] = im[k * P];
        else same &= memcmp(&first[2 * k], &re[k * P], sizeof(double)) == 0 &&
                     memcmp(&first[2 * k + 1], &im[k * P], sizeof(double)) == 0;
      }
      free(xr), free(xi), free(re), free(im), free(scr);
    }
    const int ok = worst <= 1e-13 && same;
    printf("%s  n = %3d: max error %.2e of sum |x| (bound 1e-13); P = 1, 3, 16 %s\n",
           ok ? "PASS" : "FAIL", n, worst, same ? "the same bits" : "DIFFERENT bits");
    fails += !ok;
    free(first);
    fftv_free(f);
  }
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
