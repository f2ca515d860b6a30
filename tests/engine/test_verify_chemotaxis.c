/* test_verify_chemotaxis: the zero-flux steady state of diffusion + chemotaxis (Boltzmann),
 * also with per-layer partition coefficients (n/K continuous: n ∝ K exp(Φ)) and conservation.
 *
 * With no-flux walls and a static attractant a(s) varying along one axis s, the steady state of
 *   n_t = ∇·(D ∇n − χ(a) n ∇a)
 * has zero flux everywhere: n ∝ exp(Φ), Φ' = χ(a) a'/D (per layer χ and D along depth). The
 * engine's Scharfetter–Gummel finite volumes have their own zero-flux state, face by face:
 *   n_R/n_L = e^P,  P = χ_f (a_R − a_L)/D_f,
 * D_f the face diffusivity, χ_f = χ at the face's mean attractant; across a layer interface
 * P = (a_R − a_L)/2 · (χ_L/D_L + χ_R/D_R). Since n is constant across the other axes, every
 * other directional sweep is the identity and the LOD fixed point is exactly that state; the
 * implicit step reaches it in a few dozen steps of D dt/L² = 10.
 *
 * Asserted: (i) the engine's steady state equals the discrete closed form to 1e-10 relative
 * (rounding and the remaining transient, contracting by ≥ 10 per step); (ii) against the
 * continuous Boltzmann profile: exact (to rounding) for constant χ, where the discrete and the
 * continuous forms coincide; order 2 for χ(a) (midpoint rule per face), also across a layer
 * interface (the face integrates χ/D over its two half cells); fitted over h, h/2, h/4 within ± 0.15. Cases: x axis with constant χ, x axis with a receptor-law
 * χ(a) = χ0/(1 + a/K)² (Φ = χ0 a/(D(1 + a/K))), and depth with two layers of different D and
 * χ (interface on a cell face). Both profiles normalised to the same total. */
#include "verify_util.h"

typedef struct {
  int axis;          /* 0: x, 2: depth */
  double Dn[2], chi0[2], K; /* K = 0: constant χ */
  double L, A, s0, w;
  double z1;         /* layer interface depth (axis 2) */
  double Kp[2];      /* partition coefficients of the cells per layer (0: none, K = 1) */
} bz_inst;

static const species_info bz_species[] = {
    {"a", "-", "attractant", -1, 0},
    {"n", "cells", "cells", 0, 0},
};

static double bz_a(const bz_inst *m, double s) {
  double d = (s - m->s0) / m->w;
  return m->A * exp(-d * d);
}
static double bz_D(const void *inst, int s, int layer) {
  return s == 0 ? 0.0 : ((const bz_inst *)inst)->Dn[layer];
}
static double bz_chi(const void *inst, int s, int layer, double a) {
  (void)s;
  const bz_inst *m = inst;
  double c = m->chi0[layer];
  if (m->K > 0) c /= (1 + a / m->K) * (1 + a / m->K);
  return c;
}
static double bz_bv(const void *inst, int s) {
  (void)inst;
  (void)s;
  return 0;
}
static void bz_initial(const void *inst, const cell_info *c, double *u) {
  const bz_inst *m = inst;
  u[0] = bz_a(m, m->axis == 0 ? c->x : c->z);
  u[1] = 1;
}
static const model model_bz = {
    .name = "boltzmann",
    .summary = "test: static attractant, chemotactic cells",
    .nspecies = 2,
    .species = bz_species,
    .diffusivity = bz_D,
    .chemotaxis = bz_chi,
    .boundary_value = bz_bv,
    .initial = bz_initial,
    .reaction = vu_no_reaction2,
};

static double bz_partition(const void *inst, int s, int layer) {
  return s == 1 ? ((const bz_inst *)inst)->Kp[layer] : 1.0;
}
/* The same with partition coefficients: what is continuous at equilibrium is n/K, so the
   zero-flux state is n ∝ K(z) exp(Φ), with a jump K_R/K_L at the interface. */
static const model model_bzK = {
    .name = "boltzmann_partition",
    .summary = "test: static attractant, chemotactic cells with per-layer partition",
    .nspecies = 2,
    .species = bz_species,
    .diffusivity = bz_D,
    .chemotaxis = bz_chi,
    .boundary_value = bz_bv,
    .partition = bz_partition,
    .initial = bz_initial,
    .reaction = vu_no_reaction2,
};
static double bz_K(const bz_inst *m, int layer) { return m->Kp[0] > 0 ? m->Kp[layer] : 1.0; }

/* Φ(s) of the continuous problem. */
static double bz_phi(const bz_inst *m, double s) {
  if (m->K > 0) {
    double a = bz_a(m, s);
    return m->chi0[0] * a / (m->Dn[0] * (1 + a / m->K));
  }
  double r0 = m->chi0[0] / m->Dn[0];
  if (m->axis == 0 || s < m->z1) return r0 * bz_a(m, s);
  double r1 = m->chi0[1] / m->Dn[1];
  return r0 * bz_a(m, m->z1) + r1 * (bz_a(m, s) - bz_a(m, m->z1));
}

/* One resolution: returns the error against the continuous profile; *disc receives the
   error against the discrete closed form. */
static double run(const bz_inst *m0, int n, double *disc, double *mass) {
  bz_inst m = *m0;
  const double h = m.L / n;
  grid g;
  if (m.axis == 0)
    vu_try(grid_init_simple(&g, 2, n, 1, 2, h, BC_NOFLUX, BC_NOFLUX, BC_NOFLUX, BC_NOFLUX), "grid");
  else
    vu_try(grid_init_simple(&g, 2, 2, 1, n, h, BC_NOFLUX, BC_NOFLUX, BC_NOFLUX, BC_NOFLUX), "grid");
  if (m.axis == 2) { /* two layers, interface at z1 (a cell face) */
    g.nlayers = 2;
    snprintf(g.layers[0].name, sizeof g.layers[0].name, "upper");
    snprintf(g.layers[1].name, sizeof g.layers[1].name, "lower");
    g.layers[0].thickness_um = m.z1;
    g.layers[1].thickness_um = m.L - m.z1;
    g.layer_top[1] = m.z1;
    for (int k = 0; k < g.nz; k++) g.layer_of_z[k] = grid_xc(&g, k) < m.z1 ? 0 : 1;
  }
  const double Dmin = fmin(m.Dn[0], m.Dn[1]);
  const double dt = 10 * m.L * m.L / Dmin;
  sim_options o = {.end_day = 40 * dt, .output_every_day = 40 * dt, .dt_initial = dt,
                   .dt_min = 1e-9, .dt_max = dt, .rtol = 1e-3, .atol = 1e-6, .adaptive = 0,
                   .nthreads = 1};
  sim s;
  vu_try(sim_init(&s, &g, m.Kp[0] > 0 ? &model_bzK : &model_bz, &m, &o), "sim_init");
  vu_advance_steps(&s, dt, 40);
  /* the profile along the axis (line 0 of the other axis; all lines are equal) */
  double *num = malloc(sizeof(double) * (size_t)n), *ds = malloc(sizeof(double) * (size_t)n),
         *ct = malloc(sizeof(double) * (size_t)n);
  if (!num || !ds || !ct) exit(1);
  for (int p = 0; p < n; p++)
    num[p] = s.u[1][m.axis == 0 ? grid_index(&g, p, 0, 0) : grid_index(&g, 0, 0, p)];
  ds[0] = 1;
  for (int p = 1; p < n; p++) {
    int l0 = m.axis == 2 ? g.layer_of_z[p - 1] : 0, l1 = m.axis == 2 ? g.layer_of_z[p] : 0;
    double aL = bz_a(&m, grid_xc(&g, p - 1)), aR = bz_a(&m, grid_xc(&g, p)), am = 0.5 * (aL + aR);
    double Df = l0 == l1 ? m.Dn[l0] : 2 * m.Dn[l0] * m.Dn[l1] / (m.Dn[l0] + m.Dn[l1]);
    double chif = l0 == l1 ? bz_chi(&m, 1, l0, am)
                           : 0.5 * (bz_chi(&m, 1, l0, am) + bz_chi(&m, 1, l1, am));
    /* Scharfetter–Gummel zero flux: B(-P) n_L = B(P) n_R, i.e. n_R/n_L = e^P, P = v h/D_f */
    double P = l0 == l1 ? chif * (aR - aL) / Df
                        : 0.5 * (aR - aL) * (bz_chi(&m, 1, l0, am) / m.Dn[l0] + bz_chi(&m, 1, l1, am) / m.Dn[l1]);
    ds[p] = ds[p - 1] * exp(P) * bz_K(&m, l1) / bz_K(&m, l0);
  }
  double snum = 0, sds = 0, sct = 0;
  for (int p = 0; p < n; p++) {
    ct[p] = bz_K(&m, m.axis == 2 ? g.layer_of_z[p] : 0) * exp(bz_phi(&m, grid_xc(&g, p)));
    snum += num[p];
    sds += ds[p];
    sct += ct[p];
  }
  double ed = 0, ec = 0;
  for (int p = 0; p < n; p++) {
    double x = num[p] / snum;
    ed = fmax(ed, fabs(x / (ds[p] / sds) - 1));
    ec = fmax(ec, fabs(x / (ct[p] / sct) - 1));
  }
  *disc = ed;
  /* every line started at n = 1: the total of line 0 is n cells (no-flux walls) */
  *mass = fabs(snum / n - 1);
  free(num);
  free(ds);
  free(ct);
  sim_free(&s);
  grid_free(&g);
  return ec;
}

/* order: the expected order against the continuous profile; exact: assert it to rounding. */
static int run_case(const char *name, const bz_inst *m, int quick, double order, int exact) {
  int fails = 0;
  const int n0 = quick ? 20 : 25;
  double hs[3], es[3], worst_disc = 0, worst_mass = 0;
  for (int r = 0; r < 3; r++) {
    int n = n0 << r;
    double disc, mass;
    hs[r] = m->L / n;
    es[r] = run(m, n, &disc, &mass);
    worst_disc = fmax(worst_disc, disc);
    worst_mass = fmax(worst_mass, mass);
    vu_info("%s: h = %6.3f µm: max rel. error vs Boltzmann %.4e, vs discrete closed form %.2e",
            name, hs[r], es[r], disc);
  }
  char label[128];
  snprintf(label, sizeof label, "%s: max |n/n_discrete - 1|", name);
  fails += vu_le(label, worst_disc, 1e-10, "zero-flux state of the Scharfetter-Gummel scheme");
  snprintf(label, sizeof label, "%s: |total / initial total - 1|", name);
  /* rounding, amplified by the solves' conditioning: D dt/h² up to 1e5 here, 40 steps, so
     about 40 · 1e5 · 2.2e-16 ≈ 1e-9; a face that does not conserve loses percent */
  fails += vu_le(label, worst_mass, 1e-8, "no-flux walls: the sweeps conserve (rounding only)");
  snprintf(label, sizeof label, "%s: max rel. error vs continuous Boltzmann", name);
  if (exact)
    fails += vu_le(label, fmax(es[0], fmax(es[1], es[2])), 1e-12,
                   "constant chi: the SG flux is exact between centres");
  snprintf(label, sizeof label, "%s: order vs continuous Boltzmann", name);
  if (!exact) fails += vu_near(label, vu_fit_order(hs, es, 3), order, 0.15, "see the case's comment");
  return fails;
}

int main(void) {
  const int quick = vu_quick();
  double t0 = vu_now();
  int fails = 0;
  /* χ A/D = 3: the profile spans e^3 */
  bz_inst cx = {.axis = 0, .Dn = {100, 100}, .chi0 = {300, 300}, .K = 0,
                .L = 500, .A = 1, .s0 = 300, .w = 100};
  fails += run_case("x, constant chi", &cx, quick, 0, 1);
  bz_inst rx = cx;
  rx.K = 0.5;
  rx.chi0[0] = rx.chi0[1] = 900; /* Φ max = 900/100 · 1/(1+2) = 3 */
  /* χ varies with a between centres: the SG flux with χ at the mean attractant is a midpoint
     rule of ∫χ(a) da/D, second order */
  fails += run_case("x, receptor-law chi(a)", &rx, quick, 2.0, 0);
  bz_inst lz = {.axis = 2, .Dn = {50, 400}, .chi0 = {100, 1600}, .K = 0,
                .L = 500, .A = 1, .s0 = 250, .w = 100, .z1 = 200};
  /* the interface face integrates χ/D over its two half cells (exact for piecewise-constant
     coefficients); the remaining error is the midpoint rule in a, second order */
  fails += run_case("depth, two layers", &lz, quick, 2.0, 0);
  /* the same with partition coefficients: a density jump of K_R/K_L = 0.6 at the interface on
     top of the Boltzmann factor (cells keep to each layer's own density: the microneedling
     model's fibroblasts) */
  bz_inst kz = lz;
  kz.Kp[0] = 1.0;
  kz.Kp[1] = 0.6;
  fails += run_case("depth, two layers, partition 1 : 0.6", &kz, quick, 2.0, 0);
  bz_inst k0 = kz;
  k0.A = 0; /* no attractant gradient: the steady state is n/K uniform, exactly */
  fails += run_case("depth, partition only (no drift)", &k0, quick, 0, 1);
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_chemotaxis: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_chemotaxis: all checks passed\n");
  return 0;
}
