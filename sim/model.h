/* model: the interface between the engine, which knows no biology, and a model in models/.
 *
 * A model declares its species and parameters and supplies per-layer coefficients, the
 * initial state, and a per-cell reaction function. The reaction sees one cell only, so it can
 * be tested in 0-D. Its right-hand side is split as  du/dt = f(t, u) - k(t, u) .* u  where
 * k >= 0 is a linear loss rate per species: the engine treats the k-part exactly (integrating
 * factor), so fast decay never limits the step. */
#ifndef CISIM_MODEL_H
#define CISIM_MODEL_H

#include "error.h"
#include "grid.h"
#include "params.h"

#define MODEL_MAX_SPECIES 8
#define CS_PI 3.14159265358979323846

typedef struct {
  const char *name;       /* dataset name, e.g. "signal" */
  const char *unit;       /* e.g. "ng/mL", "cells/mm³" */
  const char *long_name;
  int chemo_attractant;   /* index of the species whose gradient this one climbs, -1: none */
} species_info;

/* What the reaction function knows of its cell. */
typedef struct {
  int layer;
  double x, y, z;         /* cell centre, µm (y = h/2 in 2D) */
  double source;          /* the model's per-cell source weight (model_cell_source), or 0 */
} cell_info;

typedef struct model {
  const char *name;
  const char *summary;
  const param_desc *params;        /* keys "<name>.*", terminated by key == NULL */
  int nspecies;
  const species_info *species;

  /* Read parameters into a private instance. */
  cs_status (*create)(const params *p, const grid *g, void **inst);
  void (*destroy)(void *inst);

  /* Diffusivity of species s in layer l, µm²/day (0: immobile). */
  double (*diffusivity)(const void *inst, int s, int layer);
  /* Chemotactic sensitivity of species s (which climbs species_info.chemo_attractant's
     gradient) at attractant level a, µm²/day per attractant unit; NULL if no species moves. */
  double (*chemotaxis)(const void *inst, int s, int layer, double a);
  /* Value a Dirichlet boundary holds for species s. */
  double (*boundary_value)(const void *inst, int s);

  /* Per-cell source weight, computed once per cell (and again after each event); NULL: 0.
     h is the cell edge so that point/line sources can be put into the right cells. */
  double (*cell_source)(const void *inst, const cell_info *c, double h, int dims);
  void (*initial)(const void *inst, const cell_info *c, double *u);
  void (*reaction)(const void *inst, const cell_info *c, double t, const double *u, double *f,
                   double *k);

  /* Times at which the model's forcing jumps (sessions, source switched on/off): the engine
     lands a step exactly on each and restarts from dt_initial. Returns the first event time
     > t, or INFINITY. NULL: none. */
  double (*next_event)(const void *inst, double t);
} model;

/* The model table (models/models.c): one line per model. */
const model *model_find(const char *name);
const model *const *model_list(int *n);
const param_desc *model_registry_lookup(const char *name);

#endif
