/* validate_report: the scored table of `cisim validate` (docs/validation.md). A numeric row's
 * residual is the log-ratio ln((100 + predicted) / (100 + observed)) of the treated/untreated
 * levels (changes in %), with the plain difference beside it; it lies within the reported
 * spread when |predicted − observed| <= sd. The score is the root mean square of the
 * log-ratios over the numeric rows the model predicts. Qualitative rows pass or fail: up
 * (change > 0), down (< 0), unchanged_within t (|change| <= t), more_than S (the change
 * exceeds study S's at the same metric, layer and day). */
#ifndef CISIM_VALIDATE_REPORT_H
#define CISIM_VALIDATE_REPORT_H

#include <stdio.h>

#include "error.h"
#include "validate_run.h"
#include "validate_spec.h"

typedef struct {
  const char *result; /* numeric, pass, fail, or "not predicted by this model" */
  const char *within; /* yes, no, "no spread reported"; "" when not numeric or not predicted */
  double diff, logr;  /* numeric and predicted: predicted − observed, the log-ratio; else NAN */
} val_judged;

#define VAL_NOT_PREDICTED "not predicted by this model"

void val_judge(const val_obs *o, const val_row *w, val_judged *j);
/* The log-ratio of a predicted and an observed change (%). */
double val_log_ratio(double pred, double obs);
/* RMS log-ratio over the predicted numeric rows (NAN when none); their count into *n, the
   passed and failed qualitative rows into *pass, *fail, the rows not predicted into *np. */
double val_score(const val_spec *vs, val_row *const *rows, int *n, int *pass, int *fail, int *np);
/* DIR's validation.csv, one line per observation; runs[s]: study s's run file. */
cs_status val_write_csv(const char *path, const val_spec *vs, val_row *const *rows,
                        char (*runs)[4096]);
/* The table and the score in markdown. */
void val_write_table(FILE *f, const val_spec *vs, val_row *const *rows);

#endif
