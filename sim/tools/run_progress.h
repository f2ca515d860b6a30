/* run_progress: the live progress of `cisim run`. On a terminal: one line on stderr redrawn in
 * place, at most 4 times a second. Otherwise (a batch job's log): a plain line every 10 % of
 * the simulated time or every 5 minutes, whichever comes first. */
#ifndef CISIM_RUN_PROGRESS_H
#define CISIM_RUN_PROGRESS_H

#include "sim.h"

typedef struct {
  int enabled, tty, drawn;
  double t0, t_start, last_draw, last_log, next_pct;
  long steps0;
} live_progress;

/* After a step or snapshot (final: the run is done: always draw, end the line). */
void live_progress_tick(live_progress *lp, const sim *s, int final);
/* Before another message: end the live line so the message starts on its own line. */
void live_progress_break(live_progress *lp);

#endif
