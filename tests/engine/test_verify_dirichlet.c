/* test_verify_dirichlet: a Dirichlet wall against the semi-infinite closed form
 *
 *   c(z, t) = c0 erfc(z / (2√(Dt))),   amount per area M(t) = 2 c0 √(Dt/π)   (Crank 1975)
 *
 * Model diffusion, 2D, 2 columns with no-flux x walls (so effectively 1D in depth), the surface
 * held at c0 = boundary_value from t = 0 (initial state 0), no-flux deep wall at 16√(DT)
 * (erfc(8) ≈ 1e-29: the wall is invisible). The Dirichlet face is closed over half a cell
 * (flux 2D(c0 − c_0)/h), which is exact for the mirror image and second order overall.
 * Time: backward Euler is first order, so the field is extrapolated in dt,
 * u = 2 u(dt) − u(2dt) (dt = 2^-11 day, DT = 1e4 µm²), which leaves O(dt²) ≈ 1e-7 — far below
 * the space error — even with the initial jump (a smooth erfc after the first few steps).
 * The fitted order over h = 20, 10, 5 µm (h²/(DT) = 0.04 ... 0.0025) then measures space:
 * asserted ≥ 1.9 for the maximum error and for the amount; the finest maximum error is
 * asserted ≤ 3e-4 c0 (measured ~1e-4: the leading term h²/12 · T · D² max|∂⁴c| is
 * ≈ 0.1 h²/(DT) c0). Without the extrapolation the single-dt time error is reported. */
#include "verify_util.h"

/* Fills col[nz] with the depth profile at T and returns the amount per area. */
static double run(double h, double dt, double T, double *col) {
  const double D = 1e4, c0 = 1, L = 16 * sqrt(D * T);
  char yaml[1024];
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid: {dims: 2, size_um: [%g, %g], spacing_um: %g,\n"
           "       boundary: {x: noflux, surface: dirichlet, deep: noflux}}\n"
           "time: {end_day: %g, dt_max_day: %.17g, dt_initial_day: %.17g, adaptive: false}\n"
           "diffusion: {D_um2_per_day: %g, boundary_value: %g}\n",
           2 * h, L, h, T, dt, dt, D, c0);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1); /* tiny grid: one thread, no synchronisation cost */
  vu_try(sim_advance_to(&s, T), "sim_advance_to");
  const grid *g = s.g;
  for (int k = 0; k < g->nz; k++) col[k] = s.u[0][grid_index(g, 0, 0, k)];
  double amount = vu_total_exact(&s, 0) / g->size[0];
  sim_free(&s);
  return amount;
}

static void errors(const double *col, double amount, double h, int nz, double T, double *emax,
                   double *eamount) {
  const double D = 1e4, c0 = 1;
  double e = 0;
  for (int k = 0; k < nz; k++)
    e = fmax(e, fabs(col[k] - c0 * erfc((k + 0.5) * h / (2 * sqrt(D * T)))));
  *emax = e / c0;
  *eamount = fabs(amount / (2 * c0 * sqrt(D * T / CS_PI)) - 1);
}

int main(void) {
  double t0 = vu_now();
  const double T = 1, dt = 1.0 / 2048;
  const double hs[3] = {20, 10, 5};
  double em[3], ea[3];
  for (int r = 0; r < 3; r++) {
    int nz = (int)lround(16 * 100 / hs[r]);
    double *c1 = malloc(sizeof(double) * (size_t)nz), *c2 = malloc(sizeof(double) * (size_t)nz);
    if (!c1 || !c2) return 1;
    double m1 = run(hs[r], dt, T, c1), m2 = run(hs[r], 2 * dt, T, c2);
    double e1, a1;
    errors(c1, m1, hs[r], nz, T, &e1, &a1);
    for (int k = 0; k < nz; k++) c1[k] = 2 * c1[k] - c2[k];
    errors(c1, 2 * m1 - m2, hs[r], nz, T, &em[r], &ea[r]);
    vu_info("h = %4.1f µm: max |c - c0 erfc| / c0 = %.4e, |amount / 2c0 sqrt(DT/pi) - 1| = %.4e "
            "(dt-extrapolated); single dt: %.4e, %.4e",
            hs[r], em[r], ea[r], e1, a1);
    free(c1);
    free(c2);
  }
  int fails = 0;
  fails += vu_ge("order of the max error", vu_fit_order(hs, em, 3), 1.9, "second order");
  fails += vu_ge("order of the amount error", vu_fit_order(hs, ea, 3), 1.9, "second order");
  fails += vu_le("max error / c0 at h = 5 µm", em[2], 3e-4, "leading term ~1e-4");
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_dirichlet: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_dirichlet: all checks passed\n");
  return 0;
}
