/* mn_skin: the skin a treatment starts from and what is measured on it. The untreated state
 * of a cell (healthy, photo-aged or scarred skin, each an exact steady state of the model),
 * the acne scar's weight per cell, and the derived outcome quantities (type I collagen, the
 * type III share, total elastin, the scar's deficit filled). */
#ifndef CISIM_MN_SKIN_H
#define CISIM_MN_SKIN_H

#include "mn_params.h"

/* The scar's weight in a cell of layer l centred at (x, y, z): 1 at the scar's centre, 0
   outside it (and everywhere when there is no scar). */
double mn_scar_weight(const mn *d, int l, double x, double y, double z, int dims);
/* The untreated state of a cell of layer l with scar weight w, into u[NSPEC]. */
void mn_untreated(const mn *d, int l, double w, double *u);

enum { D_COLLAGEN_I, D_III_FRACTION, D_ELASTIN_TOTAL, D_SCAR_FILL, ND };
extern const derived_info mn_derived[ND];
/* model->derived_values */
void mn_derived_values(const void *inst, int l, const double *mean, const double *mean0,
                       const layer_means *all, double *out);

#endif
