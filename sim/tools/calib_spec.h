/* calib_spec: the calibration spec of `cisim calibrate SPEC` (docs/calibration.md):
 *
 *   base: CONFIG                     the config whose parameters are fitted (relative to SPEC)
 *   set: {KEY: VALUE, ...}           optional: the same overrides in every run
 *   fit:                             the fitted parameters (real, not per-layer values)
 *     KEY: {start: X0, bounds: [lo, hi], scale: linear|log}
 *   observations: FILE.csv | [ {metric, layer, day, value, sd}, ... ]
 *   predict: [ {metric, layer, day}, ... ]       optional: outcomes with prediction intervals
 *   options: {max_iterations, xtol, gtol, ftol, fd_step}
 *
 * An observation compares value ± sd with the run file's /series/<metric>_<layer> (or
 * /series/<metric> without a layer) at `day`, linear between snapshots. A CSV file has a
 * header naming the columns metric, layer (optional), day, value, sd in any order. Every
 * error is CS_ERR_INPUT located as FILE:LINE:COL (CSV: FILE:LINE). */
#ifndef CISIM_CALIB_SPEC_H
#define CISIM_CALIB_SPEC_H

#include "error.h"
#include "ytree.h"

typedef struct {
  const char *key;
  double start, lo, hi;
  int logscale;
} calib_param;

typedef struct {
  char *series;        /* /series dataset name: metric_layer or metric */
  char *metric, *layer; /* as given (layer "" when none) */
  double day, value, sd;
  int group;           /* its run among the spec's groups (0 without groups) */
} calib_obs;

typedef struct {
  yt_doc doc;
  char *base_path, *base_text;
  char **fixed; /* set: "key=value" */
  int nfixed;
  calib_param *par;
  int np;
  calib_obs *obs, *pred;
  int nobs, npred;
  long max_iter;
  double xtol, gtol, ftol, fd_step;
  /* Observations made under different protocols (cisim validate's studies): group g's runs
     add the overrides group_set[g] ("key=value\n" lines) to each point's; every point is
     then ngroups runs. 0 (what a spec file gives): one group, no extra overrides. */
  char **group_set;
  int ngroups;
} calib_spec;

/* Reads and checks the spec: the base config loads, each fitted key is a real parameter of
   its model with start inside bounds (and bounds > 0 on a log scale), observations are
   complete with sd > 0. */
cs_status calib_spec_load(const char *path, calib_spec *cs);
void calib_spec_free(calib_spec *cs);

#endif
