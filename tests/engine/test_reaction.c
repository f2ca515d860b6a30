/* test_reaction: the per-cell exponential integrator (sim/engine/reaction.c) against closed forms.
 *
 * 1. u' = q − k u with k h = 1000: ETD is exact for a constant source under a linear loss, so
 *    one substep must give q/k + (u0 − q/k) e^{−kh} to rounding, whatever k h.
 * 2. Logistic u' = r u (1 − u/K), written two ways — all in f (k = 0), and as growth f = r u
 *    with a u-dependent loss k = r u/K (frozen per substep) — one substep per step (tolerances
 *    wide open): the global error against K u0 e^{rt}/(K + u0(e^{rt} − 1)) must fall as h²
 *    (ETD2RK is second order): fitted order 2 ± 0.1 over h, h/2, h/4.
 * 3. With error control on (rtol 1e-8), the same logistic to within 10·rtol of the closed form. */
#include <math.h>
#include <stdio.h>

#include "model.h"
#include "reaction.h"

typedef struct {
  int form; /* 0: source + decay; 1: logistic in f; 2: logistic as growth and loss */
  double q, k, r, K;
} toy;

static const species_info toy_species[] = {{"u", "-", "u", -1, 0}};

static void toy_reaction(const void *inst, const cell_info *c, double t, const double *u,
                         double *f, double *k) {
  const toy *m = inst;
  (void)c;
  (void)t;
  if (m->form == 0) {
    f[0] = m->q;
    k[0] = m->k;
  } else if (m->form == 1) {
    f[0] = m->r * u[0] * (1 - u[0] / m->K);
    k[0] = 0;
  } else {
    f[0] = m->r * u[0];
    k[0] = m->r * u[0] / m->K;
  }
}

static const model toy_model = {.name = "toy", .nspecies = 1, .species = toy_species,
                                .reaction = toy_reaction};

static int fails = 0;

static void check(const char *what, double value, double lo, double hi) {
  int ok = value >= lo && value <= hi;
  printf("%s  %-58s = %-12.6g (in [%g, %g])\n", ok ? "PASS" : "FAIL", what, value, lo, hi);
  fails += !ok;
}

static double logistic(const toy *m, double u0, double t) {
  double e = exp(m->r * t);
  return m->K * u0 * e / (m->K + u0 * (e - 1));
}

int main(void) {
  cell_info c = {0, 0, 0, 0, 0};
  /* 1 */
  toy sd = {0, 5.0, 1000.0, 0, 0};
  double u = 3.0;
  long sub = 0;
  if (reaction_integrate_cell(&toy_model, &sd, &c, &u, 0.0, 1.0, 1e-6, 1e-12, &sub) != CS_OK) {
    printf("FAIL  reaction_integrate_cell: %s\n", cs_error_message());
    return 1;
  }
  double ex = sd.q / sd.k + (3.0 - sd.q / sd.k) * exp(-sd.k);
  check("source + decay, k h = 1000: relative error", fabs(u / ex - 1), 0, 1e-13);
  check("source + decay, k h = 1000: substeps", (double)sub, 1, 1);

  /* 2 */
  for (int form = 1; form <= 2; form++) {
    toy lg = {form, 0, 0, 2.0, 1.0};
    const double T = 3.0, u0 = 0.05;
    double err[3], hs[3];
    for (int r = 0; r < 3; r++) {
      int n = 64 << r;
      double h = T / n;
      double v = u0;
      for (int i = 0; i < n; i++) {
        long ns = 0;
        reaction_integrate_cell(&toy_model, &lg, &c, &v, i * h, h, 1e30, 1e30, &ns);
      }
      hs[r] = h;
      err[r] = fabs(v - logistic(&lg, u0, T));
    }
    double order = log(err[0] / err[2]) / log(hs[0] / hs[2]);
    printf("info  logistic form %d: errors %.3e %.3e %.3e\n", form, err[0], err[1], err[2]);
    check(form == 1 ? "logistic, all in f: order of the global error"
                    : "logistic, growth and frozen loss: order of the global error",
          order, 1.9, 2.1);
  }

  /* 3 */
  toy lg = {1, 0, 0, 2.0, 1.0};
  double worst = 0;
  for (int i = 1; i <= 6; i++) {
    double v = 0.05;
    long ns = 0;
    reaction_integrate_cell(&toy_model, &lg, &c, &v, 0.0, 0.5 * i, 1e-8, 1e-12, &ns);
    worst = fmax(worst, fabs(v / logistic(&lg, 0.05, 0.5 * i) - 1));
  }
  check("logistic, rtol 1e-8: worst relative error", worst, 0, 1e-7);
  if (fails) {
    printf("test_reaction: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_reaction: all checks passed\n");
  return 0;
}
