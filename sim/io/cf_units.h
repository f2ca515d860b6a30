/* cf_units: a unit as cisim spells it for people ("ng/mL", "cells/mm³", "µm²/day",
 * "ng/mL·µm²", "-") in the spelling that UDUNITS-2, and so CF tools (xarray with cf_xarray or
 * pint, ncview, Panoply), parse: "ng mL-1", "mm-3", "um2 day-1", "ng mL-1 um2", "1".
 *
 * Factors are separated by "·", "*" or spaces; "/" makes the factors after it, up to the next
 * separator, reciprocal; exponents may be written ², ³, ¹, "^N" or digits; "µ" (micro sign or
 * Greek mu) becomes "u". Counting words ("cells", "amount") are dimensionless and left out, as
 * CF writes a number density as "mm-3". "-" and "" are "1"; "%" and "day" stay. */
#ifndef CISIM_CF_UNITS_H
#define CISIM_CF_UNITS_H

#include <stddef.h>

/* Write the UDUNITS spelling of UNIT (NULL: "") into out[size]; -1 (out set to "") if it does
   not fit or a factor cannot be read, 0 on success. */
int cf_units(const char *unit, char *out, size_t size);

#endif
