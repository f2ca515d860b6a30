/* protocol: a microneedling treatment as clinicians describe it — device, pattern, sessions —
 * turned into a set of punctures and rasterised onto the grid. Geometry only, no biology: what
 * a puncture does to the tissue is the model's business (model->injure).
 *
 * Device: needle length L, penetration fraction p (channel depth d = p·L: real channels are far
 * shallower than the needles), needle diameter (channel radius r = diameter/2 at the surface),
 * tip shape (cylinder: radius r down to d; cone: radius r·(1 − z/d)), and a damage halo of
 * thickness h_d around the channel (radius r(z) + h_d down to d + h_d).
 *
 * Pattern, per pass: square (spacing a), hexagonal (nearest-neighbour spacing a) or random
 * (uniform), given by spacing_um or by punctures per cm² per pass. A lattice is fitted to the
 * domain (a whole number of needles per period, so that periodic images continue it); with
 * shift: random each pass of each session is displaced by a random offset, so every session
 * punctures at its own positions. Random numbers come from GSL's gsl_rng_mt19937, one stream
 * per (seed, session, pass, purpose), so a run is reproducible and independent of threads.
 *
 * 2D cross-sections: the field is the average over y of a 3D pattern, period P in y. Each
 * puncture at x stands for a row of needles along y, P apart; a cell's channel fraction is the
 * y-averaged volume fraction, i.e. chord(x, z)/P per puncture (chord = 2·√(r(z)² − Δx²)),
 * combined over overlapping punctures as 1 − Π(1 − a_i). P is chosen so that the punctures per
 * area equal the requested density exactly (square: P = a²/a_x; hexagonal: rows of the lattice
 * projected; random: P ≈ width). Distances are measured in the (x, depth) plane.
 *
 * Rasterisation (protocol_cell): volume fractions by sub-sampling each cell that a channel
 * surface may cross with n points per axis (protocol.raster_subsamples); cells well inside or
 * outside are decided from the centre. Distance: from the cell centre to the nearest channel
 * surface (exact for both tip shapes in the meridian plane), with periodic images. */
#ifndef CISIM_PROTOCOL_H
#define CISIM_PROTOCOL_H

#include "error.h"
#include "grid.h"
#include "model.h"
#include "params.h"

/* The registry entries of a protocol (keys "protocol.*"); a model that treats the skin puts
   PROTOCOL_PARAMS at the start of its param_desc list. */
#define PROTOCOL_PARAMS                                                                          \
  {"protocol.device.needle_length_um", P_REAL, "µm", "1500", 0, 1e5, NULL, 0, 0, 0,              \
   "nominal needle length (Dermaroller MF8: 1500; Schwarz & Laaff 2011)"},                       \
  {"protocol.device.penetration", P_REAL, "-", "0.5", 0, 1, NULL, 0, 0, 0,                       \
   "channel depth as a fraction of the needle length (< 0.5 below 1 mm: Lam 2008; 0.2: "         \
   "Kalluri 2011)"},                                                                             \
  {"protocol.device.needle_diameter_um", P_REAL, "µm", "250", 0, 1e4, NULL, 0, 0, 0,             \
   "needle (and channel) diameter at the skin surface (MF8: 250; Schwarz & Laaff 2011)"},        \
  {"protocol.device.tip", P_ENUM, "", "cone", 0, 0, "cone|cylinder", 0, 0, 0,                    \
   "channel shape: cone (radius falls linearly to 0 at the bottom) or cylinder"},                \
  {"protocol.device.halo_um", P_REAL, "µm", "20", 0, 1e4, NULL, 0, 0, 0,                         \
   "thickness of the damaged tissue around a channel (assumption)"},                             \
  {"protocol.pattern.kind", P_ENUM, "", "square", 0, 0, "square|hex|random", 0, 0, 0,            \
   "needle pattern of one pass: square or hexagonal lattice, or uniformly random"},              \
  {"protocol.pattern.spacing_um", P_REAL, "µm", "0", 0, 1e6, NULL, 0, 0, 0,                      \
   "lattice spacing (random: 1/√density); 0: from density_per_cm2"},                             \
  {"protocol.pattern.density_per_cm2", P_REAL, "1/cm²", "0", 0, 1e6, NULL, 0, 0, 0,              \
   "punctures per cm² per pass (roller ≈ 15: literature §1); 0: from spacing_um"},               \
  {"protocol.pattern.passes", P_INT, "-", "1", 1, 1000, NULL, 0, 0, 0,                           \
   "passes per session, each a copy of the pattern (shifted when shift is random)"},             \
  {"protocol.pattern.shift", P_ENUM, "", "random", 0, 0, "random|none", 0, 0, 0,                 \
   "random: each pass of each session at a random offset; none: every pass at offset_um"},      \
  {"protocol.pattern.offset_um", P_REALS, "µm", "[0, 0]", -1e9, 1e9, NULL, 0, 1, 2,              \
   "offset [x] or [x, y] of the lattice from its centred position (shift: none)"},              \
  {"protocol.pattern.seed", P_INT, "-", "1", 0, 2147483647, NULL, 0, 0, 0,                       \
   "random seed of offsets and random patterns"},                                               \
  {"protocol.sessions.day", P_REALS, "day", "[0]", 0, 1e6, NULL, 0, 0, 1000,                     \
   "treatment days, increasing ([]: untreated)"},                                                \
  {"protocol.sessions.needle_length_um", P_REALS, "µm", "[]", 0, 1e5, NULL, 0, 0, 1000,          \
   "per-session needle length ([]: the device's; else one per session)"},                        \
  {"protocol.sessions.penetration", P_REALS, "-", "[]", 0, 1, NULL, 0, 0, 1000,                  \
   "per-session penetration ([]: the device's; else one per session)"},                          \
  {"protocol.sessions.passes", P_REALS, "-", "[]", 1, 1000, NULL, 0, 0, 1000,                    \
   "per-session passes ([]: the pattern's; else one whole number per session)"},                 \
  {"protocol.sessions.density_per_cm2", P_REALS, "1/cm²", "[]", 0, 1e6, NULL, 0, 0, 1000,        \
   "per-session punctures per cm² per pass ([]: the pattern's; else one per session)"},          \
  {"protocol.raster_subsamples", P_INT, "-", "4", 1, 16, NULL, 0, 0, 0,                          \
   "sub-samples per axis when rasterising a cell a channel surface crosses"}

typedef enum { TIP_CONE = 0, TIP_CYLINDER = 1 } tip_shape;

typedef struct {
  double x, y;          /* needle axis at the skin surface, µm (2D: y = 0) */
  double depth;         /* channel depth, µm */
  double radius;        /* channel radius at the surface, µm */
  double period_y;      /* 2D: period in y of the needle row it stands for, µm; 3D: 0 */
  int session, pass;
} puncture;

typedef struct {
  double day;
  double needle_length_um, penetration, density_per_cm2; /* density actually placed */
  int passes;
  int first, count;     /* its punctures: [first, first + count) */
} session_desc;

typedef struct protocol {
  int dims;
  double size[3];       /* x, y, depth of the domain, µm */
  int periodic_x, periodic_y;
  double h;             /* cell edge */
  double surface;       /* depth of the skin surface in the grid, µm (0; a topical vehicle
                           film above the skin: its thickness) */
  tip_shape tip;
  double halo;
  int subsamples;
  int nsessions;
  session_desc *sessions;
  int npunctures;
  puncture *punctures;
  double *days;         /* [nsessions] session days, for the engine's view */
  treatment view;       /* what the engine sees of it (model.h) */
} protocol;

/* Builds the puncture set from the protocol.* parameters; cross-field checks (channel below the
   grid, list lengths, pattern given twice or not at all) fail with CS_ERR_INPUT naming keys. */
cs_status protocol_create(protocol **pr, const params *p, const grid *g);
void protocol_free(protocol *pr);

/* The engine's view of the protocol (its sessions and protocol_cell), and back: the protocol
   behind a treatment view (NULL for NULL). */
const treatment *protocol_treatment(const protocol *pr);
const protocol *protocol_of(const treatment *tr);

/* The skin surface lies z0 µm below the grid's top (cells above it are not skin: a vehicle
   film on it). Depths of channels count from it; cells above it take no wound. z0 is a whole
   number of cells. */
void protocol_set_surface(protocol *pr, double z0);

/* What session s's punctures do to cell (i, j, k). Thread-safe. */
void protocol_cell(const protocol *pr, const grid *g, int s, int i, int j, int k, wound_info *w);

/* The whole wound map of session s (arrays of ncell; any may be NULL), in parallel. */
void protocol_rasterise(const protocol *pr, const grid *g, int s, float *channel, float *damage,
                        float *distance_um, int nthreads);

#endif
