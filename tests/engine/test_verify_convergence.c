/* test_verify_convergence: orders of accuracy of the transport and of the split step, for both
 * time schemes (time.scheme: second_order, the default, and first_order).
 *
 * (a) Exactness of the discrete operator. A product of cosines/sines sampled at the cell centres,
 *     cos(κx) with periodic or no-flux walls, sin(κz) with Dirichlet 0 walls, cos(κz) with
 *     no-flux top and Dirichlet bottom (quarter wave), is an exact eigenvector of the
 *     cell-centred 3-point operator with eigenvalue λ_d = (4D/h²) sin²(κ_d h/2) per direction
 *     (the boundary closures are the mirror images of these modes). Backward Euler per
 *     direction (LOD) then multiplies it by Π_d 1/(1 + dt λ_d) per step, exactly; the
 *     second-order scheme (two LOD steps of dt/2 extrapolated against one of dt, the reaction
 *     being the identity) by 2 Π_d (1 + dt λ_d/2)^−2 − Π_d (1 + dt λ_d)^−1. The engine must
 *     reproduce both to rounding (asserted 1e-12 of the amplitude after 20 steps): this
 *     pins down the periodic Sherman–Morrison corner terms, the no-flux and the Dirichlet
 *     closures, in 2D and 3D, including a periodic direction of 5 cells, and the extrapolation.
 * (b) Spatial order against the continuous solution c = cos(2πx/L) cos(πz/Lz) e^{−λt}
 *     (periodic x, no-flux z), second-order scheme with a dt for which the time error
 *     (relatively T λ³ dt²/6, λ = Σλ_d) is < 0.1 % of the finest space error (T Σλ_d(κ_d h)²/12):
 *     h, h/2, h/4, fitted order asserted ≥ 1.9.
 * (c) Spatial order on a layered problem with a Dirichlet surface: steady diffusion–decay in
 *     two layers (D contrast 10, interface on a cell face, harmonic-mean face diffusivity),
 *     model diffusion, first-order scheme (its fixed point has a closed form; the second-order
 *     one is measured in time by (d) and test_verify_order2). With uniform k the Strang step
 *     R(dt/2) T(dt) R(dt/2) has the fixed point
 *     (k_eff − A) u = a g ub, a = e^{−k dt/2}, k_eff = (1 − e^{−k dt})/dt: the discrete steady
 *     state with decay k_eff and boundary value a·ub. So a large step (k dt = 1) reaches it in
 *     a few dozen steps and the comparison with the closed form (cosh/sinh per layer, matched
 *     value and flux) for k_eff, a·ub holds no time error at all: order asserted ≥ 1.9.
 * (d) Temporal order, fixed h, both schemes: (d1) the mode of (b) against the semi-discrete
 *     exact solution e^{−λ_h t}, dt = T/8 ... T/64; (d2) logistic reaction + diffusion
 *     (nonlinear, split), successive differences of dt = T/8 ... T/128 (no reference needed),
 *     reaction tolerance 1e-10 so the ETD error is negligible. Asserted 1 ± 0.15 for the first-
 *     order scheme (backward Euler per direction; a smaller order would mean an O(1)
 *     inconsistency, a larger one a step that is not what the headers say) and 2 ± 0.15 for
 *     the second-order one (test_verify_order2 adds decay and chemotaxis). */
#include "verify_util.h"

extern const model model_diffusion;

/* ---- a test-local model: one species, constant D, logistic reaction, a separable initial
   state off + amp Π_d f_d(x_d) with f_d = cos(κ_d x) or sin(κ_d x) ---- */
typedef struct {
  int dims;
  double D, r, off, amp;
  double kap[3];
  int sine[3];
} mode_inst;

static const species_info mode_species[] = {{"u", "-", "test mode", -1, 0}};

static double mode_D(const void *inst, int s, int layer) {
  (void)s;
  (void)layer;
  return ((const mode_inst *)inst)->D;
}
static double mode_bv(const void *inst, int s) {
  (void)inst;
  (void)s;
  return 0.0;
}
static double mode_shape(const mode_inst *m, double x, double y, double z) {
  double p[3] = {x, y, z}, v = 1;
  for (int d = 0; d < 3; d++) {
    if (d == 1 && m->dims == 2) continue;
    v *= m->sine[d] ? sin(m->kap[d] * p[d]) : cos(m->kap[d] * p[d]);
  }
  return v;
}
static void mode_initial(const void *inst, const cell_info *c, double *u) {
  const mode_inst *m = inst;
  u[0] = m->off + m->amp * mode_shape(m, c->x, c->y, c->z);
}
static void mode_reaction(const void *inst, const cell_info *c, double t, const double *u,
                          double *f, double *k) {
  (void)c;
  (void)t;
  const mode_inst *m = inst;
  f[0] = m->r * u[0] * (1 - u[0]);
  k[0] = 0;
}

static const model model_mode = {
    .name = "mode",
    .summary = "test: separable Fourier mode, logistic reaction",
    .nspecies = 1,
    .species = mode_species,
    .diffusivity = mode_D,
    .boundary_value = mode_bv,
    .initial = mode_initial,
    .reaction = mode_reaction,
};

/* The scheme the next sims are built with (SIM_SECOND_ORDER or SIM_FIRST_ORDER). */
static int scheme = SIM_SECOND_ORDER;
static const char *scheme_name(void) {
  return scheme == SIM_FIRST_ORDER ? "first order" : "second order";
}

static void init_sim(sim *s, const grid *g, mode_inst *mi, double dt, double rtol) {
  sim_options o = {.end_day = 1,
                   .output_every_day = 1,
                   .dt_initial = dt,
                   .dt_min = 1e-15,
                   .dt_max = dt,
                   .rtol = rtol,
                   .atol = 1e-14,
                   .adaptive = 0,
                   .scheme = scheme,
                   .nthreads = 1}; /* <= 2048 cells: threads would only add synchronisation */
  vu_try(sim_init(s, g, &model_mode, mi, &o), "sim_init");
}

static double eig(double D, double h, double kap) {
  double sn = sin(0.5 * kap * h);
  return 4 * D / (h * h) * sn * sn;
}

/* (a) one case: returns failures. */
typedef struct {
  const char *name;
  int dims, n[3];
  bc_kind bx, by, btop, bbot;
  double kap_per_L[3]; /* κ_d * L_d */
  int sine[3];
} exact_case;

static int exact_discrete(const exact_case *ec) {
  const double h = 10, D = 1e4, dt = 0.004;
  const int N = 20;
  grid g;
  vu_try(grid_init_simple(&g, ec->dims, ec->n[0], ec->n[1], ec->n[2], h, ec->bx, ec->by, ec->btop,
                          ec->bbot),
         "grid_init_simple");
  mode_inst mi = {.dims = ec->dims, .D = D, .r = 0, .off = 0, .amp = 1};
  double coarse = 1, fine = 1;
  for (int d = 0; d < 3; d++) {
    mi.kap[d] = ec->kap_per_L[d] / (g.size[d]);
    mi.sine[d] = ec->sine[d];
    if (d == 1 && ec->dims == 2) continue;
    const double z = dt * eig(D, h, mi.kap[d]);
    coarse /= 1 + z;
    fine /= (1 + 0.5 * z) * (1 + 0.5 * z);
  }
  const double fac = pow(scheme == SIM_FIRST_ORDER ? coarse : 2 * fine - coarse, N);
  sim s;
  init_sim(&s, &g, &mi, dt, 1e-6);
  vu_advance_steps(&s, dt, N);
  double err = 0;
  for (int k = 0; k < g.nz; k++)
    for (int j = 0; j < g.ny; j++)
      for (int i = 0; i < g.nx; i++) {
        double ex = fac * mode_shape(&mi, grid_xc(&g, i), grid_xc(&g, j), grid_xc(&g, k));
        err = fmax(err, fabs(s.u[0][grid_index(&g, i, j, k)] - ex));
      }
  char name[96];
  snprintf(name, sizeof name, "(a) %s, %s: max |u - exact discrete|", ec->name, scheme_name());
  int f = vu_le(name, err, 1e-12, "rounding only");
  vu_info("(a) %s, %s: decay factor after %d steps = %.6f", ec->name, scheme_name(), N, fac);
  sim_free(&s);
  grid_free(&g);
  return f;
}

/* (b) and (d1): case "periodic x / no-flux z" on an nx x nx/2 grid; returns the max error
   against the continuous (semi = 0) or the semi-discrete (semi = 1) solution at T, relative to
   the largest value of that solution on the grid. */
static double mode_error(int nx, double dt, double T, int semi) {
  const double Lx = 1600, Lz = 800, D = 1e4;
  const double h = Lx / nx;
  grid g;
  vu_try(grid_init_simple(&g, 2, nx, 1, nx / 2, h, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX, BC_NOFLUX),
         "grid_init_simple");
  mode_inst mi = {.dims = 2, .D = D, .r = 0, .off = 0, .amp = 1};
  mi.kap[0] = 2 * CS_PI / Lx;
  mi.kap[2] = CS_PI / Lz;
  double lam = semi ? eig(D, h, mi.kap[0]) + eig(D, h, mi.kap[2])
                    : D * (mi.kap[0] * mi.kap[0] + mi.kap[2] * mi.kap[2]);
  sim s;
  init_sim(&s, &g, &mi, dt, 1e-6);
  long N = lround(T / dt);
  vu_advance_steps(&s, dt, N);
  double err = 0, emax = 0;
  for (int k = 0; k < g.nz; k++)
    for (int i = 0; i < g.nx; i++) {
      double ex = exp(-lam * T) * mode_shape(&mi, grid_xc(&g, i), 0, grid_xc(&g, k));
      err = fmax(err, fabs(s.u[0][grid_index(&g, i, 0, k)] - ex));
      emax = fmax(emax, fabs(ex));
    }
  sim_free(&s);
  grid_free(&g);
  /* relative to the largest sampled value: the cell centres miss the crests by h/2, which
     would otherwise bias the observed order (a factor cos²(κh/2) between grids) */
  return err / emax;
}

/* (c) two-layer steady state, h = 400/nz µm; returns max |u - c| / ub. */
static double layered_error(int nz, double *keff_out) {
  const double Lz = 400, z1 = 160, D1 = 2e4, D2 = 2e5, k = 2, ub = 1, dt = 1 / k;
  const double h = Lz / nz;
  char yaml[1536];
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid: {dims: 2, size_um: [%.17g, %g], spacing_um: %.17g,\n"
           "       boundary: {x: noflux, surface: dirichlet, deep: noflux}}\n"
           "layers:\n"
           "  - {name: upper, thickness_um: %g}\n"
           "  - {name: lower, thickness_um: %g}\n"
           "time: {end_day: 100, dt_max_day: %g, dt_initial_day: %g, adaptive: false,\n"
           "       scheme: first_order}\n"
           "diffusion: {D_um2_per_day: {upper: %g, lower: %g}, decay_per_day: %g,\n"
           "            boundary_value: %g}\n",
           2 * h, Lz, h, z1, Lz - z1, dt, dt, D1, D2, k, ub);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  vu_advance_steps(&s, dt, 200); /* per step the slowest mode shrinks by >= e^{-1} */
  const double a = exp(-0.5 * k * dt), keff = (1 - exp(-k * dt)) / dt;
  *keff_out = keff;
  /* c1 = P cosh(m1 z) + Q sinh(m1 z) on [0, z1], c2 = R cosh(m2 (Lz - z)) on [z1, Lz];
     c1(0) = a ub; c1(z1) = c2(z1); D1 c1'(z1) = D2 c2'(z1). */
  const double m1 = sqrt(keff / D1), m2 = sqrt(keff / D2), P = a * ub;
  const double C2 = cosh(m2 * (Lz - z1)), S2 = sinh(m2 * (Lz - z1));
  const double c1 = cosh(m1 * z1), s1 = sinh(m1 * z1);
  /* P c1 + Q s1 = R C2 ;  D1 m1 (P s1 + Q c1) = -D2 m2 R S2 ; with c1² - s1² = 1: */
  const double R = D1 * m1 * P / (D1 * m1 * C2 * c1 + D2 * m2 * S2 * s1);
  const double Q = (R * C2 - P * c1) / s1;
  double err = 0;
  const grid *g = s.g;
  for (int kk = 0; kk < g->nz; kk++) {
    double z = grid_xc(g, kk);
    double ex = z < z1 ? P * cosh(m1 * z) + Q * sinh(m1 * z) : R * cosh(m2 * (Lz - z));
    for (int i = 0; i < g->nx; i++)
      err = fmax(err, fabs(s.u[0][grid_index(g, i, 0, kk)] - ex) / ub);
  }
  sim_free(&s);
  return err;
}

/* (d2) logistic + diffusion: the field at T for nx x nx/2 and dt (caller frees). */
static double *logistic_run(int nx, double dt, double T, size_t *ncell) {
  const double Lx = 1600, Lz = 800;
  grid g;
  vu_try(grid_init_simple(&g, 2, nx, 1, nx / 2, Lx / nx, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX,
                          BC_NOFLUX),
         "grid_init_simple");
  mode_inst mi = {.dims = 2, .D = 1e4, .r = 2, .off = 0.5, .amp = 0.4};
  mi.kap[0] = 2 * CS_PI / Lx;
  mi.kap[2] = CS_PI / Lz;
  sim s;
  init_sim(&s, &g, &mi, dt, 1e-10);
  vu_advance_steps(&s, dt, lround(T / dt));
  *ncell = g.ncell;
  double *u = malloc(sizeof(double) * g.ncell);
  if (!u) exit(1);
  memcpy(u, s.u[0], sizeof(double) * g.ncell);
  sim_free(&s);
  grid_free(&g);
  return u;
}

int main(void) {
  const int quick = vu_quick();
  int fails = 0;
  double t0 = vu_now();

  /* (a) */
  const exact_case cases[] = {
      {"2D periodic x, no-flux z", 2, {24, 1, 16}, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX, BC_NOFLUX,
       {2 * CS_PI, 0, CS_PI}, {0, 0, 0}},
      {"2D no-flux x, Dirichlet z", 2, {20, 1, 18}, BC_NOFLUX, BC_PERIODIC, BC_DIRICHLET,
       BC_DIRICHLET, {CS_PI, 0, CS_PI}, {0, 0, 1}},
      {"3D periodic x, no-flux y, no-flux/Dirichlet z", 3, {12, 10, 14}, BC_PERIODIC, BC_NOFLUX,
       BC_NOFLUX, BC_DIRICHLET, {2 * CS_PI, CS_PI, 0.5 * CS_PI}, {0, 0, 0}},
      {"3D periodic x (5 cells) and y, no-flux z, harmonics", 3, {5, 7, 9}, BC_PERIODIC,
       BC_PERIODIC, BC_NOFLUX, BC_NOFLUX, {2 * CS_PI, 4 * CS_PI, 3 * CS_PI}, {1, 0, 0}},
  };
  for (scheme = SIM_SECOND_ORDER; scheme <= SIM_FIRST_ORDER; scheme++)
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) fails += exact_discrete(&cases[c]);
  scheme = SIM_SECOND_ORDER;

  /* (b) */
  {
    const double T = 2, dt = 1.0 / 128; /* time error 4e-7 relative: see the header */
    const int n0 = quick ? 12 : 16;
    double hs[3], es[3];
    for (int m = 0; m < 3; m++) {
      int nx = n0 << m;
      hs[m] = 1600.0 / nx;
      es[m] = mode_error(nx, dt, T, 0);
      vu_info("(b) h = %6.2f µm (%dx%d): relative max error vs continuous = %.4e", hs[m], nx,
              nx / 2, es[m]);
    }
    fails += vu_ge("(b) spatial order, periodic/no-flux mode", vu_fit_order(hs, es, 3), 1.9,
                   "second-order finite volumes");
  }

  /* (c) */
  {
    const int nzs[3] = {40, 80, 160};
    double hs[3], es[3], keff = 0;
    for (int m = 0; m < 3; m++) {
      hs[m] = 400.0 / nzs[m];
      es[m] = layered_error(nzs[m], &keff);
      vu_info("(c) h = %5.2f µm: max error of the two-layer steady state = %.4e", hs[m], es[m]);
    }
    vu_info("(c) k_eff/k = %.6f (k dt = 1)", keff / 2);
    fails += vu_ge("(c) spatial order, layers + Dirichlet surface", vu_fit_order(hs, es, 3), 1.9,
                   "harmonic mean on a face, half-cell Dirichlet");
  }

  for (scheme = SIM_SECOND_ORDER; scheme <= SIM_FIRST_ORDER; scheme++) {
    const double order = scheme == SIM_FIRST_ORDER ? 1.0 : 2.0;
    char label[96];
    /* (d1) */
    {
      const double T = 2;
      double dts[4], es[4];
      for (int m = 0; m < 4; m++) {
        dts[m] = T / (8 << m);
        es[m] = mode_error(32, dts[m], T, 1);
        vu_info("(d1) %s: dt = %.5f day: relative max error vs semi-discrete = %.4e",
                scheme_name(), dts[m], es[m]);
      }
      snprintf(label, sizeof label, "(d1) temporal order, diffusion mode, %s", scheme_name());
      fails += vu_near(label, vu_fit_order(dts, es, 4), order, 0.15,
                       scheme == SIM_FIRST_ORDER ? "backward Euler LOD"
                                                 : "extrapolated backward Euler LOD");
    }
    /* (d2) */
    {
      const double T = 1;
      const int nx = quick ? 16 : 32;
      double *u[5];
      size_t n = 0;
      for (int m = 0; m < 5; m++) u[m] = logistic_run(nx, T / (8 << m), T, &n);
      double dts[4], ds[4];
      for (int m = 0; m < 4; m++) {
        double d = 0;
        for (size_t c = 0; c < n; c++) d = fmax(d, fabs(u[m][c] - u[m + 1][c]));
        dts[m] = T / (8 << m);
        ds[m] = d;
        vu_info("(d2) %s: dt = %.5f day: max |u(dt) - u(dt/2)| = %.4e", scheme_name(), dts[m], d);
      }
      for (int m = 0; m < 5; m++) free(u[m]);
      snprintf(label, sizeof label, "(d2) temporal order, logistic + diffusion, %s",
               scheme_name());
      fails += vu_near(label, vu_fit_order(dts, ds, 4), order, 0.15,
                       scheme == SIM_FIRST_ORDER ? "Strang(reaction) + backward Euler LOD"
                                                 : "extrapolated Lie(reaction, LOD)");
    }
  }

  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_convergence: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_convergence: all checks passed\n");
  return 0;
}
