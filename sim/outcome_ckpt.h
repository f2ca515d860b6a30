/* outcome_ckpt: the running state of the outcome metrics (sim/outcome.c) for checkpoints.
 *
 * struct outcome is private to sim/outcome.c; this file mirrors its layout (outcome_mirror
 * below) so that a checkpoint can save and restore it without touching that file. The build
 * checks the mirror against the real struct field by field (tests/check_outcome_layout.c, a
 * compile-time check: a change to struct outcome that is not made here too fails the build).
 *
 * The state is packed into a flat array of doubles (integers and flags are exact in a double):
 * header, baselines, running peaks, every session track, and the recorded snapshot rows. */
#ifndef CISIM_OUTCOME_CKPT_H
#define CISIM_OUTCOME_CKPT_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "outcome.h"

/* ---- mirror of sim/outcome.c (keep in step; the build checks it) ---- */
typedef struct {
  int kind, sp, layer;
} outcome_mirror_series;

typedef struct {
  double t0;
  double peak[MODEL_MAX_SPECIES], peak_t[MODEL_MAX_SPECIES];
  double *mpeak, *mpeak_t;
  unsigned char *left, *inside;
  double *t_enter;
} outcome_mirror_track;

typedef struct {
  const model *m;
  const grid *g;
  int ns, nl, per, nbase;
  unsigned flags[MODEL_MAX_SPECIES];
  double *base0;
  double *buf;
  double *prof0;
  double *rowsum;
  double *prof;
  int nz;
  outcome_mirror_series *ser;
  int nser;
  double run_peak[MODEL_MAX_SPECIES], run_peak_t[MODEL_MAX_SPECIES];
  int ntrack, cur;
  outcome_mirror_track *track;
  int *track_session;
  int nrec, caprec, rowlen;
  double *rec_t, *rec;
} outcome_mirror;

/* The packed state of o (NULL: *n = 0); caller frees *buf. */
cs_status outcome_ckpt_pack(const outcome *o, double **buf, size_t *n);
/* Restore into o, freshly created for the same model, grid and configuration. what names the
   checkpoint in messages. */
cs_status outcome_ckpt_unpack(outcome *o, const double *buf, size_t n, const char *what);

#endif
