/* sweep_analyze: `cisim sweep analyze DIR [-o TABLE.csv] [--bootstrap B] [--level L]`:
 * sensitivity indices of every outcome of a collected Saltelli or Morris sweep. Reads the
 * design (DIR/design.txt, written by plan) and the collected table (DIR/results.h5: each
 * /metrics/<name>, and each /metrics_at_day/<name> column as <name>@<day>); replicates of a
 * design point are averaged (points not done count as missing: their base sample or
 * trajectory is left out). Saltelli designs give S1 and ST with bootstrap intervals, Morris
 * designs μ, μ* and σ (sweep_indices.h). Prints one table per outcome and writes them all as
 * one CSV (default DIR/indices.csv) for scripts/plot_indices.py. */
#ifndef CISIM_SWEEP_ANALYZE_H
#define CISIM_SWEEP_ANALYZE_H

int sweep_analyze(int argc, char **argv);

#endif
