/* mn_skin: starting states and derived measures of the microneedling model (mn_skin.h). */
#include "mn_skin.h"

#include <math.h>

double mn_scar_weight(const mn *d, int l, double x, double y, double z, int dims) {
  if (d->scar_w <= 0 || (d->scar_c[l] == 0 && d->scar_k[l] == 0)) return 0.0;
  const double dx = x - d->scar_x, dy = dims == 3 ? y - d->scar_y : 0.0;
  const double r = sqrt(dx * dx + dy * dy);
  if (r >= 0.5 * d->scar_w) return 0.0;
  /* the dermal deficit reaches depth_um below the dermis top; the epidermis is thinned above */
  if (d->scar_c[l] > 0 && z - d->dermis_top > d->scar_depth) return 0.0;
  const double c = cos(CS_PI * r / d->scar_w);
  return c * c;
}

void mn_untreated(const mn *d, int l, double w, double *u) {
  const double phi = 1.0 - d->scar_c[l] * w;
  for (int q = 0; q < NSPEC; q++) u[q] = 0.0;
  u[F] = d->f0[l];
  u[C] = d->c0[l] * phi;
  u[C3] = d->c3_0[l] * phi;
  u[T] = d->te0[l] * phi;
  u[L] = d->el0[l] * phi;
  u[K] = d->k0[l] * (1.0 - d->scar_k[l] * w);
}

const derived_info mn_derived[ND] = {
    {"collagen_I_change", "%", "change of the mean type I collagen (collagen - collagen_III) vs untreated"},
    {"collagen_III_fraction", "-", "type III share of the fibrillar collagen, III/(I + III), of the layer means"},
    {"elastin_total_change", "%", "change of the mean total elastin (elastin + tropoelastin) vs untreated"},
    {"scar_fill", "-", "collagen gained since day 0 as a fraction of the scar's collagen deficit in the layer"},
};

void mn_derived_values(const void *inst, int l, const double *mean, const double *mean0,
                       const layer_means *all, double *out) {
  const mn *d = inst;
  (void)all;
  const double c1 = mean[C] - mean[C3], c1_0 = mean0[C] - mean0[C3];
  const double el = mean[T] + mean[L], el_0 = mean0[T] + mean0[L];
  out[D_COLLAGEN_I] = c1_0 > 0 ? 100.0 * (c1 / c1_0 - 1.0) : NAN;
  out[D_III_FRACTION] = mean[C] > 0 ? mean[C3] / mean[C] : NAN;
  out[D_ELASTIN_TOTAL] = el_0 > 0 ? 100.0 * (el / el_0 - 1.0) : NAN;
  /* the deficit: the healthy layer's collagen minus what the scarred layer had at day 0 */
  const double deficit = d->c0[l] - mean0[C];
  out[D_SCAR_FILL] = d->scar_c[l] > 0 && deficit > 1e-9 * d->c0[l]
                         ? (mean[C] - mean0[C]) / deficit : NAN;
}
