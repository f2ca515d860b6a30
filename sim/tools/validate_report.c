/* validate_report: the scored table (see validate_report.h). */
#define _POSIX_C_SOURCE 200809L

#include "validate_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_util.h"

double val_log_ratio(double pred, double obs) { return log((100 + pred) / (100 + obs)); }

void val_judge(const val_obs *o, const val_row *w, val_judged *j) {
  j->diff = j->logr = NAN;
  j->within = "";
  if (!w->predicted) {
    j->result = VAL_NOT_PREDICTED;
    return;
  }
  int ok = 0;
  switch (o->kind) {
  case VQ_NUMERIC:
    j->result = "numeric";
    j->diff = w->pred - o->value;
    j->logr = val_log_ratio(w->pred, o->value);
    j->within = isnan(o->sd) ? "no spread reported" : fabs(j->diff) <= o->sd ? "yes" : "no";
    return;
  case VQ_UP: ok = w->pred > 0; break;
  case VQ_DOWN: ok = w->pred < 0; break;
  case VQ_UNCHANGED: ok = fabs(w->pred) <= o->tol; break;
  case VQ_MORE_THAN: ok = w->pred > w->other; break;
  }
  j->result = ok ? "pass" : "fail";
}

double val_score(const val_spec *vs, val_row *const *rows, int *n, int *pass, int *fail, int *np) {
  double ss = 0;
  *n = *pass = *fail = *np = 0;
  for (int s = 0; s < vs->nst; s++)
    for (int i = 0; i < vs->st[s].nobs; i++) {
      val_judged j;
      val_judge(&vs->st[s].obs[i], &rows[s][i], &j);
      if (!strcmp(j.result, "numeric")) {
        ss += j.logr * j.logr;
        (*n)++;
      }
      *pass += !strcmp(j.result, "pass");
      *fail += !strcmp(j.result, "fail");
      *np += !strcmp(j.result, VAL_NOT_PREDICTED);
    }
  return *n ? sqrt(ss / *n) : NAN;
}

/* What was observed, as text: the value or the expectation. */
static void observed_text(const val_spec *vs, const val_obs *o, int csv, char *buf, size_t size) {
  switch (o->kind) {
  case VQ_NUMERIC: snprintf(buf, size, csv ? "%.10g" : "%+.4g", o->value); break;
  case VQ_UP: snprintf(buf, size, "up"); break;
  case VQ_DOWN: snprintf(buf, size, "down"); break;
  case VQ_UNCHANGED: snprintf(buf, size, "unchanged within %g", o->tol); break;
  case VQ_MORE_THAN: snprintf(buf, size, "more than %s", vs->st[o->other].id); break;
  }
}

static void num(FILE *f, double x) {
  if (isnan(x)) fputs(",", f);
  else fprintf(f, ",%.10g", x);
}

cs_status val_write_csv(const char *path, const val_spec *vs, val_row *const *rows,
                        char (*runs)[4096]) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  fputs("study,metric,layer,day,kind,observed,sd,predicted,compared_with,difference,log_ratio,"
        "within_spread,result,series,run_file,assay,citation,doi\n", f);
  for (int s = 0; s < vs->nst; s++)
    for (int i = 0; i < vs->st[s].nobs; i++) {
      const val_obs *o = &vs->st[s].obs[i];
      const val_row *w = &rows[s][i];
      val_judged j;
      char obs[128];
      val_judge(o, w, &j);
      observed_text(vs, o, 1, obs, sizeof obs);
      fprintf(f, "%s,%s,%s,%.10g,%s,", vs->st[s].id, o->metric, o->layer, o->day,
              o->kind == VQ_NUMERIC ? "numeric" : "qualitative");
      sweep_csv_field(f, obs);
      num(f, o->sd);
      num(f, w->predicted ? w->pred : NAN);
      num(f, w->predicted ? w->other : NAN);
      num(f, j.diff);
      num(f, j.logr);
      fputc(',', f);
      sweep_csv_field(f, j.within);
      fputc(',', f);
      sweep_csv_field(f, j.result);
      fprintf(f, ",%s,", o->series);
      sweep_csv_field(f, runs[s]);
      fputc(',', f);
      sweep_csv_field(f, o->assay);
      fputc(',', f);
      sweep_csv_field(f, vs->st[s].citation);
      fputc(',', f);
      sweep_csv_field(f, vs->st[s].doi);
      fputc('\n', f);
    }
  if (fclose(f) != 0) {
    free(text);
    return CS_ERROR(CS_ERR_IO, "%s: cannot build the table: %s", path, strerror(errno));
  }
  cs_status st = sweep_write_text(path, text);
  free(text);
  return st;
}

void val_write_table(FILE *f, const val_spec *vs, val_row *const *rows) {
  fputs("| study | metric | layer | day | observed (%) | predicted (%) | log-ratio | within spread | result |\n"
        "|---|---|---|---:|---|---|---:|---|---|\n", f);
  for (int s = 0; s < vs->nst; s++)
    for (int i = 0; i < vs->st[s].nobs; i++) {
      const val_obs *o = &vs->st[s].obs[i];
      const val_row *w = &rows[s][i];
      val_judged j;
      char obs[128], pred[96] = "", lr[32] = "";
      val_judge(o, w, &j);
      observed_text(vs, o, 0, obs, sizeof obs);
      if (w->predicted && o->kind == VQ_MORE_THAN)
        snprintf(pred, sizeof pred, "%+.1f vs %+.1f", w->pred, w->other);
      else if (w->predicted)
        snprintf(pred, sizeof pred, "%+.1f", w->pred);
      if (!isnan(j.logr)) snprintf(lr, sizeof lr, "%+.3f", j.logr);
      fprintf(f, "| %s | %s | %s | %g | %s | %s | %s | %s | %s |\n", vs->st[s].id, o->metric,
              o->layer[0] ? o->layer : "-", o->day, obs, pred, lr, j.within, j.result);
    }
  int n, pass, fail, np;
  double score = val_score(vs, rows, &n, &pass, &fail, &np);
  if (n) fprintf(f, "\n**Score: RMS log-ratio %.3f over %d numeric observation%s** ", score, n, n == 1 ? "" : "s");
  else fputs("\n**Score: no numeric observation is predicted by this model** ", f);
  fprintf(f, "(a log-ratio of 0.1 is a 10.5 %% error in the treated/untreated level); "
             "qualitative: %d passed, %d failed; %d row%s not predicted by this model.\n",
          pass, fail, np, np == 1 ? "" : "s");
}
