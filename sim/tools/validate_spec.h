/* validate_spec: the table of published observations that `cisim validate` scores the model
 * against (validation/observations.yaml, docs/validation.md):
 *
 *   run: {base: CONFIG, set: {KEY: VALUE, ...}}   the base config (relative to the file) and
 *                                                 overrides given to every study's run
 *   metrics: {NAME: {series: PREFIX, what: TEXT}} metric -> run-file series PREFIX_<layer>
 *   calibrate: {log_sd: S, fit: {KEY: {start, bounds, scale}}}   leave-one-study-out fit
 *   studies:
 *     - id, citation, doi (or null), protocol: {description, set: {KEY: VALUE}, assumed},
 *       observations: [{metric, layer, day, value, sd | expect, assay, reliability}]
 *
 * `expect` is up, down, {more_than: STUDY} or {unchanged_within: PERCENT}. Every study's
 * overrides are loaded against the base config here, so a wrong key or value is reported
 * (FILE:LINE:COL, CS_ERR_INPUT) before any run or any file is written. */
#ifndef CISIM_VALIDATE_SPEC_H
#define CISIM_VALIDATE_SPEC_H

#include "calib_spec.h"
#include "error.h"
#include "ytree.h"

typedef enum { VQ_NUMERIC, VQ_UP, VQ_DOWN, VQ_MORE_THAN, VQ_UNCHANGED } val_kind;

typedef struct {
  const char *metric, *layer, *assay, *reliability; /* into the document; layer "" if none */
  char *series;    /* /series name: <prefix>_<layer>, or <prefix> */
  double day, value, sd; /* sd NAN when not reported; value NAN when qualitative */
  val_kind kind;
  double tol;      /* VQ_UNCHANGED: |change| <= tol (%) */
  int other;       /* VQ_MORE_THAN: index of the study compared with */
} val_obs;

typedef struct {
  const char *id, *citation, *doi;
  char **set;      /* the study's protocol overrides, "key=value" */
  int nset;
  double end_day;  /* the last read-out day: the run's end */
  val_obs *obs;
  int nobs;
} val_study;

typedef struct {
  yt_doc doc;
  char *base_path, *base_text;
  char **set;      /* run.set, then the command line's --set */
  int nset;
  val_study *st;
  int nst;
  calib_param *fit; /* calibrate.fit (keys into the document) */
  int nfit;
  double log_sd;
} val_spec;

/* Reads the table at path. base (may be NULL: run.base) replaces the base config; the nsets
   sets ("key=value") are added to run.set; with nonly > 0 only the studies named in only are
   kept (an unknown name is an error). */
cs_status val_spec_load(const char *path, const char *base, const char *const *sets, int nsets,
                        const char *const *only, int nonly, val_spec *vs);
void val_spec_free(val_spec *vs);
/* The overrides text of study s's run: run.set, the study's set, its end day and summary
   days, and the extra lines (may be NULL), each "key=value\n". Caller frees. */
cs_status val_study_overrides(const val_spec *vs, int s, const char *extra, char **text);

#endif
