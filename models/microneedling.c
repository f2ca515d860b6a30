/* microneedling: collagen induction by needle punctures — wound signal, fibroblasts, the
 * matrix they make and remodel (collagen I and III, elastin), MMP activity and the epidermis.
 *
 * Species (units: µm and days; docs/model.md has every equation, value and source):
 *   s   signal         ng/mL      growth factor (TGF-β-like); diffuses, decays; fibroblasts climb it
 *   f   fibroblasts    cells/mm³  random motility + chemotaxis up ∇s, logistic growth, apoptosis
 *   c   collagen       -          total fibrillar collagen I + III, a density index (untreated:
 *                                 the layer's collagen area fraction); immobile
 *   p   platelet_gf    ng/mL      growth factor in the clot of a fresh channel, released into s
 *   w   open_wound     -          damaged volume fraction whose channel has not closed yet
 *   m   inflammatory   cells/mm³  inflammatory cells drawn in by the open wound; secrete s
 *   a   activation     -          fraction of fibroblasts activated by the signal (make type III)
 *   c3  collagen_III   -          type III collagen, same index as c; type I is c1 = c − c3
 *   b   maturation     -          fraction of fibroblasts matured to make type I and remodel
 *   e   mmp            1/day      MMP (collagenase) activity, as the type I degradation rate it adds
 *   te  tropoelastin   -          soluble elastin precursor, elastin index
 *   el  elastin        -          mature (cross-linked) elastin index, 1 = untreated dermis
 *   k   keratinocytes  -          keratinocyte index, 1 = untreated epidermis; its change is the
 *                                 epidermal thickness change
 *
 *   ∂s/∂t  = ∇·(D_s ∇s) + k_p p + σ_m m − k_s s
 *   (the fibroblasts, a and k see s + a serum's compound after each session where
 *   microneedling.serum.from names a topical run: mn_serum.h)
 *   ∂f/∂t  = ∇·(D_f ∇f − χ(s) f ∇s) + r(s) f (1 − f/K) − d_f f
 *   ∂a/∂t  = k_a (s²/(s_c² + s²) − a)            ∂b/∂t = k_b (a − b)
 *   ∂e/∂t  = ε_m m + ε_b b − k_E e
 *   ∂c3/∂t = (π3 φ + q3 a) f − (d3 + θ3 e) c3 − k_r b (c3 − φ3 c)
 *   ∂c1/∂t = (π1 φ + q1 b) f − (d1 + e) c1 + k_r b (c3 − φ3 c)   (c = c1 + c3 is the state)
 *   ∂te/∂t = (πT φ + qT a) f − (k_x + k_T) te     ∂el/∂t = k_x te − (d_L + θ_L e) el
 *   ∂k/∂t  = k_K (k0 ψ − k) + g_K s/(s_K + s) k
 *   ∂p/∂t  = −k_p p        ∂w/∂t = −k_w w        ∂m/∂t = ρ_m w − d_m m
 *
 * φ = 1 − δ ω and ψ = 1 − ε ω lower the untreated matrix and epidermis in an acne scar
 * (ω: the cell's scar weight, mn_skin.c; 0 in healthy skin). r0, π1, π3, πT and k_x are not
 * parameters: they make the untreated state an exact equilibrium (mn_params.c). There is no
 * collagen ceiling: the net change is production by activated and matured fibroblasts
 * against MMP degradation. Constant rates go into k (exact integrating factor). */
#include <math.h>
#include <stdlib.h>

#include "mn_params.h"
#include "mn_skin.h"
#include "model.h"
#include "protocol.h"

/* The last field, the scale of the absolute tolerance (time.atol × scale), is the order of
   magnitude at which a species acts: the signal at its activation half-saturation s_c, cell
   densities and matrix indices at about a third of their untreated values, fractions at 1, the
   MMP activity at its peak order. A choice of the integrator, not of the model's science. */
static const species_info species[NSPEC] = {
    {"signal", "ng/mL", "wound growth-factor signal", -1, 0.1},
    {"fibroblasts", "cells/mm³", "fibroblast density", S, 1000},
    {"collagen", "-", "fibrillar collagen I + III, density index (untreated = area fraction)", -1, 0.35},
    {"platelet_gf", "ng/mL", "growth factor still held in the platelet clot", -1, 10},
    {"open_wound", "-", "volume fraction of damaged tissue whose channel is still open", -1, 1},
    {"inflammatory", "cells/mm³", "inflammatory cell density", -1, 100},
    {"activation", "-", "fraction of fibroblasts activated (type III collagen, tropoelastin)", -1, 1},
    {"collagen_III", "-", "type III collagen, density index (the scale of collagen)", -1, 0.05},
    {"maturation", "-", "fraction of fibroblasts matured to make type I collagen and MMP", -1, 1},
    {"mmp", "1/day", "MMP activity, as the type I collagen degradation rate it adds", -1, 0.01},
    {"tropoelastin", "-", "tropoelastin, elastin index (untreated dermal elastin = 1)", -1, 0.05},
    {"elastin", "-", "mature elastin, density index (untreated dermal elastin = 1)", -1, 0.4},
    {"keratinocytes", "-", "keratinocyte index (untreated epidermis = 1): epidermal thickness", -1, 0.4},
};

static const unsigned report[NSPEC] = {
    [S] = REPORT_PEAK,
    [F] = REPORT_PEAK | REPORT_CHANGE | REPORT_RETURN,
    [C] = REPORT_CHANGE | REPORT_DEPTH,
    [M] = REPORT_PEAK,
    [C3] = REPORT_CHANGE,
    [E] = REPORT_PEAK,
    [T] = REPORT_CHANGE,
    [L] = REPORT_CHANGE,
    [K] = REPORT_CHANGE | REPORT_RETURN,
};

static cs_status create(const params *p, const grid *g, void **inst) {
  mn *d = calloc(1, sizeof *d);
  if (!d) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  cs_status st = mn_read(d, p, g);
  if (st == CS_OK) st = protocol_create(&d->prot, p, g);
  if (st != CS_OK) {
    free(d);
    return st;
  }
  *inst = d;
  return CS_OK;
}

static void destroy(void *inst) {
  mn *d = inst;
  if (!d) return;
  protocol_free(d->prot);
  mn_serum_free(&d->serum);
  free(d);
}

/* microneedling.serum.from: the topical run's profile, laid after every session. */
static cs_status set_forcing(void *inst, const params *p, const forcing_profile *f) {
  mn *d = inst;
  const treatment *tr = protocol_treatment(d->prot);
  return mn_serum_set(&d->serum, p, f, d->serum_sigma, tr ? tr->nsessions : 0, tr ? tr->day : NULL);
}

static double diffusivity(const void *inst, int s, int layer) {
  const mn *d = inst;
  return s == S ? d->Ds[layer] : s == F ? d->Df[layer] : 0.0;
}

static double chemotaxis(const void *inst, int s, int layer, double a) {
  const mn *d = inst;
  if (s != F) return 0.0;
  double q = 1.0 + d->alpha * (a > 0 ? a : 0.0);
  return d->chi0[layer] / (q * q);
}

/* chemotaxis for a row of faces: the same operations, a loop that vectorises */
static void chemotaxis_n(const void *inst, int s, int layer, int n, const double *a, double *chi) {
  const mn *d = inst;
  const double c0 = s == F ? d->chi0[layer] : 0.0, alpha = d->alpha;
  for (int i = 0; i < n; i++) {
    const double q = 1.0 + alpha * (a[i] > 0 ? a[i] : 0.0);
    chi[i] = c0 / (q * q);
  }
}

/* Fibroblasts' random motility evens out their density relative to each layer's untreated
   one, f/f0(layer), not f itself (assumption: cells keep to the density of their layer, so
   layers of different density are a steady state; Keller–Segel's ∇·(D ∇f) where the layers
   agree): the engine's partition coefficient K = f0(layer)/f_ref, with f_ref the largest f0.
   A layer without fibroblasts gets K = 1 (nothing moves there). */
static double partition(const void *inst, int s, int layer) {
  const mn *d = inst;
  return s == F && d->f0[layer] > 0 ? d->f0[layer] / d->f0_ref : 1.0;
}

/* A Dirichlet boundary holds the untreated state of the deepest layer (for fibroblasts as
   the potential f/K that partition's K makes continuous). */
static double boundary_value(const void *inst, int s) {
  const mn *d = inst;
  int l = d->nlayers - 1;
  return s == F ? d->f0[l] / partition(inst, F, l) : s == C ? d->c0[l] : 0.0;
}

/* The cell's scar weight ω, given back to the reaction as cell_info.source. */
static double cell_source(const void *inst, const cell_info *c, double h, int dims) {
  (void)h;
  return mn_scar_weight(inst, c->layer, c->x, c->y, c->z, dims);
}

static void initial(const void *inst, const cell_info *c, double *u) {
  const mn *d = inst;
  mn_untreated(d, c->layer, mn_scar_weight(d, c->layer, c->x, c->y, c->z, d->dims), u);
}

/* The right-hand side of cell c of the arrays u[species][cell] (the non-constant part f; the
   constant loss rates are mn_loss). s is the signal clamped at 0, w the scar weight. growth
   and matrix are the layer's kind, constants at every call site, so each variant has no
   branch. Indexed arrays rather than one cell's vector, so that the block loop reads and
   writes the species rows directly and vectorises (a per-cell copy in and out was a third of
   the block's instructions); reaction() calls it with one-cell rows. */
#define U(q) u[q][c]
MODEL_ALWAYS_INLINE void cell_rates(const mn *d, int l, double s, double w,
                                    const double *const *u, double *const *f, int c,
                                    const int growth, const int matrix) {
  const double fib = U(F), e = U(E), s2 = s * s;
  const double fS = d->kp * U(P) + d->sigma_m * U(M);
  const double fF = growth ? (d->r0[l] + (d->rmax - d->r0[l]) * (s / (d->s_r + s))) * fib *
                                 (1.0 - fib * d->invK[l])
                           : 0.0;
  const double phi = 1.0 - d->scar_c[l] * w;
  const double prod3 = (d->p3_0[l] * phi + d->q3 * U(A)) * fib;
  const double prod1 = (d->p1_0[l] * phi + d->q1 * U(B)) * fib;
  const double deg3 = d->th3 * e * U(C3);
  /* matured fibroblasts remodel the matrix towards the adult III share φ3: collagen moves
     between the types, not in or out */
  const double remodel = d->kr * U(B) * (U(C3) - d->phi3 * U(C));
  const double fC =
      matrix ? prod1 + prod3 - e * (U(C) - U(C3)) - deg3 + (d->d1 - d->d3) * U(C3) : 0.0;
  const double fC3 = matrix ? prod3 - deg3 - remodel : 0.0;
  const double fT = matrix ? (d->pt_0[l] * phi + d->qT * U(A)) * fib : 0.0;
  const double fL = matrix ? d->kx * U(T) - d->thL * e * U(L) : 0.0;
  const double fM = d->rho_m * U(W);
  const double fA = d->ka * (s2 / (d->s_c2 + s2));
  const double fB = d->kb * U(A);
  const double fE = d->eps_m * U(M) + d->eps_b * U(B);
  const double fK = d->kK * d->k0[l] * (1.0 - d->scar_k[l] * w) + d->gK * (s / (d->sK + s)) * U(K);
  /* every input read before the first store: f[S] may be the block's clamped-signal row */
  f[S][c] = fS;
  f[F][c] = fF;
  f[C][c] = fC;
  f[C3][c] = fC3;
  f[T][c] = fT;
  f[L][c] = fL;
  f[P][c] = 0.0;
  f[W][c] = 0.0;
  f[M][c] = fM;
  f[A][c] = fA;
  f[B][c] = fB;
  f[E][c] = fE;
  f[K][c] = fK;
}
#undef U

static void mn_loss(const mn *d, double *k) {
  k[S] = d->ks;
  k[F] = d->df;
  k[C] = d->d1;
  k[P] = d->kp;
  k[W] = d->kw;
  k[M] = d->dm;
  k[A] = d->ka;
  k[C3] = d->d3;
  k[B] = d->kb;
  k[E] = d->kE;
  k[T] = d->kx + d->kT;
  k[L] = d->dL;
  k[K] = d->kK;
}

static void reaction(const void *inst, const cell_info *c, double t, const double *u, double *f,
                     double *k) {
  const mn *d = inst;
  const int l = c->layer;
  const double s = (u[S] > 0 ? u[S] : 0.0) + (d->serum.nt ? mn_serum_at(&d->serum, c->z, t) : 0.0);
  const int growth = d->invK[l] > 0, matrix = d->matrix[l];
  const double *ur[NSPEC];
  double *fr[NSPEC];
  for (int q = 0; q < NSPEC; q++) ur[q] = u + q, fr[q] = f + q;
  if (growth && matrix) cell_rates(d, l, s, c->source, ur, fr, 0, 1, 1);
  else if (growth) cell_rates(d, l, s, c->source, ur, fr, 0, 1, 0);
  else if (matrix) cell_rates(d, l, s, c->source, ur, fr, 0, 0, 1);
  else cell_rates(d, l, s, c->source, ur, fr, 0, 0, 0);
  mn_loss(d, k);
}

/* The cells of a block in one loop, for one layer's kind. The clamped signal goes through a
   scratch row first: clamped in the same loop as the divisions, gcc splits off the s = 0 path
   and keeps the loop scalar. */
MODEL_ALWAYS_INLINE void block_cells(const mn *d, int l, int n, const double *restrict src,
                                     double serum, const double *const *u, double *const *f,
                                     const int growth, const int matrix) {
  double *restrict sc = f[S];
  if (serum == 0.0) /* no serum here now: the loop of a run without one */
    for (int c = 0; c < n; c++) sc[c] = u[S][c] > 0 ? u[S][c] : 0.0;
  else
    for (int c = 0; c < n; c++) sc[c] = (u[S][c] > 0 ? u[S][c] : 0.0) + serum;
  /* cell c reads row c and writes row c only (f never aliases u; f[S] is sc, read first) */
  if (src) {
#pragma GCC ivdep
    for (int c = 0; c < n; c++) cell_rates(d, l, sc[c], src[c], u, f, c, growth, matrix);
  } else {
#pragma GCC ivdep
    for (int c = 0; c < n; c++) cell_rates(d, l, sc[c], 0.0, u, f, c, growth, matrix);
  }
}

/* reaction() for a block of cells: the same operations in the same order (so the same bits,
   which test_reaction_block checks), with the layer's branches taken once for the block and
   the shared constant rates given once. */
MODEL_ALWAYS_INLINE void reaction_block(const void *inst, const cell_block *b, double t,
                                        const double *const *u, double *const *f,
                                        double *const *k, double *k_block) {
  const mn *d = inst;
  const int l = b->layer, n = b->n;
  (void)k;
  const int growth = d->invK[l] > 0, matrix = d->matrix[l];
  const double sr = d->serum.nt ? mn_serum_at(&d->serum, b->z, t) : 0.0; /* one depth per block */
  if (growth && matrix) block_cells(d, l, n, b->source, sr, u, f, 1, 1);
  else if (growth) block_cells(d, l, n, b->source, sr, u, f, 1, 0);
  else if (matrix) block_cells(d, l, n, b->source, sr, u, f, 0, 1);
  else block_cells(d, l, n, b->source, sr, u, f, 0, 0);
  mn_loss(d, k_block);
}
MODEL_BLOCK_VARIANTS(reaction_block)

/* The second-order scheme solves the signal with its transport (step2.h): its reaction is
   the source k_p p + σ_m m, which does not depend on s, and the constant decay k_s. The
   source's expression is cell_rates' fS, to the bit. */
static double implicit_loss(const void *inst, int s) { return s == S ? ((const mn *)inst)->ks : -1; }

static void implicit_source(const void *inst, int s, int layer, int n, double t,
                            const double *const *u, double *q) {
  const mn *d = inst;
  (void)s, (void)layer, (void)t;
  for (int i = 0; i < n; i++) q[i] = d->kp * u[P][i] + d->sigma_m * u[M][i];
}

static void injure(const void *inst, const cell_info *c, const wound_info *w, double *u) {
  const mn *d = inst;
  (void)c;
  if (w->damage <= 0 && w->channel <= 0) return;
  const double matrix_left = 1.0 - d->loss_c * w->damage;
  u[F] *= 1.0 - d->loss_f * w->damage;
  u[C] *= matrix_left;
  u[C3] *= matrix_left;
  u[T] *= matrix_left;
  u[L] *= matrix_left;
  u[K] *= 1.0 - d->loss_k * w->damage;
  u[P] += d->gf0 * w->channel;
  u[W] += w->damage;
  if (u[W] > 1) u[W] = 1;
}

static const treatment *get_treatment(const void *inst) {
  return protocol_treatment(((const mn *)inst)->prot);
}

const model model_microneedling = {
    .name = "microneedling",
    .summary = "collagen induction by needle punctures: signal, fibroblasts, collagen I/III, "
               "MMP, elastin, epidermis",
    .params = mn_params,
    .nspecies = NSPEC,
    .species = species,
    .report = report,
    .nderived = ND,
    .derived = mn_derived,
    .derived_values = mn_derived_values,
    .create = create,
    .destroy = destroy,
    .diffusivity = diffusivity,
    .chemotaxis = chemotaxis,
    .chemotaxis_n = chemotaxis_n,
    .boundary_value = boundary_value,
    .partition = partition,
    .cell_source = cell_source,
    .initial = initial,
    .reaction = reaction,
    .reaction_block = reaction_block_isa,
    .implicit_loss = implicit_loss,
    .implicit_source = implicit_source,
    .next_event = NULL,
    .treatment = get_treatment,
    .injure = injure,
    .forcing_key = "microneedling.serum.from",
    .forcing_field = "compound",
    .set_forcing = set_forcing,
};
