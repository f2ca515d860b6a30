/* More sessions give more collagen than fewer, with the same needles (Zeitter 2014:
 * four sessions add to one, "superposition"): one session vs the default three (4 weeks apart)
 * at day 90, and Zeitter's 1 vs 4 sessions (1 mm needles) at 10 weeks.
 * The skin is the default's (human body skin, 2D cross-section); needles 1.5 mm unless the
 * study says otherwise, the default roller pattern (15 punctures/cm² per pass, 8 passes).
 * docs/model.md has the same comparison, from the CLI at the default tolerances. */
#include "test_microneedling_util.h"


int main(void) {
  int fails = 0;
  double r1, r3, z1r, z4r;
  double one = mn_roller_change("[0]", 1500, 90, 90, &r1);
  double three = mn_roller_change("[0, 28, 56]", 1500, 90, 90, &r3);
  printf("info  day 90: 1 session papillary %+.1f %% reticular %+.1f %%; 3 sessions %+.1f %% / %+.1f %%\n",
         one, r1, three, r3);
  fails += mn_ge("1 session: papillary change at day 90 (%)", one, 5, "one session already works");
  fails += mn_ge("3 sessions / 1 session, papillary change at day 90", three / one, 2.0,
                 "sessions add up (Zeitter 2014)");
  fails += mn_ge("3 sessions / 1 session, reticular change at day 90", r3 / r1, 2.0,
                 "sessions add up");
  double z1 = mn_roller_change("[0]", 1000, 70, 70, &z1r);
  double z4 = mn_roller_change("[0, 14, 28, 42]", 1000, 70, 70, &z4r);
  printf("info  1 mm, day 70: 1 session papillary %+.1f %%, 4 sessions %+.1f %%\n", z1, z4);
  fails += mn_ge("1 mm: 4 sessions / 1 session at 10 weeks", z4 / z1, 2.5,
                 "four sessions add to one (Zeitter 2014)");
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
