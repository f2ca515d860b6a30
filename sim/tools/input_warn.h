/* input_warn: configurations that pass validation but are probably not what was meant, said on
 * stderr before anything runs (`cisim run`, `cisim check`); with --strict they stop the command
 * (exit 2, nothing written). Each warning names the file and the key, as errors do:
 *   - needle channels shallower than one grid cell (the wound map holds almost no channel and
 *     the treatment changes nothing: often a needle length in mm given as µm), or ending inside
 *     the epidermis (the layer named "epidermis");
 *   - a punctured session whose channels cover no grid cell once rasterised (needles too thin
 *     for the grid);
 *   - treatment sessions after time.end_day (they are not simulated);
 *   - output.summary_days after time.end_day (the summary has no row for them). */
#ifndef CISIM_INPUT_WARN_H
#define CISIM_INPUT_WARN_H

#include <stdio.h>

#include "grid.h"
#include "params.h"
#include "protocol.h"

/* Print the warnings for p on grid g with treatment protocol pr (NULL: none) to err; returns
   how many were printed. The wound maps are rasterised with nthreads threads. */
int input_warn(FILE *err, const params *p, const grid *g, const protocol *pr, int nthreads);

/* Sessions of pr on or before end_day: those a run of that length simulates. */
int input_sessions_within(const protocol *pr, double end_day);

#endif
