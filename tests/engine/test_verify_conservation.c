/* test_verify_conservation: mass conservation and non-negativity of chemotactic transport.
 *
 * A test-local model (no shipped model has a chemotactic species yet): species 0 is an
 * attractant a (optionally diffusing, no reaction), species 1 are cells n that diffuse and
 * climb ∇a with a constant sensitivity χ. No reactions (f = 0, k = 0: the Lawson step is the
 * identity), so ∑ n over the cells may change only by rounding.
 *
 * The attractant is a ramp rising along every axis (x/Lx + y/Ly + z/Lz) plus a jump of S = 1
 * at x = 0.6 Lx, where the cell Péclet number χ S/D_n = 200 ≫ 1; with periodic walls the ramp
 * also jumps back at the wrap. The step is far above any explicit limit: at the jump the
 * advective Courant number χ S dt/h² is 100, along the ramp ~2, and D_n dt/h² = 0.5.
 *
 * The last case steps adaptively (dt ≤ dt_max between the checks), rejected steps included.
 * Every case runs the default second-order scheme, whose extrapolation 2 u_f − u_c undershoots
 * at the jump (sim/engine/step2.h): its positivity remedy sets those cells to 0 and takes the mass
 * back from the cells with a positive correction. The cells it set to 0 are counted, and the
 * test asserts the remedy acted (else these cases would not test it); one case repeats with
 * the first-order scheme, whose sweeps are M-matrices and need no remedy.
 *
 * Asserted, every step (every dt_max when adaptive):
 *   - |∑n − ∑n0| / ∑n0 ≤ 1e-12: each directional sweep's matrix has columns summing to one
 *     (no-flux and periodic), so only rounding changes the sum: ~ncell·eps·(steps) relative
 *     growth at worst, ~1e-13 for 200 steps of 1e4 cells;
 *   - min n ≥ −1e-15·max n: the sweeps are M-matrices, the Thomas elimination of a no-flux line
 *     adds only non-negative terms (exactly ≥ 0); a periodic line's Sherman–Morrison correction
 *     subtracts, so rounding may leave −eps·max there;
 * and, for a static attractant, at the end the cells' centre of mass has moved up the gradient
 * along every axis by more than 10 % of the box (a check on the sign of the chemotactic flux). */
#include "verify_util.h"

typedef struct {
  int dims;
  double Da, Dn, chi, S, L[3];
} chemo_inst;

static const species_info chemo_species[] = {
    {"a", "-", "attractant", -1, 0},
    {"n", "cells", "cells", 0, 0},
};

static double ch_D(const void *inst, int s, int layer) {
  (void)layer;
  const chemo_inst *c = inst;
  return s == 0 ? c->Da : c->Dn;
}
static double ch_chi(const void *inst, int s, int layer, double a) {
  (void)s;
  (void)layer;
  (void)a;
  return ((const chemo_inst *)inst)->chi;
}
static double ch_bv(const void *inst, int s) {
  (void)inst;
  (void)s;
  return 0;
}
static void ch_initial(const void *inst, const cell_info *c, double *u) {
  const chemo_inst *m = inst;
  double ramp = c->x / m->L[0] + c->z / m->L[2] + (m->dims == 3 ? c->y / m->L[1] : 0);
  u[0] = ramp + (c->x > 0.6 * m->L[0] ? m->S : 0);
  /* a deterministic, positive, uneven cell field in [0.5, 1.5] */
  double r = sin(12.9898 * c->x + 78.233 * c->z + 37.719 * c->y) * 43758.5453;
  u[1] = 1.0 + (r - floor(r) - 0.5);
}
static const model model_chemo = {
    .name = "chemo",
    .summary = "test: attractant ramp with a jump, chemotactic cells",
    .nspecies = 2,
    .species = chemo_species,
    .diffusivity = ch_D,
    .chemotaxis = ch_chi,
    .boundary_value = ch_bv,
    .initial = ch_initial,
    .reaction = vu_no_reaction2,
};

static void com(const sim *s, double *c) {
  const grid *g = s->g;
  double w = 0;
  c[0] = c[1] = c[2] = 0;
  for (int k = 0; k < g->nz; k++)
    for (int j = 0; j < g->ny; j++)
      for (int i = 0; i < g->nx; i++) {
        double n = s->u[1][grid_index(g, i, j, k)];
        w += n;
        c[0] += n * grid_xc(g, i);
        c[1] += n * grid_xc(g, j);
        c[2] += n * grid_xc(g, k);
      }
  for (int d = 0; d < 3; d++) c[d] /= w;
}

static long limited_total; /* cells the positivity remedy set to 0, all cases */

static int run_case(const char *name, int dims, int nx, int ny, int nz, bc_kind lateral,
                    double Da, int adaptive, int quick, int scheme) {
  const double h = 10, dt = 0.5;
  const int steps = quick ? 60 : 200;
  grid g;
  vu_try(grid_init_simple(&g, dims, nx, ny, nz, h, lateral, lateral, BC_NOFLUX, BC_NOFLUX),
         "grid_init_simple");
  chemo_inst ci = {.dims = dims, .Da = Da, .Dn = 100, .chi = 2e4, .S = 1,
                   .L = {g.size[0], g.size[1], g.size[2]}};
  sim_options o = {.end_day = steps * dt, .output_every_day = steps * dt, .dt_initial = dt,
                   .dt_min = 1e-9, .dt_max = dt, .rtol = 1e-3, .atol = 1e-6, .adaptive = adaptive,
                   .scheme = scheme,
                   .nthreads = 1}; /* small grids; thread independence: test_verify_threads */
  sim s;
  vu_try(sim_init(&s, &g, &model_chemo, &ci, &o), "sim_init");
  const double n0 = vu_total_exact(&s, 1), a0 = vu_total_exact(&s, 0);
  double c0[3], c1[3];
  com(&s, c0);
  double worst_mass = 0, worst_neg = INFINITY, worst_amass = 0;
  for (int st = 1; st <= steps; st++) {
    vu_try(sim_advance_to(&s, st * dt), "sim_advance_to");
    double n1 = vu_total_exact(&s, 1);
    worst_mass = fmax(worst_mass, fabs(n1 / n0 - 1));
    worst_amass = fmax(worst_amass, fabs(vu_total_exact(&s, 0) / a0 - 1));
    double mn = vu_min(s.u[1], g.ncell), mx = vu_max(s.u[1], g.ncell);
    worst_neg = fmin(worst_neg, mn / mx);
    if (!isfinite(n1)) break;
  }
  com(&s, c1);
  const double mx = vu_max(s.u[1], g.ncell);
  int fails = 0;
  char label[128];
  printf("-- %s: %dx%dx%d cells, %ld steps (%ld rejected), dt_max = %g day, max n/mean n at the "
         "end = %.3g\n",
         name, g.nx, g.ny, g.nz, s.nsteps, s.nrejected, dt,
         mx / (n0 / (double)g.ncell / grid_cell_volume(&g)));
  snprintf(label, sizeof label, "%s: max |sum n / sum n0 - 1|", name);
  fails += vu_le(label, worst_mass, 1e-12, "column sums 1: rounding only");
  snprintf(label, sizeof label, "%s: max |sum a / sum a0 - 1|", name);
  fails += vu_le(label, worst_amass, 1e-12, "rounding only");
  snprintf(label, sizeof label, "%s: min over steps of min n / max n", name);
  fails += vu_ge(label, worst_neg, -1e-15,
                 scheme == SIM_FIRST_ORDER ? "M-matrix sweeps" : "M-matrix sweeps + remedy");
  vu_info("%s: cells set to 0 by the positivity remedy: %ld (%.2g per cell and step)", name,
          s.nlimited, (double)s.nlimited / ((double)g.ncell * (double)s.nsteps));
  limited_total += s.nlimited;
  /* With a diffusing attractant the ramp flattens within the run (L²/D_a ~ 100 days), so the
     centre of mass is only reported there. */
  const char *axis[3] = {"x", "y", "z"};
  for (int d = 0; d < 3; d++) {
    if (d == 1 && dims == 2) continue;
    double shift = (c1[d] - c0[d]) / g.size[d];
    snprintf(label, sizeof label, "%s: centre of mass shift in %s / L%s", name, axis[d], axis[d]);
    if (Da == 0)
      fails += vu_ge(label, shift, 0.1, "up the gradient");
    else
      vu_info("%s = %.4f", label, shift);
  }
  sim_free(&s);
  grid_free(&g);
  return fails;
}

int main(void) {
  const int quick = vu_quick();
  double t0 = vu_now();
  int fails = 0;
  fails += run_case("2D no-flux, static a", 2, 64, 1, 32, BC_NOFLUX, 0, 0, quick, SIM_SECOND_ORDER);
  fails += run_case("2D no-flux, diffusing a", 2, 64, 1, 32, BC_NOFLUX, 400, 0, quick, SIM_SECOND_ORDER);
  fails += run_case("2D periodic x, static a", 2, 64, 1, 32, BC_PERIODIC, 0, 0, quick, SIM_SECOND_ORDER);
  fails += run_case("3D no-flux, diffusing a", 3, 24, 20, 16, BC_NOFLUX, 400, 0, quick, SIM_SECOND_ORDER);
  fails += run_case("3D periodic x and y, static a", 3, 24, 20, 16, BC_PERIODIC, 0, 0, quick, SIM_SECOND_ORDER);
  fails += run_case("3D periodic x and y, diffusing a", 3, 23, 19, 17, BC_PERIODIC, 400, 0, quick, SIM_SECOND_ORDER);
  /* adaptive steps (rejected steps restore the state) */
  fails += run_case("3D periodic, static a, adaptive", 3, 23, 19, 17, BC_PERIODIC, 0, 1, quick, SIM_SECOND_ORDER);
  fails += vu_ge("positivity remedy exercised (cells set to 0, all cases)", (double)limited_total,
                 1, "the extrapolation undershoots at the Peclet-200 jump");
  fails += run_case("2D no-flux, static a, first order", 2, 64, 1, 32, BC_NOFLUX, 0, 0, quick,
                    SIM_FIRST_ORDER);
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_conservation: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_conservation: all checks passed\n");
  return 0;
}
