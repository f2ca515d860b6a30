#include "run_progress.h"

#include <stdio.h>

#include "cli.h"

static void clock_text(double s, char *buf, size_t n) {
  long v = (long)(s + 0.5);
  if (v >= 3600)
    snprintf(buf, n, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
  else
    snprintf(buf, n, "%ld:%02ld", v / 60, v % 60);
}

void live_progress_tick(live_progress *lp, const sim *s, int final) {
  if (!lp->enabled) return;
  double now = cli_now_s(), end = s->opt.end_day;
  double pct = end > 0 ? 100 * s->t / end : 100;
  if (!final && pct >= 100) return; /* the final line says it */
  if (lp->tty) {
    if (!final && now - lp->last_draw < 0.25) return;
  } else if (!final && pct < lp->next_pct && now - lp->last_log < 300) {
    return;
  }
  double el = now - lp->t0, done = s->t - lp->t_start;
  double rate = el > 0 ? (double)(s->nsteps - lp->steps0) / el : 0;
  char e[32], r[32] = "?";
  clock_text(el, e, sizeof e);
  if (done > 0 && !final) clock_text(el * (end - s->t) / done, r, sizeof r);
  fprintf(stderr, "%scisim: day %.4g / %g (%.1f %%), dt %.3g day, %.0f steps/s, elapsed %s%s%s%s",
          lp->tty ? "\r\033[K" : "", s->t, end, pct, s->dt_prev, rate, e,
          final ? "" : ", left ~", final ? "" : r, lp->tty && !final ? "" : "\n");
  lp->drawn = lp->tty && !final;
  lp->last_draw = lp->last_log = now;
  while (lp->next_pct <= pct) lp->next_pct += 10;
}

/* Before another message: end the live line so the message starts on its own line. */
void live_progress_break(live_progress *lp) {
  if (lp->drawn) fputc('\n', stderr);
  lp->drawn = 0;
}

