/* test_verify_membrane: partition coefficients and a held surface against exact membrane results
 * (Crank, The Mathematics of Diffusion, 2nd ed. 1975, §4.3.2; docs/topical.md):
 *
 * (a) One membrane, thickness L, diffusivity D, partition K, donor C0 above (the surface held at
 *     the potential C0, so the top of the membrane sits at K C0), perfect sink below (Dirichlet 0).
 *     Cumulative amount per area through the sink:
 *       Q(t) = K C0 L [D t/L² − 1/6 − (2/π²) Σ (−1)^n/n² exp(−D n² π² t/L²)],
 *     steady flux K D C0/L, lag time L²/(6D). Q is summed from the sink face's flux 2 D c_{n-1}/h
 *     after each backward-Euler step (first-order scheme, fixed dt: the flux the scheme itself
 *     passes), extrapolated in dt (2 Q(dt) − Q(2dt)): O(dt²) + O(h²) left. Checked at five times
 *     (1 %), the steady flux and the lag time from the late slope and intercept (1 %).
 * (b) Two layers (an SC-like layer over a viable-epidermis-like one) with D1, K1 and D2, K2:
 *     steady flux J = C0 / (L1/(K1 D1) + L2/(K2 D2)). The discrete steady state of face
 *     conductances that are harmonic means of D·K is exact for interfaces on faces, so the
 *     measured flux (at the sink and at the surface) is asserted to 1e-6 (round-off and the
 *     residual of the approach to steady state), far inside the 1 % asked.
 * (c) Mass conservation with partition jumps and no-flux walls, second-order adaptive scheme,
 *     2D and 3D (periodic lateral lines: the per-line Sherman–Morrison path): |ΔM|/M ≤ 1e-12;
 *     no negative value; at equilibrium c/K is uniform, so layer means stand as their K (1e-6);
 *     the 3D run gives the same bits on 1 and 2 threads.
 * (d) The surface switch: held in [0, 0.25), no-flux after (no sink): the mass rises, then stays
 *     constant to round-off from the switch on (the engine lands a step on it). */
#include "verify_util.h"

/* (a): Q at the times tq[nq] for one dt. */
static void membrane_q(double h, double dt, const double *tq, int nq, double *q) {
  const double L = 100, D = 1e4, K = 0.5, C0 = 1;
  char yaml[1536];
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid: {dims: 2, size_um: [%.17g, %g], spacing_um: %.17g,\n"
           "       boundary: {x: noflux, surface: noflux, deep: dirichlet}}\n"
           "time: {end_day: 10, dt_max_day: %.17g, dt_initial_day: %.17g, adaptive: false,\n"
           "       scheme: first_order}\n"
           "diffusion: {D_um2_per_day: %g, partition: %g, boundary_value: 0,\n"
           "            surface: {kind: held, value: %g}}\n",
           2 * h, L, h, dt, dt, D, K, C0);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  const grid *g = s.g;
  const size_t bot = grid_index(g, 0, 0, g->nz - 1);
  double Q = 0;
  for (int i = 0; i < nq; i++) {
    const long n = lround((tq[i] - s.t) / dt);
    for (long k = 0; k < n; k++) {
      vu_try(sim_advance_to(&s, s.t + dt), "sim_advance_to");
      Q += dt * 2 * D * s.u[0][bot] / h; /* sigma/K = D at the sink face */
    }
    q[i] = Q;
  }
  sim_free(&s);
}

static double crank_q(double t) {
  const double L = 100, D = 1e4, K = 0.5, C0 = 1, x = D * t / (L * L);
  double sum = 0;
  for (int n = 1; n < 200; n++) sum += (n % 2 ? -1.0 : 1.0) / (n * n) * exp(-x * n * n * CS_PI * CS_PI);
  return K * C0 * L * (x - 1.0 / 6 - 2 / (CS_PI * CS_PI) * sum);
}

static int case_a(void) {
  enum { NQ = 7 };
  const double tq[NQ] = {0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0}, h = 2, dt = 1.0 / 4096;
  double q1[NQ], q2[NQ], q[NQ];
  membrane_q(h, dt, tq, NQ, q1);
  membrane_q(h, 2 * dt, tq, NQ, q2);
  int fails = 0;
  for (int i = 0; i < NQ; i++) {
    q[i] = 2 * q1[i] - q2[i];
    char name[96];
    snprintf(name, sizeof name, "(a) Q(t = %.1f day) / Crank - 1", tq[i]);
    fails += vu_le(name, fabs(q[i] / crank_q(tq[i]) - 1), 0.01, "1 % (h = 2 µm, dt-extrapolated)");
  }
  const double J = (q[6] - q[5]) / (tq[6] - tq[5]), lag = tq[6] - q[6] / J;
  const double Jex = 0.5 * 1e4 * 1 / 100, lagex = 100.0 * 100 / (6 * 1e4);
  fails += vu_le("(a) steady flux / (K D C0 / L) - 1", fabs(J / Jex - 1), 0.01, "1 %");
  fails += vu_le("(a) lag time / (L²/6D) - 1", fabs(lag / lagex - 1), 0.01, "1 %");
  return fails;
}

static int case_b(void) {
  const double L1 = 20, L2 = 80, D1 = 50, D2 = 2e4, K1 = 4, K2 = 0.7, C0 = 2, h = 2;
  char yaml[1536];
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid: {dims: 2, size_um: [%g, %g], spacing_um: %g,\n"
           "       boundary: {x: noflux, surface: noflux, deep: dirichlet}}\n"
           "layers:\n  - {name: sc, thickness_um: %g}\n  - {name: ve, thickness_um: %g}\n"
           "time: {end_day: 1e4, dt_max_day: 2, dt_initial_day: 2, adaptive: false,\n"
           "       scheme: first_order}\n"
           "diffusion: {D_um2_per_day: {sc: %g, ve: %g}, partition: {sc: %g, ve: %g},\n"
           "            boundary_value: 0, surface: {kind: held, value: %g}}\n",
           2 * h, L1 + L2, h, L1, L2, D1, D2, K1, K2, C0);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  vu_advance_steps(&s, 2, 2000); /* 4000 days: thousands of the slowest mode's time constants */
  const grid *g = s.g;
  const double cb = s.u[0][grid_index(g, 0, 0, g->nz - 1)], ct = s.u[0][0];
  const double Jsink = 2 * D2 * cb / h, Jtop = 2 * D1 * K1 * (C0 - ct / K1) / h;
  const double Jex = C0 / (L1 / (K1 * D1) + L2 / (K2 * D2));
  sim_free(&s);
  int fails = vu_le("(b) sink flux / C0/(L1/K1D1 + L2/K2D2) - 1", fabs(Jsink / Jex - 1), 1e-6,
                    "exact in steady state");
  fails += vu_le("(b) surface flux / exact - 1", fabs(Jtop / Jex - 1), 1e-6, "exact in steady state");
  return fails;
}

/* (c) one closed box; returns failures (3D: also run on 1 thread and compared bit for bit). */
static int case_c(int dims) {
  char yaml[2048];
  const char *size = dims == 2 ? "[300, 120]" : "[60, 60, 120]";
  const char *pos = dims == 2 ? "[150, 40]" : "[30, 30, 40]";
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid: {dims: %d, size_um: %s, spacing_um: 4,\n"
           "       boundary: {x: %s, y: periodic, surface: noflux, deep: noflux}}\n"
           "layers:\n  - {name: a, thickness_um: 20}\n  - {name: b, thickness_um: 40}\n"
           "  - {name: c, thickness_um: 60}\n"
           "time: {end_day: 400, output_every_day: 400}\n"
           "diffusion: {D_um2_per_day: {a: 30, b: 3e3, c: 1e4}, partition: {a: 5, b: 0.4, c: 1},\n"
           "            pulse: {mass: 1, age_day: 0.05, position_um: %s}}\n",
           dims, size, dims == 2 ? "noflux" : "periodic", pos);
  sim s;
  vu_sim_from_yaml(&s, yaml, 2);
  const double m0 = vu_total_exact(&s, 0);
  vu_try(sim_advance_to(&s, 1), "sim_advance_to");
  const double m1 = vu_total_exact(&s, 0), mn = vu_min(s.u[0], s.g->ncell);
  int fails = 0;
  char name[96];
  snprintf(name, sizeof name, "(c) %dD |mass change| / mass, t = 1 day", dims);
  fails += vu_le(name, fabs(m1 / m0 - 1), 1e-12, "round-off");
  snprintf(name, sizeof name, "(c) %dD smallest value", dims);
  fails += vu_ge(name, mn, 0, "M-matrix");
  if (dims == 3) {
    sim s1;
    vu_sim_from_yaml(&s1, yaml, 1);
    vu_try(sim_advance_to(&s1, 1), "sim_advance_to");
    fails += vu_le("(c) 3D: cells differing between 1 and 2 threads",
                   (double)(memcmp(s1.u[0], s.u[0], sizeof(double) * s.g->ncell) != 0), 0,
                   "bitwise");
    sim_free(&s1);
  }
  vu_try(sim_advance_to(&s, 400), "sim_advance_to");
  double lsum[3] = {0}, lcnt[3] = {0};
  for (int k = 0; k < s.g->nz; k++)
    for (int i = 0; i < s.g->nx; i++) {
      const int l = s.g->layer_of_z[k];
      lsum[l] += s.u[0][grid_index(s.g, i, 0, k)];
      lcnt[l] += 1;
    }
  const double ra = lsum[0] / lcnt[0] / (lsum[2] / lcnt[2]), rb = lsum[1] / lcnt[1] / (lsum[2] / lcnt[2]);
  snprintf(name, sizeof name, "(c) %dD equilibrium mean(a)/mean(c) / (Ka/Kc) - 1", dims);
  fails += vu_le(name, fabs(ra / 5 - 1), 1e-6, "c/K uniform");
  snprintf(name, sizeof name, "(c) %dD equilibrium mean(b)/mean(c) / (Kb/Kc) - 1", dims);
  fails += vu_le(name, fabs(rb / 0.4 - 1), 1e-6, "c/K uniform");
  sim_free(&s);
  return fails;
}

static int case_d(void) {
  const char *yaml =
      "model: diffusion\n"
      "grid: {dims: 2, size_um: [8, 100], spacing_um: 2,\n"
      "       boundary: {x: noflux, surface: noflux, deep: noflux}}\n"
      "time: {end_day: 1, output_every_day: 1}\n"
      "diffusion: {D_um2_per_day: 1e4, partition: 0.3,\n"
      "            surface: {kind: held, value: 1, start_day: 0, stop_day: 0.25}}\n";
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  vu_try(sim_advance_to(&s, 0.25), "sim_advance_to");
  const double m1 = vu_total_exact(&s, 0);
  vu_try(sim_advance_to(&s, 1), "sim_advance_to");
  const double m2 = vu_total_exact(&s, 0);
  sim_free(&s);
  int fails = vu_ge("(d) mass taken up while held", m1, 1e-3, "> 0");
  fails += vu_le("(d) |mass change| / mass after the switch to no-flux", fabs(m2 / m1 - 1), 1e-12,
                 "round-off");
  return fails;
}

int main(void) {
  const double t0 = vu_now();
  int fails = case_a() + case_b() + case_c(2) + case_c(3) + case_d();
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_membrane: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_membrane: all checks passed\n");
  return 0;
}
