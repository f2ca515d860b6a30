/* transport_lines: the solve of a block of lines that each have their own matrix (chemotactic
 * lines, whose matrix follows the attractant; lines with per-cell coefficients), assembled by
 * the caller in entry order [p * w + line]. Periodic lines take their wrap face through
 * lines_wrap_face (transport_types.h) and are solved by Sherman–Morrison on top of the Thomas
 * pass. */
#ifndef CISIM_TRANSPORT_LINES_H
#define CISIM_TRANSPORT_LINES_H

#include <stddef.h>

/* Solve in place: a, b, c the assembled matrix (b overwritten), cp and zc scratch of n * w;
   periodic: al, be the corners lines_wrap_face left (be overwritten). */
void transport_lines_solve(int n, int w, size_t ps, size_t ls, int periodic, const double *a,
                           double *b, const double *c, double *cp, double *zc, double *al,
                           double *be, double *x);

#endif
