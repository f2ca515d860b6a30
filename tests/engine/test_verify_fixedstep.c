/* test_verify_fixedstep: with time.adaptive = false the step is dt_max, landing exactly on the
 * target times. When the interval to a target is a whole number of steps, the run must take
 * exactly that many steps of dt_max, whatever the rounding of the accumulated time t.
 *
 * The cases are the everyday ones: dt = 0.05 day to 2 days with outputs every 0.25 day (the
 * shipped example's time settings with adaptive off), dt = 0.1 to 1, dt = 0.01 to 1, dt = 8e-4
 * to 0.08. t accumulates as t + dt, which falls a few ulp short of the target (e.g. 9 × 0.1 +
 * 0.1 = 0.9999999999999999 < 1); a step that should land must not be treated as "two even
 * steps rather than one long and one sliver". Asserted: the step count, and that the last step
 * was a full dt_max (|dt_prev/dt_max − 1| ≤ 1e-9). Exact dyadic steps are checked as a control.
 */
#include "verify_util.h"

static const species_info fs_species[] = {{"u", "-", "tracer", -1, 0}};
static double fs_D(const void *inst, int s, int l) {
  (void)inst;
  (void)s;
  (void)l;
  return 1.0;
}
static void fs_initial(const void *inst, const cell_info *c, double *u) {
  (void)inst;
  u[0] = c->x;
}
static void fs_reaction(const void *inst, const cell_info *c, double t, const double *u,
                        double *f, double *k) {
  (void)inst;
  (void)c;
  (void)t;
  (void)u;
  f[0] = 0;
  k[0] = 0;
}
static const model model_fs = {
    .name = "fixedstep",
    .summary = "test: tracer",
    .nspecies = 1,
    .species = fs_species,
    .diffusivity = fs_D,
    .initial = fs_initial,
    .reaction = fs_reaction,
};

static int check(const char *name, double dt, double every, double end) {
  grid g;
  vu_try(grid_init_simple(&g, 2, 4, 1, 3, 10, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX, BC_NOFLUX),
         "grid_init_simple");
  sim_options o = {.end_day = end, .output_every_day = every, .dt_initial = dt, .dt_min = 1e-12,
                   .dt_max = dt, .rtol = 1e-3, .atol = 1e-6, .adaptive = 0, .nthreads = 1};
  sim s;
  vu_try(sim_init(&s, &g, &model_fs, NULL, &o), "sim_init");
  long nout = lround(end / every);
  for (long n = 1; n <= nout; n++) vu_try(sim_advance_to(&s, fmin(n * every, end)), "advance");
  long want = lround(end / dt);
  char label[160];
  int fails = 0;
  snprintf(label, sizeof label, "%s: steps taken", name);
  fails += vu_near(label, (double)s.nsteps, (double)want, 0, "one step of dt_max per dt_max");
  snprintf(label, sizeof label, "%s: last step / dt_max - 1", name);
  fails += vu_le(label, fabs(s.dt_prev / dt - 1), 1e-9, "the last step is a full step");
  snprintf(label, sizeof label, "%s: t at the end - end_day", name);
  fails += vu_le(label, fabs(s.t - end), 0, "lands exactly");
  sim_free(&s);
  grid_free(&g);
  return fails;
}

int main(void) {
  int fails = 0;
  fails += check("dyadic control: dt 1/16 to 2, outputs 1/4", 1.0 / 16, 0.25, 2);
  fails += check("dt 0.05 to 2, outputs 0.25", 0.05, 0.25, 2);
  fails += check("dt 0.1 to 1", 0.1, 1, 1);
  fails += check("dt 0.01 to 1", 0.01, 1, 1);
  fails += check("dt 8e-4 to 0.08", 8e-4, 0.08, 0.08);
  if (fails) {
    printf("test_verify_fixedstep: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_fixedstep: all checks passed\n");
  return 0;
}
