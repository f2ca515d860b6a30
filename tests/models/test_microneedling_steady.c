/* Untreated skin is an exact steady state of the microneedling model: with no session, every
 * field of every species stays within 0.1 % of its initial value over 365 days, in 2D and 3D
 * (issue 3), and so are the acne-scar and photo-aged starting states (issue 14): every one of
 * the 13 species. The baseline rates are derived so that the untreated layer state is an
 * equilibrium of the reaction (checked here to rounding in 0-D), and fibroblasts only move
 * between layers of equal density, so transport leaves it alone too. */
#include "test_microneedling_util.h"

#include "reaction.h"

/* max over cells and species of |u - u0| / max(|u0|, floor), floor = 1e-9 of the species'
   largest initial value (zero fields must stay zero to that level) */
static double max_rel_drift(const sim *s, double *const *u0) {
  double worst = 0;
  for (int q = 0; q < s->ns; q++) {
    double scale = 0;
    for (size_t c = 0; c < s->g->ncell; c++) scale = fmax(scale, fabs(u0[q][c]));
    double floor = scale > 0 ? 1e-9 * scale : 1e-12;
    for (size_t c = 0; c < s->g->ncell; c++) {
      double d = fabs(s->u[q][c] - u0[q][c]) / fmax(fabs(u0[q][c]), floor);
      if (d > worst) worst = d;
    }
  }
  return worst;
}

static int run_case(const char *label, int dims, const char *const *sets, int nsets) {
  char yaml[4096];
  double h = mn_quick() ? 25 : 20;
  snprintf(yaml, sizeof yaml,
           "model: microneedling\n"
           "grid: {dims: %d, size_um: %s, spacing_um: %g,\n"
           "       boundary: {x: periodic, y: periodic, surface: noflux, deep: noflux}}\n"
           "time: {end_day: 365, output_every_day: 365, dt_max_day: 5}\n"
           "%s"
           "protocol: {pattern: {density_per_cm2: 15}, sessions: {day: []}}\n",
           dims, dims == 2 ? "[2600, 2500]" : "[200, 200, 2500]", h, mn_skin());
  params p;
  mn_try(mn_load(&p, yaml, sets, nsets), "load");
  sim s;
  mn_try(sim_create(&s, &p, 2), "sim_create");
  double *u0[MODEL_MAX_SPECIES];
  for (int q = 0; q < s.ns; q++) {
    u0[q] = malloc(sizeof(double) * s.g->ncell);
    memcpy(u0[q], s.u[q], sizeof(double) * s.g->ncell);
  }
  mn_run(&s);
  char name[128];
  snprintf(name, sizeof name, "%s: max relative drift over 365 days", label);
  int fails = mn_le(name, max_rel_drift(&s, u0), 1e-3, "issue 3: within 0.1 %");
  snprintf(name, sizeof name, "%s: reached day", label);
  fails += mn_ge(name, s.t, 365, "ran to the end");
  for (int q = 0; q < s.ns; q++) free(u0[q]);
  sim_free(&s);
  params_free(&p);
  return fails;
}

/* 0-D: each layer's untreated state under the reaction alone for 365 days. */
static int zero_d(void) {
  char yaml[4096];
  snprintf(yaml, sizeof yaml,
           "model: microneedling\ngrid: {dims: 2, size_um: [100, 2500], spacing_um: 100}\n"
           "time: {end_day: 1}\n%s"
           "protocol: {pattern: {density_per_cm2: 15}, sessions: {day: []}}\n",
           mn_skin());
  params p;
  mn_try(mn_load(&p, yaml, NULL, 0), "load");
  grid g;
  mn_try(grid_init(&g, &p), "grid");
  const model *m = model_find("microneedling");
  void *inst;
  mn_try(m->create(&p, &g, &inst), "create");
  double worst = 0;
  for (int l = 0; l < g.nlayers; l++) {
    cell_info c = {l, 50, 50, g.layer_top[l] + 1, 0};
    double u[MODEL_MAX_SPECIES], u0[MODEL_MAX_SPECIES], f[MODEL_MAX_SPECIES], k[MODEL_MAX_SPECIES];
    m->initial(inst, &c, u);
    memcpy(u0, u, sizeof u);
    m->reaction(inst, &c, 0, u, f, k);
    for (int q = 0; q < m->nspecies; q++) {
      double r = fabs(f[q] - k[q] * u[q]) / fmax(fabs(u[q]), 1e-300);
      if (u[q] != 0 && r > worst) worst = r;
      if (u[q] == 0 && f[q] != 0) worst = INFINITY;
    }
    long sub = 0;
    mn_try(reaction_integrate_cell(m, inst, &c, u, 0, 365, 1e-6, 1e-9, &sub), "integrate");
    for (int q = 0; q < m->nspecies; q++)
      if (fabs(u[q] - u0[q]) > 1e-9 * fmax(fabs(u0[q]), 1)) worst = fmax(worst, 1.0);
  }
  int fails = mn_le("0-D: |f - k u| / u at the untreated state", worst, 1e-12,
                    "exact equilibrium up to rounding");
  m->destroy(inst);
  grid_free(&g);
  params_free(&p);
  return fails;
}

int main(void) {
  int fails = zero_d();
  fails += run_case("2D", 2, NULL, 0);
  fails += run_case("3D", 3, NULL, 0);
  /* skin conditions as starting states are steady states of their own (issue 14) */
  static const char *const scar[] = {
      "microneedling.initial.scar.width_um=1000", "microneedling.initial.scar.depth_um=400",
      "microneedling.initial.scar.collagen_deficit=0.6",
      "microneedling.initial.scar.epidermal_depression=0.3",
      "microneedling.initial.scar.center_x_um=1300"};
  static const char *const aged[] = {"microneedling.initial.collagen_factor={papillary: 0.7, reticular: 0.85}",
                                     "microneedling.initial.fibroblast_factor=0.75"};
  fails += run_case("2D acne scar", 2, scar, 5);
  fails += run_case("2D photo-aged", 2, aged, 2);
  /* layers of their own fibroblast density, both motile: motility evens out f/f0, so the
     untreated skin stays as it is (assumed densities, a test of the transport's partition) */
  static const char *const layered[] = {
      "microneedling.fibroblast.density_per_mm3={epidermis: 0, papillary: 1600, reticular: 1000, "
      "hypodermis: 300}"};
  fails += run_case("2D papillary 1600, reticular 1000 fibroblasts/mm³", 2, layered, 1);
  fails += run_case("3D papillary 1600, reticular 1000 fibroblasts/mm³", 3, layered, 1);
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
