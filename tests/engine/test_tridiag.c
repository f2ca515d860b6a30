/* test_tridiag: the Thomas kernels (sim/engine/tridiag.c) against a plain one-line Thomas solve.
 *
 * Every layout the sweeps use — lines along memory (x: ps = 1, rows ls apart, solved 16 at a
 * time in vector tiles, with a tail of n % 4 unknowns and of w % 16 lines) and lines across
 * memory (y, z: ls = 1) — must give the same bits as the scalar recurrence of one line, since
 * results may not depend on how lines are grouped into blocks or split among threads. The
 * solution must also satisfy the system to rounding. A correction owed by the previous sweep
 * (tri_owed), applied as the forward pass reads the values, must give the bits of applying it
 * first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tridiag.h"

static int fails = 0;

/* Thomas for one line with the shared factorisation: the reference arithmetic. */
static void thomas_line(int n, const double *a, const double *m, const double *cp, double *x) {
  x[0] *= m[0];
  for (int p = 1; p < n; p++) x[p] = (x[p] - a[p] * x[p - 1]) * m[p];
  for (int p = n - 2; p >= 0; p--) x[p] -= cp[p] * x[p + 1];
}

static double urand(unsigned *s) {
  *s = *s * 1103515245u + 12345u;
  return ((*s >> 8) & 0xffffff) / 16777216.0;
}

static void check_case(int n, int w, int pad, unsigned seed) {
  double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n);
  double *c = malloc(sizeof(double) * (size_t)n), *m = malloc(sizeof(double) * (size_t)n);
  double *cp = malloc(sizeof(double) * (size_t)n);
  const size_t ls = (size_t)n + (size_t)pad, len = ls * (size_t)w;
  double *d = malloc(sizeof(double) * len), *xr = malloc(sizeof(double) * len);
  double *xx = malloc(sizeof(double) * len), *xt = malloc(sizeof(double) * len);
  for (int p = 0; p < n; p++) { /* an M-matrix with column sums 1, as the sweeps build */
    a[p] = p > 0 ? -urand(&seed) * 3 : 0;
    c[p] = p < n - 1 ? -urand(&seed) * 3 : 0;
  }
  for (int p = 0; p < n; p++) b[p] = 1 - (p > 0 ? c[p - 1] : 0) - (p < n - 1 ? a[p + 1] : 0);
  tri_factor(n, a, b, c, m, cp);
  for (size_t e = 0; e < len; e++) d[e] = urand(&seed) * 10 - 2;
  memcpy(xr, d, sizeof(double) * len);
  for (int r = 0; r < w; r++) thomas_line(n, a, m, cp, xr + (size_t)r * ls);

  /* x layout: line r at xx + r ls, unknowns contiguous; the next block to prefetch is d */
  memcpy(xx, d, sizeof(double) * len);
  tri_solve_shared(n, w, 1, ls, a, m, cp, xx, NULL, d, len);
  /* y/z layout: unknown p of line r at xt[p w + r] */
  for (int r = 0; r < w; r++)
    for (int p = 0; p < n; p++)
      xt[(size_t)p * (size_t)w + (size_t)r] = d[(size_t)r * ls + (size_t)p];
  tri_solve_shared(n, w, (size_t)w, 1, a, m, cp, xt, NULL, d, (size_t)w); /* d: a "next" block */

  /* y/z layout with an owed correction on unknowns [1, n - 1) (vps = w: one v row per p),
     against correcting first and solving plain */
  double *xo = malloc(sizeof(double) * len), *xc = malloc(sizeof(double) * len);
  double *os = malloc(sizeof(double) * (size_t)n);
  double *ov = malloc(sizeof(double) * (size_t)n * (size_t)w);
  for (int p = 0; p < n; p++) os[p] = urand(&seed) - 0.5;
  for (size_t e = 0; e < (size_t)n * (size_t)w; e++) ov[e] = urand(&seed) * 4;
  const int op0 = n > 2 ? 1 : 0, op1 = n > 2 ? n - 1 : n;
  for (int p = 0; p < n; p++)
    for (int r = 0; r < w; r++) {
      size_t e = (size_t)p * (size_t)w + (size_t)r;
      xo[e] = d[(size_t)r * ls + (size_t)p];
      xc[e] = p >= op0 && p < op1 ? xo[e] - os[p] * ov[e] : xo[e];
    }
  const tri_owed ow = {os, ov, (size_t)w, op0, op1};
  tri_solve_shared(n, w, (size_t)w, 1, a, m, cp, xo, &ow, NULL, 0);
  tri_solve_shared(n, w, (size_t)w, 1, a, m, cp, xc, NULL, NULL, 0);
  const int same_o = memcmp(xo, xc, sizeof(double) * (size_t)n * (size_t)w) == 0;
  free(xo), free(xc), free(os), free(ov);

  int same_x = 1, same_t = 1;
  double resid = 0;
  for (int r = 0; r < w; r++)
    for (int p = 0; p < n; p++) {
      size_t e = (size_t)r * ls + (size_t)p;
      same_x &= memcmp(&xx[e], &xr[e], sizeof(double)) == 0;
      same_t &= memcmp(&xt[(size_t)p * (size_t)w + (size_t)r], &xr[e], sizeof(double)) == 0;
      double ax = b[p] * xr[e] + (p > 0 ? a[p] * xr[e - 1] : 0) +
                  (p < n - 1 ? c[p] * xr[e + 1] : 0);
      resid = fmax(resid, fabs(ax - d[e]) / (1 + fabs(d[e])));
    }
  int ok = same_x && same_t && same_o && resid < 1e-13;
  if (!ok || n == 256)
    printf("%s  n %3d  w %2d  pad %d: x layout %s, y/z layout %s, owed correction %s, "
           "residual %.1e\n", ok ? "PASS" : "FAIL", n, w, pad, same_x ? "bitwise" : "DIFFERS",
           same_t ? "bitwise" : "DIFFERS", same_o ? "bitwise" : "DIFFERS", resid);
  fails += !ok;
  free(a), free(b), free(c), free(m), free(cp), free(d), free(xr), free(xx), free(xt);
}

int main(void) {
  const int ns[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 31, 64, 255, 256};
  const int ws[] = {1, 3, 15, 16, 17, 32, 35};
  unsigned seed = 1;
  int cases = 0;
  for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
    for (size_t j = 0; j < sizeof ws / sizeof *ws; j++)
      for (int pad = 0; pad <= 3; pad += 3) {
        check_case(ns[i], ws[j], pad, seed++);
        cases++;
      }
  printf("%s  %d cases: every layout, and the owed correction, give the bits of the one-line "
         "Thomas solve\n",
         fails ? "FAIL" : "PASS", cases);
  return fails != 0;
}
