/* cli: what the subcommands share — the common options (CONFIG, --set, --threads, -o,
 * --force, --quiet), loading the configuration they name, and the one way errors reach the
 * user. The subcommands themselves are listed in commands.h. */
#ifndef CISIM_CLI_H
#define CISIM_CLI_H

#include "params.h"

/* Shared option parsing: CONFIG, --set, --threads, --strict, -o, --force, --quiet. */
typedef struct {
  const char *config;
  const char *out;
  const char **sets;
  int nsets;
  int threads;
  int force;
  int quiet;
  int strict;   /* --strict: a warning about the input (input_warn.h) stops the command */
} cli_opts;

/* Returns 0 if fine, 2 after printing a usage error; -1 if --help was printed. With
   config_optional, CONFIG may be left out (cisim run --resume). */
int cli_parse(int argc, char **argv, const char *usage, int allow_run_opts, int config_optional,
              cli_opts *o);
void cli_free(cli_opts *o);
int cli_fail(const char *what); /* prints cs_error_message() and returns the exit code */

/* "cisim: MESSAGE" (fmt with one %s for arg) and the usage on stderr; returns 2. */
int cli_usage_error(const char *usage, const char *fmt, const char *arg);
/* Load o->config with o->sets against the registry of every model; 0, or the exit code after
   printing the located message. */
int cli_load(const cli_opts *o, params *p);
/* Tell params_load the model names (for "did you mean"); once per process is enough. */
void cli_set_model_names(void);
/* Seconds on a monotonic clock. */
double cli_now_s(void);

#endif
