#include "mn_serum.h"

#include <stdlib.h>
#include <string.h>

#define KEY "microneedling.serum.from"

cs_status mn_serum_set(mn_serum *sr, const params *p, const forcing_profile *f, double sigma,
                       int nses, const double *days) {
  mn_serum_free(sr);
  if (strcmp(f->unit ? f->unit : "", "µg/mL") != 0)
    return params_key_error(p, KEY, "%s: its field is in '%s', a topical compound's unit is "
                            "'µg/mL' (a topical run file: model topical)", params_str(p, KEY),
                            f->unit ? f->unit : "");
  if (nses > 64)
    return params_key_error(p, KEY, "a serum after more than 64 sessions (%d)", nses);
  const size_t n = (size_t)f->nt * (size_t)f->nd;
  sr->t = malloc(sizeof(double) * (size_t)f->nt);
  sr->depth = malloc(sizeof(double) * (size_t)f->nd);
  sr->v = malloc(sizeof(double) * n);
  if (!sr->t || !sr->depth || !sr->v) {
    mn_serum_free(sr);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  memcpy(sr->t, f->t, sizeof(double) * (size_t)f->nt);
  memcpy(sr->depth, f->depth, sizeof(double) * (size_t)f->nd);
  for (size_t i = 0; i < n; i++) sr->v[i] = sigma * f->v[i];
  sr->nt = f->nt;
  sr->nd = f->nd;
  sr->tend = f->t[f->nt - 1];
  sr->nses = nses;
  for (int s = 0; s < nses; s++) sr->day[s] = days[s];
  return CS_OK;
}

/* The last index i with x[i] <= v (0 if v < x[0]), x increasing, n >= 2: i in [0, n − 2]. */
static int bracket(const double *x, int n, double v) {
  int lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    const int mid = (lo + hi) / 2;
    if (x[mid] <= v) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* The profile at depth z, tau days after its start: linear in both. */
static double profile(const mn_serum *sr, double z, double tau) {
  if (z > sr->depth[sr->nd - 1]) return 0;
  const int i = bracket(sr->t, sr->nt, tau);
  const double wt = (tau - sr->t[i]) / (sr->t[i + 1] - sr->t[i]);
  int k = 0;
  double wz = 0;
  if (sr->nd > 1 && z > sr->depth[0]) {
    k = bracket(sr->depth, sr->nd, z);
    wz = (z - sr->depth[k]) / (sr->depth[k + 1] - sr->depth[k]);
  }
  const int k1 = sr->nd > 1 ? k + 1 : k;
  const double *a = sr->v + (size_t)i * (size_t)sr->nd, *b = a + sr->nd;
  const double va = a[k] + wz * (a[k1] - a[k]), vb = b[k] + wz * (b[k1] - b[k]);
  return va + wt * (vb - va);
}

double mn_serum_at(const mn_serum *sr, double z, double t) {
  double s = 0;
  for (int q = 0; q < sr->nses; q++) {
    const double tau = t - sr->day[q];
    if (tau >= 0 && tau <= sr->tend) s += profile(sr, z, tau);
  }
  return s;
}

void mn_serum_free(mn_serum *sr) {
  free(sr->t);
  free(sr->depth);
  free(sr->v);
  sr->t = sr->depth = sr->v = NULL;
  sr->nt = sr->nd = sr->nses = 0;
}
