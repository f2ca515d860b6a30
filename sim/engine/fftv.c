#include "fftv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clones.h"

#define FFTV_MAX_STAGES 40
#define FFTV_PI 3.14159265358979323846

struct fftv {
  int n, nstage;
  int radix[FFTV_MAX_STAGES];
  double *tw[FFTV_MAX_STAGES]; /* stage s: [j * q + m], cos then sin of −2π j m / L */
  double *dft[FFTV_MAX_STAGES]; /* generic radix q: cos, sin of 2π m m' / q, [m * q + m'] */
  int *perm;
  int qmax;
};

int fftv_n(const fftv *f) { return f->n; }
const int *fftv_perm(const fftv *f) { return f->perm; }
size_t fftv_scratch(const fftv *f, int P) { return 4 * (size_t)f->qmax * (size_t)P; }

void fftv_free(fftv *f) {
  if (!f) return;
  for (int s = 0; s < f->nstage; s++) {
    free(f->tw[s]);
    free(f->dft[s]);
  }
  free(f->perm);
  free(f);
}

/* Radices: fours first, then a two, then the odd primes in increasing order. */
static int factorise(int n, int *radix) {
  int ns = 0;
  while (n % 4 == 0) radix[ns++] = 4, n /= 4;
  if (n % 2 == 0) radix[ns++] = 2, n /= 2;
  for (int p = 3; n > 1; p += 2)
    while (n % p == 0) radix[ns++] = p, n /= p;
  return ns;
}

cs_status fftv_create(fftv **out, int n) {
  if (n < 1) return CS_ERROR(CS_ERR_INPUT, "fftv: length %d", n);
  fftv *f = calloc(1, sizeof *f);
  if (!f) return CS_ERROR(CS_ERR_NOMEM, "out of memory (FFT)");
  *out = f;
  f->n = n;
  f->nstage = factorise(n, f->radix);
  f->qmax = 1;
  f->perm = malloc(sizeof(int) * (size_t)n);
  if (!f->perm) return CS_ERROR(CS_ERR_NOMEM, "out of memory (FFT)");
  for (int s = 0, lp = 1; s < f->nstage; s++) {
    const int q = f->radix[s], L = lp * q;
    if (q > f->qmax) f->qmax = q;
    f->tw[s] = malloc(sizeof(double) * 2 * (size_t)L);
    if (!f->tw[s]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (FFT)");
    for (int j = 0; j < lp; j++)
      for (int m = 0; m < q; m++) {
        const double a = -2.0 * FFTV_PI * (double)(j * m) / (double)L;
        f->tw[s][2 * (j * q + m)] = cos(a);
        f->tw[s][2 * (j * q + m) + 1] = sin(a);
      }
    if (q != 2 && q != 4) {
      f->dft[s] = malloc(sizeof(double) * 2 * (size_t)(q * q));
      if (!f->dft[s]) return CS_ERROR(CS_ERR_NOMEM, "out of memory (FFT)");
      for (int m = 0; m < q; m++)
        for (int k = 0; k < q; k++) {
          const double a = 2.0 * FFTV_PI * (double)((m * k) % q) / (double)q;
          f->dft[s][2 * (m * q + k)] = cos(a);
          f->dft[s][2 * (m * q + k) + 1] = sin(a);
        }
    }
    lp = L;
  }
  /* element x = Σ d_s n/(p_1…p_s) sits at row Σ d_s p_1…p_{s−1} */
  for (int x = 0; x < n; x++) {
    int rem = x, span = n, row = 0, place = 1;
    for (int s = 0; s < f->nstage; s++) {
      span /= f->radix[s];
      row += (rem / span) * place;
      rem %= span;
      place *= f->radix[s];
    }
    f->perm[x] = row;
  }
  return CS_OK;
}

/* The twiddled inputs t_m = w_m x_m of one butterfly, rows x0 + m·lp (m < q) of P values. */
ENGINE_CLONES static void twiddle(int q, int P, const double *re, const double *im, size_t x0,
                                  size_t lp, const double *w, double *tr, double *ti) {
  for (int m = 0; m < q; m++) {
    const double *xr = re + (x0 + (size_t)m * lp) * (size_t)P;
    const double *xi = im + (x0 + (size_t)m * lp) * (size_t)P;
    double *yr = tr + (size_t)m * (size_t)P, *yi = ti + (size_t)m * (size_t)P;
    const double c = w[2 * m], sn = w[2 * m + 1];
    if (m == 0) {
      memcpy(yr, xr, sizeof(double) * (size_t)P);
      memcpy(yi, xi, sizeof(double) * (size_t)P);
      continue;
    }
    for (int p = 0; p < P; p++) {
      yr[p] = xr[p] * c - xi[p] * sn;
      yi[p] = xr[p] * sn + xi[p] * c;
    }
  }
}

/* Radix 2 and 4 (e^{−2πi/4} = −i) from the twiddled inputs into rows x0 + m·lp. */
ENGINE_CLONES static void small_radix(int q, int P, double *re, double *im, size_t x0, size_t lp,
                                      const double *tr, const double *ti) {
  double *o[4][2];
  for (int m = 0; m < q; m++) {
    o[m][0] = re + (x0 + (size_t)m * lp) * (size_t)P;
    o[m][1] = im + (x0 + (size_t)m * lp) * (size_t)P;
  }
  if (q == 2) {
    for (int p = 0; p < P; p++) {
      o[0][0][p] = tr[p] + tr[P + p];
      o[0][1][p] = ti[p] + ti[P + p];
      o[1][0][p] = tr[p] - tr[P + p];
      o[1][1][p] = ti[p] - ti[P + p];
    }
    return;
  }
  const double *r0 = tr, *r1 = tr + P, *r2 = tr + 2 * P, *r3 = tr + 3 * P;
  const double *i0 = ti, *i1 = ti + P, *i2 = ti + 2 * P, *i3 = ti + 3 * P;
  for (int p = 0; p < P; p++) {
    const double ar = r0[p] + r2[p], ai = i0[p] + i2[p], br = r0[p] - r2[p], bi = i0[p] - i2[p];
    const double cr = r1[p] + r3[p], ci = i1[p] + i3[p], dr = r1[p] - r3[p], di = i1[p] - i3[p];
    o[0][0][p] = ar + cr, o[0][1][p] = ai + ci;
    o[1][0][p] = br + di, o[1][1][p] = bi - dr; /* b − i d */
    o[2][0][p] = ar - cr, o[2][1][p] = ai - ci;
    o[3][0][p] = br - di, o[3][1][p] = bi + dr; /* b + i d */
  }
}

/* An odd radix q by its symmetry: with A_m = t_m + t_{q−m}, B_m = t_m − t_{q−m} (m ≤ h =
   (q−1)/2), X_0 = t_0 + Σ A_m and, for k ≤ h, R_k = t_0 + Σ A_m C_mk, T_k = Σ B_m S_mk
   (C, S: cos, sin of 2π m k / q): X_k = R_k − i T_k, X_{q−k} = R_k + i T_k. A quarter of
   the direct DFT's multiplications. ab: scratch for A and B, 4 h P doubles. */
ENGINE_CLONES static void odd_radix(int q, int P, double *re, double *im, size_t x0, size_t lp,
                                    const double *tr, const double *ti, const double *cs,
                                    double *ab) {
  const int h = (q - 1) / 2;
  double *Ar = ab, *Ai = ab + (size_t)h * (size_t)P, *Br = ab + 2 * (size_t)h * (size_t)P;
  double *Bi = ab + 3 * (size_t)h * (size_t)P;
  for (int m = 1; m <= h; m++) {
    const double *pr = tr + (size_t)m * (size_t)P, *pi = ti + (size_t)m * (size_t)P;
    const double *nr = tr + (size_t)(q - m) * (size_t)P, *ni = ti + (size_t)(q - m) * (size_t)P;
    double *ar = Ar + (size_t)(m - 1) * (size_t)P, *ai = Ai + (size_t)(m - 1) * (size_t)P;
    double *br = Br + (size_t)(m - 1) * (size_t)P, *bi = Bi + (size_t)(m - 1) * (size_t)P;
    for (int p = 0; p < P; p++) {
      ar[p] = pr[p] + nr[p], ai[p] = pi[p] + ni[p];
      br[p] = pr[p] - nr[p], bi[p] = pi[p] - ni[p];
    }
  }
  double *y0r = re + x0 * (size_t)P, *y0i = im + x0 * (size_t)P;
  /* Each output accumulates in a register over m, in the order of the sums above (the same
     bits as accumulating row by row in memory, without its loads and stores per term). */
#pragma omp simd
  for (int p = 0; p < P; p++) {
    double yr = tr[p], yi = ti[p];
    for (int m = 0; m < h; m++) {
      yr += Ar[(size_t)m * (size_t)P + (size_t)p];
      yi += Ai[(size_t)m * (size_t)P + (size_t)p];
    }
    y0r[p] = yr, y0i[p] = yi;
  }
  for (int k = 1; k <= h; k++) {
    double *xr = re + (x0 + (size_t)k * lp) * (size_t)P, *xi = im + (x0 + (size_t)k * lp) * (size_t)P;
    double *zr = re + (x0 + (size_t)(q - k) * lp) * (size_t)P;
    double *zi = im + (x0 + (size_t)(q - k) * lp) * (size_t)P;
#pragma omp simd
    for (int p = 0; p < P; p++) {
      double rr = tr[p], ri = ti[p], tre = 0.0, tim = 0.0;
      for (int m = 1; m <= h; m++) {
        const double c = cs[2 * (m * q + k)], sn = cs[2 * (m * q + k) + 1];
        const size_t o = (size_t)(m - 1) * (size_t)P + (size_t)p;
        rr += Ar[o] * c, ri += Ai[o] * c;
        tre += Br[o] * sn, tim += Bi[o] * sn;
      }
      xr[p] = rr + tim, xi[p] = ri - tre; /* X_k = R − i T, X_{q−k} = R + i T */
      zr[p] = rr - tim, zi[p] = ri + tre;
    }
  }
}

void fftv_forward(const fftv *f, int P, double *re, double *im, double *scratch) {
  double *tr = scratch, *ti = scratch + (size_t)f->qmax * (size_t)P;
  double *ab = ti + (size_t)f->qmax * (size_t)P;
  for (int s = 0, lp = 1; s < f->nstage; s++) {
    const int q = f->radix[s], L = lp * q;
    for (int b = 0; b < f->n; b += L)
      for (int j = 0; j < lp; j++) {
        const size_t x0 = (size_t)(b + j);
        twiddle(q, P, re, im, x0, (size_t)lp, f->tw[s] + 2 * (size_t)(j * q), tr, ti);
        if (q == 2 || q == 4) small_radix(q, P, re, im, x0, (size_t)lp, tr, ti);
        else odd_radix(q, P, re, im, x0, (size_t)lp, tr, ti, f->dft[s], ab);
      }
    lp = L;
  }
}
