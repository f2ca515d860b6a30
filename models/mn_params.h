/* mn_params: the microneedling model's parameters (registry entries) and its instance, read
 * from them. The derived rates (r0, the basal production rates, the elastin assembly rate)
 * are computed here so that untreated skin is an exact steady state; docs/model.md §2. */
#ifndef CISIM_MN_PARAMS_H
#define CISIM_MN_PARAMS_H

#include "grid.h"
#include "mn_serum.h"
#include "model.h"
#include "params.h"
#include "protocol.h"

/* Species, in the run file's order. collagen is the total fibrillar collagen (I + III); type I
   is collagen − collagen_III (derived outcome), so the old name keeps its meaning. */
enum { S, F, C, P, W, M, A, C3, B, E, T, L, K, NSPEC };

typedef struct {
  int nlayers, dims;
  protocol *prot;
  /* per layer */
  double Ds[PARAMS_MAX_LAYERS], Df[PARAMS_MAX_LAYERS], chi0[PARAMS_MAX_LAYERS];
  double f0[PARAMS_MAX_LAYERS], invK[PARAMS_MAX_LAYERS], r0[PARAMS_MAX_LAYERS];
  double f0_ref;  /* the largest untreated fibroblast density: partition K = f0(layer)/f0_ref */
  double c0[PARAMS_MAX_LAYERS], c3_0[PARAMS_MAX_LAYERS];   /* untreated total and type III */
  double p1_0[PARAMS_MAX_LAYERS], p3_0[PARAMS_MAX_LAYERS]; /* basal production per cell */
  double el0[PARAMS_MAX_LAYERS], te0[PARAMS_MAX_LAYERS];   /* untreated elastin, tropoelastin */
  double pt_0[PARAMS_MAX_LAYERS];                          /* basal tropoelastin per cell */
  double k0[PARAMS_MAX_LAYERS];                            /* untreated keratinocyte index */
  double scar_c[PARAMS_MAX_LAYERS], scar_k[PARAMS_MAX_LAYERS]; /* scar deficit per layer */
  int matrix[PARAMS_MAX_LAYERS];                           /* layer has collagen */
  /* signal and wound */
  double ks, kp, gf0, kw, rho_m, dm, sigma_m;
  /* fibroblasts */
  double rmax, s_r, df, alpha;
  /* activation and maturation */
  double s_c2, ka, kb;
  /* collagen */
  double q1, q3, d1, d3, kr, phi3;
  /* MMP */
  double eps_m, eps_b, kE, th3, thL;
  /* elastin */
  double qT, kx, kT, dL;
  /* keratinocytes */
  double gK, sK, kK;
  /* injury */
  double loss_f, loss_c, loss_k;
  /* acne scar: lateral centre, width, depth below the dermis top, the dermis top */
  double scar_x, scar_y, scar_w, scar_depth, dermis_top;
  /* a serum's compound as signal after each session (mn_serum.h); serum.nt = 0: none */
  mn_serum serum;
  double serum_sigma;
} mn;

extern const param_desc mn_params[];

/* Fill d from the parameters (d->prot not yet created). Errors name the key. */
cs_status mn_read(mn *d, const params *p, const grid *g);

#endif
