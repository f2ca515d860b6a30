/* topical: a compound applied to the skin surface, through the stratum corneum and the open
 * microneedle channels into the viable epidermis and the dermis (docs/topical.md has every
 * equation, value and source).
 *
 * Species (units: µm, days; concentrations per volume of tissue):
 *   c  compound  µg/mL  free compound; diffuses with per-cell D and partition K
 *   b  bound     µg/mL  compound bound to tissue (immobile; optional, k_on = 0: none)
 *   q  cleared   µg/mL  compound taken up by the dermal capillaries so far (immobile, a tally)
 *   p  pore      -      volume fraction of the cell that is open channel
 *   compound_intact, bound_intact, cleared_intact: c, b, q of the same application on intact
 *                        skin (p = 0), only with topical.reference: intact (model_topical_ref)
 *
 *   ∂c/∂t = ∇·(D K ∇(c/K)) − k_cl c − k_on c + k_off b
 *   ∂b/∂t = k_on c − k_off b        ∂q/∂t = k_cl c        ∂p/∂t = −k_close p
 *
 * The layers are given from the surface down; the top one is the stratum corneum (10–20 µm).
 * A cell with open-channel fraction p conducts as its layer's tissue and the channel fluid in
 * parallel (the channel axis along the depth): D K = (1 − p) D_l K_l + p D_aq K_aq, with K = K_l
 * (the capacity of the channel volume itself is neglected: K_aq = K_l = 1 below the stratum
 * corneum for the shipped compounds, and the stratum corneum's channel volume is small; a K that
 * followed p would make a closing channel change how much a cell holds, not only how fast it
 * exchanges). A session opens
 * the channels' volume (model->injure: p = 1 − (1 − p)(1 − channel fraction)); they close
 * first-order, the stratum corneum cells with the barrier-recovery time, the others with the
 * channel-closure time. The applications hold the surface at the vehicle concentration (a
 * potential: the cell below holds K times it) while on the skin, no-flux otherwise, every
 * start and end an event. Compound coefficients are given per layer, or estimated from the
 * molecular weight and log Kow: stratum corneum permeability by Potts & Guy 1992, its partition
 * K = Kow^0.69, viable tissue D = 10^(−8.15 − 0.655 log10 MW) m²/s (Kasting's form), the
 * channel fluid's by Stokes–Einstein. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "protocol.h"

/* CMPI, BNDI, CLRI: the same application on intact skin, in the same run (topical.reference:
   intact, model_topical_ref): the compound's equations with p = 0. Without the reference the
   model has the first NBASE species only, and nothing touches the others. */
enum { CMP, BND, CLR, PORE, NBASE, CMPI = NBASE, BNDI, CLRI, NSPEC };

#define TOP_APPS 8     /* entries of topical.applications */
#define TOP_EVENTS 512 /* application starts and ends, all repeats */

typedef struct {
  double start, stop, conc; /* day, day, µg/mL in the vehicle */
} app_interval;

typedef struct {
  int nlayers;
  protocol *prot;
  double D[PARAMS_MAX_LAYERS], K[PARAMS_MAX_LAYERS], S[PARAMS_MAX_LAYERS]; /* S = D K */
  double kcl[PARAMS_MAX_LAYERS], kclose[PARAMS_MAX_LAYERS];
  double Daq, Kaq, kon, koff;
  int napp;
  app_interval app[TOP_EVENTS / 2];
  int nev;
  double ev[TOP_EVENTS]; /* sorted */
  double thick_cm[PARAMS_MAX_LAYERS]; /* depth of each layer's cells (rows × h), cm */
  int finite; /* dose: finite: layer 0 is the vehicle film, the stratum corneum layer 1 */
  int sc;     /* the stratum corneum's layer */
  double Dveh; /* the film's diffusivity, µm²/day */
  int ref;     /* reference: intact: CMPI.. carry the same application on intact skin */
  double arrival;    /* the level whose first arrival at each depth is followed, µg/mL */
  double surface_um; /* the skin's surface below the grid's top (the film's cells), µm */
} topical;

#define KEY(k) "topical." k
#define APP_DOC "an application of the serum (up to 8): "
#define APP_PARAMS(P)                                                                           \
  {P ".concentration_mg_per_ml", P_REAL, "mg/mL", "0", 0, 1e6, NULL, 0, 0, 0,                   \
   APP_DOC "compound concentration in the vehicle (0: entry unused)"},                          \
  {P ".session", P_INT, "-", "-1", -1, 1000, NULL, 0, 0, 0,                                     \
   APP_DOC "start relative to this session (index into protocol.sessions.day); -1: absolute"},  \
  {P ".start_h", P_REAL, "h", "0", -1e6, 1e6, NULL, 0, 0, 0,                                    \
   APP_DOC "start, hours after the session (session >= 0) or after day 0 (session -1)"},        \
  {P ".duration_h", P_REAL, "h", "0.5", 1e-6, 1e6, NULL, 0, 0, 0,                               \
   APP_DOC "contact time: the vehicle is wiped off after it (wipe_off) or left on"},            \
  {P ".wipe_off", P_BOOL, "", "true", 0, 0, NULL, 0, 0, 0,                                      \
   APP_DOC "true: wiped off after duration_h; false: left on until the next application or "    \
           "the end of the run"},                                                               \
  {P ".repeat_every_h", P_REAL, "h", "0", 0, 1e6, NULL, 0, 0, 0,                                \
   APP_DOC "re-applied every so many hours (0: once)"},                                         \
  {P ".repeats", P_INT, "-", "0", 0, 200, NULL, 0, 0, 0, APP_DOC "number of re-applications"}

static const param_desc model_params[] = {
    PROTOCOL_PARAMS,
    {KEY("dose"), P_ENUM, "", "infinite", 0, 0, "infinite|finite", 0, 0, 0,
     "infinite: the surface is held at the vehicle concentration while applied (Franz-cell "
     "infinite dose); finite: the top layer is the vehicle film (its thickness the film's), "
     "filled at the concentration and in contact with the skin while applied, depleting"},
    {KEY("reference"), P_ENUM, "", "none", 0, 0, "none|intact", 0, 0, 0,
     "intact: the run also carries the same application on intact skin (compound_intact, "
     "bound_intact, cleared_intact: no channels), and /series the per-layer amounts and "
     "enhancement against it; none: the run has neither"},
    {KEY("vehicle.diffusivity_um2_per_day"), P_REAL, "µm²/day", "0", 0, 1e12, NULL, 0, 0, 0,
     "dose: finite: the compound's diffusivity in the vehicle film (0: the channel fluid's)"},
    {KEY("compound.name"), P_STRING, "", "compound", 0, 0, NULL, 0, 0, 0,
     "what is applied (for the record only)"},
    {KEY("compound.coefficients"), P_ENUM, "", "estimate", 0, 0, "estimate|direct", 0, 0, 0,
     "estimate: D and K per layer from molecular_weight and log_kow (docs/topical.md); direct: "
     "diffusivity_um2_per_day and partition as given"},
    {KEY("compound.molecular_weight"), P_REAL, "g/mol", "176.12", 1, 1e8, NULL, 0, 0, 0,
     "molecular weight (default: ascorbic acid, PubChem)"},
    {KEY("compound.log_kow"), P_REAL, "-", "-1.85", -10, 10, NULL, 0, 0, 0,
     "octanol/water log10 partition coefficient (default: ascorbic acid, PubChem)"},
    {KEY("compound.diffusivity_um2_per_day"), P_REAL, "µm²/day", "1e5", 0, 1e12, NULL, 1, 0, 0,
     "direct: diffusivity per layer in intact tissue"},
    {KEY("compound.partition"), P_REAL, "-", "1", 1e-12, 1e12, NULL, 1, 0, 0,
     "direct: tissue/vehicle partition coefficient per layer"},
    {KEY("compound.channel_diffusivity_um2_per_day"), P_REAL, "µm²/day", "0", 0, 1e12, NULL, 0, 0,
     0, "diffusivity in the open channels' fluid (0: Stokes–Einstein estimate from the MW)"},
    {KEY("compound.channel_partition"), P_REAL, "-", "1", 1e-12, 1e12, NULL, 0, 0, 0,
     "channel fluid/vehicle partition, in its conductivity D·K (1: an aqueous vehicle; "
     "assumption)"},
    {KEY("compound.binding_on_per_day"), P_REAL, "1/day", "0", 0, 1e9, NULL, 0, 0, 0,
     "binding rate k_on to tissue (0: no binding)"},
    {KEY("compound.binding_off_per_day"), P_REAL, "1/day", "0", 0, 1e9, NULL, 0, 0, 0,
     "unbinding rate k_off"},
    {KEY("arrival_threshold_ug_per_ml"), P_REAL, "µg/mL", "1", 1e-12, 1e12, NULL, 0, 0, 0,
     "the free compound's level whose first arrival at each depth the run follows "
     "(compound_arrival_depth_um in /series, the times to each layer in the summary); 1 µg/mL: "
     "assumption (no effect level is built in; scripts/topical_report.py's --threshold "
     "default): set it to the compound's effective concentration"},
    {KEY("clearance_per_day"), P_REAL, "1/day", "0", 0, 1e9, NULL, 1, 0, 0,
     "first-order uptake into the capillaries (per layer; 0 above the papillary dermis)"},
    {KEY("channel.closure_h"), P_REAL, "h", "15", 1e-6, 1e9, NULL, 0, 0, 0,
     "time for a channel below the stratum corneum to close (95 %); 12–18 h in rats: Kalluri "
     "2011"},
    {KEY("channel.barrier_recovery_h"), P_REAL, "h", "4.5", 1e-6, 1e9, NULL, 0, 0, 0,
     "time for the stratum corneum's barrier over a channel to recover (95 %); TEWL back in "
     "4–5 h in rats: Kalluri 2011"},
    APP_PARAMS("topical.applications[0]"),
    APP_PARAMS("topical.applications[1]"),
    APP_PARAMS("topical.applications[2]"),
    APP_PARAMS("topical.applications[3]"),
    APP_PARAMS("topical.applications[4]"),
    APP_PARAMS("topical.applications[5]"),
    APP_PARAMS("topical.applications[6]"),
    APP_PARAMS("topical.applications[7]"),
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

/* Outcome series per layer, from the layer means (µg/mL = µg/cm³, times the layer's depth in
   cm: µg per cm² of skin), after every accepted step: what is in the layer now (free and
   bound) and what its capillaries have taken up so far. */
enum { D_AMOUNT, D_CLEARED, D_DELIVERED, D_AMOUNT_I, D_CLEARED_I, D_DELIVERED_I, D_ENH, ND };
static const derived_info derived[ND] = {
    {"amount", "µg/cm²", "compound in the layer (free + bound) per skin area"},
    {"cleared_amount", "µg/cm²", "compound cleared from the layer by its capillaries so far, per skin area"},
    {"delivered", "µg/cm²", "compound that has reached the layer or deeper so far (in them, cleared there, or, with a finite dose, through the deep sink), per skin area"},
    {"amount_intact", "µg/cm²", "on intact skin (topical.reference: intact): compound in the layer per skin area"},
    {"cleared_amount_intact", "µg/cm²", "on intact skin: compound cleared from the layer so far, per skin area"},
    {"delivered_intact", "µg/cm²", "on intact skin: compound that has reached the layer or deeper so far, per skin area"},
    {"enhancement", "-", "delivered over delivered on intact skin (1 while both are 0)"},
};
/* The free compound's first arrival at each depth, on needled and on intact skin. */
static const unsigned report[NSPEC] = {[CMP] = REPORT_ARRIVAL, [CMPI] = REPORT_ARRIVAL};

static double arrival_level(const void *inst, int s, double *surface_um) {
  const topical *d = inst;
  (void)s;
  *surface_um = d->surface_um;
  return d->arrival;
}

/* What has reached layer l or deeper, µg/cm², for the copy whose species start at c (CMP or
   CMPI): in those layers (free, bound, cleared) and, with a finite dose, through the deep sink,
   the film's initial content less everything in the grid now (the transport conserves; below
   1e-9 of the dose the balance is rounding, taken as 0). */
static double delivered(const topical *d, const layer_means *a, int c, int l) {
  double below = 0, now = 0, start = 0;
  for (int k = 0; k < a->nlayers; k++) {
    double v = 0, v0 = 0;
    for (int q = c; q < c + 3; q++) { /* compound, bound, cleared */
      v += a->now[q * a->stride + k];
      v0 += a->start[q * a->stride + k];
    }
    now += v * d->thick_cm[k];
    start += v0 * d->thick_cm[k];
    if (k >= l) below += v * d->thick_cm[k];
  }
  const double sink = d->finite ? start - now : 0;
  return below + (fabs(sink) < 1e-9 * start ? 0 : sink);
}

static void derived_values(const void *inst, int l, const double *mean, const double *mean0,
                           const layer_means *all, double *out) {
  const topical *d = inst;
  (void)mean0;
  out[D_AMOUNT] = (mean[CMP] + mean[BND]) * d->thick_cm[l];
  out[D_CLEARED] = mean[CLR] * d->thick_cm[l];
  /* from the stratum corneum down (the film is where the compound comes from) */
  out[D_DELIVERED] = l >= d->sc ? delivered(d, all, CMP, l) : NAN;
  /* without the reference: no series (a value that is not finite at t = 0 makes none) */
  out[D_AMOUNT_I] = out[D_CLEARED_I] = out[D_DELIVERED_I] = out[D_ENH] = NAN;
  if (!d->ref) return;
  out[D_AMOUNT_I] = (mean[CMPI] + mean[BNDI]) * d->thick_cm[l];
  out[D_CLEARED_I] = mean[CLRI] * d->thick_cm[l];
  if (l < d->sc) return;
  const double a = out[D_DELIVERED], b = out[D_DELIVERED_I] = delivered(d, all, CMPI, l);
  out[D_ENH] = a == 0 && b == 0 ? 1.0 : a / b;
}

static const species_info species[NSPEC] = {
    {"compound", "µg/mL", "free compound in the tissue", -1, 1},
    {"bound", "µg/mL", "compound bound to the tissue", -1, 1},
    {"cleared", "µg/mL", "compound taken up by the capillaries so far", -1, 1},
    {"pore", "-", "open-channel volume fraction", -1, 1e-3},
    {"compound_intact", "µg/mL", "free compound of the same application on intact skin", -1, 1},
    {"bound_intact", "µg/mL", "bound compound on intact skin", -1, 1},
    {"cleared_intact", "µg/mL", "compound cleared on intact skin so far", -1, 1},
};

/* Unit conversions. */
#define M2S_TO_UM2DAY 8.64e16  /* m²/s -> µm²/day */
#define CMH_TO_UMDAY 2.4e5     /* cm/h -> µm/day */

/* Stokes–Einstein in water at skin temperature, 32 °C (viscosity 0.765 mPa·s), the solute a
   sphere of density 1.3 g/cm³ (assumption) and mass MW/N_A. µm²/day. */
static double stokes_einstein(double mw) {
  const double kB = 1.380649e-23, T = 305.15, eta = 0.765e-3, NA = 6.02214076e23, rho = 1300;
  const double r = cbrt(3 * (mw * 1e-3 / NA) / (4 * CS_PI * rho)); /* m */
  return kB * T / (6 * CS_PI * eta * r) * M2S_TO_UM2DAY;
}

/* D and K per layer from MW and log Kow: the top layer (stratum corneum) by Potts & Guy 1992,
   kp = 10^(−2.7 + 0.71 log Kow − 0.0061 MW) cm/h, with K_sc = Kow^0.69 and D_sc = kp h_sc / K_sc;
   the viable layers with Kasting's D = 10^(−8.15 − 0.655 log10 MW) m²/s and K = 1 (aqueous
   tissue against an aqueous vehicle: assumption). */
static void estimate(topical *d, const grid *g, double mw, double logkow) {
  const double kp = pow(10, -2.7 + 0.71 * logkow - 0.0061 * mw) * CMH_TO_UMDAY;
  const int sc = d->sc;
  const double hsc = (sc + 1 < g->nlayers ? g->layer_top[sc + 1] : g->size[2]) - g->layer_top[sc];
  d->K[sc] = pow(10, 0.69 * logkow);
  d->D[sc] = kp * hsc / d->K[sc];
  for (int l = sc + 1; l < g->nlayers; l++) {
    d->K[l] = 1;
    d->D[l] = pow(10, -8.15 - 0.655 * log10(mw)) * M2S_TO_UM2DAY;
  }
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Application entry i: its intervals (repeats) into d->app. */
static cs_status read_application(topical *d, const params *p, int i) {
  char P[64], key[128];
  snprintf(P, sizeof P, "topical.applications[%d]", i);
#define AKEY(k) (snprintf(key, sizeof key, "%s." k, P), key)
  const double conc = params_real(p, AKEY("concentration_mg_per_ml")) * 1e3; /* µg/mL */
  if (conc <= 0) return CS_OK;
  const long ses = params_int(p, AKEY("session"));
  const treatment *tr = protocol_treatment(d->prot);
  if (ses >= 0 && (!tr || ses >= tr->nsessions))
    return params_key_error(p, AKEY("session"), "the protocol has %d session(s) (protocol.sessions.day)",
                            tr ? tr->nsessions : 0);
  const double t0 = (ses >= 0 ? tr->day[ses] : 0.0) + params_real(p, AKEY("start_h")) / 24;
  const double dur = params_real(p, AKEY("duration_h")) / 24;
  const double every = params_real(p, AKEY("repeat_every_h")) / 24;
  const long rep = params_int(p, AKEY("repeats"));
  const int wipe = params_bool(p, AKEY("wipe_off"));
  if (t0 < 0) return params_key_error(p, AKEY("start_h"), "the application starts before day 0");
  if (rep > 0 && !(every > 0))
    return params_key_error(p, AKEY("repeat_every_h"), "repeats need a repeat interval > 0");
  if (rep > 0 && wipe && every < dur)
    return params_key_error(p, AKEY("repeat_every_h"),
                            "re-applied every %g h, before the %g h contact time is over",
                            every * 24, dur * 24);
  for (long r = 0; r <= rep; r++) {
    if (d->napp >= TOP_EVENTS / 2)
      return params_key_error(p, AKEY("repeats"), "more than %d applications in all", TOP_EVENTS / 2);
    const double s = t0 + (double)r * every;
    const double e = wipe ? s + dur : r < rep ? s + every : INFINITY;
    d->app[d->napp++] = (app_interval){s, e, conc};
  }
#undef AKEY
  return CS_OK;
}

/* dose: finite. The vehicle film is layer 0, in the reference phase (K = 1), and takes one
   application: its film is there from day 0, filled, and touches the skin only while applied. */
static cs_status read_finite_dose(topical *d, const params *p, const grid *g) {
  if (g->nlayers < 2)
    return params_key_error(p, KEY("dose"), "a finite dose needs the vehicle film as the top layer "
                            "above the skin's layers (layers: %d given)", g->nlayers);
  if (g->bc_top != BC_NOFLUX)
    return params_key_error(p, KEY("dose"), "a finite dose needs grid.boundary.surface: noflux "
                            "(the film's top is the air)");
  if (d->napp != 1)
    return params_key_error(p, KEY("dose"), "a finite dose takes exactly one application (%d "
                            "given, repeats included): the film is filled once", d->napp);
  d->D[0] = d->Dveh > 0 ? d->Dveh : d->Daq;
  d->K[0] = 1;
  return CS_OK;
}

static cs_status read_params(topical *d, const params *p, const grid *g) {
  d->finite = strcmp(params_str(p, KEY("dose")), "finite") == 0;
  d->ref = strcmp(params_str(p, KEY("reference")), "intact") == 0;
  d->sc = d->finite;
  if (strcmp(params_str(p, KEY("compound.coefficients")), "estimate") == 0) {
    estimate(d, g, params_real(p, KEY("compound.molecular_weight")),
             params_real(p, KEY("compound.log_kow")));
  } else {
    for (int l = 0; l < g->nlayers; l++) {
      d->D[l] = params_layer_real(p, KEY("compound.diffusivity_um2_per_day"), l);
      d->K[l] = params_layer_real(p, KEY("compound.partition"), l);
    }
  }
  const double tclose = params_real(p, KEY("channel.closure_h")) / 24;
  const double tbar = params_real(p, KEY("channel.barrier_recovery_h")) / 24;
  for (int l = 0; l < g->nlayers; l++) {
    d->S[l] = d->D[l] * d->K[l];
    d->kcl[l] = params_layer_real(p, KEY("clearance_per_day"), l);
    d->kclose[l] = log(20.0) / (l == d->sc && g->nlayers > d->sc + 1 ? tbar : tclose);
  }
  d->Daq = params_real(p, KEY("compound.channel_diffusivity_um2_per_day"));
  if (d->Daq == 0) d->Daq = stokes_einstein(params_real(p, KEY("compound.molecular_weight")));
  d->Kaq = params_real(p, KEY("compound.channel_partition"));
  d->kon = params_real(p, KEY("compound.binding_on_per_day"));
  d->koff = params_real(p, KEY("compound.binding_off_per_day"));
  d->Dveh = params_real(p, KEY("vehicle.diffusivity_um2_per_day"));
  d->arrival = params_real(p, KEY("arrival_threshold_ug_per_ml"));
  for (int i = 0; i < TOP_APPS; i++) CS_TRY(read_application(d, p, i));
  if (d->finite) {
    CS_TRY(read_finite_dose(d, p, g));
    d->S[0] = d->D[0] * d->K[0];
  }
  for (int a = 0; a < d->napp; a++) {
    d->ev[d->nev++] = d->app[a].start;
    if (isfinite(d->app[a].stop)) d->ev[d->nev++] = d->app[a].stop;
  }
  qsort(d->ev, (size_t)d->nev, sizeof(double), cmp_double);
  return CS_OK;
}

static void destroy(void *inst) {
  topical *d = inst;
  if (!d) return;
  protocol_free(d->prot);
  free(d);
}

static cs_status create(const params *p, const grid *g, void **inst) {
  topical *d = calloc(1, sizeof *d);
  if (!d) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  d->nlayers = g->nlayers;
  /* a layer's cells, not its nominal thickness: the layer means are over those */
  for (int k = 0; k < g->nz; k++) d->thick_cm[g->layer_of_z[k]] += g->h * 1e-4;
  cs_status st = protocol_create(&d->prot, p, g);
  if (st == CS_OK) st = read_params(d, p, g);
  d->surface_um = d->finite ? d->thick_cm[0] * 1e4 : 0;
  if (st == CS_OK && d->finite) protocol_set_surface(d->prot, d->surface_um);
  if (st != CS_OK) {
    destroy(d);
    return st;
  }
  *inst = d;
  return CS_OK;
}

static double diffusivity(const void *inst, int s, int layer) {
  const topical *d = inst;
  return s == CMP || (s == CMPI && d->ref) ? d->D[layer] : 0.0;
}

/* The compound's coefficients cell by cell: the conductivity D K of the layer's tissue and the
   open channel's fluid in parallel; the partition (capacity) stays the layer's, so that a
   closing channel changes how fast the compound moves, never how much a cell holds. */
static int cell_transport(const void *inst, int s, int layer, int n, const double *const *u,
                          double t, double *D, double *K) {
  const topical *d = inst;
  if (s != CMP && !(s == CMPI && d->ref)) return 0;
  if (d->finite && layer == 0) { /* the film: in contact with the skin only while applied */
    const double Dv = t >= d->app[0].start && t < d->app[0].stop ? d->D[0] : 0.0;
    for (int i = 0; i < n; i++) D[i] = Dv, K[i] = 1;
    return 1;
  }
  const double *p = n > 0 ? u[PORE] : NULL;
  const double Kl = d->K[layer], Sl = d->S[layer], Sa = d->Daq * d->Kaq;
  for (int i = 0; i < n; i++) {
    const double f = s == CMPI || p[i] < 0 ? 0.0 : p[i] > 1 ? 1.0 : p[i]; /* intact: no channel */
    D[i] = ((1 - f) * Sl + f * Sa) / Kl;
    K[i] = Kl;
  }
  return 1;
}

/* The vehicle's concentration while an application is on the skin (the largest, if several). */
static int surface_value(const void *inst, int s, double t, double *value) {
  const topical *d = inst;
  if ((s != CMP && !(s == CMPI && d->ref)) || d->finite)
    return -1; /* a finite dose: the film's top stays no-flux */
  double c = 0;
  for (int a = 0; a < d->napp; a++)
    if (t >= d->app[a].start && t < d->app[a].stop && d->app[a].conc > c) c = d->app[a].conc;
  *value = c;
  return c > 0;
}

static double next_event(const void *inst, double t) {
  const topical *d = inst;
  for (int e = 0; e < d->nev; e++)
    if (d->ev[e] > t) return d->ev[e];
  return INFINITY;
}

static double boundary_value(const void *inst, int s) {
  (void)inst;
  (void)s;
  return 0.0; /* a Dirichlet deep boundary is a perfect sink */
}

static void initial(const void *inst, const cell_info *c, double *u) {
  const topical *d = inst;
  for (int q = 0; q < (d->ref ? NSPEC : NBASE); q++) u[q] = 0;
  if (d->finite && c->layer == 0) u[CMP] = d->app[0].conc; /* the film, not yet on the skin */
  if (d->ref) u[CMPI] = u[CMP];
}

/* Free c, bound c + 1 and cleared c + 2 of one copy (CMP, or CMPI for intact skin) in layer l:
   f the rates, k the linear losses the integrator takes exactly. */
static void compound_rates(const topical *d, int l, int c, const double *u, double *f, double *k) {
  f[c] = d->koff * u[c + 1];
  k[c] = d->kcl[l] + d->kon;
  f[c + 1] = d->kon * u[c];
  k[c + 1] = d->koff;
  f[c + 2] = d->kcl[l] * u[c];
  k[c + 2] = 0;
}

static void reaction(const void *inst, const cell_info *c, double t, const double *u, double *f,
                     double *k) {
  const topical *d = inst;
  const int l = c->layer;
  (void)t;
  compound_rates(d, l, CMP, u, f, k);
  f[PORE] = 0;
  k[PORE] = d->kclose[l];
  if (d->ref) compound_rates(d, l, CMPI, u, f, k); /* intact skin: the same equations */
}

static void injure(const void *inst, const cell_info *c, const wound_info *w, double *u) {
  const topical *d = inst;
  if (d->finite && c->layer == 0) return; /* the film (the protocol gives it no wound anyway) */
  if (w->channel > 0) u[PORE] = 1 - (1 - u[PORE]) * (1 - w->channel);
}

static const treatment *get_treatment(const void *inst) {
  return protocol_treatment(((const topical *)inst)->prot);
}

/* The species the run has: the reference adds the intact copy (model_topical_ref). */
extern const model model_topical, model_topical_ref;
static const model *variant(const params *p) {
  return strcmp(params_str(p, KEY("reference")), "intact") == 0 ? &model_topical_ref : &model_topical;
}

#define TOPICAL_MODEL \
    .name = "topical", \
    .summary = "a topical compound through the stratum corneum and the open microneedle channels", \
    .params = model_params, \
    .species = species, \
    .report = report, \
    .nderived = ND, \
    .derived = derived, \
    .derived_values = derived_values, \
    .lag_derived = 1u << D_DELIVERED | 1u << D_DELIVERED_I, \
    .arrival_level = arrival_level, \
    .create = create, \
    .destroy = destroy, \
    .diffusivity = diffusivity, \
    .boundary_value = boundary_value, \
    .cell_transport = cell_transport, \
    .surface_value = surface_value, \
    .initial = initial, \
    .reaction = reaction, \
    .next_event = next_event, \
    .treatment = get_treatment, \
    .injure = injure, \
    .variant = variant,

const model model_topical = {TOPICAL_MODEL .nspecies = NBASE};
const model model_topical_ref = {TOPICAL_MODEL .nspecies = NSPEC};

