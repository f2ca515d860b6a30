/* run_control: what decides, between two steps of `cisim run`, whether to checkpoint and
 * whether to stop — signals (SIGUSR1: checkpoint; SIGUSR2, SIGTERM, SIGINT: checkpoint and
 * stop), checkpoint.every_day / every_minutes, --max-walltime — and the checkpoint it writes. */
#ifndef CISIM_RUN_CONTROL_H
#define CISIM_RUN_CONTROL_H

#include "hdf5out.h"
#include "run_progress.h"
#include "sim.h"

typedef struct {
  const char *ckpt_path;
  hdf5out *out;
  char *yaml;              /* resolved configuration recorded in every checkpoint */
  double every_day, next_day;
  double every_s, last_wall;
  double max_wall, t0;
  long stop_after_steps;   /* hidden test option: stop once nsteps reaches it */
  int quiet, ncheckpoints;
  char stop_reason[64];
  live_progress lp;
} run_ctl;

/* Handlers for the stop and checkpoint signals (installed before set-up, so a request during
   it takes effect at the first step), and back to the defaults. */
void run_install_signals(void);
void run_restore_signals(void);

/* The sim's hook (sim.h): called between accepted steps and after each snapshot. */
cs_status run_hook(sim *s, int after_snapshot, void *ctl);
/* A checkpoint now (the run file synced first), reported on stderr unless quiet. */
cs_status run_take_checkpoint(sim *s, run_ctl *c, const char *why);

/* SECONDS, MM:SS or HH:MM:SS; negative if malformed. */
double run_parse_walltime(const char *a);

#endif
