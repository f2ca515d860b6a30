/* test_transport_fft: the unsplit solve of a species with a loss (transport_set_loss,
 * sim/engine/transport_fft.h) against the same linear system solved directly.
 *
 * The matrix I − dt (A − k) is assembled here from the finite-volume definitions of
 * docs/numerics.md — lateral faces D(layer)/h², depth faces the harmonic mean of the two
 * layers' D over h², a Dirichlet wall 2D/h² with its value on the right-hand side, periodic
 * lateral wrap faces — independently of the engine's code, and solved by LU decomposition
 * (GSL, partial pivoting). Cases: 2D with two layers, a no-flux surface and a Dirichlet deep
 * wall; 3D with two layers and no-flux walls; a 2D grid whose width has a prime factor 13 (the
 * default run's 130 = 2·5·13, GSL's generic radix). Bounds:
 *   - max |u_fft − u_LU| / max |u_LU| ≤ 1e-12 (both are backward-stable solves of a matrix
 *     whose condition number is ≤ 1 + 8 dt D/h² ≈ 1e3 here: 1e3 · 1e-16, with room);
 *   - with k = 0 and no-flux walls the total is conserved: |ΔΣ|/Σ ≤ 1e-13;
 *   - non-negative data (one hot cell) stay non-negative up to the transforms' rounding:
 *     min ≥ −1e-14 · max;
 *   - 1 and 2 threads give the same bits;
 *   - the LOD fallback (no-flux lateral walls) and a chemotactic species: the former still
 *     takes the loss (the total decays by the factor 1/(1 + dt k) per step, exactly, for a
 *     uniform field), the latter is refused. */
#include "verify_util.h"

#include <gsl/gsl_linalg.h>

#include "transport.h"

enum { NL = 2 };
static const double Dl[NL] = {3e4, 1e3}; /* µm²/day: a fast layer over a slow one */
static const double UB = 0.3;            /* the Dirichlet value */

static double diffusivity(const void *inst, int s, int layer) {
  (void)inst;
  return s == 0 ? Dl[layer] : 1e2;
}
static double chemotaxis(const void *inst, int s, int layer, double a) {
  (void)inst, (void)layer, (void)a;
  return s == 1 ? 1e3 : 0.0;
}
static double boundary_value(const void *inst, int s) {
  (void)inst;
  return s == 0 ? UB : 0.0;
}
static const species_info species[2] = {{"a", "-", "diffusing", -1, 1}, {"b", "-", "climber", 0, 1}};
static const model test_model = {.name = "fft_test", .nspecies = 2, .species = species,
                                 .diffusivity = diffusivity, .chemotaxis = chemotaxis,
                                 .boundary_value = boundary_value};

static int failures;
static void fail(const char *what) {
  fprintf(stderr, "FAIL: %s\n", what);
  exit(1);
}
static void check(int ok, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("%s: ", ok ? "PASS" : "FAIL");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  failures += !ok;
}

static void make_grid(grid *g, int dims, int nx, int ny, int nz, bc_kind lat, bc_kind deep) {
  vu_try(grid_init_simple(g, dims, nx, ny, nz, 20.0, lat, lat, BC_NOFLUX, deep), "grid");
  g->nlayers = NL;
  for (int k = 0; k < nz; k++) g->layer_of_z[k] = k < nz / 3 ? 0 : 1;
}

/* The dense matrix and right-hand side of (I − dt (A − k)) x = b, species 0. */
static void assemble(const grid *g, double dt, double k, const double *b, gsl_matrix *M,
                     gsl_vector *rhs) {
  const double r = dt / (g->h * g->h);
  gsl_matrix_set_identity(M);
  for (size_t c = 0; c < g->ncell; c++) {
    gsl_matrix_set(M, c, c, 1.0 + dt * k);
    gsl_vector_set(rhs, c, b[c]);
  }
  for (int z = 0; z < g->nz; z++)
    for (int y = 0; y < g->ny; y++)
      for (int x = 0; x < g->nx; x++) {
        const size_t c = grid_index(g, x, y, z);
        const double D = Dl[g->layer_of_z[z]];
        /* lateral faces to the +x and +y neighbours (periodic wrap where the walls are) */
        for (int d = 0; d < g->dims - 1; d++) {
          const int n = d ? g->ny : g->nx, p = d ? y : x;
          if (p + 1 == n && g->bc_x != BC_PERIODIC) continue;
          const size_t o = d ? grid_index(g, x, (y + 1) % n, z) : grid_index(g, (x + 1) % n, y, z);
          const double gf = r * D;
          gsl_matrix_set(M, c, c, gsl_matrix_get(M, c, c) + gf);
          gsl_matrix_set(M, o, o, gsl_matrix_get(M, o, o) + gf);
          gsl_matrix_set(M, c, o, gsl_matrix_get(M, c, o) - gf);
          gsl_matrix_set(M, o, c, gsl_matrix_get(M, o, c) - gf);
        }
        if (z + 1 < g->nz) {
          const double D2 = Dl[g->layer_of_z[z + 1]], gf = r * 2 * D * D2 / (D + D2);
          const size_t o = grid_index(g, x, y, z + 1);
          gsl_matrix_set(M, c, c, gsl_matrix_get(M, c, c) + gf);
          gsl_matrix_set(M, o, o, gsl_matrix_get(M, o, o) + gf);
          gsl_matrix_set(M, c, o, -gf);
          gsl_matrix_set(M, o, c, -gf);
        } else if (g->bc_bottom == BC_DIRICHLET) {
          gsl_matrix_set(M, c, c, gsl_matrix_get(M, c, c) + 2 * r * D);
          gsl_vector_set(rhs, c, gsl_vector_get(rhs, c) + 2 * r * D * UB);
        }
      }
}

static void solve_direct(const grid *g, double dt, double k, const double *b, double *x) {
  gsl_matrix *M = gsl_matrix_alloc(g->ncell, g->ncell);
  gsl_vector *rhs = gsl_vector_alloc(g->ncell), *sol = gsl_vector_alloc(g->ncell);
  gsl_permutation *perm = gsl_permutation_alloc(g->ncell);
  int sign;
  if (!M || !rhs || !sol || !perm) fail("out of memory");
  assemble(g, dt, k, b, M, rhs);
  if (gsl_linalg_LU_decomp(M, perm, &sign) || gsl_linalg_LU_solve(M, perm, rhs, sol))
    fail("LU solve failed");
  for (size_t c = 0; c < g->ncell; c++) x[c] = gsl_vector_get(sol, c);
  gsl_permutation_free(perm);
  gsl_vector_free(sol);
  gsl_vector_free(rhs);
  gsl_matrix_free(M);
}

/* x = the engine's solve of species 0 from b, on nthreads threads. */
static void solve_engine(const grid *g, double dt, double k, const double *b, double *x,
                         int nthreads) {
  transport *t;
  vu_try(transport_create(&t, g, &test_model, NULL, nthreads), "transport_create");
  vu_try(transport_set_loss(t, 0, k), "transport_set_loss");
  double *other = calloc(g->ncell, sizeof(double));
  if (!other) fail("out of memory");
  memcpy(x, b, sizeof(double) * g->ncell);
  double *u[2] = {x, other};
  transport_step(t, u, dt);
  transport_free(t);
  free(other);
}

static double maxabs(const double *x, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) m = fmax(m, fabs(x[i]));
  return m;
}

static void case_direct(const char *name, int dims, int nx, int ny, int nz, bc_kind deep,
                        double dt, double k) {
  grid g;
  make_grid(&g, dims, nx, ny, nz, BC_PERIODIC, deep);
  const size_t n = g.ncell;
  double *b = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n);
  double *y = malloc(sizeof(double) * n), *x2 = malloc(sizeof(double) * n);
  if (!b || !x || !y || !x2) fail("out of memory");
  srand(7);
  for (size_t c = 0; c < n; c++) b[c] = (double)rand() / RAND_MAX;
  solve_engine(&g, dt, k, b, x, 1);
  solve_direct(&g, dt, k, b, y);
  double e = 0;
  for (size_t c = 0; c < n; c++) e = fmax(e, fabs(x[c] - y[c]));
  e /= maxabs(y, n);
  check(e <= 1e-12, "%s: unsplit solve vs LU, max rel. difference %.2e (bound 1e-12)", name, e);
  solve_engine(&g, dt, k, b, x2, 2);
  check(memcmp(x, x2, sizeof(double) * n) == 0, "%s: 1 and 2 threads give the same bits", name);
  free(b), free(x), free(y), free(x2);
  grid_free(&g);
}

/* k = 0, no-flux walls: the total; one hot cell: the sign. */
static void case_conserve(void) {
  grid g;
  make_grid(&g, 3, 10, 13, 12, BC_PERIODIC, BC_NOFLUX);
  const size_t n = g.ncell;
  double *b = calloc(n, sizeof(double)), *x = malloc(sizeof(double) * n);
  if (!b || !x) fail("out of memory");
  b[grid_index(&g, 3, 4, 2)] = 1.0;
  solve_engine(&g, 0.05, 0.0, b, x, 2);
  double sum = 0, mn = INFINITY;
  for (size_t c = 0; c < n; c++) sum += x[c], mn = fmin(mn, x[c]);
  check(fabs(sum - 1.0) <= 1e-13, "3D, k = 0, no-flux: total %.17g, |change| %.2e (bound 1e-13)",
        sum, fabs(sum - 1.0));
  check(mn >= -1e-14 * maxabs(x, n), "3D, one hot cell: min %.2e, max %.3e (bound min >= -1e-14 max)",
        mn, maxabs(x, n));
  free(b), free(x);
  grid_free(&g);
}

/* No-flux lateral walls: LOD with the loss in the depth sweep; a uniform field decays by
   exactly 1/(1 + dt k). A chemotactic species cannot take a loss. */
static void case_fallback(void) {
  grid g;
  make_grid(&g, 2, 8, 1, 6, BC_NOFLUX, BC_NOFLUX);
  const size_t n = g.ncell;
  double *b = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n);
  if (!b || !x) fail("out of memory");
  for (size_t c = 0; c < n; c++) b[c] = 2.0;
  const double dt = 0.1, k = 15;
  solve_engine(&g, dt, k, b, x, 1);
  double e = 0;
  for (size_t c = 0; c < n; c++) e = fmax(e, fabs(x[c] / (2.0 / (1 + dt * k)) - 1));
  check(e <= 1e-15, "2D no-flux lateral (LOD): uniform field decays by 1/(1 + dt k): rel. %.2e", e);
  transport *t;
  vu_try(transport_create(&t, &g, &test_model, NULL, 1), "transport_create");
  cs_status st = transport_set_loss(t, 1, 1.0);
  check(st == CS_ERR_INPUT, "a chemotactic species is refused a loss (status %d)", (int)st);
  transport_free(t);
  free(b), free(x);
  grid_free(&g);
}

int main(void) {
  case_direct("2D, two layers, Dirichlet deep wall", 2, 16, 1, 12, BC_DIRICHLET, 0.01, 15);
  case_direct("2D, width 26 = 2·13", 2, 26, 1, 9, BC_NOFLUX, 0.05, 3);
  case_direct("3D, two layers, no-flux", 3, 6, 5, 9, BC_NOFLUX, 0.02, 15);
  case_conserve();
  case_fallback();
  printf("%s\n", failures ? "FAILED" : "all passed");
  return failures != 0;
}
