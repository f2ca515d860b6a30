/* sweep_vary: one entry of a sweep spec's `vary` mapping (docs/sweeps.md): a list of values
 * (scalars, or lists such as [0, 28, 56] written as a config would), optionally labelled by
 * short names, or a range {range: [lo, hi], count: N, scale: linear|log, dist: ...} with a
 * distribution (uniform, log-uniform, truncated normal) that maps a coordinate u in [0, 1]
 * of a design (random, Sobol, Saltelli, Morris) to a value by its inverse distribution
 * function. Also the spec's located error message. */
#ifndef CISIM_SWEEP_VARY_H
#define CISIM_SWEEP_VARY_H

#include "error.h"
#include "ytree.h"

typedef enum { SWEEP_UNIFORM, SWEEP_LOGUNIFORM, SWEEP_TRUNCNORMAL } sweep_dist;

typedef struct {
  const char *key;
  int line, col;
  int is_range;
  char **vals;   /* list values (text as passed to --set), or the range's count values */
  char **labels; /* list values' short names (NULL: the values themselves) */
  long nvals;
  double lo, hi;
  sweep_dist dist;
  double mean, sd; /* truncated normal: of the normal before truncation to [lo, hi] */
  int is_int;
} sweep_var;

/* "FILE:LINE:COL: <a><what><b>" as a CS_ERR_INPUT error (b may be NULL). */
cs_status sweep_at(const char *file, int line, int col, const char *what, const char *a,
                   const char *b);
/* A finite number from a scalar node; the message names `what`. */
cs_status sweep_scalar_num(const char *file, const yt_node *n, const char *what, double *x);
/* The --set text of a value node: a scalar as written, a list of scalars as "[a, b, c]". */
cs_status sweep_value_text(const char *file, const char *key, const yt_node *n, char **out);
/* The value text of a number (integers rounded); caller frees; NULL when out of memory. */
char *sweep_fmt_value(double x, int is_int);
/* Parses v from node n of key `key` (v->key, line, col and is_int set by the caller). A
   range needs `count` when needs_count (grid and zip modes) and then gets its count values. */
cs_status sweep_var_parse(const char *file, const yt_node *n, int needs_count, sweep_var *v);
/* The value at design coordinate u in [0, 1]: a range through its distribution's inverse
   distribution function, a list the value floor(u * nvals). Caller frees; NULL: no memory. */
char *sweep_var_value(const sweep_var *v, double u);
/* The short name of one of v's values in tables (its label, else the value itself). */
const char *sweep_var_label(const sweep_var *v, const char *value);
void sweep_var_free(sweep_var *v);

#endif
