/* Longer needles induce collagen deeper (docs/model.md: deeper needles reach deeper dermis): the default roller
 * protocol (3 sessions, 4 weeks apart) with 0.5, 1.0, 1.5 and 2.0 mm needles, read at day 90.
 * "Depth reached" is the deepest depth whose lateral-mean collagen is 5 % above untreated
 * (series collagen_depth_um); it must grow with the needle and stay near the channel bottom
 * (penetration 0.5: channels 250 to 1000 µm deep). The reticular dermis gains more with longer
 * needles, and no needle makes collagen in the subcutis to speak of. */
#include "test_microneedling_util.h"

int main(void) {
  static const double needle[] = {500, 1000, 1500, 2000};
  double depth[4], ret[4], pap[4], hyp[4];
  int fails = 0;
  char name[160];
  for (int i = 0; i < 4; i++) {
    char proto[1024];
    snprintf(proto, sizeof proto,
             "protocol:\n"
             "  device: {needle_length_um: %g, penetration: 0.5, needle_diameter_um: 250}\n"
             "  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random}\n"
             "  sessions: {day: [0, 28, 56]}\n",
             needle[i]);
    sim s;
    params p;
    mn_sim_2d(&s, &p, proto, 90, 5, 2);
    mn_run(&s);
    depth[i] = mn_at(&s, "collagen_depth_um", 90);
    ret[i] = mn_at(&s, "collagen_change_reticular", 90);
    pap[i] = mn_at(&s, "collagen_change_papillary", 90);
    hyp[i] = mn_at(&s, "collagen_change_hypodermis", 90);
    printf("info  %4.1f mm needles (channel %4.0f µm): depth reached %5.0f µm; papillary %+.1f %%, "
           "reticular %+.1f %%, hypodermis %+.2f %%\n",
           needle[i] / 1000, needle[i] / 2, depth[i], pap[i], ret[i], hyp[i]);
    sim_free(&s);
    params_free(&p);
    snprintf(name, sizeof name, "%.1f mm: depth reached - channel depth (µm)", needle[i] / 1000);
    fails += mn_ge(name, depth[i] - needle[i] / 2, -150, "new collagen reaches the channel bottom");
    fails += mn_le(name, depth[i] - needle[i] / 2, 600, "and stays near it");
    snprintf(name, sizeof name, "%.1f mm: subcutis change (%%)", needle[i] / 1000);
    fails += mn_le(name, hyp[i], 3, "the fat layer is hardly touched");
  }
  for (int i = 1; i < 4; i++) {
    snprintf(name, sizeof name, "depth reached, %.1f mm - %.1f mm (µm)", needle[i] / 1000,
             needle[i - 1] / 1000);
    fails += mn_ge(name, depth[i] - depth[i - 1], 100, "longer needles reach deeper");
    snprintf(name, sizeof name, "reticular change, %.1f mm / %.1f mm", needle[i] / 1000,
             needle[i - 1] / 1000);
    fails += mn_ge(name, ret[i] / fmax(ret[i - 1], 1e-9), 1.2, "and make more deep collagen");
  }
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
