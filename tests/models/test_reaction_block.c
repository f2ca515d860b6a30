/* test_reaction_block: the block reaction and the block integrator (sim/reaction.c) against
 * the per-cell forms they stand for.
 *
 * 1. The microneedling model's reaction_block against its reaction() on random states (every
 *    layer; signal of both signs, zeros, magnitudes 1e-12..1e4), for block lengths 1..256 and
 *    every instruction set this CPU runs: f and k must agree to the bit. That is the tolerance
 *    because it can be: the block form performs reaction()'s operations in reaction()'s
 *    order, the build disables FMA contraction, and vector lanes round like scalars; any
 *    difference would mean another formula, not rounding.
 * 2. reaction_step on a 2D grid with a random state, some cells stiff enough to need
 *    substeps, against reaction_integrate_cell cell by cell with the per-cell reaction only
 *    (the scalar ETD2RK the engine used before blocks): the same bits and the same substep
 *    count for block lengths 1, 3, 4, 8, 64 and 256, 1 and 2 threads, every instruction set,
 *    the model's block form and the engine's generic cell-by-cell fallback, and tolerances
 *    with atol > 0 and atol = 0 (the two acceptance tests of the block path). */
#include <stdint.h>

#include "reaction.h"
#include "test_microneedling_util.h"

static int fails = 0;

static void check(int ok, const char *what, const char *detail) {
  printf("%s  %s (%s)\n", ok ? "PASS" : "FAIL", what, detail);
  fails += !ok;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform01(void) { /* splitmix64 */
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

/* a wide-ranging value: exact zeros, -0, and magnitudes 1e-12..1e4 of either sign */
static double wild(int negative_ok) {
  double r = uniform01();
  if (r < 0.05) return 0.0;
  if (r < 0.07) return negative_ok ? -0.0 : 0.0;
  double v = pow(10.0, -12 + 16 * uniform01());
  return negative_ok && uniform01() < 0.3 ? -v : v;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

#define NMAX 256

static void part1(const model *m, const void *inst, const grid *g) {
  const int ns = m->nspecies;
  static double ub[MODEL_MAX_SPECIES][NMAX], fb[MODEL_MAX_SPECIES][NMAX];
  static double kb[MODEL_MAX_SPECIES][NMAX], xs[NMAX], src[NMAX];
  const int lens[] = {1, 3, 4, 5, 8, 17, 64, 255, 256};
  long compared = 0, differ = 0;
  int isas = 0;
  for (int isa = 0; isa < MODEL_NISA; isa++) {
    if (!reaction_cpu_has(isa)) {
      printf("info  %s: not on this CPU, not checked\n", reaction_isa_name(isa));
      continue;
    }
    isas++;
    for (int l = 0; l < g->nlayers; l++)
      for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        const int n = lens[li];
        for (int c = 0; c < n; c++) {
          xs[c] = (c + 0.5) * g->h;
          src[c] = uniform01() < 0.5 ? 0.0 : uniform01(); /* acne-scar weight */
          for (int s = 0; s < ns; s++) ub[s][c] = wild(s == 0 || uniform01() < 0.1);
        }
        const double *u[MODEL_MAX_SPECIES];
        double *f[MODEL_MAX_SPECIES], *k[MODEL_MAX_SPECIES], kblock[MODEL_MAX_SPECIES];
        for (int s = 0; s < ns; s++) {
          u[s] = ub[s];
          f[s] = fb[s];
          k[s] = kb[s];
          kblock[s] = -1;
        }
        cell_block b = {n, l, xs, 0.5 * g->h, 1000, src};
        m->reaction_block[isa](inst, &b, 0.0, u, f, k, kblock);
        for (int c = 0; c < n; c++) {
          cell_info ci = {l, xs[c], b.y, b.z, src[c]};
          double v[MODEL_MAX_SPECIES], f1[MODEL_MAX_SPECIES], k1[MODEL_MAX_SPECIES];
          for (int s = 0; s < ns; s++) v[s] = ub[s][c];
          m->reaction(inst, &ci, 0.0, v, f1, k1);
          for (int s = 0; s < ns; s++) {
            double kc = kblock[s] >= 0 ? kblock[s] : kb[s][c];
            compared += 2;
            differ += !same_bits(f1[s], fb[s][c]) + !same_bits(k1[s], kc);
          }
        }
      }
  }
  char msg[160];
  snprintf(msg, sizeof msg, "%ld values, %ld differ; %d instruction set(s), %d layers", compared,
           differ, isas, g->nlayers);
  check(differ == 0 && compared > 0, "reaction_block == reaction() to the bit", msg);
}

typedef struct {
  double rtol, atol, dt;
  int positive; /* every value > 0 (atol = 0 needs that: 0/0 fails every scheme) */
} case_t;

/* Untreated tissue slightly off its equilibrium, a growth-factor signal of either sign near
   0, and in 15 % of the cells a fresh wound (platelet factor and open tissue): those need
   substeps, the rest take the split step in one. */
static void random_state(const model *m, const void *inst, const grid *g, double *const *u,
                         int positive) {
  for (int k = 0; k < g->nz; k++)
    for (int i = 0; i < g->nx; i++) {
      size_t q = grid_index(g, i, 0, k);
      cell_info c = {g->layer_of_z[k], (i + 0.5) * g->h, 0.5 * g->h, (k + 0.5) * g->h, 0};
      double v[MODEL_MAX_SPECIES];
      m->initial(inst, &c, v);
      for (int s = 0; s < m->nspecies; s++)
        v[s] = v[s] * (1 + 1e-3 * (uniform01() - 0.5)) + 1e-3 * uniform01();
      v[0] = positive ? 0.2 * uniform01() + 1e-6 : 0.2 * (uniform01() - 0.1);
      if (uniform01() < 0.15) {
        v[3] = 40 * uniform01();
        v[4] = uniform01();
        v[5] = 300 * uniform01();
      }
      for (int s = 0; s < m->nspecies; s++) u[s][q] = v[s];
    }
}

static void part2(const model *mn, const void *inst, const grid *g) {
  model generic = *mn;
  generic.reaction_block = NULL;
  const size_t n = g->ncell;
  const int ns = mn->nspecies;
  double *mem = malloc(sizeof(double) * n * (size_t)ns * 3);
  double *init[MODEL_MAX_SPECIES], *ref[MODEL_MAX_SPECIES], *got[MODEL_MAX_SPECIES];
  for (int s = 0; s < ns; s++) {
    init[s] = mem + (size_t)s * n;
    ref[s] = mem + (size_t)(ns + s) * n;
    got[s] = mem + (size_t)(2 * ns + s) * n;
  }
  const case_t cases[] = {{3e-3, 3e-3, 0.01, 0}, {1e-2, 0.0, 1e-3, 1}};
  for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
    const case_t *cs = &cases[ci];
    random_state(mn, inst, g, init, cs->positive);
    long ref_sub = 0, multi = 0;
    for (int k = 0; k < g->nz; k++)
      for (int i = 0; i < g->nx; i++) {
        size_t q = grid_index(g, i, 0, k);
        cell_info c = {g->layer_of_z[k], (i + 0.5) * g->h, 0.5 * g->h, (k + 0.5) * g->h, 0};
        /* the engine gives each cell the model's source weight (here the scar weight) */
        if (mn->cell_source) c.source = mn->cell_source(inst, &c, g->h, g->dims);
        double v[MODEL_MAX_SPECIES];
        for (int s = 0; s < ns; s++) v[s] = init[s][q];
        long sub = 0;
        mn_try(reaction_integrate_cell(&generic, inst, &c, v, 0.25, cs->dt, cs->rtol, cs->atol,
                                       &sub),
               "reaction_integrate_cell");
        ref_sub += sub;
        multi += sub > 1;
        for (int s = 0; s < ns; s++) ref[s][q] = v[s];
      }
    char msg[200];
    snprintf(msg, sizeof msg, "rtol %g atol %g dt %g: %ld of %zu cells need substeps", cs->rtol,
             cs->atol, cs->dt, multi, n);
    check(multi >= (long)n / 100 && multi <= (long)n / 2, "the random state exercises both paths",
          msg);
    const int lens[] = {1, 3, 4, 8, 64, 256};
    long runs = 0, bad = 0;
    for (int form = 0; form < 2; form++)
      for (int isa = 0; isa < MODEL_NISA; isa++) {
        if (!reaction_cpu_has(isa)) continue;
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
          for (int th = 1; th <= 2; th++) {
            reaction *r;
            mn_try(reaction_create(&r, g, form ? &generic : mn, inst, cs->rtol, cs->atol, th),
                   "reaction_create");
            mn_try(reaction_set_isa(r, isa), "reaction_set_isa");
            mn_try(reaction_set_block(r, lens[li]), "reaction_set_block");
            for (int s = 0; s < ns; s++) memcpy(got[s], init[s], sizeof(double) * n);
            long sub = 0;
            mn_try(reaction_step(r, got, 0.25, cs->dt, &sub), "reaction_step");
            size_t diff = 0;
            for (int s = 0; s < ns; s++)
              for (size_t q = 0; q < n; q++) diff += !same_bits(got[s][q], ref[s][q]);
            runs++;
            if (diff || sub != ref_sub) {
              bad++;
              printf("info  %s, %s, block %d, %d thread(s): %zu values differ, substeps %ld vs "
                     "%ld\n",
                     form ? "generic" : "block form", reaction_isa_name(isa), lens[li], th, diff,
                     sub, ref_sub);
            }
            reaction_free(r);
          }
      }
    snprintf(msg, sizeof msg, "%ld runs (forms × instruction sets × blocks × threads), %ld differ",
             runs, bad);
    check(bad == 0, "reaction_step == per-cell ETD2RK to the bit", msg);
  }
  free(mem);
}

int main(void) {
  char yaml[4096];
  snprintf(yaml, sizeof yaml,
           "model: microneedling\n"
           "grid: {dims: 2, size_um: [1340, 2500], spacing_um: 20,\n"
           "       boundary: {x: periodic, surface: noflux, deep: noflux}}\n"
           "time: {end_day: 1, output_every_day: 1}\n"
           "protocol:\n"
           "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250}\n"
           "  pattern: {kind: square, density_per_cm2: 15, passes: 1}\n"
           "  sessions: {day: [0]}\n"
           "%s"
           "  initial: {scar: {width_um: 600, depth_um: 300, collagen_deficit: 0.5,\n"
           "                   epidermal_depression: 0.3, center_x_um: 670}}\n",
           mn_skin());
  params p;
  mn_try(mn_load(&p, yaml, NULL, 0), "load");
  grid g;
  mn_try(grid_init(&g, &p), "grid_init");
  const model *m = model_find("microneedling");
  void *inst = NULL;
  mn_try(m->create(&p, &g, &inst), "create");
  printf("info  grid %d × %d × %d (rows of 67 cells: blocks of every length leave tails)\n", g.nx,
         g.ny, g.nz);
  check(m->reaction_block != NULL, "microneedling has a block reaction", "models/microneedling.c");
  if (m->reaction_block) {
    part1(m, inst, &g);
    part2(m, inst, &g);
  }
  m->destroy(inst);
  grid_free(&g);
  params_free(&p);
  if (fails) {
    printf("test_reaction_block: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_reaction_block: all checks passed\n");
  return 0;
}
