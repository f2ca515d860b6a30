#include "tridiag.h"

/* The kernels are compiled three times, for baseline x86-64, AVX2 and AVX-512 machines
   (x86-64-v3, -v4), and the loader picks one: wider vectors without -march=native (AVX-512
   takes 20 % off the y sweep), and the same bits either way (no FMA contraction,
   -ffp-contract=off). TRI_BASELINE_ONLY (test_tridiag_baseline) builds only the baseline
   code. */
#ifdef TRI_BASELINE_ONLY
#define ENGINE_BASELINE_ONLY
#endif
#include "clones.h"
#define TRI_CLONES ENGINE_CLONES

/* The x-sweep kernel has an AVX2 version, picked at run time (gcc and clang, x86-64), and the
   same code built for AVX-512VL machines: the same 256-bit vectors, but 32 registers instead
   of 16 (x sweep 7 % faster, the same instructions otherwise and the same bits). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(TRI_BASELINE_ONLY)
#define TRI_HAVE_AVX2 1
#define TRI_AVX2 __attribute__((target("avx2")))
#define TRI_AVX512VL __attribute__((target("avx2,avx512f,avx512vl")))
#else
#define TRI_HAVE_AVX2 0
#endif

void tri_factor(int n, const double *a, const double *b, const double *c, double *m, double *cp) {
  m[0] = 1.0 / b[0];
  cp[0] = c[0] * m[0];
  for (int p = 1; p < n; p++) {
    m[p] = 1.0 / (b[p] - a[p] * cp[p - 1]);
    cp[p] = (p < n - 1 ? c[p] : 0.0) * m[p];
  }
}

/* Rows fetched ahead in the forward pass of strided blocks (measured: 4 to 8 best). */
#define TRI_AHEAD 6

/* The body is written once and instantiated for ls == 1 so the compiler sees unit stride,
   with and without an owed correction (ow, ls == 1 only). */
static inline __attribute__((always_inline)) void shared_body(int n, int w, size_t ps, size_t ls,
                                                              const double *a, const double *m,
                                                              const double *cp, double *x,
                                                              const tri_owed *ow,
                                                              const double *next, size_t next_w) {
  if (ow && ow->p0 <= 0 && 0 < ow->p1) {
    const double s0 = ow->s[0], *v0 = ow->v;
    for (int r = 0; r < w; r++) x[r] = (x[r] - s0 * v0[r]) * m[0];
  } else {
    for (int r = 0; r < w; r++) x[r * ls] *= m[0];
  }
  for (int p = 1; p < n; p++) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp - ps;
    const double ap = a[p], mp = m[p];
    if (ls == 1 && p + TRI_AHEAD < n) /* rows far apart (z): each a new stream */
      for (int r = 0; r < w; r += 8) __builtin_prefetch(xp + TRI_AHEAD * ps + r, 1);
    if (ow && ow->p0 <= p && p < ow->p1) {
      const double sp = ow->s[p], *vp = ow->v + (size_t)p * ow->vps;
      for (int r = 0; r < w; r++) xp[r] = ((xp[r] - sp * vp[r]) - ap * xq[r]) * mp;
    } else {
      for (int r = 0; r < w; r++) xp[r * ls] = (xp[r * ls] - ap * xq[r * ls]) * mp;
    }
  }
  /* the back pass works in cache: meanwhile the next block's rows come from memory, one
     per row solved here and its last before them */
  if (next)
    for (size_t r = 0; r < next_w; r += 8)
      __builtin_prefetch(next + (size_t)(n - 1) * ps + r, 1);
  for (int p = n - 2; p >= 0; p--) {
    double *xp = x + (size_t)p * ps;
    const double *xq = xp + ps;
    const double cpp = cp[p];
    if (next)
      for (size_t r = 0; r < next_w; r += 8)
        __builtin_prefetch(next + (size_t)(n - 2 - p) * ps + r, 1);
    for (int r = 0; r < w; r++) xp[r * ls] -= cpp * xq[r * ls];
  }
}

/* Sixteen contiguous lines (the x sweep) have their unknowns along memory: the recurrence
   cannot vectorise along a line, so 16 lines run side by side. The rows kernels below prefetch
   the next block (next, next_len) spread over their two passes (over the forward pass alone,
   the x sweep took 20 % longer); the arithmetic of every unknown is shared_body's, so the
   bits are too. */
#define TRI_PF_STEP(n4, next_len) ((n4) ? ((next_len) / 8 + 1) / (size_t)((n4) / 2) + 1 : 0)

/* Baseline: 16 scalar recurrences, the previous unknown of each kept in a register. */
static void rows16_scalar(int n, size_t ls, const double *a, const double *m, const double *cp,
                          double *x, const double *next, size_t next_len) {
  const double *pf = next, *pf_end = next ? next + next_len : NULL;
  const size_t pf_step = TRI_PF_STEP(n & ~3, next_len);
  double prev[TRI_ROWS];
  for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls] *= m[0];
  for (int p = 1; p < n; p++) {
    const double ap = a[p], mp = m[p];
    if ((p & 3) == 0)
      for (size_t q = 0; q < pf_step && pf < pf_end; q++, pf += 8) __builtin_prefetch(pf, 1);
    for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls + p] = (x[r * ls + p] - ap * prev[r]) * mp;
  }
  for (int p = n - 2; p >= 0; p--) {
    const double cpp = cp[p];
    if ((p & 3) == 0)
      for (size_t q = 0; q < pf_step && pf < pf_end; q++, pf += 8) __builtin_prefetch(pf, 1);
    for (int r = 0; r < TRI_ROWS; r++) prev[r] = x[r * ls + p] -= cpp * prev[r];
  }
}

#if TRI_HAVE_AVX2
/* x sweep, AVX2: the 16 lines are vectorised across lines. Each group of 4 lines is read as
   4×4 tiles (4 consecutive unknowns of 4 lines) and transposed in registers, so that one
   vector holds unknown p of 4 lines and the recurrence runs on vectors; 4 groups keep 4
   independent chains in flight. The forward pass stores its tiles transposed in place, the
   back pass reads them so and transposes them back. 2.3× faster than rows16_scalar on data
   in cache (an earlier transpose through a cache buffer was slower than the scalar kernel).
   With 256-bit vectors lowered to SSE2 pairs this would be 4× slower than rows16_scalar, so
   it is compiled for AVX2 only and picked at run time. */
#define TRI_GROUPS (TRI_ROWS / 4)
typedef double tri_v4 __attribute__((vector_size(32)));
/* Macros rather than functions: a vector passed or returned by value would depend on the
   target's ABI (the baseline build has no 32-byte registers). */
typedef double tri_v4u __attribute__((vector_size(32), aligned(8), may_alias)); /* unaligned */
#define V4_LOAD(v, p) ((v) = *(const tri_v4u *)(p))
#define V4_STORE(p, v) (*(tri_v4u *)(p) = (v))
#define V4_SPLAT(s) ((tri_v4){(s), (s), (s), (s)})
/* unknown p of the 4 lines from the row pointer xr (stride ls), for the n % 4 tail */
#define V4_COLUMN(xr, ls) ((tri_v4){(xr)[0], (xr)[ls], (xr)[2 * (ls)], (xr)[3 * (ls)]})
#define V4_COLUMN_STORE(xr, ls, v) \
  ((xr)[0] = (v)[0], (xr)[ls] = (v)[1], (xr)[2 * (ls)] = (v)[2], (xr)[3 * (ls)] = (v)[3])
/* In-register 4×4 transpose of v[0..3] (its own inverse). */
#define V4_TRANSPOSE(v)                                              \
  do {                                                               \
    tri_v4 t0_ = __builtin_shufflevector((v)[0], (v)[1], 0, 4, 2, 6); \
    tri_v4 t1_ = __builtin_shufflevector((v)[0], (v)[1], 1, 5, 3, 7); \
    tri_v4 t2_ = __builtin_shufflevector((v)[2], (v)[3], 0, 4, 2, 6); \
    tri_v4 t3_ = __builtin_shufflevector((v)[2], (v)[3], 1, 5, 3, 7); \
    (v)[0] = __builtin_shufflevector(t0_, t2_, 0, 1, 4, 5);          \
    (v)[1] = __builtin_shufflevector(t1_, t3_, 0, 1, 4, 5);          \
    (v)[2] = __builtin_shufflevector(t0_, t2_, 2, 3, 6, 7);          \
    (v)[3] = __builtin_shufflevector(t1_, t3_, 2, 3, 6, 7);          \
  } while (0)

/* Compiled only into the two callers below, for their targets. */
static inline __attribute__((always_inline)) void rows16_v4(int n, size_t ls, const double *a,
                                                            const double *m, const double *cp,
                                                            double *x, const double *next,
                                                            size_t next_len) {
  const int n4 = n & ~3;
  /* the next block's cache lines, spread evenly over the forward tiles */
  const double *pf = next, *pf_end = next ? next + next_len : NULL;
  const size_t pf_step = TRI_PF_STEP(n4, next_len);
  tri_v4 prev[TRI_GROUPS] = {{0}};
  /* forward elimination, whole tiles */
  for (int p0 = 0; p0 < n4; p0 += 4) {
    for (size_t q = 0; q < pf_step && pf < pf_end; q++, pf += 8) __builtin_prefetch(pf, 1);
    for (int gr = 0; gr < TRI_GROUPS; gr++) {
      double *xg = x + (size_t)(4 * gr) * ls + (size_t)p0;
      tri_v4 v[4];
      for (int j = 0; j < 4; j++) V4_LOAD(v[j], xg + (size_t)j * ls);
      V4_TRANSPOSE(v);
      tri_v4 pr = prev[gr];
      for (int j = 0; j < 4; j++) {
        const int p = p0 + j;
        pr = v[j] = p == 0 ? v[j] * V4_SPLAT(m[0]) : (v[j] - V4_SPLAT(a[p]) * pr) * V4_SPLAT(m[p]);
      }
      prev[gr] = pr;
      for (int j = 0; j < 4; j++) V4_STORE(xg + (size_t)j * ls, v[j]);
    }
  }
  /* forward, the tail (plain layout) */
  for (int p = n4; p < n; p++)
    for (int gr = 0; gr < TRI_GROUPS; gr++) {
      double *xr = x + (size_t)(4 * gr) * ls + (size_t)p;
      tri_v4 v = V4_COLUMN(xr, ls);
      prev[gr] = p == 0 ? v * V4_SPLAT(m[0]) : (v - V4_SPLAT(a[p]) * prev[gr]) * V4_SPLAT(m[p]);
      V4_COLUMN_STORE(xr, ls, prev[gr]);
    }
  /* back substitution, the tail */
  for (int p = n - 2; p >= n4; p--)
    for (int gr = 0; gr < TRI_GROUPS; gr++) {
      double *xr = x + (size_t)(4 * gr) * ls + (size_t)p;
      prev[gr] = V4_COLUMN(xr, ls) - V4_SPLAT(cp[p]) * prev[gr];
      V4_COLUMN_STORE(xr, ls, prev[gr]);
    }
  /* back substitution, whole tiles (read transposed, written back in the plain layout) */
  for (int p0 = n4 - 4; p0 >= 0; p0 -= 4) {
    for (size_t q = 0; q < pf_step && pf < pf_end; q++, pf += 8) __builtin_prefetch(pf, 1);
    for (int gr = 0; gr < TRI_GROUPS; gr++) {
      double *xg = x + (size_t)(4 * gr) * ls + (size_t)p0;
      tri_v4 v[4];
      for (int j = 0; j < 4; j++) V4_LOAD(v[j], xg + (size_t)j * ls);
      tri_v4 pr = prev[gr];
      for (int j = 3; j >= 0; j--) {
        const int p = p0 + j;
        if (p <= n - 2) pr = v[j] = v[j] - V4_SPLAT(cp[p]) * pr;
        else pr = v[j]; /* the last unknown: already final */
      }
      prev[gr] = pr;
      V4_TRANSPOSE(v);
      for (int j = 0; j < 4; j++) V4_STORE(xg + (size_t)j * ls, v[j]);
    }
  }
}

TRI_AVX2 static void rows16_avx2(int n, size_t ls, const double *a, const double *m,
                                 const double *cp, double *x, const double *next,
                                 size_t next_len) {
  rows16_v4(n, ls, a, m, cp, x, next, next_len);
}

TRI_AVX512VL static void rows16_avx512vl(int n, size_t ls, const double *a, const double *m,
                                         const double *cp, double *x, const double *next,
                                         size_t next_len) {
  rows16_v4(n, ls, a, m, cp, x, next, next_len);
}
#endif

TRI_CLONES void tri_solve_shared(int n, int w, size_t ps, size_t ls, const double *a,
                                 const double *m, const double *cp, double *x,
                                 const tri_owed *owed, const double *next, size_t next_len) {
  if (ls == 1) {
    if (owed)
      shared_body(n, w, ps, 1, a, m, cp, x, owed, next, next_len);
    else
      shared_body(n, w, ps, 1, a, m, cp, x, NULL, next, next_len);
    return;
  }
  int r = 0;
  if (ps == 1)
    for (; r + TRI_ROWS <= w; r += TRI_ROWS) {
      /* within the block, the next rows; the last rows fetch the caller's next block */
      const int more = r + 2 * TRI_ROWS <= w;
      const double *nx = more ? x + (r + TRI_ROWS) * ls : next;
      const size_t nl = more ? (size_t)TRI_ROWS * ls : next_len;
#if TRI_HAVE_AVX2
      if (__builtin_cpu_supports("avx512vl")) {
        rows16_avx512vl(n, ls, a, m, cp, x + r * ls, nx, nl);
        continue;
      }
      if (__builtin_cpu_supports("avx2")) {
        rows16_avx2(n, ls, a, m, cp, x + r * ls, nx, nl);
        continue;
      }
#endif
      rows16_scalar(n, ls, a, m, cp, x + r * ls, nx, nl);
    }
  if (r < w) shared_body(n, w - r, ps, ls, a, m, cp, x + r * ls, NULL, NULL, 0);
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
