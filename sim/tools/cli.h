/* cli: the subcommands of the `cisim` program. Each returns the process exit status
 * (0 success, 1 run failure, 2 bad usage or configuration, 3 run stopped early with a
 * checkpoint); only main() exits. */
#ifndef CISIM_CLI_H
#define CISIM_CLI_H

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_params(int argc, char **argv);
int cli_models(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_compare(int argc, char **argv); /* sim/tools/compare_report.c */
int cli_info(int argc, char **argv);    /* sim/tools/info.c */
int cli_sweep(int argc, char **argv);   /* sim/tools/sweep.c */

/* Shared option parsing: CONFIG, --set, --threads, -o, --force, --quiet. */
typedef struct {
  const char *config;
  const char *out;
  const char **sets;
  int nsets;
  int threads;
  int force;
  int quiet;
} cli_opts;

/* Returns 0 if fine, 2 after printing a usage error; -1 if --help was printed. */
int cli_parse(int argc, char **argv, const char *usage, int allow_run_opts, cli_opts *o);
void cli_free(cli_opts *o);
int cli_fail(const char *what); /* prints cs_error_message() and returns the exit code */

#endif
