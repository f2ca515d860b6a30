#include "cli.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "params_load.h"

int cli_fail(const char *what) {
  (void)what;
  fprintf(stderr, "cisim: %s\n", cs_error_message());
  if (getenv("CISIM_DEBUG")) fprintf(stderr, "cisim: (raised at %s)\n", cs_error_origin());
  return 0;
}

int cli_usage_error(const char *usage, const char *fmt, const char *arg) {
  fprintf(stderr, "cisim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", usage);
  return 2;
}

int cli_parse(int argc, char **argv, const char *usage, int allow_run_opts, int config_optional,
              cli_opts *o) {
  memset(o, 0, sizeof *o);
  o->sets = calloc((size_t)argc + 1, sizeof(char *));
  if (!o->sets) return 2;
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(usage, stdout);
      return -1;
    } else if (strcmp(arg, "--set") == 0 || strcmp(arg, "-s") == 0) {
      if (a + 1 >= argc) return cli_usage_error(usage, "%s needs key.path=value", arg);
      o->sets[o->nsets++] = argv[++a];
    } else if (strncmp(arg, "--set=", 6) == 0) {
      o->sets[o->nsets++] = arg + 6;
    } else if (strcmp(arg, "--threads") == 0 || strcmp(arg, "-j") == 0) {
      if (a + 1 >= argc) return cli_usage_error(usage, "%s needs a number", arg);
      char *end;
      errno = 0;
      long n = strtol(argv[++a], &end, 10);
      if (errno || *end || n < 1 || n > 4096)
        return cli_usage_error(usage, "--threads: expected a whole number from 1 to 4096, got '%s'",
                           argv[a]);
      o->threads = (int)n;
    } else if (strcmp(arg, "--strict") == 0) {
      o->strict = 1;
    } else if (allow_run_opts && (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)) {
      if (a + 1 >= argc) return cli_usage_error(usage, "%s needs a file name", arg);
      o->out = argv[++a];
    } else if (allow_run_opts && strcmp(arg, "--force") == 0) {
      o->force = 1;
    } else if (allow_run_opts && (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0)) {
      o->quiet = 1;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      return cli_usage_error(usage, "unknown option '%s'", arg);
    } else if (!o->config) {
      o->config = arg;
    } else {
      return cli_usage_error(usage, "unexpected argument '%s'", arg);
    }
  }
  if (!o->config && !config_optional) return cli_usage_error(usage, "%s", "missing CONFIG (a YAML file)");
  if (o->threads == 0) o->threads = omp_get_max_threads();
  return 0;
}

void cli_free(cli_opts *o) { free(o->sets); }

void cli_set_model_names(void) {
  int n;
  const model *const *ms = model_list(&n);
  static const char *names[32];
  for (int i = 0; i < n && i < 32; i++) names[i] = ms[i]->name;
  params_set_model_names(names, n < 32 ? n : 32);
}

int cli_load(const cli_opts *o, params *p) {
  cli_set_model_names();
  cs_status st = params_load(p, o->config, o->sets, o->nsets, model_registry_lookup);
  if (st != CS_OK) {
    cli_fail("config");
    return cs_exit_code(st);
  }
  return 0;
}

double cli_now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
