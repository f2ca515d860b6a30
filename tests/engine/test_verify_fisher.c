/* test_verify_fisher: Fisher–KPP front speed and the 0-D reaction integrator.
 *
 * 1. Front speed (Bramson 1983; docs/references.md). Model fisher, D = 1e4 µm²/day, r = 1/day (√(D/r) = 100 µm,
 *    c* = 2√(rD) = 200 µm/day), a 2D grid long in x with 2 depth rows and no-flux walls
 *    (effectively 1D), initial step (K behind x0, 0 ahead). The position X(t) where u = K/2
 *    (linear interpolation between cell centres) is taken at t1 and t2 = 2 t1. A front from
 *    steep data is pulled: X(t) = c* t − (3/2)√(D/r) ln t − 3√π √(D/r) (r t)^(−1/2) + const
 *    + O(1/t) (Bramson; the t^(−1/2) term is Ebert & van Saarloos 2000, Physica D 146:1), so
 *    c_est = [X(t2) − X(t1) + (3/2)√(D/r) ln(t2/t1) + 3√π √(D/r) ((r t2)^(−1/2) − (r t1)^(−1/2))]
 *            / (t2 − t1)
 *    leaves an O(1/t²) remainder (≈ 0.1 % at r t1 = 30). The discretisation has its own
 *    linear spreading speed c*_h,dt = min_λ σ(λ)/λ, σ = r − ln(1 − dt D (2/h²)(cosh λh − 1))/dt
 *    (the step's growth of e^{−λx} ahead of the front: e^{r dt} from the two reaction halves,
 *    1/(1 − ...) from backward Euler), computed here: with h = 0.1 √(D/r) and r dt = 1/256 it
 *    is within 0.3 % of c* (backward Euler makes it faster by ≈ r dt/4; the lattice by ≈
 *    (h/√(D/r))²/24). Asserted: |c_est/c* − 1| ≤ 1 % and |c*_h,dt/c* − 1| ≤ 0.3 %.
 *    The end of the box is 25 decay lengths ahead of the front at t2 (u < 1e-10 there).
 * 2. Logistic ODE in 0-D: reaction_integrate_cell with model_fisher's reaction against
 *    u(t) = K u0 e^{rt}/(K + u0 (e^{rt} − 1)) at t = 1, 2, 4, ..., 16 (consecutive calls) and in
 *    one call over 16 days: relative error ≤ 10 rtol (the Bogacki–Shampine pair advances the
 *    third-order solution under a second-order error estimate, so the global error stays at
 *    or below the tolerance on this non-stiff problem; 10 leaves room for its accumulation).
 * 3. Linear source + decay in 0-D (model diffusion, u' = q − k u, k dt up to 1000) against
 *    q/k + (u0 − q/k) e^{−kt}: relative error ≤ 10 rtol; the substep count is reported. */
#include "verify_util.h"

extern const model model_fisher, model_diffusion;

static double front_position(const sim *s, double K) {
  const grid *g = s->g;
  double pos = 0;
  for (int k = 0; k < g->nz; k++) { /* mean over the depth rows (identical) */
    const double *u = s->u[0] + grid_index(g, 0, 0, k);
    int i = 1;
    while (i < g->nx && u[i] >= 0.5 * K) i++;
    if (i == g->nx) return NAN;
    double f = (u[i - 1] - 0.5 * K) / (u[i - 1] - u[i]);
    pos += grid_xc(g, i - 1) + f * g->h;
  }
  return pos / g->nz;
}

/* c*_h,dt: minimum over λ of σ(λ)/λ by golden-section search on [0.2, 5]/√(D/r). */
static double discrete_speed(double D, double r, double h, double dt) {
  double ell = sqrt(D / r), lo = 0.2 / ell, hi = 5 / ell;
  const double gr = 0.5 * (sqrt(5.0) - 1);
  double speed = 0;
  for (int it = 0; it < 200; it++) {
    double l1 = hi - gr * (hi - lo), l2 = lo + gr * (hi - lo), v[2];
    double ls[2] = {l1, l2};
    for (int q = 0; q < 2; q++) {
      double m = dt * D * 2 / (h * h) * (cosh(ls[q] * h) - 1);
      v[q] = m < 1 ? (r - log(1 - m) / dt) / ls[q] : INFINITY;
    }
    if (v[0] < v[1]) hi = l2;
    else lo = l1;
    speed = fmin(v[0], v[1]);
  }
  return speed;
}

static int front_speed(int quick) {
  const double D = 1e4, r = 1, K = 1, ell = sqrt(D / r), cstar = 2 * sqrt(r * D);
  const double h = 0.1 * ell, dt = 1.0 / 256 / r; /* dyadic: fixed steps land exactly */
  const double t1 = quick ? 20 / r : 30 / r, t2 = 2 * t1, x0 = 500;
  const double Lx = ceil((x0 + cstar * t2 + 25 * ell) / 1000) * 1000;
  char yaml[1024];
  snprintf(yaml, sizeof yaml,
           "model: fisher\n"
           "grid: {dims: 2, size_um: [%g, %g], spacing_um: %g,\n"
           "       boundary: {x: noflux, surface: noflux, deep: noflux}}\n"
           "time: {end_day: %g, dt_max_day: %g, dt_initial_day: %g, adaptive: false,\n"
           "       rtol: 1e-6, atol: 1e-12}\n"
           "fisher: {D_um2_per_day: %g, rate_per_day: %g, capacity: %g,\n"
           "         initial: {kind: step_x, value: 0, step_x_um: %g}}\n",
           Lx, 2 * h, h, t2, dt, dt, D, r, K, x0);
  double w0 = vu_now();
  sim s;
  vu_sim_from_yaml(&s, yaml, 1); /* 3000 cells: one thread */
  vu_try(sim_advance_to(&s, t1), "sim_advance_to t1");
  double X1 = front_position(&s, K);
  vu_try(sim_advance_to(&s, t2), "sim_advance_to t2");
  double X2 = front_position(&s, K);
  double tail = s.u[0][s.g->nx - 1];
  long steps = s.nsteps;
  sim_free(&s);
  double vraw = (X2 - X1) / (t2 - t1);
  double corr1 = 1.5 * ell * log(t2 / t1) / (t2 - t1);
  double corr2 = 3 * sqrt(CS_PI) * ell * (1 / sqrt(r * t2) - 1 / sqrt(r * t1)) / (t2 - t1);
  double vest = vraw + corr1 + corr2;
  double vdisc = discrete_speed(D, r, h, dt);
  printf("-- Fisher front: h = %g µm = %.2g sqrt(D/r), r dt = %g, %.0f µm box, t1 = %g, t2 = %g "
         "day, %ld steps, %.2f s\n",
         h, h / ell, r * dt, Lx, t1, t2, steps, vu_now() - w0);
  vu_info("X(t1) = %.2f µm, X(t2) = %.2f µm, u at the far wall = %.2e", X1, X2, tail);
  vu_info("raw mean speed = %.4f µm/day (%.3f %% below c*), Bramson log term +%.4f, t^-1/2 "
          "term %+.4f",
          vraw, 100 * (1 - vraw / cstar), corr1, corr2);
  vu_info("corrected speed c_est = %.4f µm/day, c* = %.4f, discrete c*_h,dt = %.4f", vest, cstar,
          vdisc);
  vu_info("c_est / c*_h,dt - 1 = %+.4e", vest / vdisc - 1);
  int fails = 0;
  fails += vu_le("|c*_h,dt / c* - 1| (discretisation)", fabs(vdisc / cstar - 1), 0.003,
                 "h = 0.1 sqrt(D/r), r dt = 1/256");
  fails += vu_le("|c_est / c* - 1| (measured front speed)", fabs(vest / cstar - 1), 0.01,
                 "1 % (brief); O(1/t^2) remainder + discretisation");
  return fails;
}

static int logistic_0d(void) {
  params p;
  vu_params_from_yaml(&p, "model: fisher\n"
                          "grid: {dims: 2, size_um: [30, 30], spacing_um: 10}\n"
                          "time: {end_day: 1}\n"
                          "fisher: {rate_per_day: 1.5, capacity: 2}\n");
  grid g;
  vu_try(grid_init(&g, &p), "grid_init");
  void *inst = NULL;
  vu_try(model_fisher.create(&p, &g, &inst), "create");
  const double r = 1.5, K = 2, u0 = 0.01, rtol = 1e-6;
  cell_info c = {0, 15, 5, 15, 0};
  double u = u0, t = 0, worst = 0;
  long subs = 0;
  for (double t_next = 1; t_next <= 16; t_next *= 2) {
    vu_try(reaction_integrate_cell(&model_fisher, inst, &c, &u, t, t_next - t, rtol, 1e-12, &subs),
           "reaction_integrate_cell");
    t = t_next;
    double e = exp(r * t), ex = K * u0 * e / (K + u0 * (e - 1));
    worst = fmax(worst, fabs(u / ex - 1));
    vu_info("logistic t = %4.0f: u = %.10f, exact %.10f, rel. error %.2e", t, u, ex, u / ex - 1);
  }
  int fails = vu_le("logistic 0-D: max relative error (consecutive calls)", worst, 10 * rtol,
                    "10 rtol");
  vu_info("logistic 0-D: %ld substeps for 16 days", subs);
  u = u0;
  subs = 0;
  vu_try(reaction_integrate_cell(&model_fisher, inst, &c, &u, 0, 16, rtol, 1e-12, &subs),
         "reaction_integrate_cell");
  double e = exp(r * 16), ex = K * u0 * e / (K + u0 * (e - 1));
  fails += vu_le("logistic 0-D: relative error, one call over 16 days", fabs(u / ex - 1),
                 10 * rtol, "10 rtol");
  vu_info("logistic 0-D: %ld substeps in one call", subs);
  model_fisher.destroy(inst);
  grid_free(&g);
  params_free(&p);
  return fails;
}

static int source_decay_0d(void) {
  params p;
  vu_params_from_yaml(&p, "model: diffusion\n"
                          "grid: {dims: 2, size_um: [30, 30], spacing_um: 10}\n"
                          "time: {end_day: 1}\n"
                          "diffusion: {decay_per_day: 1000,\n"
                          "            source: {kind: line, rate: 500, position_um: [15, 15]}}\n");
  grid g;
  vu_try(grid_init(&g, &p), "grid_init");
  void *inst = NULL;
  vu_try(model_diffusion.create(&p, &g, &inst), "create");
  /* the line's cell (centre 15, 15): weight 1/h², so f = rate/h² */
  const double k = 1000, q = 500.0 / (10 * 10), rtol = 1e-6, u0 = 3;
  cell_info c = {0, 15, 5, 15, 0};
  int fails = 0;
  const double dts[] = {1e-4, 1e-3, 1e-2, 1};
  double worst = 0;
  for (int i = 0; i < 4; i++) {
    double u = u0;
    long subs = 0;
    vu_try(reaction_integrate_cell(&model_diffusion, inst, &c, &u, 0, dts[i], rtol, 1e-12, &subs),
           "reaction_integrate_cell");
    double ex = q / k + (u0 - q / k) * exp(-k * dts[i]);
    worst = fmax(worst, fabs(u / ex - 1));
    vu_info("source + decay, k dt = %6g: rel. error %.2e, %ld substeps", k * dts[i], u / ex - 1,
            subs);
  }
  fails += vu_le("source + decay 0-D: max relative error", worst, 10 * rtol, "10 rtol");
  model_diffusion.destroy(inst);
  grid_free(&g);
  params_free(&p);
  return fails;
}

int main(void) {
  double t0 = vu_now();
  int fails = 0;
  fails += front_speed(vu_quick());
  fails += logistic_0d();
  fails += source_decay_0d();
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_fisher: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_fisher: all checks passed\n");
  return 0;
}
