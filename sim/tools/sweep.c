/* sweep: `cisim sweep SUBCOMMAND`: dispatches to plan (sweep_plan), run (sweep_run), status
 * (sweep_status), collect and metrics (sweep_collect), analyze (sweep_analyze);
 * docs/sweeps.md. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "sweep_analyze.h"
#include "sweep_collect.h"
#include "sweep_plan.h"
#include "sweep_run.h"
#include "sweep_status.h"

static const char sweep_usage[] =
    "usage: cisim sweep plan SPEC.yaml -o DIR      plan a sweep: manifest, one override file per point\n"
    "       cisim sweep run DIR [--task N] [--threads T]\n"
    "                                              run point N (default $SLURM_ARRAY_TASK_ID)\n"
    "       cisim sweep status DIR [--todo]        done, running, interrupted, failed, missing points\n"
    "       cisim sweep collect DIR [-o TABLE.csv] one row per point: parameters, status, metrics\n"
    "                                              (TABLE.csv and TABLE.h5)\n"
    "       cisim sweep collect DIR --days D1,D2,... [--series]\n"
    "                                              metrics also at chosen days, whole series\n"
    "       cisim sweep analyze DIR [-o TABLE.csv] sensitivity indices of a saltelli or morris\n"
    "                                              sweep: Sobol S1, ST (bootstrap), Morris mu*, sigma\n"
    "       cisim sweep metrics RUN.h5             the metrics collect takes from one run file\n"
    "See docs/sweeps.md.\n";

int cli_sweep(int argc, char **argv) {
  if (argc < 2) {
    fputs(sweep_usage, stderr);
    return 2;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fputs(sweep_usage, stdout);
    return 0;
  }
  if (strcmp(sub, "plan") == 0) return sweep_plan(argc - 1, argv + 1);
  if (strcmp(sub, "run") == 0) return sweep_run(argc - 1, argv + 1);
  if (strcmp(sub, "status") == 0) return sweep_status(argc - 1, argv + 1);
  if (strcmp(sub, "collect") == 0) return sweep_collect(argc - 1, argv + 1);
  if (strcmp(sub, "analyze") == 0) return sweep_analyze(argc - 1, argv + 1);
  if (strcmp(sub, "metrics") == 0) return sweep_metrics(argc - 1, argv + 1);
  fprintf(stderr, "cisim: sweep: unknown subcommand '%s'\n\n%s", sub, sweep_usage);
  return 2;
}
