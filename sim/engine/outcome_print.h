/* outcome_print: the end-of-run summary `cisim run` ends with (sim/engine/outcome.h lists what
 * the outcome metrics follow): per species the change per layer at chosen days and the depth
 * reached, the model's derived quantities at those days, the first arrival of a level at the
 * top of each layer (REPORT_ARRIVAL) and the deepest depth reached, the time lag of the
 * model's lagged derived quantities, and per session the peaks (value, delay) and returns. */
#ifndef CISIM_OUTCOME_PRINT_H
#define CISIM_OUTCOME_PRINT_H

#include <stdio.h>

#include "outcome.h"

/* The end-of-run summary; days: the rows recorded at those very days (the stepper lands on
   and records each; days without a row, after the end, are left out; NULL/0: the rows every
   30 days and the last); tr: the treatment whose sessions head it (NULL: none). */
void outcome_print(const outcome *o, const treatment *tr, FILE *f, const double *days,
                   int ndays);

#endif
