/* test_verify_threads: results do not depend on the number of threads, bit for bit.
 *
 * The engine promises this (ordered reductions, thread-independent blocking, no FMA
 * contraction): the same run with 1, 2 and 4 threads must give identical fields (memcmp),
 * identical step, rejection and substep counts, identical times and identical series values
 * at every output time. Two runs:
 *   - 3D, 37 x 19 x 23 cells (odd sizes: ragged blocks), periodic x and y, no-flux surface,
 *     Dirichlet deep wall, three layers with different D and χ, adaptive steps (rejections
 *     happen), test-local model: cells n that grow logistically, make an attractant a that
 *     decays, and climb its gradient with a receptor-law sensitivity;
 *   - 2D, model diffusion from a YAML config: three layers, channel source switched off at an
 *     event, Dirichlet deep wall, adaptive steps.
 * (Four threads on a two-core machine oversubscribe; that changes the timing, not the bits.
 * When other processes share the cores, libgomp's spinning barriers make the two-thread runs
 * very slow unless OMP_WAIT_POLICY=passive; CISIM_TEST_QUICK halves the simulated time.) */
#include "verify_util.h"

typedef struct {
  double Dn[3], Da[3], chi[3];
} th_inst;

static const species_info th_species[] = {
    {"n", "cells", "cells", 1, 0},
    {"a", "-", "attractant", -1, 0},
};
static double th_D(const void *inst, int s, int l) {
  const th_inst *m = inst;
  return s == 0 ? m->Dn[l] : m->Da[l];
}
static double th_chi(const void *inst, int s, int l, double a) {
  (void)s;
  return ((const th_inst *)inst)->chi[l] / ((1 + a) * (1 + a));
}
static double th_bv(const void *inst, int s) {
  (void)inst;
  return s == 0 ? 0.0 : 0.2;
}
static void th_initial(const void *inst, const cell_info *c, double *u) {
  (void)inst;
  double dx = c->x - 150, dy = c->y - 80, dz = c->z - 60;
  u[0] = 0.05 + exp(-(dx * dx + dy * dy + dz * dz) / 900);
  u[1] = 0.1 * (1 + sin(0.03 * c->x) * cos(0.05 * c->y));
}
static void th_reaction(const void *inst, const cell_info *c, double t, const double *u,
                        double *f, double *k) {
  (void)inst;
  (void)c;
  (void)t;
  f[0] = 2 * u[0] * (1 - u[0]);
  k[0] = 0;
  f[1] = 5 * u[0];
  k[1] = 3;
}
static const model model_th = {
    .name = "threads",
    .summary = "test: growing chemotactic cells and their attractant",
    .nspecies = 2,
    .species = th_species,
    .diffusivity = th_D,
    .chemotaxis = th_chi,
    .boundary_value = th_bv,
    .initial = th_initial,
    .reaction = th_reaction,
};

#define NOUT 4
#define MAXSER 64

typedef struct {
  long nsteps, nrej, nsub;
  double t[NOUT];
  double series[NOUT][MAXSER];
  int nser;
  double *u[MODEL_MAX_SPECIES];
  int ns;
  size_t ncell;
  double secs;
} outcome;

static void record(sim *s, outcome *o, int at) {
  o->t[at] = s->t;
  o->nser = sim_series_count(s);
  if (o->nser > MAXSER) {
    fprintf(stderr, "FAIL: too many series (%d)\n", o->nser);
    exit(1);
  }
  sim_series_values(s, o->series[at]);
}

static void finish(sim *s, outcome *o, double w0) {
  o->nsteps = s->nsteps;
  o->nrej = s->nrejected;
  o->nsub = s->nsubsteps;
  o->ns = s->ns;
  o->ncell = s->g->ncell;
  for (int q = 0; q < s->ns; q++) {
    o->u[q] = malloc(sizeof(double) * o->ncell);
    if (!o->u[q]) exit(1);
    memcpy(o->u[q], s->u[q], sizeof(double) * o->ncell);
  }
  o->secs = vu_now() - w0;
}

static outcome run3d(int nthreads, int quick) {
  outcome o;
  memset(&o, 0, sizeof o);
  double w0 = vu_now();
  const int nx = quick ? 21 : 37, ny = quick ? 11 : 19, nz = quick ? 13 : 23;
  grid g;
  vu_try(grid_init_simple(&g, 3, nx, ny, nz, 10, BC_PERIODIC, BC_PERIODIC, BC_NOFLUX,
                          BC_DIRICHLET),
         "grid_init_simple");
  g.nlayers = 3; /* layers by depth rows: [0, 5), [5, 9), [9, nz) */
  for (int l = 0; l < 3; l++) snprintf(g.layers[l].name, sizeof g.layers[l].name, "L%d", l);
  g.layers[0].thickness_um = 50;
  g.layers[1].thickness_um = 40;
  g.layers[2].thickness_um = g.size[2] - 90;
  g.layer_top[1] = 50;
  g.layer_top[2] = 90;
  for (int k = 0; k < nz; k++) g.layer_of_z[k] = k < 5 ? 0 : k < 9 ? 1 : 2;
  th_inst m = {.Dn = {50, 200, 100}, .Da = {1e3, 4e3, 2e3}, .chi = {1e3, 4e3, 2e3}};
  sim_options opt = {.end_day = 2, .output_every_day = 0.5, .dt_initial = 1e-3, .dt_min = 1e-9,
                     .dt_max = 0.2, .rtol = 1e-3, .atol = 1e-6, .adaptive = 1,
                     .nthreads = nthreads};
  sim s;
  vu_try(sim_init(&s, &g, &model_th, &m, &opt), "sim_init");
  for (int at = 0; at < NOUT; at++) {
    vu_try(sim_advance_to(&s, (quick ? 0.25 : 0.5) * (at + 1)), "sim_advance_to");
    record(&s, &o, at);
  }
  finish(&s, &o, w0);
  sim_free(&s);
  grid_free(&g);
  return o;
}

static outcome run2d(int nthreads, int quick) {
  outcome o;
  memset(&o, 0, sizeof o);
  double w0 = vu_now();
  char yaml[2048];
  snprintf(yaml, sizeof yaml,
           "model: diffusion\n"
           "grid:\n"
           "  dims: 2\n"
           "  size_um: [%d, 1500]\n"
           "  spacing_um: %d\n"
           "  boundary: {x: periodic, surface: noflux, deep: dirichlet}\n"
           "layers:\n"
           "  - {name: epidermis, thickness_um: 100}\n"
           "  - {name: papillary, thickness_um: 300}\n"
           "  - {name: reticular, thickness_um: 1100}\n"
           "time: {end_day: 1, output_every_day: 0.25, dt_max_day: 0.05}\n"
           "diffusion:\n"
           "  D_um2_per_day: {epidermis: 2e4, papillary: 4e5, reticular: 4e5}\n"
           "  decay_per_day: {epidermis: 1, papillary: 15, reticular: 10}\n"
           "  boundary_value: 0.01\n"
           "  source: {kind: channel, position_um: [500, 0], depth_um: 700, radius_um: 40,\n"
           "           rate: 100, stop_day: %g}\n",
           quick ? 1020 : 1010, quick ? 20 : 10, quick ? 0.35 : 0.7);
  sim s;
  vu_sim_from_yaml(&s, yaml, nthreads);
  for (int at = 0; at < NOUT; at++) {
    vu_try(sim_advance_to(&s, (quick ? 0.125 : 0.25) * (at + 1)), "sim_advance_to");
    record(&s, &o, at);
  }
  finish(&s, &o, w0);
  sim_free(&s);
  return o;
}

static int compare(const char *name, const outcome *ref, const outcome *o, int nthreads) {
  int same = ref->nsteps == o->nsteps && ref->nrej == o->nrej && ref->nsub == o->nsub &&
             ref->nser == o->nser;
  for (int at = 0; same && at < NOUT; at++)
    same = memcmp(&ref->t[at], &o->t[at], sizeof(double)) == 0 &&
           memcmp(ref->series[at], o->series[at], sizeof(double) * (size_t)ref->nser) == 0;
  size_t ndiff = 0;
  double maxdiff = 0;
  for (int q = 0; q < ref->ns; q++)
    for (size_t c = 0; c < ref->ncell; c++)
      if (memcmp(&ref->u[q][c], &o->u[q][c], sizeof(double)) != 0) {
        ndiff++;
        maxdiff = fmax(maxdiff, fabs(ref->u[q][c] - o->u[q][c]));
      }
  int ok = same && ndiff == 0;
  printf("%s  %s, %d threads vs 1: steps %ld/%ld, rejected %ld/%ld, substeps %ld/%ld, "
         "series %s, cells differing %zu (max |diff| %.3g), %.2f s\n",
         ok ? "PASS" : "FAIL", name, nthreads, o->nsteps, ref->nsteps, o->nrej, ref->nrej,
         o->nsub, ref->nsub, same ? "identical" : "DIFFER", ndiff, maxdiff, o->secs);
  return !ok;
}

static void release(outcome *o) {
  for (int q = 0; q < o->ns; q++) free(o->u[q]);
}

int main(void) {
  const int quick = vu_quick();
  double t0 = vu_now();
  int fails = 0;
  const int threads[3] = {1, 2, 4};
  outcome r3[3], r2[3];
  for (int i = 0; i < 3; i++) r3[i] = run3d(threads[i], quick);
  for (int i = 0; i < 3; i++) r2[i] = run2d(threads[i], quick);
  vu_info("3D chemotaxis run: %ld steps, %ld rejected, %.2f s with 1 thread", r3[0].nsteps,
          r3[0].nrej, r3[0].secs);
  vu_info("2D diffusion run: %ld steps, %ld rejected, %.2f s with 1 thread", r2[0].nsteps,
          r2[0].nrej, r2[0].secs);
  for (int i = 1; i < 3; i++) {
    fails += compare("3D chemotaxis, periodic, adaptive", &r3[0], &r3[i], threads[i]);
    fails += compare("2D diffusion, layers, channel, adaptive", &r2[0], &r2[i], threads[i]);
  }
  for (int i = 0; i < 3; i++) {
    release(&r3[i]);
    release(&r2[i]);
  }
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_threads: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_threads: all checks passed\n");
  return 0;
}
