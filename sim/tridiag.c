#include "tridiag.h"

/* The kernels are compiled twice, for baseline x86-64 and for AVX2 machines, and the loader
   picks one: wider vectors without -march=native, and the same bits either way (no FMA
   contraction, -ffp-contract=off). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define TRI_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TRI_CLONES
#endif

void tri_factor(int n, const double *a, const double *b, const double *c, double *m, double *cp) {
  m[0] = 1.0 / b[0];
  cp[0] = c[0] * m[0];
  for (int p = 1; p < n; p++) {
    m[p] = 1.0 / (b[p] - a[p] * cp[p - 1]);
    cp[p] = (p < n - 1 ? c[p] : 0.0) * m[p];
  }
}

/* The body is written once and instantiated for ls == 1 so the compiler sees unit stride. */
static inline void shared_body(int n, int w, size_t ps, size_t ls, const double *a,
                               const double *m, const double *cp, double *x) {
  for (int r = 0; r < w; r++) x[r * ls] *= m[0];
  for (int p = 1; p < n; p++) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp - ps;
    const double ap = a[p], mp = m[p];
    for (int r = 0; r < w; r++) xp[r * ls] = (xp[r * ls] - ap * xq[r * ls]) * mp;
  }
  for (int p = n - 2; p >= 0; p--) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp + ps;
    const double cpp = cp[p];
    for (int r = 0; r < w; r++) xp[r * ls] -= cpp * xq[r * ls];
  }
}

/* Sixteen contiguous lines (the x sweep): the previous unknown of each line stays in a
   register instead of being reloaded, which halves the time of this latency-bound sweep. The
   arithmetic is the same as shared_body's, so the bits are too. */
#define TRI_ROWS 16
static void shared_rows16(int n, size_t ls, const double *a, const double *m, const double *cp,
                          double *x) {
  double prev[TRI_ROWS];
  for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls] *= m[0];
  for (int p = 1; p < n; p++) {
    const double ap = a[p], mp = m[p];
    for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls + p] = (x[r * ls + p] - ap * prev[r]) * mp;
  }
  for (int p = n - 2; p >= 0; p--) {
    const double cpp = cp[p];
    for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls + p] -= cpp * prev[r];
  }
}

TRI_CLONES void tri_solve_shared(int n, int w, size_t ps, size_t ls, const double *a, const double *m,
                      const double *cp, double *x) {
  if (ls == 1) {
    shared_body(n, w, ps, 1, a, m, cp, x);
    return;
  }
  int r = 0;
  if (ps == 1)
    for (; r + TRI_ROWS <= w; r += TRI_ROWS) shared_rows16(n, ls, a, m, cp, x + r * ls);
  if (r < w) shared_body(n, w - r, ps, ls, a, m, cp, x + r * ls);
}

static inline void lines_body(int n, int w, size_t ps, size_t ls, const double *a, double *b,
                              const double *c, double *cp, double *x) {
  for (int r = 0; r < w; r++) {
    double mr = 1.0 / b[r];
    b[r] = mr;
    cp[r] = c[r] * mr;
    x[r * ls] *= mr;
  }
  for (int p = 1; p < n; p++) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp - ps;
    const double *ap = a + (size_t)p * w, *cprev = cp + (size_t)(p - 1) * w;
    const double *cc = c + (size_t)p * w;
    double *bp = b + (size_t)p * w, *cpp = cp + (size_t)p * w;
    for (int r = 0; r < w; r++) {
      double mr = 1.0 / (bp[r] - ap[r] * cprev[r]);
      bp[r] = mr;
      cpp[r] = cc[r] * mr;
      xp[r * ls] = (xp[r * ls] - ap[r] * xq[r * ls]) * mr;
    }
  }
  for (int p = n - 2; p >= 0; p--) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp + ps;
    const double *cpp = cp + (size_t)p * w;
    for (int r = 0; r < w; r++) xp[r * ls] -= cpp[r] * xq[r * ls];
  }
}

TRI_CLONES void tri_solve_lines(int n, int w, size_t ps, size_t ls, const double *a, double *b,
                     const double *c, double *cp, double *x) {
  if (ls == 1)
    lines_body(n, w, ps, 1, a, b, c, cp, x);
  else
    lines_body(n, w, ps, ls, a, b, c, cp, x);
}

static inline void lines_factored_body(int n, int w, size_t ps, size_t ls, const double *a,
                                       const double *m, const double *cp, double *x) {
  for (int r = 0; r < w; r++) x[r * ls] *= m[r];
  for (int p = 1; p < n; p++) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp - ps;
    const double *ap = a + (size_t)p * w, *mp = m + (size_t)p * w;
    for (int r = 0; r < w; r++) xp[r * ls] = (xp[r * ls] - ap[r] * xq[r * ls]) * mp[r];
  }
  for (int p = n - 2; p >= 0; p--) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp + ps;
    const double *cpp = cp + (size_t)p * w;
    for (int r = 0; r < w; r++) xp[r * ls] -= cpp[r] * xq[r * ls];
  }
}

TRI_CLONES void tri_solve_lines_factored(int n, int w, size_t ps, size_t ls, const double *a,
                              const double *m, const double *cp, double *x) {
  if (ls == 1)
    lines_factored_body(n, w, ps, 1, a, m, cp, x);
  else
    lines_factored_body(n, w, ps, ls, a, m, cp, x);
}
