/* transport_chemo: the lines of a chemotactic species, whose matrix depends on its attractant
 * (Scharfetter–Gummel face fluxes, transport.h): assembled per line every step and solved by
 * transport_lines. */
#ifndef CISIM_TRANSPORT_CHEMO_H
#define CISIM_TRANSPORT_CHEMO_H

#include "transport_types.h"

/* Block bk of sweep sw for species s: x its values (in place), A its attractant's, scr 7·n·w
   doubles of scratch. */
void transport_chemo_solve(const transport *t, const sweep *sw, int s, const block *bk, double *x,
                           const double *A, double dt, double *scr);

#endif
