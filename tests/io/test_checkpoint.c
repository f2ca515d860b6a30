/* Checkpoint/restart (sim/io/checkpoint.h): a run stopped after N steps, checkpointed, and
 * continued in a fresh sim ends bitwise identical to an uninterrupted run (fields, series with
 * the outcome metrics, step counters), for stops at the start, during a session's first
 * hours and days, and between snapshots, with the second-order scheme and with the first-order
 * one under both its error estimates. Also: a non-finite value
 * stops the run after a diagnostic snapshot naming species, cell and time; a damaged or
 * truncated checkpoint is refused with CS_ERR_INPUT. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "hdf5out.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sim.h"

static int failures;
#define CHECK(cond, ...)                   \
  do {                                     \
    if (!(cond)) {                         \
      printf("FAIL  " __VA_ARGS__);        \
      printf("\n");                        \
      failures++;                          \
    }                                      \
  } while (0)

static void try_(cs_status st, const char *what) {
  if (st != CS_OK) {
    printf("FAIL  %s: %s\n", what, cs_error_message());
    exit(1);
  }
}

static char config[1024], tmpdir[512];

/* variant: "second_order", or a first-order error estimate ("after_transport", "end_of_step") */
static void load(params *p, const char *variant) {
  char est[128], sch[64];
  const int second = strcmp(variant, "second_order") == 0;
  snprintf(est, sizeof est, "time.error_estimate=%s", second ? "end_of_step" : variant);
  snprintf(sch, sizeof sch, "time.scheme=%s", second ? "second_order" : "first_order");
  const char *sets[] = {"grid.spacing_um=50", "time.end_day=3", "time.output_every_day=1",
                        "time.rtol=1e-2", "time.atol=1e-2", est, sch,
                        "protocol.sessions.day=[0, 1.5]"};
  try_(params_load(p, config, sets, 8, model_registry_lookup), "params_load");
}

typedef struct {
  long stop_at;
  long nan_at;
} hook_ctx;

static cs_status hook(sim *s, int after_snapshot, void *vctx) {
  (void)after_snapshot;
  hook_ctx *c = vctx;
  if (c->stop_at > 0 && s->nsteps >= c->stop_at) s->stop = 1;
  if (c->nan_at > 0 && s->nsteps == c->nan_at) s->u[0][s->g->ncell / 2 + 3] = NAN;
  return CS_OK;
}

typedef struct {
  double *u, *series;
  size_t nu;
  int nser;
  long nsteps, nrejected, nsubsteps;
  double t;
} result;

static void grab(sim *s, result *r) {
  r->nu = s->g->ncell * (size_t)s->ns;
  r->u = malloc(sizeof(double) * r->nu);
  for (int q = 0; q < s->ns; q++) memcpy(r->u + (size_t)q * s->g->ncell, s->u[q], sizeof(double) * s->g->ncell);
  r->nser = sim_series_count(s);
  r->series = malloc(sizeof(double) * (size_t)r->nser);
  sim_series_values(s, r->series);
  r->nsteps = s->nsteps;
  r->nrejected = s->nrejected;
  r->nsubsteps = s->nsubsteps;
  r->t = s->t;
}

static void check_restart(const char *estimate, long stop_at, const result *ref) {
  params p;
  load(&p, estimate);
  char *yaml = params_to_yaml(&p);
  char path[640];
  snprintf(path, sizeof path, "%s/ckpt-%s-%ld.ckpt", tmpdir, estimate, stop_at);
  sim s;
  try_(sim_create(&s, &p, 2), "sim_create");
  hook_ctx hc = {stop_at, 0};
  s.hook = hook;
  s.hook_ctx = &hc;
  try_(sim_run(&s, NULL, NULL, NULL), "sim_run (first part)");
  CHECK(s.stopped, "%s stop at %ld: the run did not stop", estimate, stop_at);
  double t_stop = s.t;
  try_(checkpoint_write(path, &s, s.next_output, yaml, "test"), "checkpoint_write");
  sim_free(&s);

  checkpoint_header h;
  try_(checkpoint_read_header(path, &h), "checkpoint_read_header");
  CHECK(h.t == t_stop && strcmp(h.yaml, yaml) == 0, "%s stop at %ld: header differs", estimate,
        stop_at);
  checkpoint_header_free(&h);
  sim s2;
  try_(sim_create(&s2, &p, 1), "sim_create (resume)"); /* another thread count, too */
  try_(checkpoint_restore(path, &s2), "checkpoint_restore");
  try_(sim_run_resume(&s2, NULL, NULL, NULL), "sim_run_resume");
  result r;
  grab(&s2, &r);
  int same = r.nu == ref->nu && memcmp(r.u, ref->u, sizeof(double) * r.nu) == 0 &&
             r.nser == ref->nser &&
             memcmp(r.series, ref->series, sizeof(double) * (size_t)r.nser) == 0 &&
             r.nsteps == ref->nsteps && r.nrejected == ref->nrejected &&
             r.nsubsteps == ref->nsubsteps && r.t == ref->t;
  printf("%s  %-16s stop after %4ld steps (t = %.6g day): final state, series and counters "
         "bitwise identical\n",
         same ? "PASS" : "FAIL", estimate, stop_at, t_stop);
  if (!same) failures++;
  free(r.u);
  free(r.series);
  sim_free(&s2);
  free(yaml);
  params_free(&p);
  unlink(path);
}

static void restart_suite(const char *estimate) {
  params p;
  load(&p, estimate);
  sim s;
  try_(sim_create(&s, &p, 2), "sim_create (reference)");
  try_(sim_run(&s, NULL, NULL, NULL), "sim_run (reference)");
  result ref;
  grab(&s, &ref);
  printf("# %s: reference %ld steps (%ld rejected) to day %g\n", estimate, ref.nsteps,
         ref.nrejected, ref.t);
  long total = ref.nsteps;
  sim_free(&s);
  params_free(&p);
  /* 1: right after the session at day 0; 5: its first hours; then between snapshots, around
     the second session (day 1.5), and one step before the end */
  long stops[] = {1, 2, 5, total / 4, total / 2, total / 2 + 1, 3 * total / 4, total - 1};
  /* CISIM_TEST_QUICK (the sanitizer pass): the session's first step, between snapshots and
     the last step only; the Release suite stops at all eight */
  const char *quick = getenv("CISIM_TEST_QUICK");
  const long quick_stops[] = {2, total / 2 + 1, total - 1};
  const int q = quick && *quick && strcmp(quick, "0") != 0;
  const long *use = q ? quick_stops : stops;
  const size_t nuse = q ? 3 : sizeof stops / sizeof stops[0];
  for (size_t i = 0; i < nuse; i++)
    if (use[i] >= 1 && use[i] < total) check_restart(estimate, use[i], &ref);
  free(ref.u);
  free(ref.series);
}

static void nonfinite_suite(void) {
  params p;
  load(&p, "second_order");
  sim s;
  try_(sim_create(&s, &p, 2), "sim_create (NaN)");
  char path[640];
  snprintf(path, sizeof path, "%s/nan.h5", tmpdir);
  int nser = sim_series_count(&s);
  series_desc *sd = calloc((size_t)nser, sizeof *sd);
  char(*names)[3][128] = calloc((size_t)nser, sizeof *names);
  for (int q = 0; q < nser; q++) {
    sim_series_describe(&s, q, names[q][0], 128, names[q][1], 128, names[q][2], 128);
    sd[q] = (series_desc){names[q][0], names[q][1], names[q][2]};
  }
  hdf5out_options ho = {.path = path, .force = 1, .deflate = 1, .command_line = "test", .threads = 2};
  hdf5out *out;
  try_(hdf5out_create(&out, &ho, s.g, s.m, &p, sd, nser), "hdf5out_create");
  hook_ctx hc = {0, 0};
  s.hook = hook;
  s.hook_ctx = &hc;
  /* a NaN put into the state after a step that follows the first snapshot */
  hc.nan_at = 40;
  sim_output sink = hdf5out_output(out);
  cs_status st = sim_run(&s, &sink, NULL, NULL);
  long n = hdf5out_nsnap(out);
  const char *msg = cs_error_message();
  int ok = st == CS_ERR_RUN && strstr(msg, "non-finite") && strstr(msg, s.m->species[0].name) &&
           strstr(msg, "µm") && strstr(msg, "day") && strstr(msg, "last snapshot");
  printf("%s  a NaN stops the run: %s\n", ok ? "PASS" : "FAIL", msg);
  if (!ok) failures++;
  /* snapshots 0 .. next_output-1 plus the diagnostic one */
  CHECK(n == s.next_output + 1, "expected %ld snapshots with the diagnostic one, got %ld",
        s.next_output + 1, n);
  if (n == s.next_output + 1) printf("PASS  diagnostic snapshot written (snapshot %ld of %ld)\n", n, n);
  hdf5out_close(out, 0);
  unlink(path);
  char xmf[700];
  snprintf(xmf, sizeof xmf, "%s/nan.xmf", tmpdir);
  unlink(xmf);
  free(sd);
  free(names);
  sim_free(&s);
  params_free(&p);
}

static void damaged_suite(void) {
  params p;
  load(&p, "second_order");
  char *yaml = params_to_yaml(&p);
  sim s;
  try_(sim_create(&s, &p, 2), "sim_create (damaged)");
  hook_ctx hc = {3, 0};
  s.hook = hook;
  s.hook_ctx = &hc;
  try_(sim_run(&s, NULL, NULL, NULL), "sim_run (damaged)");
  char path[640];
  snprintf(path, sizeof path, "%s/damaged.ckpt", tmpdir);
  try_(checkpoint_write(path, &s, s.next_output, yaml, "test"), "checkpoint_write (damaged)");
  FILE *f = fopen(path, "rb");
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  unsigned char *bytes = malloc((size_t)size);
  fseek(f, 0, SEEK_SET);
  if (fread(bytes, 1, (size_t)size, f) != (size_t)size) failures++;
  fclose(f);

  /* truncated to half */
  f = fopen(path, "wb");
  fwrite(bytes, 1, (size_t)size / 2, f);
  fclose(f);
  checkpoint_header h;
  cs_status st = checkpoint_read_header(path, &h);
  int ok = st == CS_ERR_INPUT && strstr(cs_error_message(), path);
  printf("%s  truncated checkpoint refused: %s\n", ok ? "PASS" : "FAIL", cs_error_message());
  if (!ok) failures++;

  /* state bytes flipped (the Fletcher-32 checksum catches it) */
  for (long i = size / 3; i < size / 3 + 64; i++) bytes[i] ^= 0x5a;
  f = fopen(path, "wb");
  fwrite(bytes, 1, (size_t)size, f);
  fclose(f);
  st = checkpoint_read_header(path, &h);
  if (st == CS_OK) {
    checkpoint_header_free(&h);
    sim s2;
    try_(sim_create(&s2, &p, 2), "sim_create (damaged 2)");
    st = checkpoint_restore(path, &s2);
    sim_free(&s2);
  }
  ok = st == CS_ERR_INPUT && strstr(cs_error_message(), path);
  printf("%s  corrupted checkpoint refused: %s\n", ok ? "PASS" : "FAIL", cs_error_message());
  if (!ok) failures++;

  /* not a checkpoint at all */
  f = fopen(path, "wb");
  fputs("model: diffusion\n", f);
  fclose(f);
  st = checkpoint_read_header(path, &h);
  ok = st == CS_ERR_INPUT && strstr(cs_error_message(), "not a readable HDF5 file");
  printf("%s  non-HDF5 checkpoint refused: %s\n", ok ? "PASS" : "FAIL", cs_error_message());
  if (!ok) failures++;
  unlink(path);
  st = checkpoint_read_header(path, &h);
  ok = st == CS_ERR_INPUT && strstr(cs_error_message(), "no checkpoint");
  printf("%s  missing checkpoint: %s\n", ok ? "PASS" : "FAIL", cs_error_message());
  if (!ok) failures++;
  free(bytes);
  free(yaml);
  sim_free(&s);
  params_free(&p);
}

int main(void) {
  const char *src = __FILE__, *slash = strrchr(src, '/');
  snprintf(config, sizeof config, "%.*s/../../configs/single_channel.yaml",
           slash ? (int)(slash - src) : 1, slash ? src : ".");
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/cisim-test-ckpt-XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  restart_suite("second_order");
  restart_suite("after_transport");
  restart_suite("end_of_step");
  nonfinite_suite();
  damaged_suite();
  rmdir(tmpdir);
  printf("%s\n", failures ? "FAILED" : "all checkpoint tests passed");
  return failures != 0;
}
