/* cisim: the collagen induction simulator's command line. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static const char usage[] =
    "usage: cisim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run CONFIG     run a simulation, write an HDF5 run file\n"
    "  check CONFIG   validate a configuration; print parameters, grid and memory needed\n"
    "  params [MODEL] list every parameter: key, unit, default, range, description\n"
    "  models         list the models\n"
    "  bench          measure the transport and reaction kernels against memory bandwidth\n"
    "  compare A B    compare run file A with reference B within a tolerance (exit 0/1/2)\n"
    "  info RUN.h5    summarise a run file: model, grid, snapshots, parameters, outcome, status\n"
    "  sweep ...      parameter sweeps: plan, run (one point), status, collect, analyze\n"
    "                 (docs/sweeps.md)\n"
    "  calibrate SPEC fit parameters to observations: best fit, covariance, 95% intervals\n"
    "                 (docs/calibration.md)\n"
    "  validate TABLE score the model's predictions against published observations\n"
    "                 (docs/validation.md)\n"
    "\n"
    "  cisim <command> --help   options of a command\n"
    "  cisim --version          version and build\n";

/* OpenMP threads that wait at a barrier spin by default (libgomp: ~300 000 rounds), which on a
   shared node takes the cores the other threads need: measured, 2 threads ran 4-20x slower
   than 1. Threads that sleep at once (OMP_WAIT_POLICY=PASSIVE, the choice before) pay a
   wake-up for each of a step's few dozen barriers instead: on a quiet node the default run
   on 2 threads was then no faster than on 1. A short spin (GOMP_SPINCOUNT=1000 rounds,
   microseconds) catches a partner that arrives soon and then sleeps: measured, 1.4x faster
   than sleeping on a quiet node and within 10 % of it on a busy one (docs/performance.md).
   Unless the user chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT), that is the policy. libgomp reads
   its environment when it is loaded, before main, so the choice takes effect by running the
   program once more with it set. */
static void choose_wait_policy(char **argv) {
  if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT") || getenv("CISIM_NO_REEXEC")) return;
  if (setenv("GOMP_SPINCOUNT", "1000", 1) != 0 || setenv("CISIM_NO_REEXEC", "1", 1) != 0)
    return;
  execv("/proc/self/exe", argv);
  /* exec failed (no /proc): go on with libgomp's default */
}

int main(int argc, char **argv) {
  choose_wait_policy(argv);
  /* Files are always closed explicitly. HDF5's own clean-up at exit would try again to flush
     a file whose write failed (a full disk) and crash inside the library (HDF5 1.10). */
  H5dont_atexit();
  if (argc < 2) {
    fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("cisim %s (git %s, %s)\n", CISIM_VERSION, CISIM_GIT, CISIM_COMPILER);
    return 0;
  }
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 1, argv + 1);
  if (strcmp(cmd, "check") == 0) return cli_check(argc - 1, argv + 1);
  if (strcmp(cmd, "params") == 0) return cli_params(argc - 1, argv + 1);
  if (strcmp(cmd, "models") == 0) return cli_models(argc - 1, argv + 1);
  if (strcmp(cmd, "bench") == 0) return cli_bench(argc - 1, argv + 1);
  if (strcmp(cmd, "compare") == 0) return cli_compare(argc - 1, argv + 1);
  if (strcmp(cmd, "info") == 0) return cli_info(argc - 1, argv + 1);
  if (strcmp(cmd, "sweep") == 0) return cli_sweep(argc - 1, argv + 1);
  if (strcmp(cmd, "calibrate") == 0) return cli_calibrate(argc - 1, argv + 1);
  if (strcmp(cmd, "validate") == 0) return cli_validate(argc - 1, argv + 1);
  fprintf(stderr, "cisim: unknown command '%s'\n\n%s", cmd, usage);
  return 2;
}
