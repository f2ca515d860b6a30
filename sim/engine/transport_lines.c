#include "transport_lines.h"

#include "tridiag.h"

void transport_lines_solve(int n, int w, size_t ps, size_t ls, int periodic, const double *a,
                           double *b, const double *c, double *cp, double *zc, double *al,
                           double *be, double *x) {
  const size_t nw = (size_t)n * (size_t)w;
  if (!periodic) {
    tri_solve_lines(n, w, ps, ls, a, b, c, cp, x);
    return;
  }
  /* gamma = -b0 (before the shift) = b0' / -2 after it. */
  for (int ln = 0; ln < w; ln++) be[ln] /= -0.5 * b[ln]; /* beta/gamma, while b holds b0' */
  for (size_t e = 0; e < nw; e++) zc[e] = 0;
  for (int ln = 0; ln < w; ln++) {
    zc[ln] = -0.5 * b[ln];
    zc[(size_t)(n - 1) * w + ln] = al[ln];
  }
  tri_solve_lines(n, w, ps, ls, a, b, c, cp, x);
  tri_solve_lines_factored(n, w, (size_t)w, 1, a, b, cp, zc);
  for (int ln = 0; ln < w; ln++) {
    double v = be[ln];
    al[ln] = (x[ln * ls] + v * x[(size_t)(n - 1) * ps + ln * ls]) /
             (1 + zc[ln] + v * zc[(size_t)(n - 1) * w + ln]);
  }
  for (int p = 0; p < n; p++) {
    double *xp = x + (size_t)p * ps;
    const double *zp = zc + (size_t)p * w;
    for (int ln = 0; ln < w; ln++) xp[ln * ls] -= al[ln] * zp[ln];
  }
}
