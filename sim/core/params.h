/* params: the parameter registry and the resolved parameter set of one run.
 *
 * This module holds the registry's types and the typed access the engine and the models use;
 * reading a YAML config into a parameter set is the config layer's (sim/config/params_load.h).
 *
 * The registry is a list of param_desc: the engine's own (params_engine_registry) followed by
 * the chosen model's (model->params, whose keys all start with "<model>."). It is the single source of
 * truth for parsing, validation, --set overrides, `cisim params`, and the record written into
 * every output file. A YAML config is bound against it: every scalar leaf must be a registry
 * key; the special section `layers` is a sequence of {name, thickness_um} maps from the skin
 * surface down. A parameter marked per_layer accepts either one value for all layers or a
 * mapping {layer_name: value, ...}; layers not named keep the default. Without a `layers`
 * section there is one layer named "tissue" spanning the whole depth; with one, names must be
 * unique and the thicknesses must add up to the grid depth (last element of grid.size_um).
 *
 * Every failure is CS_ERR_INPUT with a message "FILE:LINE:COL: key: expected ..., got ...". */
#ifndef CISIM_PARAMS_H
#define CISIM_PARAMS_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef enum { P_REAL, P_INT, P_BOOL, P_ENUM, P_STRING, P_REALS } param_type;

typedef struct {
  const char *key;      /* dotted path, e.g. "grid.spacing_um" or "fisher.rate" */
  param_type type;
  const char *unit;     /* "µm", "1/day", "µm²/day", "-" for dimensionless, "" for text */
  const char *def;      /* default written as YAML text ("10", "periodic", "[3000, 2500]");
                           NULL: the key is required */
  double min, max;      /* inclusive range (P_REAL, P_INT, each element of P_REALS) */
  const char *choices;  /* P_ENUM: "periodic|noflux|dirichlet" */
  int per_layer;        /* P_REAL only: may be given per layer */
  int nmin, nmax;       /* P_REALS: allowed list length */
  const char *doc;      /* one line */
} param_desc;

enum { PARAM_FROM_DEFAULT = 0, PARAM_FROM_FILE = 1, PARAM_FROM_SET = 2 };

typedef struct {
  const param_desc *desc;
  int from;             /* PARAM_FROM_* */
  int line, col;        /* where it was given (file or --set argument number in line) */
  /* value: P_REAL/P_INT/P_BOOL use v[0]; per-layer P_REAL uses v[0..nlayers-1];
     P_REALS uses v[0..n-1]; P_ENUM/P_STRING use s. */
  double *v;
  int n;
  char *s;
} param_value;

#define PARAMS_MAX_LAYERS 16

typedef struct {
  char name[64];
  double thickness_um;
  int line, col;        /* where the layer was given (0 for the default layer) */
} layer_desc;

typedef struct params {
  char *file;           /* config path as given */
  char *model_name;
  const param_desc *model_registry;  /* NULL until the model is known */
  size_t nvals;
  param_value *vals;    /* engine registry entries then model entries */
  int nlayers;
  layer_desc layers[PARAMS_MAX_LAYERS];
} params;

/* The engine's registry (grid, time, output, model name), terminated by key == NULL. */
extern const param_desc params_engine_registry[];

/* Frees what a parameter set holds (safe on an empty one). */
void params_free(params *p);

/* A cross-field check failed on a key: CS_ERR_INPUT with "FILE:LINE:COL: key: msg" when the
   value came from the file, "FILE: key (from --set): msg" or "FILE: key: msg" otherwise. */
cs_status params_key_error(const params *p, const char *key, const char *fmt, ...) CS_PRINTF(3, 4);

/* Typed access; the key must exist in the registry with the right type (a programming error
 * aborts). params_real refuses a per-layer key; params_layer_real accepts any P_REAL key (a
 * plain one gives its single value for every layer). params_find returns NULL for a key not
 * in the registry, so it can also test for one. */
double params_real(const params *p, const char *key);
double params_layer_real(const params *p, const char *key, int layer);
long params_int(const params *p, const char *key);
int params_bool(const params *p, const char *key);
const char *params_str(const params *p, const char *key);    /* P_ENUM, P_STRING */
const double *params_reals(const params *p, const char *key, int *n);
const param_value *params_find(const params *p, const char *key);

/* The resolved configuration as YAML text (every parameter, defaults included, layers too),
 * which, loaded again with no --set, gives the same parameter set. Caller frees. */
char *params_to_yaml(const params *p);

/* Print a registry as a table (key, type, unit, default, range, doc) for `cisim params`,
 * under the heading "# prefix" (e.g. "engine" or the model name; NULL or "": no heading). */
void params_print_registry(FILE *out, const param_desc *reg, const char *prefix);
/* The same as a Markdown table under "## title" (docs/parameters.md is generated from it). */
void params_print_markdown(FILE *out, const param_desc *reg, const char *title);
/* Print resolved values with units for `cisim check`; marks values that differ from defaults. */
void params_print_values(FILE *out, const params *p);

#endif
