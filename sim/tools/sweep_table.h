/* sweep_table: the results table `cisim sweep collect` gathers (one row per point: the
 * manifest's columns, state, status line, outcome metrics) and its HDF5 form, one dataset per
 * column with HDF5 dimension scales (H5DS, netCDF-4 style, so that xarray and pandas read it
 * with coordinates): /index (the point dimension), /day (the chosen days), /time (the series'
 * days); /metrics/<name> (point), /metrics_at_day/<name> (point x day), /series/<name>
 * (point x time); docs/sweeps.md. */
#ifndef CISIM_SWEEP_TABLE_H
#define CISIM_SWEEP_TABLE_H

#include "error.h"
#include "sweep_outcome.h"
#include "sweep_point.h"

typedef struct {
  long npts;
  char *manifest;
  int nman;           /* manifest columns: index, varied keys..., seed */
  char **man_head;    /* [nman] */
  char **man_cell;    /* [npts * nman], pointing into manifest */
  char **status;      /* [npts] status line ("missing" when none) */
  sweep_state *state; /* [npts] */
  sweep_outcome *per; /* [npts] */
  char **cols, **col_units; /* the union of metric names (first-seen order: name order) */
  int ncols;
  const double *days; /* [ndays] --days */
  int ndays;
  double *time;       /* [ntime] --series: the first finished point's /time */
  int ntime;
} sweep_table;

enum { SWEEP_FINAL, SWEEP_AT_DAY, SWEEP_ALONG_TIME };
/* Point n's value of metric column c: final, at day j, or at time j; NaN when it has none. */
double sweep_table_value(const sweep_table *t, long n, int c, int what, int j);
/* The table in HDF5 at out (through a temporary file, then renamed); dir: the sweep, whose
   base.yaml gives the parameters' units. */
cs_status sweep_table_h5(const sweep_table *t, const char *dir, const char *out);

#endif
