/* test_topical_arrival: the run's own time to a depth and lag time (REPORT_ARRIVAL and the
 * delivered amount's time lag, sim/engine/outcome.h, arrival.h) against exact results.
 *
 * (a) Time to a depth. Model topical, one homogeneous layer (D = 1e4 µm²/day, K = 1) 402 µm
 *     deep with a no-flux bottom, the surface held at C0 = 1000 µg/mL (1 mg/mL) from t = 0: for a
 *     semi-infinite medium c(z, t) = C0 erfc(z / (2 √(D t))), so the lateral mean at depth z
 *     first reaches θ at t(z) = z² / (4 D [erfc⁻¹(θ/C0)]²). θ = 100 µg/mL (θ/C0 = 0.1,
 *     erfc⁻¹ = 1.1631); z = 21, 45, 81, 105, 141, 201 µm, cell centres on both grids (h = 2 and
 *     6 µm), reached by t = 0.747 day, when the bottom's image term erfc((804 − z)/(2√(Dt))) is
 *     below 1e-6 of C0: semi-infinite far below the tolerance. What is left is the scheme's
 *     error: the cell-centred profile's O(h²), relative (h/z)² times a coefficient below 1
 *     (measured 0.3–0.6), and the step's (second order, adaptive, rtol 1e-3) with the linear
 *     interpolation between the two accepted steps that bracket the crossing (O(Δt²); the
 *     step time itself would be off by Δt/t, a few % here). Asserted: ≤ (h/z)² + 1e-3 at every
 *     depth, and at 21 and 45 µm (where the grid's error dominates) the h = 6 µm error at least
 *     4 times the h = 2 µm one (second order: 9; measured 7.9 and 8.8).
 * (b) Lag time. A membrane (L = 20 µm, D = 400 µm²/day, K = 1) over a receiver of partition
 *     1e6 (the potential c/K there stays below 1e-5 of C0: a perfect sink at the membrane's
 *     lower face, Crank §4.3.2), held at C0 from t = 0 for 2 days (D t / L² = 2: the transient's
 *     slowest term e^{−π² · 2} ≈ 3e-9): the delivered amount into the receiver has Crank's time lag
 *     L²/(6D) = 1/60 day = 4 h; asserted within 0.5 % (20 cells across the membrane: measured
 *     0.12 %), and Q(2 day) = K C0 (D t/L − L/6) from the receiver's cells within 0.5 %.
 * Both run in a quarter of a second (Release). */
#include "../engine/verify_util.h"
#include "outcome.h"

/* erfc⁻¹(y), 0 < y < 2, by bisection on erfc (decreasing). */
static double erfcinv_(double y) {
  double lo = -6, hi = 6;
  for (int i = 0; i < 200; i++) {
    const double mid = 0.5 * (lo + hi);
    if (erfc(mid) > y) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

#define DA 1e4
#define C0 1000.0
#define THETA 100.0

/* (a) on cell size h (2 or 6 µm: both have cell centres at z = 21, 45, 81, 105, 141, 201 µm):
   the relative errors of the arrival times there into err[6]; failures counted into *fails. */
#define NZA 6
static const double za[NZA] = {21, 45, 81, 105, 141, 201};
static void erfc_case(double h, int *fails, double *err) {
  char yaml[2048];
  snprintf(yaml, sizeof yaml,
           "model: topical\n"
           "grid: {dims: 2, size_um: [%g, 402], spacing_um: %g,\n"
           "       boundary: {x: noflux, surface: noflux, deep: noflux}}\n"
           "layers:\n  - {name: medium, thickness_um: 402}\n"
           "time: {end_day: 0.75, output_every_day: 0.75, rtol: 1e-3, dt_initial_day: 1e-8}\n"
           "protocol: {sessions: {day: []}}\n"
           "topical:\n"
           "  arrival_threshold_ug_per_ml: %g\n"
           "  compound: {coefficients: direct, diffusivity_um2_per_day: %g, partition: 1}\n"
           "  applications:\n"
           "    - {concentration_mg_per_ml: %g, session: -1, start_h: 0, duration_h: 1e6}\n",
           2 * h, h, THETA, DA, C0 / 1000);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  vu_try(sim_advance_to(&s, 0.75), "sim_advance_to");
  const double e = erfcinv_(THETA / C0);
  for (int i = 0; i < NZA; i++) {
    const double z = za[i];
    const int k = (int)lround(z / h - 0.5);
    double depth;
    const double t = outcome_arrival_time(s.oc, 0, k, &depth);
    const double tex = z * z / (4 * DA * e * e);
    err[i] = fabs(t / tex - 1);
    if (!(depth == z)) {
      printf("FAIL  (a) row %d's depth %g µm, expected %g\n", k, depth, z);
      (*fails)++;
    }
    char name[128];
    snprintf(name, sizeof name, "(a) h = %g: arrival at %g µm / z²/(4D erfc⁻¹(θ/C0)²) - 1", h, z);
    *fails += vu_le(name, err[i], (h / z) * (h / z) + 1e-3, "(h/z)² + 1e-3");
  }
  sim_free(&s);
}

/* (b) the delivered amount's lag time and Q at the end. */
static int lag_case(void) {
  const double L = 20, D = 400;
  char yaml[2048];
  snprintf(yaml, sizeof yaml,
           "model: topical\n"
           "grid: {dims: 2, size_um: [2, 40], spacing_um: 1,\n"
           "       boundary: {x: noflux, surface: noflux, deep: noflux}}\n"
           "layers:\n  - {name: membrane, thickness_um: %g}\n  - {name: receiver, thickness_um: 20}\n"
           "time: {end_day: 2, output_every_day: 2}\n"
           "protocol: {sessions: {day: []}}\n"
           "topical:\n"
           "  compound: {coefficients: direct, diffusivity_um2_per_day: {membrane: %g, receiver: 1e5},\n"
           "             partition: {membrane: 1, receiver: 1e6}}\n"
           "  applications:\n"
           "    - {concentration_mg_per_ml: %g, session: -1, start_h: 0, duration_h: 1e6}\n",
           L, D, C0 / 1000);
  sim s;
  vu_sim_from_yaml(&s, yaml, 1);
  vu_try(sim_advance_to(&s, 2), "sim_advance_to");
  int q = -1;
  for (int i = 0; i < s.m->nderived; i++)
    if (strcmp(s.m->derived[i].name, "delivered") == 0) q = i;
  const double lag = outcome_lag(s.oc, q, 1), lagex = L * L / (6 * D);
  /* Q(2) from the receiver's cells: K C0 (D t/L − L/6) µg/mL·µm; 1e-4 cm per µm */
  double sum = 0;
  for (int k = 0; k < s.g->nz; k++)
    if (s.g->layer_of_z[k] == 1) sum += s.u[0][grid_index(s.g, 0, 0, k)] * s.g->h;
  const double Qex = C0 * (D * 2 / L - L / 6);
  sim_free(&s);
  vu_info("(b) lag %.6g h, Crank L²/(6D) = %.6g h", 24 * lag, 24 * lagex);
  int fails = vu_le("(b) lag time / (L²/6D) - 1", fabs(lag / lagex - 1), 0.005,
                    "0.5 % (20 cells across the membrane)");
  fails += vu_le("(b) Q(2 day) / (K C0 (D t/L - L/6)) - 1", fabs(sum / Qex - 1), 0.005, "0.5 %");
  return fails;
}

int main(void) {
  const double t0 = vu_now();
  int fails = 0;
  double e2[NZA], e6[NZA];
  erfc_case(2, &fails, e2);
  erfc_case(6, &fails, e6);
  for (int i = 0; i < 2; i++) { /* where the grid's error dominates (z/h small) */
    char name[96];
    snprintf(name, sizeof name, "(a) error at %g µm, h = 6 over h = 2", za[i]);
    fails += vu_ge(name, e6[i] / e2[i], 4, "second order in h: 9");
  }
  fails += lag_case();
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_topical_arrival: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_topical_arrival: all checks passed\n");
  return 0;
}
