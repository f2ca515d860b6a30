/* compare_report: the report of `cisim compare` (see compare_report.h): its lifetime, verdict
 * and exit status, and its two forms, a table for people and one JSON object for scripts. */
#include "compare_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text --------------------------------------------------------------------------------- */

/* Shortest text that reads back as the same double: the worst values of a 1-ulp difference
   must not print alike. */
static const char *num(char buf[32], double v) {
  snprintf(buf, 32, "%.15g", v);
  if (isfinite(v) && strtod(buf, NULL) != v) snprintf(buf, 32, "%.17g", v);
  return buf;
}

/* The summary's two lists. Fields: the largest |a - b| over the larger of the largest |b| and
   the species' tolerance scale (the size at which it matters), so a species that is zero in
   most cells (its pointwise relative difference infinite where b = 0) does not outrank one
   that changed by percent where it matters. Outcomes (series *_change_*, in %): the largest
   |a - b| in percentage points, what a study would report. NaN mismatches first. */
enum { SUM_FIELDS, SUM_OUTCOMES };
static int summary_member(const compare_dataset *d, int list) {
  if (list == SUM_FIELDS) return d->kind == COMPARE_FIELD;
  return d->kind == COMPARE_SERIES && strstr(d->name, "_change_") != NULL;
}
static double summary_key(const compare_dataset *d, int list) {
  if (d->nan) return INFINITY;
  if (list == SUM_OUTCOMES) return d->max_abs;
  const double s = fmax(d->ref_max, d->scale);
  if (s > 0) return d->max_abs / s;
  return d->max_abs > 0 ? INFINITY : 0.0;
}

/* The SUMMARY_TOP members of a list out of tolerance that differ most, largest first (then in
   dataset order); returns how many of the list are out of tolerance. */
#define SUMMARY_TOP 5
static int summary_top(const compare_report *r, int list, int *top, int *ntop) {
  int out = 0;
  *ntop = 0;
  for (int i = 0; i < r->nds; i++) {
    const compare_dataset *d = &r->ds[i];
    if (d->out == 0 || !summary_member(d, list)) continue;
    out++;
    double key = summary_key(d, list);
    int pos = *ntop;
    while (pos > 0 && summary_key(&r->ds[top[pos - 1]], list) < key) pos--;
    if (pos >= SUMMARY_TOP) continue;
    for (int j = (*ntop < SUMMARY_TOP ? *ntop : SUMMARY_TOP - 1); j > pos; j--) top[j] = top[j - 1];
    top[pos] = i;
    if (*ntop < SUMMARY_TOP) (*ntop)++;
  }
  return out;
}

static void print_list(FILE *f, const compare_report *r, int w, int list, const char *title) {
  int top[SUMMARY_TOP], ntop;
  int out = summary_top(r, list, top, &ntop);
  if (out == 0) return;
  fprintf(f, "  %s:\n", title);
  for (int j = 0; j < ntop; j++) {
    const compare_dataset *d = &r->ds[top[j]];
    fprintf(f, "    %-*s  %10.3g  (%llu of %llu points)%s\n", w, d->name, summary_key(d, list),
            d->out, d->points, d->nan ? ", NaN in one file" : "");
  }
  if (out > ntop) fprintf(f, "    ... and %d more\n", out - ntop);
}

/* The few lines a reader wants before the table: how many datasets are out of tolerance, the
   fields and the outcomes that differ most. */
static void print_summary(FILE *f, const compare_report *r, int w) {
  int out = 0, differ = 0;
  for (int i = 0; i < r->nds; i++) {
    out += r->ds[i].out > 0;
    differ += r->ds[i].out == 0 && (r->ds[i].max_abs > 0 || r->ds[i].nan > 0);
  }
  if (out == 0) {
    fprintf(f, "summary: all %d datasets within tolerance", r->nds);
    if (differ) fprintf(f, " (%d differ, by less than it)", differ);
    fputs("\n\n", f);
    return;
  }
  fprintf(f, "summary: %d of %d datasets out of tolerance\n", out, r->nds);
  print_list(f, r, w, SUM_FIELDS,
             "fields, max |a-b| / max(max |b|, the species' tolerance scale)");
  print_list(f, r, w, SUM_OUTCOMES, "outcomes (*_change_*), max |a-b| in percentage points");
  fputs("\n", f);
}

void compare_print_text(FILE *f, const compare_report *r, int quiet) {
  char verdict[160], b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
  compare_verdict(r, verdict, sizeof verdict);
  if (quiet) {
    fprintf(f, "%s\n", verdict);
    return;
  }
  fprintf(f, "cisim compare: %s vs %s (reference)\n", r->path_a, r->path_b);
  fprintf(f, "pass: |a - b| <= atol + rtol*|b| with rtol = %s, atol = %s%s%s\n\n",
          num(b1, r->rtol), num(b2, r->atol), r->tolerances ? "; per dataset from " : "",
          r->tolerances ? r->tolerances : "");
  int w = 7;
  for (int i = 0; i < r->nds; i++) {
    int len = (int)strlen(r->ds[i].name);
    if (len > w) w = len;
  }
  print_summary(f, r, w);
  fprintf(f, "%-*s  %21s  %12s  %12s  %s\n", w, "dataset", "out of tol / points", "max |a-b|",
          "max rel", "worst point: a vs b");
  for (int i = 0; i < r->nds; i++) {
    const compare_dataset *d = &r->ds[i];
    fprintf(f, "%-*s  %9llu / %-9llu  %12.4g  %12.4g  ", w, d->name, d->out, d->points,
            d->max_abs, d->max_rel);
    if (!d->has_worst)
      fprintf(f, "-");
    else if (d->kind == COMPARE_FIELD)
      fprintf(f, "t = %s day, z = %s, y = %s, x = %s µm: %s vs %s", num(b1, d->worst_time),
              num(b2, d->worst_z), num(b3, d->worst_y), num(b4, d->worst_x), num(b5, d->worst_a),
              num(b6, d->worst_b));
    else
      fprintf(f, "t = %s day: %s vs %s", num(b1, d->worst_time), num(b2, d->worst_a),
              num(b3, d->worst_b));
    if (d->rtol != r->rtol || d->atol != r->atol)
      fprintf(f, "  [rtol %s, atol %s]", num(b4, d->rtol), num(b5, d->atol));
    if (d->nan) fprintf(f, "  (%llu NaN in one file only)", d->nan);
    fputc('\n', f);
  }
  if (r->nparams > 0) {
    fprintf(f, "\n%s: %d parameter%s differ%s (A vs B):\n",
            r->strict_params ? "error (--strict-params)" : "warning", r->nparams,
            r->nparams == 1 ? "" : "s", r->nparams == 1 ? "s" : "");
    for (int i = 0; i < r->nparams; i++)
      fprintf(f, "  %s: %s vs %s\n", r->params[i].name, r->params[i].a, r->params[i].b);
  }
  if (r->nwarnings) fputc('\n', f);
  for (int i = 0; i < r->nwarnings; i++) fprintf(f, "warning: %s\n", r->warnings[i]);
  fprintf(f, "\n%s\n", verdict);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void jstr(FILE *f, const char *s) {
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p == '\n') fputs("\\n", f);
    else if (*p < 0x20) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

/* JSON has no NaN or infinity: those are null. */
static void jnum(FILE *f, double v) {
  char b[32];
  if (isfinite(v)) fputs(num(b, v), f);
  else fputs("null", f);
}

static const char *kind_name(compare_kind k) {
  return k == COMPARE_FIELD ? "field" : k == COMPARE_SERIES ? "series" : "time";
}

void compare_print_json(FILE *f, const compare_report *r, cs_status st) {
  fputs("{\"a\": ", f);
  jstr(f, r->path_a);
  fputs(", \"b\": ", f);
  jstr(f, r->path_b);
  if (st != CS_OK) {
    fputs(", \"error\": ", f);
    jstr(f, cs_error_message());
    fputs(", \"verdict\": \"not compared\", \"exit_code\": 2}\n", f);
    return;
  }
  fputs(", \"rtol\": ", f);
  jnum(f, r->rtol);
  fputs(", \"atol\": ", f);
  jnum(f, r->atol);
  fputs(", \"tolerances\": ", f);
  jstr(f, r->tolerances);
  fprintf(f, ", \"strict_params\": %s,\n \"datasets\": [", r->strict_params ? "true" : "false");
  for (int i = 0; i < r->nds; i++) {
    const compare_dataset *d = &r->ds[i];
    fprintf(f, "%s\n  {\"name\": ", i ? "," : "");
    jstr(f, d->name);
    fprintf(f, ", \"kind\": \"%s\", \"rtol\": ", kind_name(d->kind));
    jnum(f, d->rtol);
    fputs(", \"atol\": ", f);
    jnum(f, d->atol);
    fprintf(f, ", \"points\": %llu, \"out_of_tolerance\": %llu, \"nan_mismatch\": %llu, "
            "\"pass\": %s, \"max_abs_diff\": ", d->points, d->out, d->nan,
            d->out ? "false" : "true");
    jnum(f, d->max_abs);
    fputs(", \"max_rel_diff\": ", f);
    jnum(f, d->max_rel);
    fputs(", \"worst\": ", f);
    if (!d->has_worst) {
      fputs("null}", f);
      continue;
    }
    fprintf(f, "{\"snapshot\": %zu, \"time_day\": ", d->worst_snap);
    jnum(f, d->worst_time);
    if (d->kind == COMPARE_FIELD) {
      fprintf(f, ", \"index_zyx\": [%d, %d, %d], \"z_um\": ", d->worst_k, d->worst_j,
              d->worst_i);
      jnum(f, d->worst_z);
      fputs(", \"y_um\": ", f);
      jnum(f, d->worst_y);
      fputs(", \"x_um\": ", f);
      jnum(f, d->worst_x);
    }
    fputs(", \"a\": ", f);
    jnum(f, d->worst_a);
    fputs(", \"b\": ", f);
    jnum(f, d->worst_b);
    fputs("}}", f);
  }
  fputs("],\n \"parameters_differ\": [", f);
  for (int i = 0; i < r->nparams; i++) {
    fputs(i ? ", {\"name\": " : "{\"name\": ", f);
    jstr(f, r->params[i].name);
    fputs(", \"a\": ", f);
    jstr(f, r->params[i].a);
    fputs(", \"b\": ", f);
    jstr(f, r->params[i].b);
    fputc('}', f);
  }
  fputs("],\n \"warnings\": [", f);
  for (int i = 0; i < r->nwarnings; i++) {
    if (i) fputs(", ", f);
    jstr(f, r->warnings[i]);
  }
  char verdict[160];
  compare_verdict(r, verdict, sizeof verdict);
  fprintf(f, "],\n \"different_datasets\": %d, \"different_points\": %llu, \"verdict\": ",
          r->ndifferent, r->npoints_out);
  jstr(f, verdict);
  fprintf(f, ", \"exit_code\": %d}\n", r->exit_code);
}

/* ---- verdict ------------------------------------------------------------------------------ */

void compare_report_free(compare_report *r) {
  if (!r) return;
  for (int i = 0; i < r->nds; i++) free(r->ds[i].name);
  for (int i = 0; i < r->nparams; i++) {
    free(r->params[i].name);
    free(r->params[i].a);
    free(r->params[i].b);
  }
  for (int i = 0; i < r->nwarnings; i++) free(r->warnings[i]);
  free(r->warnings);
  free(r->ds);
  free(r->params);
  free(r->path_a);
  free(r->path_b);
  free(r->tolerances);
  memset(r, 0, sizeof *r);
}

int compare_exit_code(cs_status st, const compare_report *r) {
  if (st != CS_OK || !r) return 2;
  return r->exit_code;
}

void compare_verdict(const compare_report *r, char *buf, size_t len) {
  if (r->exit_code == 0) {
    if (r->nparams > 0)
      snprintf(buf, len, "same within tolerance (%d parameter%s differ%s)", r->nparams,
               r->nparams == 1 ? "" : "s", r->nparams == 1 ? "s" : "");
    else
      snprintf(buf, len, "same within tolerance");
    return;
  }
  int n = snprintf(buf, len, "DIFFERENT: %d dataset%s, %llu point%s", r->ndifferent,
                   r->ndifferent == 1 ? "" : "s", r->npoints_out, r->npoints_out == 1 ? "" : "s");
  if (r->strict_params && r->nparams > 0 && n > 0 && (size_t)n < len)
    snprintf(buf + n, len - (size_t)n, ", %d parameter%s", r->nparams, r->nparams == 1 ? "" : "s");
}
