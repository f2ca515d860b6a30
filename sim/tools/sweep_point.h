/* sweep_point: the state of one sweep point, read from its status file, and whether a point
 * recorded as running still has a live process (docs/sweeps.md, "Point states"). A point is
 * missing (no status file), done, running (its `cisim sweep run` is alive), interrupted
 * (stopped with a checkpoint, or recorded as running but its process is gone or silent) or
 * failed. */
#ifndef CISIM_SWEEP_POINT_H
#define CISIM_SWEEP_POINT_H

#include <stddef.h>

#include "error.h"

typedef enum {
  SWEEP_MISSING,
  SWEEP_DONE,
  SWEEP_RUNNING,
  SWEEP_INTERRUPTED,
  SWEEP_FAILED
} sweep_state;

/* `cisim sweep run` touches a running point's status file every SWEEP_HEARTBEAT_S; a running
   point not touched for SWEEP_STALE_S is taken as killed (SIGKILL, node failure, OOM). */
#define SWEEP_HEARTBEAT_S 60
#define SWEEP_STALE_S 300

/* Number of points (the manifest's rows); the manifest's text too when manifest != NULL. */
cs_status sweep_count_points(const char *dir, long *n, char **manifest);
/* State of point n; *text receives its status line (caller frees; NULL when missing). */
sweep_state sweep_point_state(const char *dir, long n, char **text);
const char *sweep_state_name(sweep_state s);
/* The status line of a point this process runs: host, pid, Slurm job, start time. */
void sweep_running_line(char *buf, size_t size);
/* 1 if a running line was written by this same Slurm job (a requeued task's earlier life). */
int sweep_running_is_ours(const char *line);

#endif
