#define _POSIX_C_SOURCE 200809L /* sigaction */

#include "run_control.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "cli.h"

/* Separate flags, so that a SIGUSR1 arriving after a stop request cannot cancel it. */
static volatile sig_atomic_t pending_stop, pending_ckpt;

static void on_signal(int sig) {
  if (sig == SIGUSR1)
    pending_ckpt = 1;
  else
    pending_stop = sig;
}

void run_install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  /* SIGUSR2 stops like SIGTERM but never kills: `cisim sweep run` forwards a stop request as
     SIGUSR2, and the run may get the batch system's SIGTERM as well; the two must not add up
     to "a second signal". */
  sigaction(SIGUSR2, &sa, NULL);
  /* The second SIGTERM or SIGINT kills at once: the checkpoint on disk is always whole. */
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* `cisim sweep run` starts us with these blocked, so that a stop request arriving before
     this point waits for the handlers instead of killing the process. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void run_restore_signals(void) {
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
}


cs_status run_take_checkpoint(sim *s, run_ctl *c, const char *why) {
  CS_TRY(hdf5out_sync(c->out));
  CS_TRY(checkpoint_write(c->ckpt_path, s, hdf5out_nsnap(c->out), c->yaml,
                          hdf5out_run_id(c->out)));
  c->ncheckpoints++;
  c->last_wall = cli_now_s();
  if (!c->quiet) {
    live_progress_break(&c->lp);
    fprintf(stderr, "cisim: checkpoint at t = %.9g day (%s) -> %s\n", s->t, why, c->ckpt_path);
  }
  return CS_OK;
}

cs_status run_hook(sim *s, int after_snapshot, void *vctx) {
  (void)after_snapshot;
  run_ctl *c = vctx;
  live_progress_tick(&c->lp, s, 0);
  const char *why = NULL;
  int stop = 0;
  double now = cli_now_s();
  int sig = pending_stop;
  if (sig) {
    pending_stop = 0;
    pending_ckpt = 0;
    why = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGUSR2";
    stop = 1;
  } else if (pending_ckpt) {
    pending_ckpt = 0;
    why = "SIGUSR1";
  }
  if (c->max_wall > 0 && now - c->t0 >= c->max_wall) {
    why = "--max-walltime";
    stop = 1;
  }
  if (c->stop_after_steps > 0 && s->nsteps >= c->stop_after_steps) {
    why = "--stop-after-steps";
    stop = 1;
  }
  if (c->every_day > 0 && s->t >= c->next_day) {
    c->next_day = (floor(s->t / c->every_day) + 1) * c->every_day;
    if (!why) why = "checkpoint.every_day";
  }
  if (c->every_s > 0 && now - c->last_wall >= c->every_s && !why) why = "checkpoint.every_minutes";
  if (!why) return CS_OK;
  CS_TRY(run_take_checkpoint(s, c, why));
  if (stop) {
    s->stop = 1;
    snprintf(c->stop_reason, sizeof c->stop_reason, "%s", why);
  }
  return CS_OK;
}

double run_parse_walltime(const char *a) {
  double parts[3];
  int n = 0;
  const char *p = a;
  for (;;) {
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (errno || end == p || !(v >= 0) || !isfinite(v) || n == 3) return -1; /* a 4th field too */
    parts[n++] = v;
    if (*end == '\0') break;
    if (*end != ':') return -1;
    p = end + 1;
  }
  double t = 0;
  for (int i = 0; i < n; i++) t = 60 * t + parts[i];
  return n > 1 && (parts[n - 1] >= 60 || (n == 3 && parts[1] >= 60)) ? -1 : t;
}

