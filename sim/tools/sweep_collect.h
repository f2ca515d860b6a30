/* sweep_collect: `cisim sweep collect DIR` (one table, CSV and HDF5, a row per point:
 * parameters, seed, status, metrics) and `cisim sweep metrics RUN.h5` (the metrics collect
 * takes from one run file: final values of its outcome series). */
#ifndef CISIM_SWEEP_COLLECT_H
#define CISIM_SWEEP_COLLECT_H

int sweep_collect(int argc, char **argv);
int sweep_metrics(int argc, char **argv);

#endif
