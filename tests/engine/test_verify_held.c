/* test_verify_held: the second-order step for a species solved with its transport
 * (model->implicit_loss / implicit_source: held through the reaction, its loss and the
 * trapezoid of its source in an unsplit transport solve; sim/engine/step2.h).
 *
 * Model: a growth factor s that diffuses (two layers, D 4e5 and 4e4 µm²/day), decays (k = 15
 * /day) and is released by an immobile source species m (σ = 2/day): ∂s/∂t = ∇·(D∇s) + σ m − k s,
 * ∂m/∂t = −k_m m. 2D, periodic x, no-flux surface and deep walls; m starts as a block of
 * cells under the surface (a channel's rim), s at 0.
 *
 * (a) Steady states do not move with dt. With k_m = 0 the exact discrete steady state solves
 *     (k − A) s = σ m; it is computed here by LU decomposition of the matrix assembled from
 *     the face definitions (docs/numerics.md), independently of the engine. Fixed steps of
 *     0.05 and 0.4 day (k dt = 0.75 and 6, D dt/h² up to 400) run to steady state; both must
 *     agree with it to 1e-10 relative (the residual of the approach, 200 steps, is below
 *     e^{−200·0.75}; what is left is rounding). The same model without the two hooks (the
 *     signal split from its transport, LOD) is run too, and its steady state must be off by
 *     more than 1e-3 at dt = 0.4 — so the comparison can tell the two apart.
 * (b) Order in time: with k_m = 3/day and m smooth in space ((1 + cos(2πx/L_x)/2)(1 +
 *     cos(πz/L_z)/2)) the source decays, s rises and falls over a day. Fixed
 *     steps dt = 1/640, 1/1280, 1/2560 day to t = 1 against a reference at dt = 1/40960 (whose
 *     own error is 1/256 of the finest run's at order 2): the observed order of the max-norm
 *     error must be >= 1.9 on both halvings. The order is asymptotic: it needs (k + λ) dt ≪ 1
 *     (here ≤ 0.025). At k dt = 0.75 (dt = 1/20) it measures 1.4, at 0.1 (1/160) 1.84: where
 *     (k + λ) dt is of order one the held species' error is first order with a coefficient
 *     that changes with (k + λ) dt, which the extrapolation cannot cancel; in the stiff limit
 *     the species is slaved to its source and exact again (a); docs/numerics.md. */
#include "verify_util.h"

#include <gsl/gsl_linalg.h>

enum { NX = 24, NZ = 18, NL = 2 };
static const double H = 20, DL[NL] = {4e5, 4e4}, K = 15, SIGMA = 2;

typedef struct {
  double km;
  int smooth; /* m smooth in space instead of a block */
} held_inst;

static double held_D(const void *inst, int s, int layer) {
  (void)inst;
  return s == 0 ? DL[layer] : 0.0;
}
static double held_bv(const void *inst, int s) {
  (void)inst, (void)s;
  return 0.0;
}
static int in_block(double x, double z) { return x > 180 && x < 300 && z < 120; }
static void held_initial(const void *inst, const cell_info *c, double *u) {
  const double Lx = NX * H, Lz = NZ * H;
  u[0] = 0.0;
  u[1] = ((const held_inst *)inst)->smooth
             ? (1 + 0.5 * cos(2 * CS_PI * c->x / Lx)) * (1 + 0.5 * cos(CS_PI * c->z / Lz))
             : in_block(c->x, c->z) ? 1.0 : 0.0;
}
static void held_reaction(const void *inst, const cell_info *c, double t, const double *u,
                          double *f, double *k) {
  (void)c, (void)t;
  f[0] = SIGMA * u[1];
  k[0] = K;
  f[1] = 0.0;
  k[1] = ((const held_inst *)inst)->km;
}
static double held_loss(const void *inst, int s) {
  (void)inst;
  return s == 0 ? K : -1;
}
static void held_source(const void *inst, int s, int layer, int n, double t,
                        const double *const *u, double *q) {
  (void)inst, (void)s, (void)layer, (void)t;
  for (int i = 0; i < n; i++) q[i] = SIGMA * u[1][i];
}
static const species_info held_species[2] = {{"s", "-", "growth factor", -1, 1},
                                             {"m", "-", "source cells", -1, 1}};
static const model model_held = {.name = "held", .nspecies = 2, .species = held_species,
                                 .diffusivity = held_D, .boundary_value = held_bv,
                                 .initial = held_initial, .reaction = held_reaction,
                                 .implicit_loss = held_loss, .implicit_source = held_source};
static const model model_split = {.name = "split", .nspecies = 2, .species = held_species,
                                  .diffusivity = held_D, .boundary_value = held_bv,
                                  .initial = held_initial, .reaction = held_reaction};

static int failures;

static void make_grid(grid *g) {
  vu_try(grid_init_simple(g, 2, NX, 1, NZ, H, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX, BC_NOFLUX),
         "grid");
  g->nlayers = NL;
  for (int k = 0; k < NZ; k++) g->layer_of_z[k] = k < 5 ? 0 : 1;
}

/* s after n fixed steps of dt from the initial state; out[NX * NZ]. */
static void run_fixed(const model *m, double km, double dt, long n, double *out) {
  grid g;
  make_grid(&g);
  held_inst hi = {km, km > 0};
  sim_options o = {.end_day = n * dt, .output_every_day = n * dt, .dt_initial = dt,
                   .dt_min = 1e-15, .dt_max = dt, .rtol = 1e-6, .atol = 1e-12, .adaptive = 0,
                   .scheme = SIM_SECOND_ORDER, .nthreads = 1, .signed_values = 1};
  sim s;
  vu_try(sim_init(&s, &g, m, &hi, &o), "sim_init");
  vu_advance_steps(&s, dt, n);
  memcpy(out, s.u[0], sizeof(double) * g.ncell);
  sim_free(&s);
  grid_free(&g);
}

/* The exact discrete steady state: (k − A) s = σ m, assembled from the faces. */
static void steady_exact(double *out) {
  grid g;
  make_grid(&g);
  const size_t n = g.ncell;
  gsl_matrix *M = gsl_matrix_calloc(n, n);
  gsl_vector *b = gsl_vector_calloc(n), *x = gsl_vector_alloc(n);
  gsl_permutation *p = gsl_permutation_alloc(n);
  if (!M || !b || !x || !p) vu_try(CS_ERR_NOMEM, "allocation");
  for (int z = 0; z < NZ; z++)
    for (int i = 0; i < NX; i++) {
      const size_t c = grid_index(&g, i, 0, z);
      const double D = DL[g.layer_of_z[z]];
      *gsl_matrix_ptr(M, c, c) += K;
      if (in_block(grid_xc(&g, i), grid_xc(&g, z))) gsl_vector_set(b, c, SIGMA);
      const size_t e = grid_index(&g, (i + 1) % NX, 0, z); /* periodic x face */
      const double gx = D / (H * H);
      *gsl_matrix_ptr(M, c, c) += gx, *gsl_matrix_ptr(M, e, e) += gx;
      *gsl_matrix_ptr(M, c, e) -= gx, *gsl_matrix_ptr(M, e, c) -= gx;
      if (z + 1 < NZ) { /* depth face: harmonic mean */
        const double D2 = DL[g.layer_of_z[z + 1]], gz = 2 * D * D2 / (D + D2) / (H * H);
        const size_t d = grid_index(&g, i, 0, z + 1);
        *gsl_matrix_ptr(M, c, c) += gz, *gsl_matrix_ptr(M, d, d) += gz;
        *gsl_matrix_ptr(M, c, d) -= gz, *gsl_matrix_ptr(M, d, c) -= gz;
      }
    }
  int sign;
  if (gsl_linalg_LU_decomp(M, p, &sign) || gsl_linalg_LU_solve(M, p, b, x))
    vu_try(CS_ERR_RUN, "LU solve");
  for (size_t c = 0; c < n; c++) out[c] = gsl_vector_get(x, c);
  gsl_permutation_free(p), gsl_vector_free(x), gsl_vector_free(b), gsl_matrix_free(M);
  grid_free(&g);
}

static double rel_diff(const double *a, const double *b) {
  double e = 0, m = 0;
  for (int c = 0; c < NX * NZ; c++) e = fmax(e, fabs(a[c] - b[c])), m = fmax(m, fabs(b[c]));
  return e / m;
}

int main(void) {
  static double ex[NX * NZ], u[NX * NZ], r[NX * NZ], e[3];
  char name[96];
  steady_exact(ex);
  const double dts[2] = {0.05, 0.4};
  for (int i = 0; i < 2; i++) {
    run_fixed(&model_held, 0, dts[i], 200, u);
    snprintf(name, sizeof name, "steady state, held signal, dt = %g day", dts[i]);
    failures += vu_le(name, rel_diff(u, ex), 1e-10, "exact discrete steady state (LU)");
  }
  run_fixed(&model_split, 0, 0.4, 200, u);
  failures += vu_report(rel_diff(u, ex) > 1e-3, "steady state, signal split (no hooks), dt 0.4",
                        rel_diff(u, ex), ">", 1e-3, "the splittings shift it by O(dt)");
  run_fixed(&model_held, 3, 1.0 / 40960, 40960, r);
  for (int i = 0; i < 3; i++) {
    const int n = 640 << i;
    run_fixed(&model_held, 3, 1.0 / n, n, u);
    e[i] = rel_diff(u, r);
    vu_info("dt = 1/%d day: max error %.3e relative", n, e[i]);
  }
  for (int i = 0; i < 2; i++) {
    snprintf(name, sizeof name, "temporal order, dt 1/%d -> 1/%d", 640 << i, 1280 << i);
    failures += vu_ge(name, log2(e[i] / e[i + 1]), 1.9, "held signal, decaying source");
  }
  printf("%s\n", failures ? "FAILED" : "all passed");
  return failures != 0;
}
