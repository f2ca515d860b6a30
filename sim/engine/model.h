/* model: the interface between the engine, which knows no biology, and a model in models/.
 *
 * A model declares its species and parameters and supplies per-layer coefficients, the
 * initial state, and a per-cell reaction function. The reaction sees one cell only, so it can
 * be tested in 0-D; for speed a model may add the same equations in block form, which the
 * engine evaluates along x rows with vector instructions. Its right-hand side is split as
 * du/dt = f(t, u) - k(t, u) .* u  where k >= 0 is a linear loss rate per species: the engine
 * treats the k-part exactly (integrating factor), so fast decay never limits the step. */
#ifndef CISIM_MODEL_H
#define CISIM_MODEL_H

#include "error.h"
#include "grid.h"
#include "params.h"

#define MODEL_MAX_SPECIES 16
#define CS_PI 3.14159265358979323846

/* Outcome metrics the engine derives for a species (sim/engine/outcome.h); 0: none. */
enum {
  REPORT_PEAK = 1,    /* largest cell value over the run and after each session, and when */
  REPORT_CHANGE = 2,  /* layer mean's change vs its untreated (t = 0) value, % */
  REPORT_RETURN = 4,  /* days after a session until each layer mean is back within 5 % */
  REPORT_DEPTH = 8,   /* deepest depth where the lateral mean exceeds its t = 0 value by 5 % */
  REPORT_ARRIVAL = 16 /* first time the lateral mean reaches a level at each depth (needs
                         model.arrival_level) */
};

typedef struct {
  const char *name;       /* dataset name, e.g. "signal" */
  const char *unit;       /* e.g. "ng/mL", "cells/mm³" */
  const char *long_name;
  int chemo_attractant;   /* index of the species whose gradient this one climbs, -1: none */
  /* The size below which a value of this species no longer matters, in its unit: its absolute
     tolerance is time.atol times this (0: 1). Tolerances in each species' own unit would put
     a fraction (order 1) and a cell density (order 1000) under one absolute error. */
  double scale;
} species_info;

/* A layer quantity a model derives from its species' layer means (outcome series
   "<name>_<layer>", e.g. a ratio of two species or a change of their sum). */
typedef struct {
  const char *name;
  const char *unit;
  const char *long_name;
} derived_info;

/* Every layer's means, for a derived quantity that needs more than its own layer's: species q
   in layer l now at now[q * stride + l], at t = 0 at start[q * stride + l]. */
typedef struct {
  int nlayers, stride;
  const double *now, *start;
} layer_means;

/* A depth–time profile from another run (sim/io/depth_forcing.h reads one): the value
   v[i * nd + k] at day t[i] (increasing, t[0] = 0) and depth[k] µm below the skin's surface
   (increasing), in unit. */
typedef struct {
  int nt, nd;
  const double *t, *depth, *v;
  const char *unit;
} forcing_profile;

/* What the reaction function knows of its cell. */
typedef struct {
  int layer;
  double x, y, z;         /* cell centre, µm (y = h/2 in 2D) */
  double source;          /* the model's per-cell source weight (model_cell_source), or 0 */
} cell_info;

/* What a treatment session did to one cell (sim/treatment/protocol.h rasterises the punctures). Given
   only to model->injure. */
typedef struct {
  int session;            /* index into the protocol's sessions */
  double day;             /* the session's time */
  double channel;         /* volume fraction of the cell inside a channel, 0..1 */
  double damage;          /* volume fraction inside a channel or its damage halo, >= channel */
  double distance_um;     /* cell centre to the nearest channel surface, µm (0 inside) */
} wound_info;

/* A treatment as the engine sees it: when its sessions are and what each does to a cell. The
   geometry behind it (punctures, channels) is the treatment layer's (sim/treatment/protocol.h
   builds one); the engine only lands steps on the days and calls wound for every cell. */
typedef struct treatment {
  int nsessions;
  const double *day;      /* [nsessions], increasing */
  /* What session s did to cell (i, j, k). Thread-safe. */
  void (*wound)(const void *geom, const grid *g, int s, int i, int j, int k, wound_info *w);
  const void *geom;       /* the geometry, for wound and for output (protocol_of) */
} treatment;

/* A block of cells for model->reaction_block: n cells side by side along x in one grid row,
   hence at one depth and in one layer. Array entry c is cell c of the block. */
typedef struct {
  int n;
  int layer;
  const double *x;        /* [n] cell centres along x, µm */
  double y, z;            /* shared by the row, µm */
  const double *source;   /* [n] model_cell_source weights, or NULL: 0 for every cell */
} cell_block;

/* The block form of model->reaction, in structure-of-arrays form: u[s][c] in, f[s][c] out, and
   the loss rate either per cell, k[s][c], or, where every cell of the block has the same,
   once: k_block[s] >= 0 (the engine sets k_block[s] = -1 before the call, so a model writes
   only the species whose rate is shared). f, k and k_block never alias u. */
typedef void (*model_block_fn)(const void *inst, const cell_block *b, double t,
                               const double *const *u, double *const *f, double *const *k,
                               double *k_block);

/* Instruction sets a block reaction is built for; the engine picks one at run time. */
enum { MODEL_ISA_BASE, MODEL_ISA_AVX2, MODEL_ISA_AVX512, MODEL_NISA };

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MODEL_TARGET_AVX2 __attribute__((target("arch=x86-64-v3")))
#define MODEL_TARGET_AVX512 __attribute__((target("arch=x86-64-v4")))
#else
#define MODEL_TARGET_AVX2
#define MODEL_TARGET_AVX512
#endif
#define MODEL_ALWAYS_INLINE static inline __attribute__((always_inline))

/* Builds the block reaction fn (declared MODEL_ALWAYS_INLINE) once per instruction set, as
   fn_isa[MODEL_NISA] for model.reaction_block: the loops vectorise 2, 4 or 8 wide without
   -march=native. The build disables FMA contraction and the loops use only correctly rounded
   operations, so every variant gives the same bits (test_reaction_block checks those the CPU
   has). */
#define MODEL_BLOCK_VARIANT(fn, suffix, target)                                                 \
  static target void fn##_##suffix(const void *inst, const cell_block *b, double t,            \
                                   const double *const *u, double *const *f, double *const *k, \
                                   double *k_block) {                                          \
    fn(inst, b, t, u, f, k, k_block);                                                          \
  }
#define MODEL_BLOCK_VARIANTS(fn)                         \
  MODEL_BLOCK_VARIANT(fn, base, )                        \
  MODEL_BLOCK_VARIANT(fn, avx2, MODEL_TARGET_AVX2)       \
  MODEL_BLOCK_VARIANT(fn, avx512, MODEL_TARGET_AVX512)   \
  static const model_block_fn fn##_isa[MODEL_NISA] = {fn##_base, fn##_avx2, fn##_avx512};

struct protocol;

typedef struct model {
  const char *name;
  const char *summary;
  /* Optional: the model that a configuration of this one stands for, when a parameter changes
     the species (the same name and registry; e.g. topical.reference: intact adds species).
     NULL: always this one. model_resolve applies it. */
  const struct model *(*variant)(const params *p);
  const param_desc *params;        /* keys "<name>.*", terminated by key == NULL */
  int nspecies;
  const species_info *species;
  /* REPORT_* flags per species ([nspecies]), or NULL: no outcome metrics. */
  const unsigned *report;
  /* Optional derived outcome series: nderived quantities per layer, computed by
     derived_values from the layer means of every species now (mean[q]) and at t = 0
     (mean0[q]), and of every layer (all), into out[nderived]; a layer whose value at t = 0 is
     not finite gets no series. Layer means are what the engine already reduces, so this costs
     no pass over the grid. */
  int nderived;
  const derived_info *derived;
  void (*derived_values)(const void *inst, int layer, const double *mean, const double *mean0,
                         const layer_means *all, double *out);
  /* Bit q set: the engine follows derived quantity q's time lag per layer (Crank's
     construction on its value after every accepted step, sim/engine/arrival.h), for a
     quantity that grows like an amount delivered; the summary prints it. 0: none. */
  unsigned lag_derived;
  /* Required for a REPORT_ARRIVAL species s: the level whose first arrival at each depth the
     engine follows (species s's unit, finite and > 0), and in *surface_um the depth below the
     grid's top face that depths are measured from (rows whose centre lies above it are not
     followed; e.g. the skin's surface under a vehicle film). */
  double (*arrival_level)(const void *inst, int s, double *surface_um);

  /* Read parameters into a private instance. */
  cs_status (*create)(const params *p, const grid *g, void **inst);
  void (*destroy)(void *inst);

  /* Diffusivity of species s in layer l, µm²/day (0: immobile). */
  double (*diffusivity)(const void *inst, int s, int layer);
  /* Chemotactic sensitivity of species s (which climbs species_info.chemo_attractant's
     gradient) at attractant level a, µm²/day per attractant unit; NULL if no species moves. */
  double (*chemotaxis)(const void *inst, int s, int layer, double a);
  /* Optional, for speed: chemotaxis for n attractant levels at once, chi[i] for a[i] (the same
     values; a and chi may be the same array). NULL: the engine calls chemotaxis per face. */
  void (*chemotaxis_n)(const void *inst, int s, int layer, int n, const double *a, double *chi);
  /* Value a Dirichlet boundary holds for species s. */
  double (*boundary_value)(const void *inst, int s);

  /* Optional (NULL: K = 1 everywhere): the partition coefficient of species s in layer l, > 0,
     its equilibrium concentration there over that in a reference phase (for a topical
     compound: the vehicle). Across a face the potential c/K is what is continuous at
     equilibrium: the face flux is G (c_L/K_L - c_R/K_R) with G the harmonic mean of D·K over
     the two half cells (exact for piecewise-constant layers in steady state), and a Dirichlet
     boundary's value is a potential too (a cell with partition K next to it is held at K times
     it). A species with some K != 1 takes the per-cell path of the transport (transport.h). */
  double (*partition)(const void *inst, int s, int layer);
  /* Optional: coefficients that vary from cell to cell. For a row of n cells along x (one depth,
     one layer), from the row's state u[q][i] (every species) at time t, the diffusivity D[i]
     (µm²/day, >= 0) and partition coefficient K[i] (> 0) of species s. Returns 0 when species s
     has none (it keeps diffusivity and partition; the engine asks once, at creation, with n = 0
     and u, D, K = NULL); the others take the per-cell path, and are called once per row before
     each of their transport solves with t the middle of the solve's interval. */
  int (*cell_transport)(const void *inst, int s, int layer, int n, const double *const *u,
                        double t, double *D, double *K);
  /* Optional: a time-dependent surface (top) boundary of species s at time t. Returns -1 when
     species s keeps the grid's surface boundary (for every t: asked once, at creation); 1 when
     the surface is held at *value (a potential, see partition) at t, 0 when it is no-flux at t.
     The value must not change inside a step: the model lists every switch as an event
     (next_event), and the engine asks at the middle of each transport solve's interval. */
  int (*surface_value)(const void *inst, int s, double t, double *value);

  /* Per-cell source weight, computed once per cell (and again after each event); NULL: 0.
     h is the cell edge so that point/line sources can be put into the right cells. */
  double (*cell_source)(const void *inst, const cell_info *c, double h, int dims);
  void (*initial)(const void *inst, const cell_info *c, double *u);
  void (*reaction)(const void *inst, const cell_info *c, double t, const double *u, double *f,
                   double *k);
  /* Optional, for speed: the same equations for a block of cells at once (model_block_fn), one
     entry per instruction set (MODEL_BLOCK_VARIANTS); NULL: the engine calls reaction cell by
     cell. Each cell's values must depend on that cell's inputs only, and equal what reaction
     gives for it (test_reaction_block holds the microneedling model to the same bits). When
     present the engine integrates every cell of a grid through it. */
  const model_block_fn *reaction_block;
  /* Optional, for the second-order scheme: species whose reaction is a source that does not
     depend on the species itself and a constant loss, f_s(t, u) − k_s u_s with k_s the same in
     every cell at every time (a growth factor that cells release and tissue degrades).
     implicit_loss returns k_s >= 0 for such a species, -1 for the others (asked once, at
     creation); implicit_source gives its source for a row of n cells of one layer at time t
     from the row's state u[q][i]: the values reaction gives as f_s, to the bit. The scheme then
     holds the species through the reaction passes and solves its transport, loss and source
     together (step2.h), so that a step's steady state does not depend on dt. */
  double (*implicit_loss)(const void *inst, int s);
  void (*implicit_source)(const void *inst, int s, int layer, int n, double t,
                          const double *const *u, double *q);

  /* Times at which the model's forcing jumps (sessions, source switched on/off): the engine
     lands a step exactly on each and restarts from dt_initial. Returns the first event time
     > t, or INFINITY. NULL: none. */
  double (*next_event)(const void *inst, double t);

  /* Treatment (optional, both NULL for models without one). treatment returns the model's
     sessions (see above; its session days are events too). When a step lands on
     a session, the engine calls injure once for every cell, with what the session's punctures
     did to that cell, before the next step (and before reaction_update_sources): it may change
     the cell's state u in place (tissue lost, wound pools deposited). Snapshots taken at a
     session's time show the state just before it. */
  const treatment *(*treatment)(const void *inst);
  void (*injure)(const void *inst, const cell_info *c, const wound_info *w, double *u);

  /* Forcing from another run (optional, all NULL otherwise): forcing_key is the model's
     parameter naming a run file, forcing_field the field of it the model takes. Where the
     configuration names a file, the command reads it (depth_forcing_apply) and calls
     set_forcing once after create, before the first step; the model copies what it keeps and
     may refuse the profile (CS_ERR_INPUT naming the key). */
  const char *forcing_key, *forcing_field;
  cs_status (*set_forcing)(void *inst, const params *p, const forcing_profile *f);
} model;

/* The model p runs: model_find(p->model_name) and its variant for p; NULL if unknown. */
static inline const model *model_resolve(const model *m, const params *p) {
  return m && m->variant ? m->variant(p) : m;
}

/* The model table (models/models.c): one line per model. */
const model *model_find(const char *name);
const model *const *model_list(int *n);
const param_desc *model_registry_lookup(const char *name);

#endif
