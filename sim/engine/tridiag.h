/* tridiag: Thomas kernels for blocks of W independent tridiagonal lines.
 *
 * A block is W lines of n unknowns; unknown p of line r is x[p*ps + r*ls] (ps: stride along a
 * line, ls: stride between lines). The transport sweeps use ls == 1 in y and z, so the inner
 * loop over lines is contiguous and vectorises, and ls == nx in x, where the W independent
 * recurrences hide the latency of the elimination chain.
 * Matrix row p: a[p] x[p-1] + b[p] x[p] + c[p] x[p+1] = d[p]; a[0] and c[n-1] are ignored.
 * No pivoting: the transport matrices are M-matrices with column sums 1 (diagonally dominant
 * by columns), for which Thomas elimination is stable. */
#ifndef CISIM_TRIDIAG_H
#define CISIM_TRIDIAG_H

#include <stddef.h>

/* Lines solved together by the x-sweep kernel (a multiple of 4). */
#define TRI_ROWS 16

/* Factor a matrix shared by every line: m[p] = 1/pivot, cp[p] = c[p]/pivot. */
void tri_factor(int n, const double *a, const double *b, const double *c, double *m, double *cp);

/* A correction the previous sweep still owes to the values (the Sherman–Morrison term of its
   periodic lines, x -= fr·zc): applied as the forward pass reads them, so that it costs no
   pass over the block of its own. Unknown p of line r, for p0 <= p < p1, is first replaced by
   x - s[p] * v[p*vps + r] — the product and difference the owing sweep would have formed, so
   the bits are the same. */
typedef struct {
  const double *s, *v;
  size_t vps;
  int p0, p1;
} tri_owed;

/* Solve in place with a shared factorisation. owed: NULL, or (ls == 1 only) a correction owed
   to x. next: the block the caller solves next (NULL: none), prefetched while this one
   computes, since the hardware prefetcher follows neither sweep's pattern well: for ps == 1
   (x), next_len contiguous doubles, spread over both passes (16 interleaved rows of 2 KiB:
   from memory 2.7× faster with it); for ls == 1 (z), a block of the same shape next_len lines
   wide, fetched during the back pass, which otherwise leaves memory idle (13 % faster).
   Blocks with ls == 1 also fetch their own rows a few ahead in the forward pass. */
void tri_solve_shared(int n, int w, size_t ps, size_t ls, const double *a, const double *m,
                      const double *cp, double *x, const tri_owed *owed, const double *next,
                      size_t next_len);

/* Solve in place, each line with its own matrix: a, b, c are [p*w + r]; cp is scratch n*w;
   b is overwritten by the pivots' inverses. */
void tri_solve_lines(int n, int w, size_t ps, size_t ls, const double *a, double *b,
                     const double *c, double *cp, double *x);

/* Solve again with the per-line factorisation left by tri_solve_lines (m in b, cp). */
void tri_solve_lines_factored(int n, int w, size_t ps, size_t ls, const double *a,
                              const double *m, const double *cp, double *x);

#endif
