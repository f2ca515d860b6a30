/* mn_params: the microneedling model's parameter registry and the instance read from it.
 * Every value's source, or its "assumption" mark, is in the doc line and in docs/model.md §3.
 * Collagen, elastin and keratinocytes are dimensionless density indices (no mass unit: no
 * measured per-cell secretion rate backs one); collagen's untreated index is the layer's
 * collagen area fraction. */
#include "mn_params.h"

#include <math.h>

#define R(key, unit, def, lo, hi, per_layer, doc) \
  {"microneedling." key, P_REAL, unit, def, lo, hi, NULL, per_layer, 0, 0, doc}

const param_desc mn_params[] = {
    PROTOCOL_PARAMS,
    /* signal */
    R("signal.diffusivity_um2_per_day", "µm²/day", "4.06e6", 0, 1e12, 1,
      "growth-factor diffusivity (per layer); 4.7e-7 cm²/s: gel value with tortuosity 1.6 "
      "(Nauman 2007)"),
    R("signal.decay_per_day", "1/day", "15", 0, 1e6, 0,
      "growth-factor decay rate k_s (t½ ≈ 1.1 h; Jin 2011 Table 4)"),
    /* platelets, wound, inflammation */
    R("platelet.growth_factor_ng_per_ml", "ng/mL", "37.6", 0, 1e9, 0,
      "growth factor the clot releases per volume of channel (PRP TGF-β1 169 ng/mL, Weibrich "
      "2002, ÷ 4.5 PRP enrichment: assumption)"),
    R("platelet.release_halflife_h", "h", "1", 1e-6, 1e6, 0,
      "half-life of the platelet release (assumption; 38 % of TGF-β active at 1 h: Yang 1999)"),
    R("wound.closure_h", "h", "15", 1e-6, 1e6, 0,
      "time for a channel to close (95 %); 12 h (370 µm) to 18 h (770 µm): Kalluri 2011, Gupta "
      "2011"),
    R("inflammation.recruitment_per_day", "cells/mm³/day", "5500", 0, 1e12, 0,
      "inflammatory cells drawn in per day by fully open wound tissue (assumption)"),
    R("inflammation.clearance_per_day", "1/day", "0.2", 0, 1e6, 0,
      "clearance of inflammatory cells d_m (assumption: signal up ≈ 2 weeks, Aust 2010)"),
    R("inflammation.secretion", "ng/mL/day per cell/mm³", "0.075", 0, 1e9, 0,
      "signal secreted per inflammatory cell σ_m (calibrated: second phase ≈ 0.45 × the first, "
      "Yang 1999)"),
    /* fibroblasts */
    R("fibroblast.density_per_mm3", "cells/mm³", "1250", 0, 1e9, 1,
      "untreated fibroblast density f0 (per layer; ≈1200–1250: Jin 2011; layers may differ: "
      "motility evens out f/f0, docs/model.md §2)"),
    R("fibroblast.capacity_ratio", "-", "2", 1.000001, 1e6, 0,
      "carrying capacity K as a multiple κ of f0 (assumption)"),
    R("fibroblast.apoptosis_per_day", "1/day", "0.12", 0, 1e6, 0,
      "apoptosis rate d_f (Jin 2011; borrowed from a cardiac model)"),
    R("fibroblast.max_proliferation_per_day", "1/day", "0.924", 0, 1e6, 0,
      "proliferation rate at saturating signal r_max (Jin 2011; borrowed from a cardiac model)"),
    R("fibroblast.half_saturation_ng_per_ml", "ng/mL", "0.2", 1e-12, 1e9, 0,
      "signal s_r at which proliferation is half-way to r_max (assumption)"),
    R("fibroblast.motility_um2_per_day", "µm²/day", "4320", 0, 1e12, 1,
      "random motility D_f (per layer; 5e-10 cm²/s: assumption, typical model values)"),
    R("fibroblast.chemotaxis_um2_per_day_per_ng_ml", "µm²/day per ng/mL", "2e4", 0, 1e12, 1,
      "chemotactic sensitivity χ0 at low signal (per layer; assumption)"),
    R("fibroblast.chemotaxis_saturation_ml_per_ng", "mL/ng", "0.5", 0, 1e9, 0,
      "receptor saturation α in χ(s) = χ0/(1 + α s)² (assumption)"),
    /* activation and maturation of fibroblasts */
    R("collagen.half_saturation_ng_per_ml", "ng/mL", "0.1", 1e-12, 1e9, 0,
      "signal s_c at which activation tends to one half (Hill coefficient 2; assumption)"),
    R("collagen.activation_days", "day", "10", 1e-6, 1e6, 0,
      "time constant 1/k_a of fibroblast activation and its loss (assumption: myofibroblasts "
      "appear days after wounding, gone within weeks)"),
    R("collagen.maturation_days", "day", "14", 1e-6, 1e6, 0,
      "time constant 1/k_b of the switch from type-III- to type-I-making fibroblasts "
      "(assumption: III share highest at day 3, collagen plateaus by day 28, sheep: Knight 1993)"),
    /* collagen */
    R("collagen.baseline_index", "-", "0.89", 0, 10, 1,
      "untreated collagen index, I + III (per layer; = collagen area fraction: 0.93 "
      "superficial, 0.89 reticular dermis, morphometry of 71 adults)"),
    R("collagen.type_III_fraction", "-", "0.15", 0, 0.999, 0,
      "type III share of untreated fibrillar collagen (≈ 15 % in adult rat skin: Hallock 1988)"),
    R("collagen.halflife_year", "year", "15", 1e-6, 1e6, 0,
      "turnover half-life of type I collagen (skin collagen ≈ 15 years: Verzijl 2000)"),
    R("collagen.type_III_halflife_year", "year", "15", 1e-6, 1e6, 0,
      "turnover half-life of type III collagen without MMP (assumption: as type I)"),
    R("collagen.stimulated_production", "1/day per cell/mm³", "4.5e-5", 0, 1, 0,
      "type I laid down per matured fibroblast q1 (calibrated, docs/model.md §5)"),
    R("collagen.type_III_stimulated_production", "1/day per cell/mm³", "1.2e-5", 0, 1, 0,
      "type III laid down per activated fibroblast q3 (calibrated, docs/model.md §5)"),
    R("collagen.remodelling_per_day", "1/day", "0.1", 0, 1e6, 0,
      "rate k_r at which fully matured fibroblasts remodel the type III share back to the adult "
      "one (assumption: III share highest at day 3, then falls over weeks, sheep: Knight 1993)"),
    /* MMP */
    R("mmp.inflammatory_induction", "1/day² per cell/mm³", "5e-6", 0, 1e6, 0,
      "MMP activity induced per inflammatory cell ε_m (assumption)"),
    R("mmp.remodelling_induction", "1/day²", "6e-4", 0, 1e6, 0,
      "MMP activity induced by matured (remodelling) fibroblasts ε_b (assumption)"),
    R("mmp.clearance_per_day", "1/day", "0.1", 1e-9, 1e6, 0,
      "loss of MMP activity k_E, by inhibitors (TIMPs) and decay (assumption)"),
    R("mmp.type_III_preference", "-", "2", 0, 1e6, 0,
      "type III degraded this many times faster than type I by the same MMP activity "
      "(assumption)"),
    R("mmp.elastin_preference", "-", "0.5", 0, 1e6, 0,
      "mature elastin degraded this many times faster than type I collagen (assumption)"),
    /* elastin */
    R("elastin.baseline_index", "-", "1", 0, 10, 1,
      "untreated mature elastin index (per layer, where there is collagen; 1 by definition in "
      "the dermis)"),
    R("elastin.halflife_year", "year", "40", 1e-6, 1e6, 0,
      "turnover half-life of mature elastin (lung elastin's residence of decades: Shapiro 1991 "
      "[W]; 40: assumption)"),
    R("elastin.tropoelastin_ratio", "-", "0.05", 1e-9, 10, 0,
      "untreated tropoelastin as a fraction of mature elastin (assumption)"),
    R("elastin.tropoelastin_halflife_day", "day", "7", 1e-6, 1e6, 0,
      "half-life of tropoelastin not assembled into fibres (assumption)"),
    R("elastin.stimulated_production", "1/day per cell/mm³", "3e-6", 0, 1, 0,
      "tropoelastin made per activated fibroblast q_T (assumption)"),
    /* keratinocytes */
    R("keratinocyte.baseline_index", "-", "0", 0, 10, 1,
      "untreated keratinocyte index (per layer; 1 in the epidermis, 0 elsewhere in the configs)"),
    R("keratinocyte.max_proliferation_per_day", "1/day", "0.04", 0, 1e6, 0,
      "extra keratinocyte proliferation at saturating signal g_K (calibrated: epidermis +19 % "
      "3 months after 4 monthly sessions, Kenkel 2021)"),
    R("keratinocyte.half_saturation_ng_per_ml", "ng/mL", "0.2", 1e-12, 1e9, 0,
      "signal s_K at which keratinocyte proliferation is half-way (assumption: as s_r)"),
    R("keratinocyte.return_days", "day", "180", 1e-6, 1e6, 0,
      "time constant 1/k_K of the epidermis's return to its thickness (assumption: stratum "
      "spinosum still +40 % at 1 year, Aust 2008)"),
    /* injury */
    R("injury.fibroblast_loss", "-", "1", 0, 1, 0,
      "fraction of the fibroblasts in the damaged volume a puncture kills (assumption)"),
    R("injury.collagen_loss", "-", "1", 0, 1, 0,
      "fraction of the matrix (collagen, elastin) in the damaged volume a puncture removes "
      "(assumption)"),
    R("injury.keratinocyte_loss", "-", "1", 0, 1, 0,
      "fraction of the keratinocytes in the damaged volume a puncture removes (assumption)"),
    /* skin conditions: the untreated state (each one an exact steady state of its own) */
    R("initial.collagen_factor", "-", "1", 0, 10, 1,
      "untreated collagen as a multiple of collagen.baseline_index (per layer; photo-aged "
      "skin < 1)"),
    R("initial.elastin_factor", "-", "1", 0, 10, 1,
      "untreated elastin as a multiple of elastin.baseline_index (per layer)"),
    R("initial.fibroblast_factor", "-", "1", 1e-6, 10, 1,
      "untreated fibroblasts as a multiple of fibroblast.density_per_mm3 (per layer)"),
    R("initial.scar.width_um", "µm", "0", 0, 1e9, 0,
      "width of an atrophic scar (0: none); cos² profile across it, a groove along y in 2D, "
      "a round scar in 3D"),
    R("initial.scar.depth_um", "µm", "0", 0, 1e9, 0,
      "depth of the scar's collagen deficit below the top of the dermis"),
    R("initial.scar.collagen_deficit", "-", "0", 0, 1, 0,
      "fraction of the collagen and elastin missing at the scar's centre"),
    R("initial.scar.epidermal_depression", "-", "0", 0, 0.99, 0,
      "fraction of the epidermal thickness missing at the scar's centre"),
    R("initial.scar.center_x_um", "µm", "0", -1e9, 1e9, 0, "scar centre, x"),
    R("initial.scar.center_y_um", "µm", "0", -1e9, 1e9, 0, "scar centre, y (3D)"),
    /* a serum after each session (mn_serum.h) */
    {"microneedling.serum.from", P_STRING, "", "\"\"", 0, 0, NULL, 0, 0, 0,
     "a topical run file (model topical) whose free compound under the skin adds to the "
     "signal after every session (docs/model.md §2, Serum); \"\": no serum"},
    R("serum.signal_per_compound", "ng/mL per µg/mL", "1000", 0, 1e9, 0,
      "signal added per µg/mL of the compound: 1000 (1 µg = 1000 ng) makes a growth-factor "
      "serum exactly as active as the wound's own signal (assumption)"),
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

#define KEY(k) "microneedling." k
#define YEAR 365.25

static cs_status check_layers(const mn *d, const params *p, const grid *g) {
  for (int l = 0; l < g->nlayers; l++)
    if ((d->c0[l] > 0 || d->el0[l] > 0) && d->f0[l] == 0)
      return params_key_error(p, KEY("collagen.baseline_index"),
                       "layer '%s' has collagen or elastin but no fibroblasts "
                       "(microneedling.fibroblast.density_per_mm3 = 0) to keep it steady",
                       g->layers[l].name);
  return CS_OK;
}

/* Matrix of layer l: untreated pools and the basal rates that keep them steady. */
static void read_matrix(mn *d, const params *p, int l, double phi3, double tT) {
  d->c0[l] = params_layer_real(p, KEY("collagen.baseline_index"), l) *
             params_layer_real(p, KEY("initial.collagen_factor"), l);
  /* elastin fibres live where the collagen network is */
  d->el0[l] = d->c0[l] > 0 ? params_layer_real(p, KEY("elastin.baseline_index"), l) *
                                 params_layer_real(p, KEY("initial.elastin_factor"), l)
                           : 0.0;
  d->c3_0[l] = phi3 * d->c0[l];
  d->te0[l] = tT * d->el0[l];
  d->matrix[l] = d->f0[l] > 0 && (d->c0[l] > 0 || d->el0[l] > 0);
  const double f0 = d->f0[l] > 0 ? d->f0[l] : 1.0;
  d->p1_0[l] = d->matrix[l] ? d->d1 * (d->c0[l] - d->c3_0[l]) / f0 : 0.0;
  d->p3_0[l] = d->matrix[l] ? d->d3 * d->c3_0[l] / f0 : 0.0;
  /* tropoelastin: made, assembled (kx, set by the elastin balance) and lost (kT) */
  d->pt_0[l] = d->matrix[l] ? (d->kx + d->kT) * d->te0[l] / f0 : 0.0;
  d->k0[l] = params_layer_real(p, KEY("keratinocyte.baseline_index"), l);
}

static void read_rates(mn *d, const params *p) {
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
  d->df = params_real(p, KEY("fibroblast.apoptosis_per_day"));
  d->s_c2 = params_real(p, KEY("collagen.half_saturation_ng_per_ml"));
  d->s_c2 *= d->s_c2;
  d->ka = 1.0 / params_real(p, KEY("collagen.activation_days"));
  d->kb = 1.0 / params_real(p, KEY("collagen.maturation_days"));
  d->d1 = log(2.0) / (YEAR * params_real(p, KEY("collagen.halflife_year")));
  d->d3 = log(2.0) / (YEAR * params_real(p, KEY("collagen.type_III_halflife_year")));
  d->q1 = params_real(p, KEY("collagen.stimulated_production"));
  d->q3 = params_real(p, KEY("collagen.type_III_stimulated_production"));
  d->kr = params_real(p, KEY("collagen.remodelling_per_day"));
  d->phi3 = params_real(p, KEY("collagen.type_III_fraction"));
  d->eps_m = params_real(p, KEY("mmp.inflammatory_induction"));
  d->eps_b = params_real(p, KEY("mmp.remodelling_induction"));
  d->kE = params_real(p, KEY("mmp.clearance_per_day"));
  d->th3 = params_real(p, KEY("mmp.type_III_preference"));
  d->thL = params_real(p, KEY("mmp.elastin_preference"));
  d->dL = log(2.0) / (YEAR * params_real(p, KEY("elastin.halflife_year")));
  d->kT = log(2.0) / params_real(p, KEY("elastin.tropoelastin_halflife_day"));
  /* untreated assembly balances mature elastin's turnover: kx T0 = dL L0 */
  d->kx = d->dL / params_real(p, KEY("elastin.tropoelastin_ratio"));
  d->qT = params_real(p, KEY("elastin.stimulated_production"));
  d->gK = params_real(p, KEY("keratinocyte.max_proliferation_per_day"));
  d->sK = params_real(p, KEY("keratinocyte.half_saturation_ng_per_ml"));
  d->kK = 1.0 / params_real(p, KEY("keratinocyte.return_days"));
  d->loss_f = params_real(p, KEY("injury.fibroblast_loss"));
  d->loss_c = params_real(p, KEY("injury.collagen_loss"));
  d->loss_k = params_real(p, KEY("injury.keratinocyte_loss"));
}

/* The scar: where its deficit applies, and the top of the dermis (the first layer with a
   matrix) from which its depth counts. */
static void read_scar(mn *d, const params *p, const grid *g) {
  d->scar_w = params_real(p, KEY("initial.scar.width_um"));
  d->scar_depth = params_real(p, KEY("initial.scar.depth_um"));
  d->scar_x = params_real(p, KEY("initial.scar.center_x_um"));
  d->scar_y = params_real(p, KEY("initial.scar.center_y_um"));
  const double dc = params_real(p, KEY("initial.scar.collagen_deficit"));
  const double dk = params_real(p, KEY("initial.scar.epidermal_depression"));
  d->dermis_top = 0;
  int found = 0;
  for (int l = 0; l < g->nlayers; l++) {
    d->scar_c[l] = d->scar_w > 0 && d->matrix[l] ? dc : 0.0;
    d->scar_k[l] = d->scar_w > 0 && d->k0[l] > 0 ? dk : 0.0;
    if (!found && d->matrix[l]) {
      d->dermis_top = g->layer_top[l];
      found = 1;
    }
  }
}

cs_status mn_read(mn *d, const params *p, const grid *g) {
  d->nlayers = g->nlayers;
  d->dims = g->dims;
  read_rates(d, p);
  const double kappa = params_real(p, KEY("fibroblast.capacity_ratio"));
  const double phi3 = params_real(p, KEY("collagen.type_III_fraction"));
  const double tT = params_real(p, KEY("elastin.tropoelastin_ratio"));
  for (int l = 0; l < g->nlayers; l++) {
    d->Ds[l] = params_layer_real(p, KEY("signal.diffusivity_um2_per_day"), l);
    d->Df[l] = params_layer_real(p, KEY("fibroblast.motility_um2_per_day"), l);
    d->chi0[l] = params_layer_real(p, KEY("fibroblast.chemotaxis_um2_per_day_per_ng_ml"), l);
    d->f0[l] = params_layer_real(p, KEY("fibroblast.density_per_mm3"), l) *
               params_layer_real(p, KEY("initial.fibroblast_factor"), l);
    d->f0_ref = fmax(d->f0_ref, d->f0[l]);
    /* A layer without resident fibroblasts has no growth (K = 0): visitors die off. */
    d->invK[l] = d->f0[l] > 0 ? 1.0 / (kappa * d->f0[l]) : 0.0;
    d->r0[l] = d->f0[l] > 0 ? d->df / (1.0 - 1.0 / kappa) : 0.0;
    read_matrix(d, p, l, phi3, tT);
  }
  read_scar(d, p, g);
  d->serum_sigma = params_real(p, KEY("serum.signal_per_compound"));
  return check_layers(d, p, g);
}
