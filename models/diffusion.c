/* diffusion: a verification model — one substance that diffuses, decays and is released.
 *
 *   ∂c/∂t = ∇·(D ∇c) − k c + Σ_s q_s(t) · w_s(x)
 *
 * D and k per layer; w_s is source s's spatial weight (1/volume over the cells the source
 * occupies, so that ∫ w dV = 1) and q_s its rate, on in [start_day, stop_day). The sources are
 * the `diffusion.source` block and the entries of the list `diffusion.sources` (up to
 * DIFF_LIST_SOURCES), superposed: so that superposition can be tested, each keeps its own
 * weights and times. The weights are computed once, per cell, when the model is created (the
 * engine's one source weight per cell, model->cell_source, cannot carry several timings), and
 * the reaction finds its cell's from the cell centre. Initial state:
 * a per-layer uniform value plus an optional Gaussian pulse of mass M that has already spread
 * for age t0 (variance 2 D t0 per axis), i.e. the exact point-release solution at t0, so the
 * run can be compared with  M (4πD(t+t0))^(−d/2) exp(−r²/(4D(t+t0)) − k t)  (the point-release solution with decay).
 * Membrane cases (docs/topical.md): a partition coefficient K per layer (the equilibrium
 * concentration over the reference phase's; the face flux is G (c_L/K_L − c_R/K_R)), and the
 * skin surface held at a potential (diffusion.surface: a donor of concentration value, so the
 * cell below holds K·value) during [start_day, stop_day) and no-flux otherwise: the engine's
 * time-dependent surface boundary, with both switches as events.
 * No biology here: every value is whatever the verification case needs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

enum { SRC_NONE, SRC_POINT, SRC_LINE, SRC_CHANNEL };

#define DIFF_LIST_SOURCES 8                      /* entries of diffusion.sources */
#define DIFF_MAX_SOURCES (DIFF_LIST_SOURCES + 1) /* and diffusion.source */

typedef struct {
  int kind;
  double rate, pos[3], depth, radius, start, stop;
  double *w; /* [ncell] weight per cell, 1/µm³ (2D: 1/µm²) */
} dsource;

typedef struct {
  int nlayers, dims, nx, ny;
  double h;
  double D[PARAMS_MAX_LAYERS], k[PARAMS_MAX_LAYERS], c0[PARAMS_MAX_LAYERS];
  double bc_value;
  double K[PARAMS_MAX_LAYERS];
  int surface_held;
  double surf_value, surf_start, surf_stop;
  double pulse_mass, pulse_age, pulse_pos[3], pulse_D;
  int nsrc;
  dsource src[DIFF_MAX_SOURCES];
} diffusion;

#define LIST_DOC "a list of up to 8 more sources, each like diffusion.source, all superposed: "

/* One source's keys under P ("diffusion.source" or an entry "diffusion.sources[i]"). */
#define SOURCE_PARAMS(P, W)                                                                     \
  {P ".kind", P_ENUM, "", "none", 0, 0, "none|point|line|channel", 0, 0, 0,                  \
   W "point (3D), line along y through (x, depth), or channel from the surface down"},        \
  {P ".rate", P_REAL, "amount/day", "0", 0, 1e30, NULL, 0, 0, 0,                             \
   "release rate: per point; per µm of line; per channel (2D: per µm along y)"},              \
  {P ".position_um", P_REALS, "µm", "[0, 0]", -1e9, 1e9, NULL, 0, 2, 3,                      \
   "point/line position [x, depth] or [x, y, depth]; channel: its axis at the surface"},      \
  {P ".depth_um", P_REAL, "µm", "100", 0, 1e9, NULL, 0, 0, 0, "channel depth below the surface"}, \
  {P ".radius_um", P_REAL, "µm", "50", 0, 1e9, NULL, 0, 0, 0, "channel radius (2D: half-width)"}, \
  {P ".start_day", P_REAL, "day", "0", 0, 1e9, NULL, 0, 0, 0, "release starts"},             \
  {P ".stop_day", P_REAL, "day", "1e9", 0, 1e9, NULL, 0, 0, 0, "release stops"}

static const param_desc model_params[] = {
    {"diffusion.D_um2_per_day", P_REAL, "µm²/day", "1e5", 0, 1e12, NULL, 1, 0, 0,
     "diffusivity (per layer)"},
    {"diffusion.decay_per_day", P_REAL, "1/day", "0", 0, 1e9, NULL, 1, 0, 0,
     "first-order decay rate k (per layer)"},
    {"diffusion.initial", P_REAL, "amount/µm³", "0", -1e30, 1e30, NULL, 1, 0, 0,
     "uniform initial concentration (per layer)"},
    {"diffusion.boundary_value", P_REAL, "amount/µm³", "0", -1e30, 1e30, NULL, 0, 0, 0,
     "concentration held at Dirichlet boundaries"},
    {"diffusion.partition", P_REAL, "-", "1", 1e-12, 1e12, NULL, 1, 0, 0,
     "partition coefficient against the reference phase (per layer; 1: none)"},
    {"diffusion.surface.kind", P_ENUM, "", "grid", 0, 0, "grid|held", 0, 0, 0,
     "grid: the grid's surface boundary; held: a donor at surface.value in [start, stop), no-flux "
     "otherwise"},
    {"diffusion.surface.value", P_REAL, "amount/µm³", "0", 0, 1e30, NULL, 0, 0, 0,
     "donor concentration (a potential: the cell below holds partition × value)"},
    {"diffusion.surface.start_day", P_REAL, "day", "0", 0, 1e9, NULL, 0, 0, 0, "donor applied"},
    {"diffusion.surface.stop_day", P_REAL, "day", "1e9", 0, 1e9, NULL, 0, 0, 0, "donor removed"},
    {"diffusion.pulse.mass", P_REAL, "amount", "0", 0, 1e30, NULL, 0, 0, 0,
     "mass of an initial Gaussian pulse (2D: per µm along y)"},
    {"diffusion.pulse.age_day", P_REAL, "day", "0.01", 1e-12, 1e6, NULL, 0, 0, 0,
     "how long the pulse has spread already (variance 2·D·age per axis)"},
    {"diffusion.pulse.position_um", P_REALS, "µm", "[0, 0]", -1e9, 1e9, NULL, 0, 2, 3,
     "pulse centre: [x, depth] in 2D, [x, y, depth] in 3D"},
    SOURCE_PARAMS("diffusion.source", ""),
    /* diffusion.sources: a list of up to DIFF_LIST_SOURCES more, each like diffusion.source */
    SOURCE_PARAMS("diffusion.sources[0]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[1]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[2]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[3]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[4]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[5]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[6]", LIST_DOC),
    SOURCE_PARAMS("diffusion.sources[7]", LIST_DOC),
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const species_info species[] = {
    {"c", "amount/µm³", "concentration", -1, 0},
};

/* [x, depth] in 2D is stored as (x, y = h/2, z). */
static cs_status read_position(const params *p, const char *key, const grid *g, double *pos) {
  int n;
  const double *v = params_reals(p, key, &n);
  if (n != g->dims)
    return params_key_error(p, key, "expected %d coordinates for a %dD grid, got %d", g->dims,
                            g->dims, n);
  pos[0] = v[0];
  pos[1] = g->dims == 3 ? v[1] : 0.5 * g->h;
  pos[2] = v[n - 1];
  return CS_OK;
}

static int inside_cell(double x, double xc, double h) { return x >= xc - 0.5 * h && x < xc + 0.5 * h; }

/* Fraction of the cell (centre x, y, z) inside the channel, by 8 samples per axis: exact
   enough for a verification source whose total is checked against its rate. */
static double channel_fraction(const dsource *sr, int dims, double x0, double y0, double z0,
                               double h) {
  const int ns = 8;
  int in = 0, tot = 0;
  for (int a = 0; a < ns; a++)
    for (int b = 0; b < (dims == 3 ? ns : 1); b++)
      for (int e = 0; e < ns; e++) {
        double x = x0 + ((a + 0.5) / ns - 0.5) * h;
        double y = dims == 3 ? y0 + ((b + 0.5) / ns - 0.5) * h : sr->pos[1];
        double z = z0 + ((e + 0.5) / ns - 0.5) * h;
        double rx = x - sr->pos[0], ry = dims == 3 ? y - sr->pos[1] : 0;
        in += z < sr->depth && rx * rx + ry * ry < sr->radius * sr->radius;
        tot++;
      }
  return (double)in / tot;
}

/* Source weight of the cell centred at (x, y, z). */
static double source_weight(const dsource *sr, int dims, double x, double y, double z, double h) {
  double vol = dims == 3 ? h * h * h : h * h;
  switch (sr->kind) {
    case SRC_POINT:
      return inside_cell(sr->pos[0], x, h) && inside_cell(sr->pos[1], y, h) &&
                     inside_cell(sr->pos[2], z, h)
                 ? 1.0 / vol
                 : 0.0;
    case SRC_LINE: /* rate per µm of line: 1/h² in each cell the line crosses */
      return inside_cell(sr->pos[0], x, h) && inside_cell(sr->pos[2], z, h) ? 1.0 / (h * h) : 0.0;
    case SRC_CHANNEL: {
      double cvol = dims == 3 ? CS_PI * sr->radius * sr->radius * sr->depth
                              : 2 * sr->radius * sr->depth;
      return cvol > 0 ? channel_fraction(sr, dims, x, y, z, h) / cvol : 0.0;
    }
    default:
      return 0.0;
  }
}

/* One source from the keys under prefix P; kind none leaves it out. */
static cs_status read_source(diffusion *d, const params *p, const grid *g, const char *P) {
  char key[96];
  snprintf(key, sizeof key, "%s.kind", P);
  const char *kind = params_str(p, key);
  int k = strcmp(kind, "point") == 0     ? SRC_POINT
          : strcmp(kind, "line") == 0    ? SRC_LINE
          : strcmp(kind, "channel") == 0 ? SRC_CHANNEL
                                         : SRC_NONE;
  if (k == SRC_NONE) return CS_OK;
  if (k == SRC_POINT && g->dims != 3)
    return params_key_error(p, key,
                            "a point source needs grid.dims = 3 (in a 2D cross-section a point "
                            "is a line along y: use kind: line)");
  dsource *sr = &d->src[d->nsrc];
  sr->kind = k;
#define SRC_REAL(field, name)                  \
  snprintf(key, sizeof key, "%s." name, P);    \
  sr->field = params_real(p, key)
  SRC_REAL(rate, "rate");
  SRC_REAL(depth, "depth_um");
  SRC_REAL(radius, "radius_um");
  SRC_REAL(start, "start_day");
  SRC_REAL(stop, "stop_day");
#undef SRC_REAL
  snprintf(key, sizeof key, "%s.position_um", P);
  CS_TRY(read_position(p, key, g, sr->pos));
  sr->w = malloc(sizeof(double) * g->ncell);
  if (!sr->w) return CS_ERROR(CS_ERR_NOMEM, "out of memory (diffusion sources)");
  d->nsrc++;
  for (int kk = 0; kk < g->nz; kk++)
    for (int j = 0; j < g->ny; j++)
      for (int i = 0; i < g->nx; i++)
        sr->w[grid_index(g, i, j, kk)] =
            source_weight(sr, g->dims, grid_xc(g, i), grid_xc(g, j), grid_xc(g, kk), g->h);
  return CS_OK;
}

static void destroy(void *inst) {
  diffusion *d = inst;
  if (!d) return;
  for (int s = 0; s < d->nsrc; s++) free(d->src[s].w);
  free(d);
}

static cs_status create(const params *p, const grid *g, void **inst) {
  diffusion *d = calloc(1, sizeof *d);
  if (!d) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  d->nlayers = g->nlayers;
  d->dims = g->dims;
  d->nx = g->nx;
  d->ny = g->ny;
  d->h = g->h;
  for (int l = 0; l < g->nlayers; l++) {
    d->D[l] = params_layer_real(p, "diffusion.D_um2_per_day", l);
    d->k[l] = params_layer_real(p, "diffusion.decay_per_day", l);
    d->c0[l] = params_layer_real(p, "diffusion.initial", l);
    d->K[l] = params_layer_real(p, "diffusion.partition", l);
  }
  d->surface_held = strcmp(params_str(p, "diffusion.surface.kind"), "held") == 0;
  d->surf_value = params_real(p, "diffusion.surface.value");
  d->surf_start = params_real(p, "diffusion.surface.start_day");
  d->surf_stop = params_real(p, "diffusion.surface.stop_day");
  d->bc_value = params_real(p, "diffusion.boundary_value");
  d->pulse_mass = params_real(p, "diffusion.pulse.mass");
  d->pulse_age = params_real(p, "diffusion.pulse.age_day");
  /* Positions are checked only where they are used, so a 3D config without a pulse need
     not restate the 2D default. */
  cs_status st = CS_OK;
  if (d->pulse_mass > 0) st = read_position(p, "diffusion.pulse.position_um", g, d->pulse_pos);
  if (st == CS_OK) st = read_source(d, p, g, "diffusion.source");
  for (int i = 0; st == CS_OK && i < DIFF_LIST_SOURCES; i++) {
    char P[64];
    snprintf(P, sizeof P, "diffusion.sources[%d]", i);
    st = read_source(d, p, g, P);
  }
  if (st != CS_OK) {
    destroy(d);
    return st;
  }
  /* The pulse spreads with the diffusivity of the layer it starts in. */
  int lay = 0;
  while (lay + 1 < g->nlayers && d->pulse_pos[2] >= g->layer_top[lay + 1]) lay++;
  d->pulse_D = d->D[lay];
  *inst = d;
  return CS_OK;
}

static double diffusivity(const void *inst, int s, int layer) {
  (void)s;
  return ((const diffusion *)inst)->D[layer];
}

static double boundary_value(const void *inst, int s) {
  (void)s;
  return ((const diffusion *)inst)->bc_value;
}

static double partition(const void *inst, int s, int layer) {
  (void)s;
  return ((const diffusion *)inst)->K[layer];
}

static int surface_value(const void *inst, int s, double t, double *value) {
  const diffusion *d = inst;
  (void)s;
  if (!d->surface_held) return -1;
  *value = d->surf_value;
  return t >= d->surf_start && t < d->surf_stop;
}

static void initial(const void *inst, const cell_info *c, double *u) {
  const diffusion *d = inst;
  u[0] = d->c0[c->layer];
  if (d->pulse_mass > 0) {
    double var2 = 4 * d->pulse_D * d->pulse_age; /* 4 D t0 */
    double dx = c->x - d->pulse_pos[0], dy = c->y - d->pulse_pos[1], dz = c->z - d->pulse_pos[2];
    double r2 = dx * dx + dz * dz + (d->dims == 3 ? dy * dy : 0);
    u[0] += d->pulse_mass * pow(CS_PI * var2, -0.5 * d->dims) * exp(-r2 / var2);
  }
}

static void reaction(const void *inst, const cell_info *c, double t, const double *u, double *f,
                     double *k) {
  const diffusion *d = inst;
  (void)u;
  double q = 0;
  if (d->nsrc) {
    /* the cell from its centre ((i + 1/2) h): the index of the weight tables */
    const size_t i = (size_t)(c->x / d->h), j = d->dims == 3 ? (size_t)(c->y / d->h) : 0;
    const size_t idx = ((size_t)(c->z / d->h) * (size_t)d->ny + j) * (size_t)d->nx + i;
    for (int s = 0; s < d->nsrc; s++) {
      const dsource *sr = &d->src[s];
      if (t >= sr->start && t < sr->stop) q += sr->rate * sr->w[idx];
    }
  }
  f[0] = q;
  k[0] = d->k[c->layer];
}

/* The first switch of any source after t. */
static double next_event(const void *inst, double t) {
  const diffusion *d = inst;
  double ev = INFINITY;
  if (d->surface_held)
    ev = t < d->surf_start ? d->surf_start : t < d->surf_stop ? d->surf_stop : INFINITY;
  for (int s = 0; s < d->nsrc; s++) {
    const dsource *sr = &d->src[s];
    double e = t < sr->start ? sr->start : t < sr->stop ? sr->stop : INFINITY;
    ev = e < ev ? e : ev;
  }
  return ev;
}

const model model_diffusion = {
    .name = "diffusion",
    .summary = "verification: diffusion-decay with point, line or channel sources (superposed)",
    .params = model_params,
    .nspecies = 1,
    .species = species,
    .create = create,
    .destroy = destroy,
    .diffusivity = diffusivity,
    .chemotaxis = NULL,
    .boundary_value = boundary_value,
    .partition = partition,
    .surface_value = surface_value,
    .cell_source = NULL,
    .initial = initial,
    .reaction = reaction,
    .next_event = next_event,
};
