#include "protocol.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far more punctures than any treated patch of a few cm² holds: a typo guard. */
#define PROTOCOL_MAX_PUNCTURES 2000000
#define UM2_PER_CM2 1e8


/* splitmix64 (Steele, Lea & Flood 2014): decorrelates the seeds of neighbouring streams. */
static uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

enum { PURPOSE_OFFSET = 1, PURPOSE_POSITIONS = 2 };

/* One generator per (seed, session, pass, purpose). */
static void seed_stream(gsl_rng *r, long seed, int session, int pass, int purpose) {
  uint64_t z = mix64((uint64_t)seed);
  z = mix64(z ^ (uint64_t)session);
  z = mix64(z ^ (uint64_t)pass);
  z = mix64(z ^ (uint64_t)purpose);
  gsl_rng_set(r, (unsigned long)(z >> 33) + 1u);
}

static double wrap_into(double x, double w) {
  double y = fmod(x, w);
  return y < 0 ? y + w : y;
}

/* Counts from user sizes are clamped at TOO_MANY before any conversion to an integer, so that
   a tiny spacing or a huge density cannot overflow (a count above PROTOCOL_MAX_PUNCTURES is
   refused anyway), and products of two clamped counts still fit a long. */
#define TOO_MANY (PROTOCOL_MAX_PUNCTURES + 1L)

static long clamp_count(double n) {
  if (!(n < (double)TOO_MANY)) return TOO_MANY; /* NaN and inf too */
  return n < 1 ? 1 : (long)n;
}

static long fit_count(double length, double a) { return clamp_count(nearbyint(length / a)); }

typedef enum { PAT_SQUARE, PAT_HEX, PAT_RANDOM } pattern_kind;

typedef struct {
  pattern_kind kind;
  double rho;           /* punctures per µm² per pass */
  double offset[2];
  int random_shift;
  long seed;
} pattern;

/* Lattice spacing a of a pattern of density rho. */
static double lattice_spacing(pattern_kind k, double rho) {
  return k == PAT_HEX ? sqrt(2.0 / (sqrt(3.0) * rho)) : 1.0 / sqrt(rho);
}

/* A hexagonal lattice in a W × H periodic cell: an even number of rows (so that the offset
   rows continue across the period), as close to the ideal spacing a·√3/2 as possible, and as
   many needles per row as keep the density: a square cell cannot hold a perfect hexagonal
   lattice, so the rows are stretched or squeezed a little rather than the density changed. */
static void hex_fit(const protocol *pr, const pattern *pt, long *rows, long *cols) {
  double W = pr->size[0], H = pr->size[1];
  double a = lattice_spacing(PAT_HEX, pt->rho);
  long r = 2 * clamp_count(nearbyint(H / (sqrt(3.0) * a)));
  *rows = r;
  *cols = clamp_count(nearbyint(pt->rho * W * H / (double)r));
}

/* Number of punctures one pass places (the same for every pass); at most TOO_MANY². */
static long pass_count(const protocol *pr, const pattern *pt) {
  double W = pr->size[0], H = pr->size[1];
  double a = lattice_spacing(pt->kind, pt->rho);
  if (pt->kind == PAT_RANDOM) {
    double n = nearbyint(pt->rho * W * (pr->dims == 3 ? H : W));
    return n < 1 ? 0 : clamp_count(n);
  }
  long nx = fit_count(W, a);
  if (pr->dims == 2) return pt->kind == PAT_HEX ? 2 * nx : nx;
  if (pt->kind == PAT_SQUARE) return nx * fit_count(H, a);
  long rows, cols;
  hex_fit(pr, pt, &rows, &cols);
  return rows * cols;
}

/* Places one pass; returns the number placed into out (capacity from pass_count). */
static long place_pass(const protocol *pr, const pattern *pt, gsl_rng *r, int session, int pass,
                       double depth, double radius, puncture *out, double *density) {
  double W = pr->size[0], H = pr->size[1];
  double a = lattice_spacing(pt->kind, pt->rho);
  long n = 0;
  puncture base = {0, 0, depth, radius, 0, session, pass};
  if (pt->kind == PAT_RANDOM) {
    long N = pass_count(pr, pt);
    seed_stream(r, pt->seed, session, pass, PURPOSE_POSITIONS);
    double P = pr->dims == 2 ? (double)N / (pt->rho * W) : 0;
    for (long q = 0; q < N; q++) {
      puncture c = base;
      c.x = W * gsl_rng_uniform(r);
      if (pr->dims == 3) c.y = H * gsl_rng_uniform(r);
      c.period_y = P;
      out[n++] = c;
    }
    *density = pr->dims == 2 ? pt->rho : (double)N / (W * H);
    return n;
  }
  long nx = fit_count(W, a);
  double ax = W / (double)nx;
  double ox = pt->offset[0], oy = pt->offset[1];
  if (pt->random_shift) {
    seed_stream(r, pt->seed, session, pass, PURPOSE_OFFSET);
    ox = ax * gsl_rng_uniform(r);
    oy = (pr->dims == 3 ? H : 1.0) * gsl_rng_uniform(r);
  }
  if (pr->dims == 2) {
    /* Square: one needle per ax, rows P apart in y with ax·P = a². Hexagonal: both rows of the
       lattice projected, every ax/2, each row 2/(rho·ax) apart. */
    int hex = pt->kind == PAT_HEX;
    long m = hex ? 2 * nx : nx;
    double dxp = hex ? 0.5 * ax : ax;
    double P = hex ? 2.0 / (pt->rho * ax) : a * a / ax;
    for (long i = 0; i < m; i++) {
      puncture c = base;
      c.x = wrap_into(ox + (i + 0.5) * dxp, W);
      c.period_y = P;
      out[n++] = c;
    }
    *density = 1.0 / (dxp * P);
    return n;
  }
  if (pt->kind == PAT_SQUARE) {
    long ny = fit_count(H, a);
    double ay = H / (double)ny;
    if (pt->random_shift) oy = ay * (oy / H);
    for (long j = 0; j < ny; j++)
      for (long i = 0; i < nx; i++) {
        puncture c = base;
        c.x = wrap_into(ox + (i + 0.5) * ax, W);
        c.y = wrap_into(oy + (j + 0.5) * ay, H);
        out[n++] = c;
      }
  } else {
    long rows, cols;
    hex_fit(pr, pt, &rows, &cols);
    ax = W / (double)cols;
    nx = cols;
    if (pt->random_shift) ox = ax * (ox / (W / (double)fit_count(W, a)));
    double ay = H / (double)rows;
    if (pt->random_shift) oy = 2 * ay * (oy / H);
    for (long j = 0; j < rows; j++)
      for (long i = 0; i < nx; i++) {
        puncture c = base;
        c.x = wrap_into(ox + (i + 0.5 + 0.5 * (double)(j & 1)) * ax, W);
        c.y = wrap_into(oy + (j + 0.5) * ay, H);
        out[n++] = c;
      }
  }
  *density = (double)n / (W * H);
  return n;
}

/* A per-session override list: empty, or one value per session. */
static cs_status override_list(const params *p, const char *key, int nsessions,
                               const double **v) {
  int n;
  *v = params_reals(p, key, &n);
  if (n != 0 && n != nsessions)
    return params_key_error(p, key,
                     "expected one value per session (protocol.sessions.day has %d) or [], got %d",
                     nsessions, n);
  if (n == 0) *v = NULL;
  return CS_OK;
}

/* The count is refused before anything is allocated: name the keys that made it. */
static cs_status too_many(const params *p, const grid *g, const pattern *ps, int s, long n,
                          int passes, int per_session) {
  const char *key = per_session ? "protocol.sessions.density_per_cm2"
                    : params_real(p, "protocol.pattern.spacing_um") > 0
                        ? "protocol.pattern.spacing_um"
                        : "protocol.pattern.density_per_cm2";
  char size[96];
  if (g->dims == 3)
    snprintf(size, sizeof size, "%g × %g µm", g->size[0], g->size[1]);
  else
    snprintf(size, sizeof size, "%g µm wide", g->size[0]);
  return params_key_error(p, key,
                          "session %d: %g punctures per cm² (lattice spacing %.3g µm) on the %s "
                          "grid (grid.size_um) make %s%ld punctures per pass × %d passes: at "
                          "most %d punctures in all; widen the spacing or shrink the grid",
                          s + 1, ps->rho * UM2_PER_CM2, lattice_spacing(ps->kind, ps->rho), size,
                          n >= TOO_MANY ? "over " : "", n >= TOO_MANY ? (long)PROTOCOL_MAX_PUNCTURES : n,
                          passes, PROTOCOL_MAX_PUNCTURES);
}

static void wound_of(const void *geom, const grid *g, int s, int i, int j, int k, wound_info *w) {
  protocol_cell(geom, g, s, i, j, k, w);
}

/* What protocol_create reads before it places anything. */
typedef struct {
  int nd;                  /* sessions */
  const double *days;
  const double *ov_len, *ov_pen, *ov_passes, *ov_rho; /* per-session overrides, or NULL */
  pattern pt;
  double rho_pattern;      /* punctures per µm² per pass from spacing or density */
  double L0, pen0, radius;
  int passes0;
} plan;

/* Session days increasing, the per-session override lists one value per session. */
static cs_status read_sessions(const params *p, plan *pl) {
  pl->days = params_reals(p, "protocol.sessions.day", &pl->nd);
  const int nd = pl->nd;
  for (int s = 1; s < nd; s++)
    if (!(pl->days[s] > pl->days[s - 1]))
      return params_key_error(p, "protocol.sessions.day",
                              "expected increasing days, got %g after %g (session %d)",
                              pl->days[s], pl->days[s - 1], s + 1);
  CS_TRY(override_list(p, "protocol.sessions.needle_length_um", nd, &pl->ov_len));
  CS_TRY(override_list(p, "protocol.sessions.penetration", nd, &pl->ov_pen));
  CS_TRY(override_list(p, "protocol.sessions.passes", nd, &pl->ov_passes));
  CS_TRY(override_list(p, "protocol.sessions.density_per_cm2", nd, &pl->ov_rho));
  for (int s = 0; pl->ov_passes && s < nd; s++)
    if (pl->ov_passes[s] != floor(pl->ov_passes[s]))
      return params_key_error(p, "protocol.sessions.passes",
                              "expected whole numbers, got %g (session %d)", pl->ov_passes[s],
                              s + 1);
  return CS_OK;
}

/* The pattern and the device: spacing or density (one of them), offsets, seed. */
static cs_status read_pattern(const params *p, plan *pl) {
  pattern *pt = &pl->pt;
  memset(pt, 0, sizeof *pt);
  const char *kind = params_str(p, "protocol.pattern.kind");
  pt->kind = strcmp(kind, "hex") == 0 ? PAT_HEX : strcmp(kind, "random") == 0 ? PAT_RANDOM : PAT_SQUARE;
  double spacing = params_real(p, "protocol.pattern.spacing_um");
  double density = params_real(p, "protocol.pattern.density_per_cm2");
  if (pl->nd > 0 && (spacing > 0) == (density > 0) && !(pl->ov_rho && spacing == 0))
    return params_key_error(
        p, spacing > 0 ? "protocol.pattern.density_per_cm2" : "protocol.pattern.spacing_um",
        spacing > 0 ? "give either protocol.pattern.spacing_um or this, not both"
                    : "give protocol.pattern.spacing_um or "
                      "protocol.pattern.density_per_cm2 (one of them > 0)");
  pl->rho_pattern = density > 0 ? density / UM2_PER_CM2
                    : spacing > 0 ? (pt->kind == PAT_HEX ? 2.0 / (sqrt(3.0) * spacing * spacing)
                                                         : 1.0 / (spacing * spacing))
                                  : 0;
  int no;
  const double *off = params_reals(p, "protocol.pattern.offset_um", &no);
  pt->offset[0] = off[0];
  pt->offset[1] = no > 1 ? off[1] : 0;
  pt->random_shift = strcmp(params_str(p, "protocol.pattern.shift"), "random") == 0;
  pt->seed = params_int(p, "protocol.pattern.seed");
  pl->L0 = params_real(p, "protocol.device.needle_length_um");
  pl->pen0 = params_real(p, "protocol.device.penetration");
  pl->radius = 0.5 * params_real(p, "protocol.device.needle_diameter_um");
  pl->passes0 = (int)params_int(p, "protocol.pattern.passes");
  return CS_OK;
}

/* Each session's device and density, and the number of punctures in all: the channel depth
   and the count are checked here, before anything is allocated for them. */
static cs_status size_sessions(protocol *pr, const params *p, const grid *g, const plan *pl,
                               long *total) {
  *total = 0;
  for (int s = 0; s < pl->nd; s++) {
    session_desc *sd = &pr->sessions[s];
    sd->day = pl->days[s];
    sd->needle_length_um = pl->ov_len ? pl->ov_len[s] : pl->L0;
    sd->penetration = pl->ov_pen ? pl->ov_pen[s] : pl->pen0;
    sd->passes = pl->ov_passes ? (int)pl->ov_passes[s] : pl->passes0;
    double rho = pl->ov_rho ? pl->ov_rho[s] / UM2_PER_CM2 : pl->rho_pattern;
    sd->density_per_cm2 = rho * UM2_PER_CM2;
    double depth = sd->needle_length_um * sd->penetration;
    if (depth + pr->halo >= g->size[2]) {
      const char *k = pl->ov_len ? "protocol.sessions.needle_length_um"
                      : pl->ov_pen ? "protocol.sessions.penetration"
                                   : "protocol.device.needle_length_um";
      /* a needle left at its default is not in the file: point at the depth that is */
      const param_value *kv = params_find(p, k);
      if (kv && kv->from == PARAM_FROM_DEFAULT) k = "grid.size_um";
      return params_key_error(p, k,
                              "session %d: the channel (needle_length_um %g × penetration %g = "
                              "%g µm, plus protocol.device.halo_um %g) reaches the bottom of the "
                              "grid (depth %g µm, grid.size_um): deepen the grid or shorten the "
                              "needles",
                              s + 1, sd->needle_length_um, sd->penetration, depth, pr->halo,
                              g->size[2]);
    }
    if (!(rho > 0)) continue;
    pattern ps = pl->pt;
    ps.rho = rho;
    long n = pass_count(pr, &ps);
    if (n < 1 && ps.kind == PAT_RANDOM)
      return params_key_error(
          p, pl->ov_rho ? "protocol.sessions.density_per_cm2" : "protocol.pattern.density_per_cm2",
          "session %d: %g punctures per cm² place no puncture on a %g µm wide grid (random "
          "pattern): raise the density or widen grid.size_um",
          s + 1, rho * UM2_PER_CM2, g->size[0]);
    long all;
    if (__builtin_mul_overflow(n, (long)sd->passes, &all) ||
        __builtin_add_overflow(*total, all, total) || *total > PROTOCOL_MAX_PUNCTURES)
      return too_many(p, g, &ps, s, n, sd->passes, pl->ov_rho != NULL);
  }
  return CS_OK;
}

/* Every pass of every session, in order, into pr->punctures; the density actually placed. */
static long place_sessions(protocol *pr, const plan *pl, gsl_rng *r) {
  long n = 0;
  for (int s = 0; s < pl->nd; s++) {
    session_desc *sd = &pr->sessions[s];
    sd->first = (int)n;
    double rho = sd->density_per_cm2 / UM2_PER_CM2;
    if (rho > 0) {
      pattern ps = pl->pt;
      ps.rho = rho;
      double placed = 0;
      for (int q = 0; q < sd->passes; q++)
        n += place_pass(pr, &ps, r, s, q, sd->needle_length_um * sd->penetration, pl->radius,
                        pr->punctures + n, &placed);
      sd->density_per_cm2 = placed * UM2_PER_CM2;
    }
    sd->count = (int)(n - sd->first);
  }
  return n;
}

cs_status protocol_create(protocol **out, const params *p, const grid *g) {
  *out = NULL;
  protocol *pr = calloc(1, sizeof *pr);
  if (!pr) return CS_ERROR(CS_ERR_NOMEM, "out of memory (protocol)");
  pr->dims = g->dims;
  for (int a = 0; a < 3; a++) pr->size[a] = g->size[a];
  pr->periodic_x = g->bc_x == BC_PERIODIC;
  pr->periodic_y = g->dims == 3 && g->bc_y == BC_PERIODIC;
  pr->h = g->h;
  pr->tip = strcmp(params_str(p, "protocol.device.tip"), "cylinder") == 0 ? TIP_CYLINDER : TIP_CONE;
  pr->halo = params_real(p, "protocol.device.halo_um");
  pr->subsamples = (int)params_int(p, "protocol.raster_subsamples");

  plan pl = {0};
  long total = 0, n = 0;
  cs_status st = read_sessions(p, &pl);
  if (st == CS_OK) st = read_pattern(p, &pl);
  const int nd = pl.nd;
  if (st == CS_OK && nd > 0) {
    pr->sessions = calloc((size_t)nd, sizeof *pr->sessions);
    pr->days = malloc(sizeof(double) * (size_t)nd);
    if (!pr->sessions || !pr->days) st = CS_ERROR(CS_ERR_NOMEM, "out of memory (protocol)");
  }
  if (st == CS_OK) st = size_sessions(pr, p, g, &pl, &total);
  if (st == CS_OK && total > 0) {
    pr->punctures = calloc((size_t)total, sizeof *pr->punctures);
    if (!pr->punctures) st = CS_ERROR(CS_ERR_NOMEM, "out of memory (%ld punctures)", total);
  }
  gsl_rng *r = st == CS_OK ? gsl_rng_alloc(gsl_rng_mt19937) : NULL;
  if (st == CS_OK && !r) st = CS_ERROR(CS_ERR_NOMEM, "out of memory (random generator)");
  if (st == CS_OK) n = place_sessions(pr, &pl, r);
  if (r) gsl_rng_free(r);
  if (st != CS_OK) {
    protocol_free(pr);
    return st;
  }
  pr->nsessions = nd;
  pr->npunctures = (int)n;
  for (int s = 0; s < nd; s++) pr->days[s] = pr->sessions[s].day;
  pr->view = (treatment){nd, pr->days, wound_of, pr};
  *out = pr;
  return CS_OK;
}

void protocol_free(protocol *pr) {
  if (!pr) return;
  free(pr->sessions);
  free(pr->punctures);
  free(pr->days);
  free(pr);
}

const treatment *protocol_treatment(const protocol *pr) { return pr ? &pr->view : NULL; }

const protocol *protocol_of(const treatment *tr) { return tr ? (const protocol *)tr->geom : NULL; }

/* ---- geometry of one channel, in its meridian half-plane (rho >= 0, z down) ---- */

static double channel_radius(const protocol *pr, const puncture *c, double z) {
  if (z >= c->depth || c->depth <= 0) return 0;
  return pr->tip == TIP_CONE ? c->radius * (1 - z / c->depth) : c->radius;
}

/* Radius of the damaged zone at depth z: the channel widened by the halo, closed below by a
   halo-thick cap (horizontal widening: the needles are slender). */
static double damage_radius(const protocol *pr, const puncture *c, double z) {
  if (z < c->depth) return channel_radius(pr, c, z) + pr->halo;
  double dz = z - c->depth;
  if (dz >= pr->halo) return 0;
  double cap = sqrt(pr->halo * pr->halo - dz * dz);
  return pr->tip == TIP_CYLINDER ? c->radius + cap : cap;
}

/* Distance from (rho, z) to the channel (0 inside). */
static double channel_distance(const protocol *pr, const puncture *c, double rho, double z) {
  double r0 = c->radius, d = c->depth;
  if (d <= 0 || r0 <= 0) { /* no channel: distance to its mouth */
    double e = rho - r0 > 0 ? rho - r0 : 0;
    return hypot(e, z);
  }
  if (pr->tip == TIP_CYLINDER) return hypot(rho > r0 ? rho - r0 : 0, z > d ? z - d : 0);
  if (z <= d && rho <= r0 * (1 - z / d)) return 0;
  /* nearest point of the slant segment (r0, 0) - (0, d) */
  double t = ((rho - r0) * -r0 + z * d) / (r0 * r0 + d * d);
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return hypot(rho - r0 * (1 - t), z - t * d);
}

/* Lateral offsets to the nearest periodic image. */
static double lateral(double dx, double w, int periodic) {
  if (!periodic) return dx;
  return dx - w * nearbyint(dx / w);
}

/* y-averaged fraction (2D) of a chord of half-length sqrt(R² − dx²) in period P. */
static double chord_fraction(double dx, double R, double P) {
  if (R <= 0 || fabs(dx) >= R || P <= 0) return 0;
  double a = 2 * sqrt(R * R - dx * dx) / P;
  return a > 1 ? 1 : a;
}

#define MAX_CAND 64

void protocol_set_surface(protocol *pr, double z0) { pr->surface = z0; }

void protocol_cell(const protocol *pr, const grid *g, int s, int i, int j, int k, wound_info *w) {
  const session_desc *sd = &pr->sessions[s];
  const double h = g->h, xc = (i + 0.5) * h, yc = (j + 0.5) * h;
  const double zc = (k + 0.5) * h - pr->surface; /* depth below the skin surface */
  const int three = pr->dims == 3;
  const double half_lat = three ? h * 0.70710678118654752 : 0.5 * h;
  w->session = s;
  w->day = sd->day;
  w->channel = w->damage = 0;
  w->distance_um = INFINITY;
  if (zc < 0) return; /* above the skin (the surface lies on a cell face) */
  int cand[MAX_CAND], nc = 0, overflow = 0;
  for (int q = sd->first; q < sd->first + sd->count; q++) {
    const puncture *c = &pr->punctures[q];
    double dx = lateral(xc - c->x, pr->size[0], pr->periodic_x);
    double dy = three ? lateral(yc - c->y, pr->size[1], pr->periodic_y) : 0;
    double rho = three ? hypot(dx, dy) : fabs(dx);
    double d = channel_distance(pr, c, rho, zc);
    if (d < w->distance_um) w->distance_um = d;
    if (rho - (c->radius + pr->halo) < half_lat && zc - 0.5 * h < c->depth + pr->halo) {
      if (nc < MAX_CAND) cand[nc++] = q;
      else overflow = 1;
    }
  }
  if (nc == 0) return;
  const int n = pr->subsamples, ny = three ? n : 1;
  double sum_ch = 0, sum_dm = 0;
  for (int a = 0; a < n; a++) {
    double x = xc + ((a + 0.5) / n - 0.5) * h;
    for (int b = 0; b < ny; b++) {
      double y = yc + ((b + 0.5) / n - 0.5) * h;
      for (int e = 0; e < n; e++) {
        double z = zc + ((e + 0.5) / n - 0.5) * h;
        if (three) {
          int in_ch = 0, in_dm = 0;
          int m = overflow ? sd->count : nc;
          for (int ci = 0; ci < m && !(in_ch && in_dm); ci++) {
            const puncture *c = &pr->punctures[overflow ? sd->first + ci : cand[ci]];
            double dx = lateral(x - c->x, pr->size[0], pr->periodic_x);
            double dy = lateral(y - c->y, pr->size[1], pr->periodic_y);
            double r2 = dx * dx + dy * dy;
            double rc = channel_radius(pr, c, z), rd = damage_radius(pr, c, z);
            in_ch |= r2 < rc * rc;
            in_dm |= r2 < rd * rd;
          }
          sum_ch += in_ch;
          sum_dm += in_dm;
        } else {
          double out_ch = 1, out_dm = 1;
          int m = overflow ? sd->count : nc;
          for (int ci = 0; ci < m; ci++) {
            const puncture *c = &pr->punctures[overflow ? sd->first + ci : cand[ci]];
            double dx = lateral(x - c->x, pr->size[0], pr->periodic_x);
            out_ch *= 1 - chord_fraction(dx, channel_radius(pr, c, z), c->period_y);
            out_dm *= 1 - chord_fraction(dx, damage_radius(pr, c, z), c->period_y);
          }
          sum_ch += 1 - out_ch;
          sum_dm += 1 - out_dm;
        }
      }
    }
  }
  double ns = (double)n * ny * n;
  w->channel = sum_ch / ns;
  w->damage = sum_dm / ns;
  if (w->damage < w->channel) w->damage = w->channel;
}

void protocol_rasterise(const protocol *pr, const grid *g, int s, float *channel, float *damage,
                        float *distance_um, int nthreads) {
  const int rows = g->ny * g->nz;
#pragma omp parallel for schedule(dynamic, 4) num_threads(nthreads > 0 ? nthreads : 1)
  for (int row = 0; row < rows; row++) {
    int j = row % g->ny, k = row / g->ny;
    for (int i = 0; i < g->nx; i++) {
      wound_info w;
      protocol_cell(pr, g, s, i, j, k, &w);
      size_t idx = grid_index(g, i, j, k);
      if (channel) channel[idx] = (float)w.channel;
      if (damage) damage[idx] = (float)w.damage;
      if (distance_um) distance_um[idx] = (float)w.distance_um;
    }
  }
}
