/* sweep_status: `cisim sweep status` (see sweep_status.h). */
#include "sweep_status.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "sweep_point.h"
#include "sweep_util.h"

/* Indices as a Slurm --array list: "0,3-5,9". */
static void print_ranges(FILE *f, const long *idx, long count) {
  for (long i = 0; i < count;) {
    long j = i;
    while (j + 1 < count && idx[j + 1] == idx[j] + 1) j++;
    fprintf(f, "%s%ld", i ? "," : "", idx[i]);
    if (j > i) fprintf(f, "-%ld", idx[j]);
    i = j + 1;
  }
}

static const char status_usage[] =
    "usage: cisim sweep status DIR [--todo]\n"
    "  counts of done, running, interrupted, failed and missing points, and which ones;\n"
    "  --todo prints only the indices still to run (interrupted, failed, missing) as a\n"
    "  Slurm --array list, e.g. 3,7-9 (an empty line when there are none)\n";

int sweep_status(int argc, char **argv) {
  const char *dir = NULL;
  int todo_only = 0;
  const sweep_opt opts[] = {{"--todo", NULL, NULL, &todo_only, 0}, {0}};
  int rc = sweep_args(argc, argv, "sweep status", status_usage, opts, &dir, "DIR");
  if (rc) return rc < 0 ? 0 : rc;
  long npts;
  cs_status st = sweep_count_points(dir, &npts, NULL);
  if (st != CS_OK) {
    cli_fail("sweep status");
    return cs_exit_code(st);
  }
  long count[5] = {0};
  long *todo = malloc(((size_t)npts + 1) * sizeof(long)), ntodo = 0;
  char **text = calloc((size_t)npts + 1, sizeof(char *));
  sweep_state *state = malloc(((size_t)npts + 1) * sizeof(sweep_state));
  if (!todo || !text || !state) {
    free(todo);
    free(text);
    free(state);
    fputs("cisim: sweep status: out of memory\n", stderr);
    return 1;
  }
  for (long n = 0; n < npts; n++) {
    state[n] = sweep_point_state(dir, n, &text[n]);
    count[state[n]]++;
    if (state[n] != SWEEP_DONE && state[n] != SWEEP_RUNNING) todo[ntodo++] = n;
  }
  if (todo_only) {
    print_ranges(stdout, todo, ntodo);
    putchar('\n');
  } else {
    printf("%ld points: %ld done, %ld running, %ld interrupted, %ld failed, %ld missing\n", npts,
           count[SWEEP_DONE], count[SWEEP_RUNNING], count[SWEEP_INTERRUPTED], count[SWEEP_FAILED],
           count[SWEEP_MISSING]);
    static const sweep_state listed[] = {SWEEP_RUNNING, SWEEP_INTERRUPTED, SWEEP_FAILED};
    for (int k = 0; k < 3; k++) {
      long shown = 0;
      for (long n = 0; n < npts; n++) {
        if (state[n] != listed[k]) continue;
        if (shown++ < 20) printf("%s %ld: %s\n", sweep_state_name(listed[k]), n, text[n]);
      }
      if (shown > 20) printf("... and %ld more %s\n", shown - 20, sweep_state_name(listed[k]));
    }
    if (ntodo) {
      printf("to run (interrupted, failed, missing): ");
      print_ranges(stdout, todo, ntodo);
      /* this program and its scripts, as `sweep plan` names them (build tree or installed) */
      char prog[4096], scripts[4096];
      sweep_program_for_user(prog, sizeof prog);
      sweep_scripts_dir(scripts, sizeof scripts);
      printf("\n  resubmit: %s/slurm/submit.sh %s   (or: %s sweep status %s --todo)\n", scripts,
             dir, prog, dir);
    }
  }
  for (long n = 0; n < npts; n++) free(text[n]);
  free(text);
  free(state);
  free(todo);
  return 0;
}
