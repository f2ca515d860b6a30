/* sweep_run: `cisim sweep run DIR [--task N]`: runs one point as a child `cisim run`, skipping
 * it when done and resuming it from its checkpoint, with a heartbeat in its status file and
 * stop signals passed on; records how it ended. */
#ifndef CISIM_SWEEP_RUN_H
#define CISIM_SWEEP_RUN_H

int sweep_run(int argc, char **argv);

#endif
