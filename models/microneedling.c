/* microneedling: collagen induction by needle punctures — wound signal, fibroblasts, collagen.
 *
 * Species (units: µm and days; docs/model.md has every equation, value and source):
 *   s  signal        ng/mL      growth factor (TGF-β-like); diffuses, decays; fibroblasts climb it
 *   f  fibroblasts   cells/mm³  random motility + chemotaxis up ∇s, logistic growth, apoptosis
 *   c  collagen      mg/mL      immobile; made by fibroblasts, faster when s is high; turnover
 *   p  platelet_gf   ng/mL      growth factor in the clot of a fresh channel, released into s
 *   w  open_wound    -          damaged volume fraction whose channel has not closed yet
 *   m  inflammatory  cells/mm³  inflammatory cells drawn in by the open wound; secrete s
 *   a  activation    -          fraction of fibroblasts in the activated, collagen-making state
 *
 *   ∂s/∂t = ∇·(D_s ∇s) + k_p p + σ_m m − k_s s
 *   ∂f/∂t = ∇·(D_f ∇f − χ(s) f ∇s) + r(s) f (1 − f/K) − d_f f,   χ(s) = χ0/(1 + α s)²
 *           r(s) = r0 + (r_max − r0) s/(s_r + s),   K = κ f0,   r0 = d_f/(1 − 1/κ)
 *   ∂c/∂t = (q0 + q1 a) f (1 − c/c_max) − d_c c,   c_max = γ c0,   q0 = d_c c0 / (f0 (1 − 1/γ))
 *   ∂a/∂t = k_a (s²/(s_c² + s²) − a)
 *   ∂p/∂t = −k_p p        ∂w/∂t = −k_w w        ∂m/∂t = ρ_m w − d_m m
 *
 * r0 and q0 are not parameters: they make the untreated layer state (s, f, c, p, w, m) =
 * (0, f0, c0, 0, 0, 0) an exact equilibrium. A session (model->injure) removes fibroblasts and
 * collagen in the damaged volume (channel + halo), fills the channel's volume with platelet
 * growth factor and opens the wound: the signal then has a fast platelet phase (hours) and a
 * slower inflammatory phase (days) without any explicit time course, and overlapping sessions
 * simply add. The p, w, m equations are linear with constant rates, so the engine's
 * integrating factor solves their decay exactly. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "protocol.h"

enum { S, F, C, P, W, M, A, NSPEC };

typedef struct {
  int nlayers;
  protocol *prot;
  /* per layer */
  double Ds[PARAMS_MAX_LAYERS], Df[PARAMS_MAX_LAYERS], chi0[PARAMS_MAX_LAYERS];
  double f0[PARAMS_MAX_LAYERS], invK[PARAMS_MAX_LAYERS], r0[PARAMS_MAX_LAYERS];
  double c0[PARAMS_MAX_LAYERS], invcmax[PARAMS_MAX_LAYERS], q0[PARAMS_MAX_LAYERS];
  /* signal and wound */
  double ks, kp, gf0, kw, rho_m, dm, sigma_m;
  /* fibroblasts */
  double rmax, s_r, df, alpha;
  /* collagen */
  double q1, s_c2, dc, ka;
  /* injury */
  double loss_f, loss_c;
} mn;

static const param_desc model_params[] = {
    PROTOCOL_PARAMS,
    /* signal */
    {"microneedling.signal.diffusivity_um2_per_day", P_REAL, "µm²/day", "4.06e6", 0, 1e12, NULL,
     1, 0, 0,
     "growth-factor diffusivity (per layer); 4.7e-7 cm²/s: gel value with tortuosity 1.6 "
     "(Nauman 2007)"},
    {"microneedling.signal.decay_per_day", P_REAL, "1/day", "15", 0, 1e6, NULL, 0, 0, 0,
     "growth-factor decay rate k_s (t½ ≈ 1.1 h; Jin 2011 Table 4)"},
    /* platelets, wound, inflammation */
    {"microneedling.platelet.growth_factor_ng_per_ml", P_REAL, "ng/mL", "37.6", 0, 1e9, NULL, 0,
     0, 0,
     "growth factor the clot releases per volume of channel (PRP TGF-β1 169 ng/mL, Weibrich "
     "2002, ÷ 4.5 PRP enrichment: assumption)"},
    {"microneedling.platelet.release_halflife_h", P_REAL, "h", "1", 1e-6, 1e6, NULL, 0, 0, 0,
     "half-life of the platelet release (assumption; 38 % of TGF-β active at 1 h: Yang 1999)"},
    {"microneedling.wound.closure_h", P_REAL, "h", "15", 1e-6, 1e6, NULL, 0, 0, 0,
     "time for a channel to close (95 %); 12 h (370 µm) to 18 h (770 µm): Kalluri 2011, Gupta "
     "2011"},
    {"microneedling.inflammation.recruitment_per_day", P_REAL, "cells/mm³/day", "5500", 0, 1e12,
     NULL, 0, 0, 0,
     "inflammatory cells drawn in per day by fully open wound tissue (assumption)"},
    {"microneedling.inflammation.clearance_per_day", P_REAL, "1/day", "0.2", 0, 1e6, NULL, 0, 0,
     0, "clearance of inflammatory cells d_m (assumption: signal up ≈ 2 weeks, Aust 2010)"},
    {"microneedling.inflammation.secretion", P_REAL, "ng/mL/day per cell/mm³", "0.075", 0, 1e9,
     NULL, 0, 0, 0,
     "signal secreted per inflammatory cell σ_m (calibrated: second phase ≈ 0.45 × the first, "
     "Yang 1999)"},
    /* fibroblasts */
    {"microneedling.fibroblast.density_per_mm3", P_REAL, "cells/mm³", "1250", 0, 1e9, NULL, 1, 0,
     0, "untreated fibroblast density f0 (per layer; ≈1200–1250: Jin 2011)"},
    {"microneedling.fibroblast.capacity_ratio", P_REAL, "-", "2", 1.000001, 1e6, NULL, 0, 0, 0,
     "carrying capacity K as a multiple κ of f0 (assumption)"},
    {"microneedling.fibroblast.apoptosis_per_day", P_REAL, "1/day", "0.12", 0, 1e6, NULL, 0, 0,
     0, "apoptosis rate d_f (Jin 2011)"},
    {"microneedling.fibroblast.max_proliferation_per_day", P_REAL, "1/day", "0.924", 0, 1e6,
     NULL, 0, 0, 0, "proliferation rate at saturating signal r_max (Jin 2011)"},
    {"microneedling.fibroblast.half_saturation_ng_per_ml", P_REAL, "ng/mL", "0.2", 1e-12, 1e9,
     NULL, 0, 0, 0, "signal s_r at which proliferation is half-way to r_max (assumption)"},
    {"microneedling.fibroblast.motility_um2_per_day", P_REAL, "µm²/day", "4320", 0, 1e12, NULL, 1,
     0, 0, "random motility D_f (per layer; 5e-10 cm²/s: assumption, typical model values)"},
    {"microneedling.fibroblast.chemotaxis_um2_per_day_per_ng_ml", P_REAL, "µm²/day per ng/mL",
     "2e4", 0, 1e12, NULL, 1, 0, 0,
     "chemotactic sensitivity χ0 at low signal (per layer; assumption)"},
    {"microneedling.fibroblast.chemotaxis_saturation_ml_per_ng", P_REAL, "mL/ng", "0.5", 0, 1e9,
     NULL, 0, 0, 0, "receptor saturation α in χ(s) = χ0/(1 + α s)² (assumption)"},
    /* collagen */
    {"microneedling.collagen.baseline_mg_per_ml", P_REAL, "mg/mL", "250", 0, 1e6, NULL, 1, 0, 0,
     "untreated collagen c0 (per layer; assumption: ≈ 3/4 of a dermal dry mass of ≈ 1/3)"},
    {"microneedling.collagen.capacity_ratio", P_REAL, "-", "2", 1.000001, 1e6, NULL, 0, 0, 0,
     "collagen ceiling c_max as a multiple γ of c0 (assumption: outcomes up to ≈ ×2)"},
    {"microneedling.collagen.halflife_year", P_REAL, "year", "15", 1e-6, 1e6, NULL, 0, 0, 0,
     "turnover half-life of dermal collagen (Verzijl 2000)"},
    {"microneedling.collagen.stimulated_production", P_REAL, "mg/mL/day per cell/mm³", "0.03", 0,
     1e6, NULL, 0, 0, 0,
     "extra collagen production per fully activated fibroblast q1 (calibrated to literature "
     "§2)"},
    {"microneedling.collagen.half_saturation_ng_per_ml", P_REAL, "ng/mL", "0.1", 1e-12, 1e9,
     NULL, 0, 0, 0,
     "signal s_c at which activation tends to one half (Hill coefficient 2; assumption)"},
    {"microneedling.collagen.activation_days", P_REAL, "day", "10", 1e-6, 1e6, NULL, 0, 0, 0,
     "time constant 1/k_a of fibroblast activation and its loss (assumption: myofibroblasts "
     "appear days after wounding, gone within weeks)"},
    /* injury */
    {"microneedling.injury.fibroblast_loss", P_REAL, "-", "1", 0, 1, NULL, 0, 0, 0,
     "fraction of the fibroblasts in the damaged volume a puncture kills (assumption)"},
    {"microneedling.injury.collagen_loss", P_REAL, "-", "1", 0, 1, NULL, 0, 0, 0,
     "fraction of the collagen in the damaged volume a puncture removes (assumption)"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

/* The last field, the scale of the absolute tolerance (time.atol × scale), is the order of
   magnitude at which a species acts: the signal at its activation half-saturation s_c
   (0.1 ng/mL), the cell densities and collagen at about their untreated or peak values, the
   fractions at 1. A choice of the integrator, not of the model's science. */
static const species_info species[NSPEC] = {
    {"signal", "ng/mL", "wound growth-factor signal", -1, 0.1},
    {"fibroblasts", "cells/mm³", "fibroblast density", S, 1000},
    {"collagen", "mg/mL", "collagen density", -1, 100},
    {"platelet_gf", "ng/mL", "growth factor still held in the platelet clot", -1, 10},
    {"open_wound", "-", "volume fraction of damaged tissue whose channel is still open", -1, 1},
    {"inflammatory", "cells/mm³", "inflammatory cell density", -1, 100},
    {"activation", "-", "fraction of fibroblasts activated to make collagen", -1, 1},
};

static const unsigned report[NSPEC] = {
    REPORT_PEAK,
    REPORT_PEAK | REPORT_CHANGE | REPORT_RETURN,
    REPORT_CHANGE | REPORT_DEPTH,
    0,
    0,
    REPORT_PEAK,
    0,
};


#define KEY(k) "microneedling." k

static cs_status check_layers(const mn *d, const params *p, const grid *g) {
  for (int l = 0; l + 1 < g->nlayers; l++) {
    double a = d->f0[l], b = d->f0[l + 1];
    if (fabs(a - b) > 1e-12 * fmax(a, b) && d->Df[l] > 0 && d->Df[l + 1] > 0)
      return params_key_error(p, KEY("fibroblast.density_per_mm3"),
                       "layers '%s' (%g) and '%s' (%g) differ, but fibroblasts move between them "
                       "(motility_um2_per_day > 0 in both): untreated skin would not be a steady "
                       "state; give them the same density or set the motility of one to 0",
                       g->layers[l].name, a, g->layers[l + 1].name, b);
  }
  for (int l = 0; l < g->nlayers; l++)
    if (d->c0[l] > 0 && d->f0[l] == 0)
      return params_key_error(p, KEY("collagen.baseline_mg_per_ml"),
                       "layer '%s' has collagen (%g mg/mL) but no fibroblasts "
                       "(microneedling.fibroblast.density_per_mm3 = 0) to keep it steady",
                       g->layers[l].name, d->c0[l]);
  return CS_OK;
}

static cs_status create(const params *p, const grid *g, void **inst) {
  mn *d = calloc(1, sizeof *d);
  if (!d) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  d->nlayers = g->nlayers;
  double kappa = params_real(p, KEY("fibroblast.capacity_ratio"));
  double gamma = params_real(p, KEY("collagen.capacity_ratio"));
  d->df = params_real(p, KEY("fibroblast.apoptosis_per_day"));
  d->dc = log(2.0) / (365.25 * params_real(p, KEY("collagen.halflife_year")));
  for (int l = 0; l < g->nlayers; l++) {
    d->Ds[l] = params_layer_real(p, KEY("signal.diffusivity_um2_per_day"), l);
    d->Df[l] = params_layer_real(p, KEY("fibroblast.motility_um2_per_day"), l);
    d->chi0[l] = params_layer_real(p, KEY("fibroblast.chemotaxis_um2_per_day_per_ng_ml"), l);
    d->f0[l] = params_layer_real(p, KEY("fibroblast.density_per_mm3"), l);
    d->c0[l] = params_layer_real(p, KEY("collagen.baseline_mg_per_ml"), l);
    /* A layer without resident fibroblasts has no growth (K = 0): visitors die off. */
    d->invK[l] = d->f0[l] > 0 ? 1.0 / (kappa * d->f0[l]) : 0.0;
    d->r0[l] = d->f0[l] > 0 ? d->df / (1.0 - 1.0 / kappa) : 0.0;
    d->invcmax[l] = d->c0[l] > 0 ? 1.0 / (gamma * d->c0[l]) : 0.0;
    d->q0[l] = d->c0[l] > 0 && d->f0[l] > 0 ? d->dc * d->c0[l] / (d->f0[l] * (1.0 - 1.0 / gamma))
                                            : 0.0;
  }
  d->ks = params_real(p, KEY("signal.decay_per_day"));
  d->kp = log(2.0) * 24.0 / params_real(p, KEY("platelet.release_halflife_h"));
  d->gf0 = params_real(p, KEY("platelet.growth_factor_ng_per_ml"));
  d->kw = log(20.0) * 24.0 / params_real(p, KEY("wound.closure_h"));
  d->rho_m = params_real(p, KEY("inflammation.recruitment_per_day"));
  d->dm = params_real(p, KEY("inflammation.clearance_per_day"));
  d->sigma_m = params_real(p, KEY("inflammation.secretion"));
  d->rmax = params_real(p, KEY("fibroblast.max_proliferation_per_day"));
  d->s_r = params_real(p, KEY("fibroblast.half_saturation_ng_per_ml"));
  d->alpha = params_real(p, KEY("fibroblast.chemotaxis_saturation_ml_per_ng"));
  d->q1 = params_real(p, KEY("collagen.stimulated_production"));
  d->s_c2 = params_real(p, KEY("collagen.half_saturation_ng_per_ml"));
  d->s_c2 *= d->s_c2;
  d->ka = 1.0 / params_real(p, KEY("collagen.activation_days"));
  d->loss_f = params_real(p, KEY("injury.fibroblast_loss"));
  d->loss_c = params_real(p, KEY("injury.collagen_loss"));
  cs_status st = check_layers(d, p, g);
  if (st == CS_OK) st = protocol_create(&d->prot, p, g);
  if (st != CS_OK) {
    free(d);
    return st;
  }
  *inst = d;
  return CS_OK;
}

static void destroy(void *inst) {
  mn *d = inst;
  if (!d) return;
  protocol_free(d->prot);
  free(d);
}

static double diffusivity(const void *inst, int s, int layer) {
  const mn *d = inst;
  return s == S ? d->Ds[layer] : s == F ? d->Df[layer] : 0.0;
}

static double chemotaxis(const void *inst, int s, int layer, double a) {
  const mn *d = inst;
  if (s != F) return 0.0;
  double q = 1.0 + d->alpha * (a > 0 ? a : 0.0);
  return d->chi0[layer] / (q * q);
}

/* chemotaxis for a row of faces: the same operations, a loop that vectorises */
static void chemotaxis_n(const void *inst, int s, int layer, int n, const double *a, double *chi) {
  const mn *d = inst;
  const double c0 = s == F ? d->chi0[layer] : 0.0, alpha = d->alpha;
  for (int i = 0; i < n; i++) {
    const double q = 1.0 + alpha * (a[i] > 0 ? a[i] : 0.0);
    chi[i] = c0 / (q * q);
  }
}

/* A Dirichlet boundary holds the untreated state of the deepest layer. */
static double boundary_value(const void *inst, int s) {
  const mn *d = inst;
  int l = d->nlayers - 1;
  return s == F ? d->f0[l] : s == C ? d->c0[l] : 0.0;
}

static void initial(const void *inst, const cell_info *c, double *u) {
  const mn *d = inst;
  u[S] = 0;
  u[F] = d->f0[c->layer];
  u[C] = d->c0[c->layer];
  u[P] = u[W] = u[M] = u[A] = 0;
}

/* One call per Runge–Kutta stage: two divisions, no pow(). Constant rates go into k (exact
   integrating factor, and the engine reuses its exponentials between cells). */
static void reaction(const void *inst, const cell_info *c, double t, const double *u, double *f,
                     double *k) {
  const mn *d = inst;
  const int l = c->layer;
  (void)t;
  const double s = u[S] > 0 ? u[S] : 0.0;
  const double fib = u[F];
  f[S] = d->kp * u[P] + d->sigma_m * u[M];
  k[S] = d->ks;
  const double r = d->r0[l] + (d->rmax - d->r0[l]) * (s / (d->s_r + s));
  f[F] = d->invK[l] > 0 ? r * fib * (1.0 - fib * d->invK[l]) : 0.0;
  k[F] = d->df;
  f[C] = (d->q0[l] + d->q1 * u[A]) * fib * (1.0 - u[C] * d->invcmax[l]);
  if (d->invcmax[l] == 0) f[C] = 0.0; /* a layer without collagen makes none */
  k[C] = d->dc;
  f[P] = 0.0;
  k[P] = d->kp;
  f[W] = 0.0;
  k[W] = d->kw;
  f[M] = d->rho_m * u[W];
  k[M] = d->dm;
  const double s2 = s * s;
  f[A] = d->ka * (s2 / (d->s_c2 + s2));
  k[A] = d->ka;
}

/* The cells of a block in one loop, for one layer's kind: growth (resident fibroblasts,
   invK > 0) and collagen (invcmax != 0) fixed, so the loop has no branch. The clamped signal
   goes through f[A] first: computed in the same loop as the divisions, gcc splits off the
   s = 0 path and keeps the loop scalar. */
MODEL_ALWAYS_INLINE void block_cells(const mn *d, int l, int n, const double *restrict us,
                                     const double *restrict uf, const double *restrict uc,
                                     const double *restrict up, const double *restrict uw,
                                     const double *restrict um, const double *restrict ua,
                                     double *restrict fs, double *restrict ff,
                                     double *restrict fc, double *restrict fp,
                                     double *restrict fw, double *restrict fm,
                                     double *restrict fa, const int growth, const int collagen) {
  const double kp = d->kp, sigma_m = d->sigma_m, rho_m = d->rho_m, ka = d->ka, s_c2 = d->s_c2;
  const double r0 = d->r0[l], dr = d->rmax - d->r0[l], s_r = d->s_r, invK = d->invK[l];
  const double q0 = d->q0[l], q1 = d->q1, invcmax = d->invcmax[l];
  for (int c = 0; c < n; c++) fa[c] = us[c] > 0 ? us[c] : 0.0;
  for (int c = 0; c < n; c++) {
    const double s = fa[c], fib = uf[c], s2 = s * s;
    fs[c] = kp * up[c] + sigma_m * um[c];
    ff[c] = growth ? (r0 + dr * (s / (s_r + s))) * fib * (1.0 - fib * invK) : 0.0;
    fc[c] = collagen ? (q0 + q1 * ua[c]) * fib * (1.0 - uc[c] * invcmax) : 0.0;
    fp[c] = 0.0;
    fw[c] = 0.0;
    fm[c] = rho_m * uw[c];
    fa[c] = ka * (s2 / (s_c2 + s2));
  }
}

/* reaction() for a block of cells: the same operations in the same order (so the same bits,
   which test_reaction_block checks), with the layer's branches taken once for the block and
   the shared constant rates given once. */
MODEL_ALWAYS_INLINE void reaction_block(const void *inst, const cell_block *b, double t,
                                        const double *const *u, double *const *f,
                                        double *const *k, double *k_block) {
  const mn *d = inst;
  const int l = b->layer, n = b->n;
  (void)t;
  (void)k;
  const int growth = d->invK[l] > 0, collagen = d->invcmax[l] != 0;
#define MN_CELLS(g, c)                                                                      \
  block_cells(d, l, n, u[S], u[F], u[C], u[P], u[W], u[M], u[A], f[S], f[F], f[C], f[P], f[W], \
              f[M], f[A], g, c)
  if (growth && collagen)
    MN_CELLS(1, 1);
  else if (growth)
    MN_CELLS(1, 0);
  else if (collagen)
    MN_CELLS(0, 1);
  else
    MN_CELLS(0, 0);
#undef MN_CELLS
  k_block[S] = d->ks;
  k_block[F] = d->df;
  k_block[C] = d->dc;
  k_block[P] = d->kp;
  k_block[W] = d->kw;
  k_block[M] = d->dm;
  k_block[A] = d->ka;
}
MODEL_BLOCK_VARIANTS(reaction_block)

static void injure(const void *inst, const cell_info *c, const wound_info *w, double *u) {
  const mn *d = inst;
  (void)c;
  if (w->damage <= 0 && w->channel <= 0) return;
  u[F] *= 1.0 - d->loss_f * w->damage;
  u[C] *= 1.0 - d->loss_c * w->damage;
  u[P] += d->gf0 * w->channel;
  u[W] += w->damage;
  if (u[W] > 1) u[W] = 1;
}

static const treatment *get_treatment(const void *inst) {
  return protocol_treatment(((const mn *)inst)->prot);
}

const model model_microneedling = {
    .name = "microneedling",
    .summary = "collagen induction by needle punctures: signal, fibroblasts, collagen",
    .params = model_params,
    .nspecies = NSPEC,
    .species = species,
    .report = report,
    .create = create,
    .destroy = destroy,
    .diffusivity = diffusivity,
    .chemotaxis = chemotaxis,
    .chemotaxis_n = chemotaxis_n,
    .boundary_value = boundary_value,
    .cell_source = NULL,
    .initial = initial,
    .reaction = reaction,
    .reaction_block = reaction_block_isa,
    .next_event = NULL,
    .treatment = get_treatment,
    .injure = injure,
};
