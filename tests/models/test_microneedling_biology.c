/* The matrix biology of the microneedling model (collagen types, MMPs, elastin), on the default 2D skin and roller:
 *   - type III collagen peaks before type I after a session (Gay 1978: III at 24–48 h, I from
 *     72 h; Knight 1993: III share highest early, then falls);
 *   - more sessions give more type I collagen;
 *   - the III share rises after a session and comes back towards the adult one;
 *   - an acne-scar start fills part of its collagen deficit after a protocol and none without
 *     one (the untreated scar is a steady state of its own).
 * Bounds are qualitative on purpose (orders, signs, ratios with wide margins): the rates behind
 * the amplitudes are assumptions (docs/model.md §3). */
#include "test_microneedling_util.h"

static const char *roller =
    "protocol:\n"
    "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250}\n"
    "  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random}\n"
    "  sessions: {day: %s}\n";

static const char *scar_sets[] = {
    "microneedling.initial.scar.width_um=1000", "microneedling.initial.scar.depth_um=400",
    "microneedling.initial.scar.collagen_deficit=0.6",
    "microneedling.initial.scar.epidermal_depression=0.3",
    "microneedling.initial.scar.center_x_um=1300"};

static void run(sim *s, params *p, const char *days, double end, double every, int scar) {
  char proto[1024], yaml[8192];
  snprintf(proto, sizeof proto, roller, days);
  snprintf(yaml, sizeof yaml,
           "model: microneedling\n"
           "grid: {dims: 2, size_um: [2600, 2500], spacing_um: %g,\n"
           "       boundary: {x: periodic, surface: noflux, deep: noflux}}\n"
           "time: {end_day: %g, output_every_day: %g, dt_max_day: 1, rtol: 1e-2, atol: 1e-2}\n"
           "%s%s",
           mn_quick() ? 25.0 : 20.0, end, every, mn_skin(), proto);
  mn_try(mn_load(p, yaml, scar ? scar_sets : NULL, scar ? 5 : 0), "load");
  mn_try(sim_create(s, p, 2), "sim_create");
  mn_run(s);
}

/* Day of the largest value of series name over the snapshots 0, every, ..., end. */
static double peak_day(const sim *s, const char *name, double end, double every) {
  double best = -INFINITY, day = NAN;
  for (double t = 0; t <= end + 1e-9; t += every) {
    double v = mn_at(s, name, t);
    if (v > best) best = v, day = t;
  }
  return day;
}

static int one_vs_three(void) {
  int fails = 0;
  sim s1, s3;
  params p1, p3;
  run(&s1, &p1, "[0]", 120, 2, 0);
  double d3 = peak_day(&s1, "collagen_III_change_papillary", 120, 2);
  double d1 = peak_day(&s1, "collagen_I_change_papillary", 120, 2);
  printf("info  1 session: type III peaks at day %g, type I at day %g (papillary means)\n", d3, d1);
  fails += mn_ge("type I peak day - type III peak day (1 session)", d1 - d3, 10,
                 "III laid down first, I over weeks");
  double f0 = mn_at(&s1, "collagen_III_fraction_papillary", 0);
  double fpk = -INFINITY;
  for (double t = 0; t <= 120; t += 2) fpk = fmax(fpk, mn_at(&s1, "collagen_III_fraction_papillary", t));
  double f120 = mn_at(&s1, "collagen_III_fraction_papillary", 120);
  fails += mn_ge("III share: peak - untreated (1 session)", fpk - f0, 0.005, "a wound is III-rich");
  fails += mn_le("III share at day 120 - untreated", f120 - f0, 0.5 * (fpk - f0),
                 "back towards the adult share");
  run(&s3, &p3, "[0, 28, 56]", 90, 5, 0);
  double i1 = mn_at(&s1, "collagen_I_change_papillary", 90);
  double i3 = mn_at(&s3, "collagen_I_change_papillary", 90);
  double r1 = mn_at(&s1, "collagen_I_change_reticular", 90);
  double r3 = mn_at(&s3, "collagen_I_change_reticular", 90);
  printf("info  collagen I at day 90: papillary %+.1f %% (1 session), %+.1f %% (3); reticular "
         "%+.1f %%, %+.1f %%\n", i1, i3, r1, r3);
  fails += mn_ge("1 session: type I change at day 90, papillary (%)", i1, 2, "a real gain");
  fails += mn_ge("type I at day 90, papillary: 3 sessions / 1", i3 / i1, 1.5, "more sessions add");
  fails += mn_ge("type I at day 90, reticular: 3 sessions / 1", r3 / r1, 1.5, "more sessions add");
  sim_free(&s1);
  sim_free(&s3);
  params_free(&p1);
  params_free(&p3);
  return fails;
}

static int acne_scar(void) {
  int fails = 0;
  sim a, b;
  params pa, pb;
  run(&a, &pa, "[]", 180, 30, 1);
  run(&b, &pb, "[0, 28, 56]", 180, 30, 1);
  double none = mn_at(&a, "scar_fill_papillary", 180);
  double some = mn_at(&b, "scar_fill_papillary", 180);
  double deficit = 1 - mn_at(&a, "collagen_mean_papillary", 0) / 0.93;
  printf("info  scar: papillary collagen %.1f %% below healthy at day 0\n", 100 * deficit);
  fails += mn_ge("scar deficit of the papillary layer mean (%)", 100 * deficit, 3, "a real scar");
  fails += mn_le("untreated scar: |deficit filled| at day 180", fabs(none), 1e-6,
                 "a stable scar does not fill by itself");
  fails += mn_ge("treated scar (3 sessions): deficit filled at day 180", some, 0.1,
                 "the protocol fills part of it");
  double k0 = mn_at(&a, "keratinocytes_mean_epidermis", 0);
  fails += mn_le("untreated scar: epidermis index at day 180 vs day 0, rel.",
                 fabs(mn_at(&a, "keratinocytes_mean_epidermis", 180) / k0 - 1), 1e-6,
                 "the thinned epidermis is steady too");
  sim_free(&a);
  sim_free(&b);
  params_free(&pa);
  params_free(&pb);
  return fails;
}

int main(void) {
  int fails = one_vs_three();
  fails += acne_scar();
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
