/* sweep_status: `cisim sweep status DIR [--todo]`: how many points are done, running,
 * interrupted, failed or missing, which ones, and what is still to run (as a Slurm --array
 * list). */
#ifndef CISIM_SWEEP_STATUS_H
#define CISIM_SWEEP_STATUS_H

int sweep_status(int argc, char **argv);

#endif
