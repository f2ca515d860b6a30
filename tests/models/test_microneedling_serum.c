/* test_microneedling_serum: microneedling.serum.* (models/mn_serum.h) against values derived
 * by hand.
 *
 * The profile is linear in depth and time, c = a + b·depth + c_t·τ (µg/mL) on the nodes
 * τ = 0, 0.5, 2 days and depth = 10, 110, 410 µm, so that its bilinear interpolation is exact
 * and the serum's signal at (z, t) is known in closed form:
 *     σ Σ_sessions [0 ≤ t − t_s ≤ 2] (a + b·clamp(z, 10) + c_t (t − t_s)),  0 below 410 µm,
 * with sessions at days 0 and 1.5 (their windows overlap in [1.5, 2]) and σ = 2 ng/mL per
 * µg/mL. At each of a set of (z, t) the model's reaction with the serum must equal its
 * reaction without one at the signal max(s, 0) + that value (every rate, relative 1e-12: the
 * interpolation's rounding against the closed form's), and exactly the unforced rates where
 * the serum is 0 (before the first session, after the windows, below the profile). The block
 * reaction with the serum equals reaction() to the bit (every instruction set). A profile in
 * another unit is refused. */
#include <stdint.h>

#include "reaction.h"
#include "test_microneedling_util.h"

static int fails = 0;

static void check(int ok, const char *what, const char *detail) {
  printf("%s  %s (%s)\n", ok ? "PASS" : "FAIL", what, detail);
  fails += !ok;
}

enum { NT = 3, ND = 3 };
static const double TT[NT] = {0, 0.5, 2}, DD[ND] = {10, 110, 410};
static const double A0 = 0.3, B0 = 1e-3, CT = 0.2, SIGMA = 2;

static double lin(double z, double tau) { return A0 + B0 * (z < DD[0] ? DD[0] : z) + CT * tau; }

static double expected(double z, double t) {
  const double ses[2] = {0, 1.5};
  double v = 0;
  if (z > DD[ND - 1]) return 0;
  for (int s = 0; s < 2; s++)
    if (t - ses[s] >= 0 && t - ses[s] <= TT[NT - 1]) v += SIGMA * lin(z, t - ses[s]);
  return v;
}

static void make_instance(const model *m, grid *g, params *p, void **inst) {
  char yaml[4096];
  snprintf(yaml, sizeof yaml,
           "model: microneedling\n"
           "grid: {dims: 2, size_um: [200, 2500], spacing_um: 20,\n"
           "       boundary: {x: periodic, surface: noflux, deep: noflux}}\n"
           "time: {end_day: 4, output_every_day: 1}\n"
           "protocol:\n"
           "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250}\n"
           "  pattern: {kind: square, density_per_cm2: 15, passes: 1}\n"
           "  sessions: {day: [0, 1.5]}\n"
           "%s"
           "  serum: {signal_per_compound: %g}\n",
           mn_skin(), SIGMA);
  mn_try(mn_load(p, yaml, NULL, 0), "load");
  mn_try(grid_init(g, p), "grid_init");
  mn_try(m->create(p, g, inst), "create");
}

/* A state of the cell at depth z: the untreated one, a wound's pools, a small signal. */
static void state(const model *m, const void *inst, const grid *g, double z, double *u) {
  const int k = (int)(z / g->h);
  cell_info c = {g->layer_of_z[k], 10, 10, z, 0};
  m->initial(inst, &c, u);
  u[0] = 0.03;
  u[3] = 12;
  u[4] = 0.4;
  u[5] = 150;
  u[6] = 0.2;
  u[8] = 0.1;
}

static double rel(double a, double b) {
  return a == b ? 0 : fabs(a - b) / fmax(fabs(a), fabs(b));
}

int main(void) {
  const model *m = model_find("microneedling");
  params p, p0;
  grid g, g0;
  void *inst = NULL, *inst0 = NULL;
  make_instance(m, &g, &p, &inst);
  make_instance(m, &g0, &p0, &inst0);
  double v[NT * ND];
  for (int i = 0; i < NT; i++)
    for (int k = 0; k < ND; k++) v[i * ND + k] = A0 + B0 * DD[k] + CT * TT[i];
  forcing_profile bad = {NT, ND, TT, DD, v, "ng/mL"}, prof = {NT, ND, TT, DD, v, "µg/mL"};
  cs_status st = m->set_forcing(inst, &p, &bad);
  check(st == CS_ERR_INPUT, "a profile in ng/mL is refused", cs_error_message());
  mn_try(m->set_forcing(inst, &p, &prof), "set_forcing");

  const double zs[] = {10, 30, 55.5, 110, 290, 409, 5, 600};
  const double ts[] = {-0.1, 0, 0.25, 0.5, 1.2, 1.5, 1.75, 2, 3.1, 3.6};
  double worst = 0;
  long exact_zero = 0, zero_cases = 0, cases = 0;
  const int ns = m->nspecies;
  for (size_t a = 0; a < sizeof zs / sizeof zs[0]; a++)
    for (size_t b = 0; b < sizeof ts / sizeof ts[0]; b++) {
      const double z = zs[a], t = ts[b], add = expected(z, t);
      double u[MODEL_MAX_SPECIES], u0[MODEL_MAX_SPECIES], f[MODEL_MAX_SPECIES], f0[MODEL_MAX_SPECIES];
      double k[MODEL_MAX_SPECIES], k0[MODEL_MAX_SPECIES];
      state(m, inst, &g, z, u);
      memcpy(u0, u, sizeof u);
      u0[0] = u[0] + add;
      cell_info c = {g.layer_of_z[(int)(z / g.h)], 10, 10, z, 0};
      m->reaction(inst, &c, t, u, f, k);
      m->reaction(inst0, &c, t, u0, f0, k0);
      cases++;
      if (add == 0) {
        zero_cases++;
        int same = 1;
        for (int s = 0; s < ns; s++) same &= memcmp(&f[s], &f0[s], sizeof f[s]) == 0;
        exact_zero += same;
      }
      for (int s = 0; s < ns; s++) worst = fmax(worst, rel(f[s], f0[s]));
    }
  char msg[200];
  snprintf(msg, sizeof msg, "%ld (z, t) cases, largest relative difference %.3g (<= 1e-12)", cases, worst);
  check(worst <= 1e-12, "rates with the serum == rates at s + σ c(z, t)", msg);
  snprintf(msg, sizeof msg, "%ld of %ld cases with no serum identical to the bit", exact_zero, zero_cases);
  check(zero_cases > 10 && exact_zero == zero_cases, "no serum before, between and below: unforced rates", msg);

  /* the block form at several depths and times, every instruction set: to the bit */
  long compared = 0, differ = 0;
  for (int isa = 0; isa < MODEL_NISA; isa++) {
    if (!reaction_cpu_has(isa)) continue;
    for (size_t a = 0; a < sizeof zs / sizeof zs[0]; a++)
      for (size_t b = 0; b < sizeof ts / sizeof ts[0]; b++) {
        enum { N = 5 };
        double ub[MODEL_MAX_SPECIES][N], fb[MODEL_MAX_SPECIES][N], kb[MODEL_MAX_SPECIES][N], xs[N];
        double one[MODEL_MAX_SPECIES], kblock[MODEL_MAX_SPECIES];
        const double *u[MODEL_MAX_SPECIES];
        double *fp[MODEL_MAX_SPECIES], *kp[MODEL_MAX_SPECIES];
        state(m, inst, &g, zs[a], one);
        for (int s = 0; s < ns; s++) {
          for (int c = 0; c < N; c++) ub[s][c] = one[s] * (1 + 0.1 * c) - (s == 0 ? 0.02 * c : 0);
          u[s] = ub[s];
          fp[s] = fb[s];
          kp[s] = kb[s];
          kblock[s] = -1;
        }
        for (int c = 0; c < N; c++) xs[c] = 10 + 20 * c;
        const int l = g.layer_of_z[(int)(zs[a] / g.h)];
        cell_block blk = {N, l, xs, 10, zs[a], NULL};
        m->reaction_block[isa](inst, &blk, ts[b], u, fp, kp, kblock);
        for (int c = 0; c < N; c++) {
          cell_info ci = {l, xs[c], 10, zs[a], 0};
          double w[MODEL_MAX_SPECIES], f1[MODEL_MAX_SPECIES], k1[MODEL_MAX_SPECIES];
          for (int s = 0; s < ns; s++) w[s] = ub[s][c];
          m->reaction(inst, &ci, ts[b], w, f1, k1);
          for (int s = 0; s < ns; s++) {
            const double kc = kblock[s] >= 0 ? kblock[s] : kb[s][c];
            compared += 2;
            differ += memcmp(&f1[s], &fb[s][c], sizeof f1[s]) != 0;
            differ += memcmp(&k1[s], &kc, sizeof kc) != 0;
          }
        }
      }
  }
  snprintf(msg, sizeof msg, "%ld values, %ld differ", compared, differ);
  check(compared > 0 && differ == 0, "reaction_block == reaction() with the serum, to the bit", msg);

  m->destroy(inst);
  m->destroy(inst0);
  grid_free(&g);
  grid_free(&g0);
  params_free(&p);
  params_free(&p0);
  printf(fails ? "test_microneedling_serum: %d check(s) failed\n" : "test_microneedling_serum: all checks passed\n", fails);
  return fails != 0;
}
