/* test_checkpoint_arrival: the first arrivals (REPORT_ARRIVAL) and time lags the outcome follows
 * after every step (sim/engine/arrival.h) survive a checkpoint bit for bit: a topical run with
 * a session's open channels and its intact copy (topical.reference: intact), stopped after N
 * steps, checkpointed and continued in a fresh sim on another thread count, ends with every
 * row's arrival time, every lag time and the series row equal, as bits, to an uninterrupted
 * run's; for stops at the first step, while the serum is on and after it. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "model.h"
#include "outcome.h"
#include "params.h"
#include "params_load.h"
#include "sim.h"

static int failures;

static void try_(cs_status st, const char *what) {
  if (st != CS_OK) {
    printf("FAIL  %s: %s\n", what, cs_error_message());
    exit(1);
  }
}

static const char *yaml_text =
    "model: topical\n"
    "grid: {dims: 2, size_um: [200, 100], spacing_um: 5,\n"
    "       boundary: {x: periodic, surface: noflux, deep: dirichlet}}\n"
    "layers:\n  - {name: sc, thickness_um: 20}\n  - {name: ve, thickness_um: 80}\n"
    "time: {end_day: 0.1, output_every_day: 0.025, rtol: 1e-2, dt_initial_day: 1e-10,\n"
    "       dt_min_day: 1e-13}\n"
    "protocol:\n"
    "  device: {needle_length_um: 50, penetration: 1, needle_diameter_um: 40, tip: cylinder,"
    " halo_um: 0}\n"
    "  pattern: {kind: square, spacing_um: 200, passes: 1, shift: none}\n"
    "  sessions: {day: [0]}\n"
    "topical:\n"
    "  reference: intact\n"
    "  arrival_threshold_ug_per_ml: 300\n"
    "  compound: {coefficients: direct, diffusivity_um2_per_day: {sc: 100, ve: 2e4},\n"
    "             partition: {sc: 2, ve: 1}}\n"
    "  applications:\n"
    "    - {concentration_mg_per_ml: 1, session: 0, duration_h: 1}\n";

typedef struct {
  long stop_at;
} hook_ctx;

static cs_status hook(sim *s, int after_snapshot, void *vctx) {
  (void)after_snapshot;
  const hook_ctx *c = vctx;
  if (c->stop_at > 0 && s->nsteps >= c->stop_at) s->stop = 1;
  return CS_OK;
}

/* Every arrival time (both copies), every lag time (delivered, both copies, both layers) and
   the series row, in one array; *n its length. */
static double *grab(sim *s, int *n) {
  const int nser = sim_series_count(s);
  double *v = malloc(sizeof(double) * (size_t)(nser + 2 * s->g->nz + 4 * s->g->nlayers));
  int k = 0;
  sim_series_values(s, v);
  k = nser;
  for (int sp = 0; sp < s->ns; sp++)
    for (int r = 0; r < outcome_arrival_rows(s->oc, sp); r++) v[k++] = outcome_arrival_time(s->oc, sp, r, NULL);
  for (int q = 0; q < s->m->nderived; q++)
    if (strncmp(s->m->derived[q].name, "delivered", 9) == 0)
      for (int l = 0; l < s->g->nlayers; l++) v[k++] = outcome_lag(s->oc, q, l);
  *n = k;
  return v;
}

static void run_case(const params *p, long stop_at, const double *ref, int nref, const char *dir) {
  char path[640], *yaml = params_to_yaml(p);
  snprintf(path, sizeof path, "%s/arrival-%ld.ckpt", dir, stop_at);
  sim s;
  try_(sim_create(&s, p, 2), "sim_create");
  hook_ctx hc = {stop_at};
  s.hook = hook;
  s.hook_ctx = &hc;
  try_(sim_run(&s, NULL, NULL, NULL), "sim_run (first part)");
  const double t_stop = s.t;
  try_(checkpoint_write(path, &s, s.next_output, yaml, "test"), "checkpoint_write");
  sim_free(&s);
  sim s2;
  try_(sim_create(&s2, p, 1), "sim_create (resume)");
  try_(checkpoint_restore(path, &s2), "checkpoint_restore");
  try_(sim_run_resume(&s2, NULL, NULL, NULL), "sim_run_resume");
  int n;
  double *v = grab(&s2, &n);
  const int same = n == nref && memcmp(v, ref, sizeof(double) * (size_t)n) == 0;
  printf("%s  stop after %4ld steps (t = %.4g day): %d arrival times, lags and series values "
         "bitwise identical\n", same ? "PASS" : "FAIL", stop_at, t_stop, n);
  failures += !same;
  free(v);
  sim_free(&s2);
  free(yaml);
  unlink(path);
}

int main(void) {
  const char *base = getenv("TMPDIR");
  char dir[512], cfg[640];
  snprintf(dir, sizeof dir, "%s/cisim-test-ckpt-arr-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(cfg, sizeof cfg, "%s/a.yaml", dir);
  FILE *f = fopen(cfg, "w");
  if (!f || fputs(yaml_text, f) < 0 || fclose(f) != 0) {
    perror(cfg);
    return 1;
  }
  params p;
  try_(params_load(&p, cfg, NULL, 0, model_registry_lookup), "params_load");
  sim s;
  try_(sim_create(&s, &p, 2), "sim_create (reference)");
  try_(sim_run(&s, NULL, NULL, NULL), "sim_run (reference)");
  int nref;
  double *ref = grab(&s, &nref);
  int reached = 0;
  for (int r = 0; r < outcome_arrival_rows(s.oc, 0); r++) reached += !isnan(outcome_arrival_time(s.oc, 0, r, NULL));
  printf("%s  reference: %ld steps, %d of %d rows reached, lag into ve %.6g h\n",
         reached > 0 && reached < outcome_arrival_rows(s.oc, 0) ? "PASS" : "FAIL", s.nsteps, reached,
         outcome_arrival_rows(s.oc, 0), 24 * ref[nref - 3]);
  failures += !(reached > 0 && reached < outcome_arrival_rows(s.oc, 0));
  const long stops[] = {1, s.nsteps / 4, s.nsteps / 2, s.nsteps - 2};
  sim_free(&s);
  for (int i = 0; i < 4; i++) run_case(&p, stops[i], ref, nref, dir);
  free(ref);
  params_free(&p);
  unlink(cfg);
  rmdir(dir);
  printf("%s\n", failures ? "FAILED" : "all arrival checkpoint tests passed");
  return failures != 0;
}
