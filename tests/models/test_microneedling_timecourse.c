/* The time course of one session (docs/model.md §2–3), default roller protocol, one
 * session at day 0, followed for 60 days:
 *   - the signal peaks within hours (platelet release, t½ 1 h) and decays within days
 *     (inflammatory phase, clearance 0.2/day: TGF-β up ≈ 2 weeks, Aust 2010);
 *   - fibroblasts peak days after the session (proliferation ≤ 0.924/day, Jin 2011) and then
 *     return towards baseline within weeks;
 *   - collagen rises over weeks, not days (activation with a 10-day time constant).
 * Layer means of the papillary dermis are used: they do not depend on the grid the way a
 * single cell's maximum does. */
#include "test_microneedling_util.h"

int main(void) {
  sim s;
  params p;
  mn_sim_2d(&s, &p,
            "protocol:\n"
            "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250}\n"
            "  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random}\n"
            "  sessions: {day: [0]}\n",
            60, 1, 2);
  mn_run(&s);
  const outcome *o = s.oc;
  int pap = mn_layer(&s, "papillary"), S = mn_species(&s, "signal"), F = mn_species(&s, "fibroblasts");
  int fails = 0;
  double d_s, d_smax, d_f;
  double s_peak = outcome_session_peak_mean(o, 0, S, pap, &d_s);
  double s_cell = outcome_session_peak(o, 0, S, &d_smax);
  printf("info  papillary signal peak %.4g ng/mL at %.2f h; cell peak %.4g at %.2f h\n", s_peak,
         24 * d_s, s_cell, 24 * d_smax);
  fails += mn_le("signal peak delay, papillary mean (h)", 24 * d_s, 6, "within hours");
  fails += mn_le("signal peak delay, largest cell (h)", 24 * d_smax, 6, "within hours");
  fails += mn_ge("signal peak, papillary mean (ng/mL)", s_peak, 0.05, "a real response");
  double s7 = mn_at(&s, "signal_mean_papillary", 7), s14 = mn_at(&s, "signal_mean_papillary", 14);
  fails += mn_le("signal at day 7 / peak", s7 / s_peak, 0.25, "decays within days");
  fails += mn_le("signal at day 14 / peak", s14 / s_peak, 0.1, "about 2 weeks (Aust 2010)");

  double f_peak = outcome_session_peak_mean(o, 0, F, pap, &d_f);
  double f0 = 1250;
  printf("info  papillary fibroblast peak %.4g cells/mm³ (%+.1f %%) at day %.2f\n", f_peak,
         100 * (f_peak / f0 - 1), d_f);
  fails += mn_ge("fibroblast peak delay (day)", d_f, 2, "days after the session, not hours");
  fails += mn_le("fibroblast peak delay (day)", d_f, 14, "within two weeks");
  fails += mn_ge("fibroblast peak increase (%)", 100 * (f_peak / f0 - 1), 5, "a real response");
  double back = outcome_session_return(o, 0, F, pap);
  fails += mn_le("days until fibroblasts within 5 % again", back, 45, "return towards baseline");
  fails += mn_le("fibroblast change at day 60 (%), |.|", fabs(mn_at(&s, "fibroblasts_change_papillary", 60)),
                 5, "back at baseline");

  double c3 = mn_at(&s, "collagen_change_papillary", 3), c7 = mn_at(&s, "collagen_change_papillary", 7);
  double c14 = mn_at(&s, "collagen_change_papillary", 14), c28 = mn_at(&s, "collagen_change_papillary", 28);
  double c60 = mn_at(&s, "collagen_change_papillary", 60);
  printf("info  papillary collagen change: day 3 %+.2f %%, 7 %+.2f %%, 14 %+.2f %%, 28 %+.2f %%, 60 %+.2f %%\n",
         c3, c7, c14, c28, c60);
  fails += mn_ge("collagen change at day 60 (%)", c60, 5, "the session makes collagen");
  fails += mn_le("collagen gain by day 3 / gain by day 60", c3 / c60, 0.2, "not within days");
  fails += mn_le("collagen gain by day 7 / gain by day 60", c7 / c60, 0.5, "mostly after the first week");
  fails += mn_ge("collagen gain by day 28 / gain by day 60", c28 / c60, 0.7, "over weeks");
  fails += mn_ge("collagen day 28 - day 14 (% points)", c28 - c14, 0.0, "still rising after 2 weeks");
  sim_free(&s);
  params_free(&p);
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
