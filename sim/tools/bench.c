/* `cisim bench`: ns per cell·species·step of the transport and reaction kernels, set against
 * the bound that this machine's memory bandwidth (an in-place update and, for reference, a STREAM
 * triad, measured in the same run)
 * puts on the transport: in 3D the x and y sweeps of a depth slab share one pass over memory
 * and the z sweep needs another, each reading and writing every value once: 32 bytes per
 * cell·species·step (2D: x sweep and z sweep, also 32 bytes). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bigmem.h"
#include "cli.h"
#include "model.h"
#include "params_load.h"
#include "sim.h"

/* A synthetic model: N species, all diffusing, with logistic growth and a linear decay so the
   reaction kernel exercises both the remainder and the integrating factor. */
typedef struct {
  int n;
} bench_model;

static species_info bench_species[MODEL_MAX_SPECIES];
static char bench_names[MODEL_MAX_SPECIES][16];

static double b_diff(const void *inst, int s, int layer) {
  (void)inst;
  (void)layer;
  return 1e4 * (1 + s);
}
static double b_bval(const void *inst, int s) {
  (void)inst;
  (void)s;
  return 0;
}
static void b_init(const void *inst, const cell_info *c, double *u) {
  const bench_model *b = inst;
  for (int s = 0; s < b->n; s++) u[s] = 0.5 + 0.4 * sin(0.01 * c->x + 0.02 * c->y + 0.03 * c->z + s);
}
static void b_react(const void *inst, const cell_info *c, double t, const double *u, double *f,
                    double *k) {
  const bench_model *b = inst;
  (void)c;
  (void)t;
  for (int s = 0; s < b->n; s++) {
    f[s] = 0.5 * u[s] * (1 - u[s]);
    k[s] = 0.1;
  }
}
static void b_destroy(void *inst) { (void)inst; }

static double wall(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Memory bandwidth in bytes/s, best of 5, over arrays far beyond any cache:
   kind 0, STREAM's triad a = b + q c, counted as STREAM does (24 bytes per element);
   kind 1, an update in place a = q a + b (24 bytes per element). The triad's stores go to lines
   not in cache, which most CPUs first read (write-allocate): the hardware then moves 32 bytes
   per element and the STREAM figure understates the bandwidth by up to 4/3. The update writes
   lines it has just read, as the transport's in-place sweeps do, so its 24 bytes are the bytes
   moved; it sets the bound. */
static double bandwidth(int threads, int kind) {
  const size_t n = 20u * 1000u * 1000u; /* 3 × 160 MB */
  /* allocated as the simulation's state is (huge pages where offered), so that the bound
     sees the same memory system */
  double *a = bigmem_alloc(n * sizeof(double)), *b = bigmem_alloc(n * sizeof(double)),
         *c = bigmem_alloc(n * sizeof(double));
  if (!a || !b || !c) {
    free(a);
    free(b);
    free(c);
    return NAN;
  }
#pragma omp parallel for schedule(static) num_threads(threads)
  for (size_t i = 0; i < n; i++) {
    a[i] = 0;
    b[i] = 1;
    c[i] = 2;
  }
  double best = INFINITY;
  for (int rep = 0; rep < 5; rep++) {
    double t0 = wall();
    if (kind == 0) {
#pragma omp parallel for schedule(static) num_threads(threads)
      for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0 * c[i];
    } else {
#pragma omp parallel for schedule(static) num_threads(threads)
      for (size_t i = 0; i < n; i++) a[i] = 0.5 * a[i] + b[i];
    }
    double dt = wall() - t0;
    if (dt < best) best = dt;
  }
  volatile double sink = a[n / 2];
  (void)sink;
  free(a);
  free(b);
  free(c);
  return 24.0 * (double)n / best;
}

/* One row of the table: the kernels with `threads` threads. */
static int bench_threads(const grid *g, int ns, int steps, int threads) {
  static const param_desc no_params[] = {{NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL}};
  model bm = {.name = "bench", .summary = "synthetic", .params = no_params, .nspecies = ns,
              .species = bench_species, .destroy = b_destroy, .diffusivity = b_diff,
              .boundary_value = b_bval, .initial = b_init, .reaction = b_react};
  bench_model inst = {ns};
  sim s;
  sim_options o = {.end_day = 1, .output_every_day = 1, .dt_initial = 0.01, .dt_min = 1e-9,
                   .dt_max = 0.01, .rtol = 1e-3, .atol = 1e-6, .adaptive = 0, .nthreads = threads};
  if (sim_init(&s, g, &bm, &inst, &o) != CS_OK) {
    cli_fail("bench");
    sim_free(&s);
    return 1;
  }
  double cells = (double)g->ncell * ns * steps;
  const double dt = 0.01;
  transport_step(s.tr, s.u, dt); /* warm up: page faults, factorisations */
  double t0 = wall();
  /* a new dt every step, so the factorisations are rebuilt as in an adaptive run */
  for (int n = 0; n < steps; n++) transport_step(s.tr, s.u, dt * (1 + 1e-12 * n));
  double t_tr = (wall() - t0) / cells * 1e9;
  long sub = 0;
  cs_status st = CS_OK;
  t0 = wall();
  for (int n = 0; n < steps && st == CS_OK; n++) st = reaction_step(s.rx, s.u, 0.0, 0.5 * dt, &sub);
  double t_rx = (wall() - t0) / cells * 1e9;
  double triad = bandwidth(threads, 0), bw = bandwidth(threads, 1);
  double bound = 32.0 / bw * 1e9;
  printf("  %7d %10.3f %10.3f %11.2f %11.2f %9.3f %8.0f%% %8.0f%% %12.1f\n", threads, t_tr, t_rx,
         triad / 1e9, bw / 1e9, bound, 100 * (32.0 / triad * 1e9) / t_tr, 100 * bound / t_tr,
         (double)sim_bytes(&s) / ((double)g->ncell * ns));
  if (st != CS_OK) cli_fail("bench");
  sim_free(&s);
  return st == CS_OK ? 0 : 1;
}

/* ---- the microneedling model: its reaction alone, and whole steps --------------------- */

/* configs/default.yaml's skin and protocol; its cross-section at 10 µm unless --mn-config. */
static const char mn_default_yaml[] =
    "model: microneedling\n"
    "grid: {dims: 2, size_um: [2600, 2500], spacing_um: 10,\n"
    "       boundary: {x: periodic, surface: noflux, deep: noflux}}\n"
    "layers:\n"
    "  - {name: epidermis,  thickness_um: 100}\n"
    "  - {name: papillary,  thickness_um: 300}\n"
    "  - {name: reticular,  thickness_um: 1800}\n"
    "  - {name: hypodermis, thickness_um: 300}\n"
    "time: {end_day: 180, output_every_day: 5, dt_max_day: 1, rtol: 3e-3, atol: 3e-3,\n"
    "       error_estimate: after_transport}\n"
    "protocol:\n"
    "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250, tip: cone,\n"
    "           halo_um: 20}\n"
    "  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random, seed: 1}\n"
    "  sessions: {day: [0, 28, 56]}\n"
    "microneedling:\n"
    "  fibroblast:\n"
    "    density_per_mm3: {epidermis: 0, papillary: 1250, reticular: 1250, hypodermis: 300}\n"
    "    motility_um2_per_day: {epidermis: 0, hypodermis: 0}\n"
    "    chemotaxis_um2_per_day_per_ng_ml: {epidermis: 0, hypodermis: 0}\n"
    "  collagen:\n"
    "    baseline_index: {epidermis: 0, papillary: 0.93, reticular: 0.89, hypodermis: 0.2}\n"
    "  elastin:\n"
    "    baseline_index: {hypodermis: 0.2}\n"
    "  keratinocyte:\n"
    "    baseline_index: {epidermis: 1}\n";

/* Per-sample timings: on a shared machine most samples also measure the neighbours, so both
   the best (the machine's own speed) and the median are shown. */
typedef struct {
  double *t;
  int n, cap;
  double last;
  long attempts; /* steps tried (accepted + rejected) when the last sample ended */
} samples;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void samples_stats(samples *sm, double *best, double *median) {
  qsort(sm->t, (size_t)sm->n, sizeof(double), cmp_double);
  *best = sm->n ? sm->t[0] : NAN;
  *median = sm->n ? 0.5 * (sm->t[(sm->n - 1) / 2] + sm->t[sm->n / 2]) : NAN;
}

/* after each accepted step: its wall time per step tried since the last one; stops after
   cap steps */
static cs_status step_sample(sim *s, int after_snapshot, void *ctx) {
  samples *sm = ctx;
  if (after_snapshot) return CS_OK;
  double now = wall();
  long tried = s->nsteps + s->nrejected;
  sm->t[sm->n++] = (now - sm->last) / (double)(tried - sm->attempts);
  sm->last = now;
  sm->attempts = tried;
  if (sm->n >= sm->cap) s->stop = 1;
  return CS_OK;
}

/* One row: the state one day after the first session (inflammatory phase), then 5 × `steps`
   half steps of the reaction alone at the step size the run had reached, each timed, and
   `steps` accepted whole adaptive steps (reaction, transport, error estimate and step
   control), each timed with the rejected attempts before it counted as steps. */
static int bench_microneedling(const params *p, int steps, int threads) {
  sim s;
  cs_status st = sim_create(&s, p, threads);
  if (st == CS_OK) st = sim_advance_to(&s, 1.0);
  samples sm = {malloc(sizeof(double) * 5 * (size_t)steps), 0, 5 * steps, 0, 0};
  if (st == CS_OK && !sm.t) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st != CS_OK) {
    cli_fail("bench");
    sim_free(&s);
    free(sm.t);
    return 1;
  }
  const double per = 1e9 / ((double)s.g->ncell * s.ns); /* s -> ns per cell·species */
  const double h = 0.5 * fmin(s.dt, s.opt.dt_max);
  long sub = 0;
  for (int n = 0; n < sm.cap && st == CS_OK; n++) {
    double t0 = wall();
    st = reaction_step(s.rx, s.u, s.t, h, &sub);
    sm.t[sm.n++] = (wall() - t0) * per;
  }
  double rx_best, rx_med;
  samples_stats(&sm, &rx_best, &rx_med);
  const long r0 = s.nrejected;
  sm.n = 0;
  sm.cap = steps;
  sm.attempts = s.nsteps + s.nrejected;
  s.hook = step_sample;
  s.hook_ctx = &sm;
  const double sec0[3] = {s.sec_reaction, s.sec_transport, s.sec_control}, w0 = wall();
  sm.last = w0;
  if (st == CS_OK) st = sim_advance_to(&s, s.opt.end_day);
  /* where the whole steps' time went: the engine's own clocks (reaction passes with the held
     species' sources, transport solves, error norm and extrapolation), as shares of the wall */
  const double wsum = wall() - w0, pct = wsum > 0 ? 100.0 / wsum : 0.0;
  const double shares[3] = {(s.sec_reaction - sec0[0]) * pct, (s.sec_transport - sec0[1]) * pct,
                            (s.sec_control - sec0[2]) * pct};
  for (int q = 0; q < sm.n; q++) sm.t[q] *= per;
  double st_best, st_med;
  samples_stats(&sm, &st_best, &st_med);
  printf("  %7d %8.3f %8.3f %9.4f %8.3f %8.3f %6d %8ld %7.3g %5.0f %5.0f %5.0f\n", threads,
         rx_best, rx_med, (double)sub / ((double)s.g->ncell * 5 * steps), st_best, st_med, sm.n,
         s.nrejected - r0, s.t, shares[0], shares[1], shares[2]);
  if (st != CS_OK) cli_fail("bench");
  sim_free(&s);
  free(sm.t);
  return st == CS_OK ? 0 : 1;
}

static int bench_mn_table(const char *config, int steps, int threads) {
  char tmp[] = "/tmp/cisim_bench_XXXXXX";
  const char *path = config;
  if (!path) {
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f && fputs(mn_default_yaml, f) >= 0;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) {
      fprintf(stderr, "cisim: bench: cannot write a temporary configuration in /tmp\n");
      if (fd >= 0) unlink(tmp);
      return 1;
    }
    path = tmp;
  }
  params p;
  cs_status st = params_load(&p, path, NULL, 0, model_registry_lookup);
  if (!config) unlink(tmp);
  if (st == CS_OK && strcmp(p.model_name, "microneedling") != 0)
    st = CS_ERROR(CS_ERR_INPUT, "%s: --mn-config wants a microneedling configuration", path);
  if (st != CS_OK) {
    params_free(&p);
    return cli_fail("bench");
  }
  grid g;
  if (grid_init(&g, &p) != CS_OK) {
    params_free(&p);
    return cli_fail("bench");
  }
  const model *mm = model_find(p.model_name);
  printf("microneedling: %s, %dD grid %d × %d × %d (%.3f M cells), %d species, %d steps\n",
         config ? config : "configs/default.yaml at 10 µm", g.dims, g.nx, g.ny, g.nz,
         g.ncell / 1e6, mm ? mm->nspecies : 0, steps);
  grid_free(&g);
  printf("  from the state 1 day after the first session: the reaction alone (5 × steps half\n"
         "  steps at the step size reached; ns per cell·species·half step, best and median;\n"
         "  substeps per cell), then whole adaptive steps (reaction, transport, error estimate,\n"
         "  step control; ns per cell·species·step, best and median, rejected attempts counted;\n"
         "  the shares of their wall time in reaction, transport and error control, %%)\n");
  printf("  %7s %8s %8s %9s %8s %8s %6s %8s %7s %5s %5s %5s\n", "threads", "rx best", "rx med",
         "substeps", "step bst", "step med", "steps", "rejected", "to day", "rx%", "tr%", "ctl%");
  int rc = 0;
  for (int th = 1; th <= threads && rc == 0; th = th * 2 > threads && th < threads ? threads : th * 2) {
    rc = bench_microneedling(&p, steps, th);
    if (th == threads) break;
  }
  params_free(&p);
  return rc;
}

static const char bench_usage[] =
    "usage: cisim bench [--grid NX NY NZ] [--species N] [--steps N] [--threads N]\n"
    "                   [--mn-config FILE] [--mn-steps N] [--part all|kernels|microneedling]\n"
    "\n"
    "Times the transport (LOD sweeps) and reaction kernels on a synthetic model (default:\n"
    "256 × 256 × 128 cells, 3 species, 10 steps) and the memory bandwidth (STREAM triad, and an\n"
    "in-place update that sets the bound) on the same machine, for\n"
    "1, 2, 4, ... threads up to --threads N (default: all cores); prints ns per\n"
    "cell·species·step, the bandwidth bound, and bytes of memory per cell·species.\n"
    "NY = 1 gives a 2D grid.\n"
    "Then the microneedling model (every species; configs/default.yaml's cross-section at 10 µm,\n"
    "or --mn-config): its reaction alone, ns per cell·species·half step, and whole adaptive\n"
    "steps, ns per cell·species·step (--mn-steps of them, default 100, and 5 times as many\n"
    "half steps of the reaction), from the state one day after the first session; each step\n"
    "timed, the best and the median shown.\n";

static int parse_int(const char *s, int lo, int hi, int *v) {
  char *end;
  long x = strtol(s, &end, 10);
  if (*end || x < lo || x > hi) return 0;
  *v = (int)x;
  return 1;
}

/* The CPU as /proc/cpuinfo names it ("model name"). */
static void cpu_model(char *cpu, size_t n) {
  snprintf(cpu, n, "unknown CPU");
  FILE *ci = fopen("/proc/cpuinfo", "r");
  if (!ci) return;
  char line[256];
  while (fgets(line, sizeof line, ci))
    if (strncmp(line, "model name", 10) == 0) {
      char *v = strchr(line, ':');
      if (v) snprintf(cpu, n, "%s", v + 2);
      cpu[strcspn(cpu, "\n")] = '\0';
      break;
    }
  fclose(ci);
}

int cli_bench(int argc, char **argv) {
  int nx = 256, ny = 256, nz = 128, ns = 3, steps = 10, threads = omp_get_max_threads(), dims = 3;
  int mn_steps = 100, part = 0; /* 0 all, 1 kernels, 2 microneedling */
  const char *mn_config = NULL;
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    int ok = 1;
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(bench_usage, stdout);
      return 0;
    } else if (strcmp(arg, "--grid") == 0 && a + 3 < argc) {
      ok = parse_int(argv[a + 1], 3, 1 << 20, &nx) && parse_int(argv[a + 2], 1, 1 << 20, &ny) &&
           parse_int(argv[a + 3], 3, 1 << 20, &nz);
      a += 3;
    } else if (strcmp(arg, "--species") == 0 && a + 1 < argc) {
      ok = parse_int(argv[++a], 1, MODEL_MAX_SPECIES, &ns);
    } else if (strcmp(arg, "--steps") == 0 && a + 1 < argc) {
      ok = parse_int(argv[++a], 1, 1000000, &steps);
    } else if (strcmp(arg, "--mn-steps") == 0 && a + 1 < argc) {
      ok = parse_int(argv[++a], 1, 1000000, &mn_steps);
    } else if (strcmp(arg, "--mn-config") == 0 && a + 1 < argc) {
      mn_config = argv[++a];
    } else if (strcmp(arg, "--part") == 0 && a + 1 < argc) {
      const char *v = argv[++a];
      part = strcmp(v, "all") == 0 ? 0 : strcmp(v, "kernels") == 0 ? 1
             : strcmp(v, "microneedling") == 0 ? 2 : -1;
      ok = part >= 0;
    } else if ((strcmp(arg, "--threads") == 0 || strcmp(arg, "-j") == 0) && a + 1 < argc) {
      ok = parse_int(argv[++a], 1, 4096, &threads);
    } else {
      ok = 0;
    }
    if (!ok) {
      fprintf(stderr, "cisim: bench: bad or incomplete option '%s'\n%s", arg, bench_usage);
      return 2;
    }
  }
  if (ny == 1) dims = 2;
  for (int s = 0; s < ns; s++) {
    snprintf(bench_names[s], sizeof bench_names[s], "u%d", s);
    bench_species[s] = (species_info){bench_names[s], "-", "synthetic", -1, 0};
  }
  char cpu[128];
  cpu_model(cpu, sizeof cpu);
  int isa = MODEL_NISA - 1;
  while (!reaction_cpu_has(isa)) isa--;
  printf("cisim bench: %s, %d cores; reaction code for %s\n", cpu, omp_get_num_procs(),
         reaction_isa_name(isa));
  int rc = 0;
  if (part != 2) {
    grid g;
    if (grid_init_simple(&g, dims, nx, ny, nz, 10.0, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX,
                         BC_NOFLUX) != CS_OK)
      return cli_fail("bench");
    printf("synthetic: %dD grid %d × %d × %d (%.2f M cells), %d species, %d steps\n", dims, nx,
           g.ny, nz, g.ncell / 1e6, ns, steps);
    printf("  ns per cell·species·step (transport: one LOD step; reaction: one half step);\n"
           "  triad: STREAM's a = b + q c in STREAM's count (24 B/element; with write-allocate the\n"
           "  hardware moves 32); update: a = q a + b in place (24 B moved per element);\n"
           "  bound: 32 bytes per cell·species·step at the update bandwidth, same thread count;\n"
           "  transport as a share of the bound at the triad's and at the update's bandwidth\n");
    printf("  %7s %10s %10s %11s %11s %9s %9s %9s %12s\n", "threads", "transport", "reaction",
           "triad GB/s", "update GB/s", "bound ns", "vs triad", "vs update", "B/cell·sp.");
    /* 1, 2, 4, ... up to the requested count, and that count itself */
    for (int th = 1; th <= threads && rc == 0;
         th = th * 2 > threads && th < threads ? threads : th * 2) {
      rc = bench_threads(&g, ns, steps, th);
      if (th == threads) break;
    }
    grid_free(&g);
  }
  if (part != 1 && rc == 0) rc = bench_mn_table(mn_config, mn_steps, threads);
  return rc;
}
