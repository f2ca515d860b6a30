/* diffusion: a verification model — one substance that diffuses, decays and is released.
 *
 *   ∂c/∂t = ∇·(D ∇c) − k c + q(t) · w(x)
 *
 * D and k per layer; w is the source's spatial weight (1/volume over the cells the source
 * occupies, so that ∫ w dV = 1) and q its rate, on in [start_day, stop_day). Initial state:
 * a per-layer uniform value plus an optional Gaussian pulse of mass M that has already spread
 * for age t0 (variance 2 D t0 per axis), i.e. the exact point-release solution at t0, so the
 * run can be compared with  M (4πD(t+t0))^(−d/2) exp(−r²/(4D(t+t0)) − k t)  (literature.md §5).
 * No biology here: every value is whatever the verification case needs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

enum { SRC_NONE, SRC_POINT, SRC_LINE, SRC_CHANNEL };

typedef struct {
  int nlayers, dims;
  double D[PARAMS_MAX_LAYERS], k[PARAMS_MAX_LAYERS], c0[PARAMS_MAX_LAYERS];
  double bc_value;
  double pulse_mass, pulse_age, pulse_pos[3], pulse_D;
  int src_kind;
  double src_rate, src_pos[3], src_depth, src_radius, src_start, src_stop;
} diffusion;

static const param_desc model_params[] = {
    {"diffusion.D_um2_per_day", P_REAL, "µm²/day", "1e5", 0, 1e12, NULL, 1, 0, 0,
     "diffusivity (per layer)"},
    {"diffusion.decay_per_day", P_REAL, "1/day", "0", 0, 1e9, NULL, 1, 0, 0,
     "first-order decay rate k (per layer)"},
    {"diffusion.initial", P_REAL, "amount/µm³", "0", -1e30, 1e30, NULL, 1, 0, 0,
     "uniform initial concentration (per layer)"},
    {"diffusion.boundary_value", P_REAL, "amount/µm³", "0", -1e30, 1e30, NULL, 0, 0, 0,
     "concentration held at Dirichlet boundaries"},
    {"diffusion.pulse.mass", P_REAL, "amount", "0", 0, 1e30, NULL, 0, 0, 0,
     "mass of an initial Gaussian pulse (2D: per µm along y)"},
    {"diffusion.pulse.age_day", P_REAL, "day", "0.01", 1e-12, 1e6, NULL, 0, 0, 0,
     "how long the pulse has spread already (variance 2·D·age per axis)"},
    {"diffusion.pulse.position_um", P_REALS, "µm", "[0, 0]", -1e9, 1e9, NULL, 0, 2, 3,
     "pulse centre: [x, depth] in 2D, [x, y, depth] in 3D"},
    {"diffusion.source.kind", P_ENUM, "", "none", 0, 0, "none|point|line|channel", 0, 0, 0,
     "point (3D), line along y through (x, depth), or channel from the surface down"},
    {"diffusion.source.rate", P_REAL, "amount/day", "0", 0, 1e30, NULL, 0, 0, 0,
     "release rate: per point; per µm of line; per channel (2D: per µm along y)"},
    {"diffusion.source.position_um", P_REALS, "µm", "[0, 0]", -1e9, 1e9, NULL, 0, 2, 3,
     "point/line position [x, depth] or [x, y, depth]; channel: its axis at the surface"},
    {"diffusion.source.depth_um", P_REAL, "µm", "100", 0, 1e9, NULL, 0, 0, 0,
     "channel depth below the surface"},
    {"diffusion.source.radius_um", P_REAL, "µm", "50", 0, 1e9, NULL, 0, 0, 0,
     "channel radius (2D: half-width)"},
    {"diffusion.source.start_day", P_REAL, "day", "0", 0, 1e9, NULL, 0, 0, 0,
     "release starts"},
    {"diffusion.source.stop_day", P_REAL, "day", "1e9", 0, 1e9, NULL, 0, 0, 0,
     "release stops"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const species_info species[] = {
    {"c", "amount/µm³", "concentration", -1},
};

/* [x, depth] in 2D is stored as (x, y = h/2, z). */
static cs_status read_position(const params *p, const char *key, const grid *g, double *pos) {
  int n;
  const double *v = params_reals(p, key, &n);
  if (n != g->dims)
    return CS_ERROR(CS_ERR_INPUT, "%s: %s: expected %d coordinates for a %dD grid, got %d",
                    p->file, key, g->dims, g->dims, n);
  pos[0] = v[0];
  pos[1] = g->dims == 3 ? v[1] : 0.5 * g->h;
  pos[2] = v[n - 1];
  return CS_OK;
}

static cs_status create(const params *p, const grid *g, void **inst) {
  diffusion *d = calloc(1, sizeof *d);
  if (!d) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  d->nlayers = g->nlayers;
  d->dims = g->dims;
  for (int l = 0; l < g->nlayers; l++) {
    d->D[l] = params_layer_real(p, "diffusion.D_um2_per_day", l);
    d->k[l] = params_layer_real(p, "diffusion.decay_per_day", l);
    d->c0[l] = params_layer_real(p, "diffusion.initial", l);
  }
  d->bc_value = params_real(p, "diffusion.boundary_value");
  d->pulse_mass = params_real(p, "diffusion.pulse.mass");
  d->pulse_age = params_real(p, "diffusion.pulse.age_day");
  const char *kind = params_str(p, "diffusion.source.kind");
  d->src_kind = strcmp(kind, "point") == 0 ? SRC_POINT
                : strcmp(kind, "line") == 0 ? SRC_LINE
                : strcmp(kind, "channel") == 0 ? SRC_CHANNEL
                                               : SRC_NONE;
  d->src_rate = params_real(p, "diffusion.source.rate");
  d->src_depth = params_real(p, "diffusion.source.depth_um");
  d->src_radius = params_real(p, "diffusion.source.radius_um");
  d->src_start = params_real(p, "diffusion.source.start_day");
  d->src_stop = params_real(p, "diffusion.source.stop_day");
  /* Positions are checked only where they are used, so a 3D config without a pulse need
     not restate the 2D default. */
  cs_status st = CS_OK;
  if (d->pulse_mass > 0) st = read_position(p, "diffusion.pulse.position_um", g, d->pulse_pos);
  if (st == CS_OK && d->src_kind != SRC_NONE)
    st = read_position(p, "diffusion.source.position_um", g, d->src_pos);
  if (st == CS_OK && d->src_kind == SRC_POINT && g->dims != 3)
    st = CS_ERROR(CS_ERR_INPUT,
                  "%s: diffusion.source.kind: a point source needs grid.dims = 3 (in a 2D "
                  "cross-section a point is a line along y: use kind: line)",
                  p->file);
  if (st != CS_OK) {
    free(d);
    return st;
  }
  /* The pulse spreads with the diffusivity of the layer it starts in. */
  int lay = 0;
  while (lay + 1 < g->nlayers && d->pulse_pos[2] >= g->layer_top[lay + 1]) lay++;
  d->pulse_D = d->D[lay];
  *inst = d;
  return CS_OK;
}

static void destroy(void *inst) { free(inst); }

static double diffusivity(const void *inst, int s, int layer) {
  (void)s;
  return ((const diffusion *)inst)->D[layer];
}

static double boundary_value(const void *inst, int s) {
  (void)s;
  return ((const diffusion *)inst)->bc_value;
}

static int inside_cell(double x, double xc, double h) { return x >= xc - 0.5 * h && x < xc + 0.5 * h; }

/* Fraction of the cell inside the channel, by 8 samples per axis: exact enough for a
   verification source whose total is checked against its rate. */
static double channel_fraction(const diffusion *d, const cell_info *c, double h) {
  const int ns = 8;
  int in = 0, tot = 0;
  for (int a = 0; a < ns; a++)
    for (int b = 0; b < (d->dims == 3 ? ns : 1); b++)
      for (int e = 0; e < ns; e++) {
        double x = c->x + ((a + 0.5) / ns - 0.5) * h;
        double y = d->dims == 3 ? c->y + ((b + 0.5) / ns - 0.5) * h : d->src_pos[1];
        double z = c->z + ((e + 0.5) / ns - 0.5) * h;
        double rx = x - d->src_pos[0], ry = d->dims == 3 ? y - d->src_pos[1] : 0;
        in += z < d->src_depth && rx * rx + ry * ry < d->src_radius * d->src_radius;
        tot++;
      }
  return (double)in / tot;
}

static double cell_source(const void *inst, const cell_info *c, double h, int dims) {
  const diffusion *d = inst;
  double vol = dims == 3 ? h * h * h : h * h;
  switch (d->src_kind) {
    case SRC_POINT:
      return inside_cell(d->src_pos[0], c->x, h) && inside_cell(d->src_pos[1], c->y, h) &&
                     inside_cell(d->src_pos[2], c->z, h)
                 ? 1.0 / vol
                 : 0.0;
    case SRC_LINE: /* rate per µm of line: 1/h² in each cell the line crosses */
      return inside_cell(d->src_pos[0], c->x, h) && inside_cell(d->src_pos[2], c->z, h)
                 ? 1.0 / (h * h)
                 : 0.0;
    case SRC_CHANNEL: {
      double cvol = dims == 3 ? CS_PI * d->src_radius * d->src_radius * d->src_depth
                              : 2 * d->src_radius * d->src_depth;
      return cvol > 0 ? channel_fraction(d, c, h) / cvol : 0.0;
    }
    default:
      return 0.0;
  }
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
  int on = d->src_kind != SRC_NONE && t >= d->src_start && t < d->src_stop;
  f[0] = on ? d->src_rate * c->source : 0.0;
  k[0] = d->k[c->layer];
}

static double next_event(const void *inst, double t) {
  const diffusion *d = inst;
  if (d->src_kind == SRC_NONE) return INFINITY;
  if (t < d->src_start) return d->src_start;
  if (t < d->src_stop) return d->src_stop;
  return INFINITY;
}

const model model_diffusion = {
    .name = "diffusion",
    .summary = "verification: diffusion-decay with point, line or channel sources",
    .params = model_params,
    .nspecies = 1,
    .species = species,
    .create = create,
    .destroy = destroy,
    .diffusivity = diffusivity,
    .chemotaxis = NULL,
    .boundary_value = boundary_value,
    .cell_source = cell_source,
    .initial = initial,
    .reaction = reaction,
    .next_event = next_event,
};
