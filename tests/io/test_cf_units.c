/* test_cf_units: cisim's unit spellings become the UDUNITS-2 spellings CF tools parse, for every
 * unit a shipped model, the engine's series and the run file's coordinates use; a spelling that
 * does not fit is refused, not cut. Exit status 0: pass. */
#include <stdio.h>
#include <string.h>

#include "cf_units.h"

int main(void) {
  static const char *const cases[][2] = {
      {"µm", "um"},                 /* coordinates (micro sign) */
      {"μm", "um"},                 /* Greek mu */
      {"day", "day"},               /* /time, *_peak_day */
      {"-", "1"},                   /* dimensionless species, /grid/layer */
      {"", "1"},
      {"%", "%"},                   /* *_change_<layer> */
      {"ng/mL", "ng mL-1"},         /* signal, platelet_gf */
      {"mg/mL", "mg mL-1"},         /* collagen */
      {"cells/mm³", "mm-3"},        /* fibroblasts, inflammatory: a number density */
      {"amount/µm³", "um-3"},       /* diffusion */
      {"µm²/day", "um2 day-1"},     /* a diffusivity */
      {"1/day", "day-1"},
      {"ng/mL·µm²", "ng mL-1 um2"}, /* *_total in 2D: per µm of thickness */
      {"cells/mm³·µm³", "mm-3 um3"},/* *_total in 3D */
      {"mm^-3", "mm-3"},
      {"m2 s-1", "m2 s-1"},         /* already UDUNITS */
  };
  int fail = 0;
  char out[64];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (cf_units(cases[i][0], out, sizeof out) != 0 || strcmp(out, cases[i][1]) != 0) {
      fprintf(stderr, "FAIL: cf_units(\"%s\") = \"%s\", want \"%s\"\n", cases[i][0], out,
              cases[i][1]);
      fail = 1;
    }
  }
  if (cf_units(NULL, out, sizeof out) != 0 || strcmp(out, "1") != 0) {
    fprintf(stderr, "FAIL: cf_units(NULL) = \"%s\"\n", out);
    fail = 1;
  }
  char small[6];
  if (cf_units("ng/mL·µm²", small, sizeof small) != -1 || small[0] != '\0') {
    fprintf(stderr, "FAIL: a spelling longer than the buffer gave \"%s\", not a refusal\n", small);
    fail = 1;
  }
  if (cf_units("m^x", out, sizeof out) != -1) {
    fprintf(stderr, "FAIL: an unreadable exponent was accepted: \"%s\"\n", out);
    fail = 1;
  }
  if (!fail) printf("cf_units: %zu spellings\n", sizeof cases / sizeof cases[0]);
  return fail;
}
