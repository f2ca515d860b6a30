/* fisher: a verification model — logistic growth with diffusion (Fisher–KPP).
 *
 *   ∂u/∂t = ∇·(D ∇u) + r u (1 − u/K)
 *
 * From a step the front travels at speed → 2√(rD) (Bramson: position ≈ 2√(rD) t −
 * (3/2)√(D/r) ln t + const); in a well-mixed cell u follows the logistic closed form
 * u(t) = K u0 e^{rt} / (K + u0 (e^{rt} − 1)). Values are the test's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct {
  double D[PARAMS_MAX_LAYERS], r[PARAMS_MAX_LAYERS];
  double K, u0, step_x;
  int step;
} fisher;

static const param_desc model_params[] = {
    {"fisher.D_um2_per_day", P_REAL, "µm²/day", "1e4", 0, 1e12, NULL, 1, 0, 0,
     "diffusivity (per layer)"},
    {"fisher.rate_per_day", P_REAL, "1/day", "1", 0, 1e9, NULL, 1, 0, 0,
     "growth rate r (per layer)"},
    {"fisher.capacity", P_REAL, "-", "1", 1e-30, 1e30, NULL, 0, 0, 0, "carrying capacity K"},
    {"fisher.initial.kind", P_ENUM, "", "uniform", 0, 0, "uniform|step_x", 0, 0, 0,
     "uniform: u0 everywhere; step_x: K for x < step_x_um, u0 beyond"},
    {"fisher.initial.value", P_REAL, "-", "0.01", 0, 1e30, NULL, 0, 0, 0, "initial value u0"},
    {"fisher.initial.step_x_um", P_REAL, "µm", "0", -1e9, 1e9, NULL, 0, 0, 0,
     "position of the initial step"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const species_info species[] = {
    {"u", "-", "population density relative to capacity units", -1, 0},
};

static cs_status create(const params *p, const grid *g, void **inst) {
  fisher *f = calloc(1, sizeof *f);
  if (!f) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int l = 0; l < g->nlayers; l++) {
    f->D[l] = params_layer_real(p, "fisher.D_um2_per_day", l);
    f->r[l] = params_layer_real(p, "fisher.rate_per_day", l);
  }
  f->K = params_real(p, "fisher.capacity");
  f->u0 = params_real(p, "fisher.initial.value");
  f->step = strcmp(params_str(p, "fisher.initial.kind"), "step_x") == 0;
  f->step_x = params_real(p, "fisher.initial.step_x_um");
  *inst = f;
  return CS_OK;
}

static void destroy(void *inst) { free(inst); }

static double diffusivity(const void *inst, int s, int layer) {
  (void)s;
  return ((const fisher *)inst)->D[layer];
}

static double boundary_value(const void *inst, int s) {
  (void)s;
  return ((const fisher *)inst)->K;
}

static void initial(const void *inst, const cell_info *c, double *u) {
  const fisher *f = inst;
  u[0] = f->step && c->x < f->step_x ? f->K : f->u0;
}

static void reaction(const void *inst, const cell_info *c, double t, const double *u, double *dudt,
                     double *k) {
  const fisher *f = inst;
  (void)t;
  dudt[0] = f->r[c->layer] * u[0] * (1 - u[0] / f->K);
  k[0] = 0;
}

const model model_fisher = {
    .name = "fisher",
    .summary = "verification: Fisher–KPP logistic growth with diffusion",
    .params = model_params,
    .nspecies = 1,
    .species = species,
    .create = create,
    .destroy = destroy,
    .diffusivity = diffusivity,
    .chemotaxis = NULL,
    .boundary_value = boundary_value,
    .cell_source = NULL,
    .initial = initial,
    .reaction = reaction,
    .next_event = NULL,
};
