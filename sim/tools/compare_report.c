/* compare_report: `cisim compare` on the command line, and its text and JSON reports.
 * The comparison itself is compare.c; this file only parses options and prints. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"

static const char compare_usage[] =
    "usage: cisim compare A.h5 B.h5 [--rtol R] [--atol A] [--tolerances FILE.yaml]\n"
    "                     [--strict-params] [--format text|json] [--quiet]\n"
    "\n"
    "Compares run file A with the reference run file B: /time, every snapshot of every\n"
    "/fields/<species> and every /series/<name>. A value a passes against its reference b when\n"
    "    |a - b| <= atol + rtol*|b|\n"
    "NaN at the same point in both files counts as equal; NaN in one file only, or an infinity\n"
    "against any other value, is a difference. /code (provenance) is not compared; parameters\n"
    "(/parameters attributes) that differ are listed as a warning.\n"
    "\n"
    "      --rtol R            relative tolerance (default 0)\n"
    "      --atol A            absolute tolerance (default 0). With both 0, the default, values\n"
    "                          must be exactly equal (-0 equals +0): what runs of one build give\n"
    "                          for any --threads\n"
    "      --tolerances FILE   per-dataset tolerances (YAML): a dataset path or a prefix ending\n"
    "                          in '*', mapped to {rtol: R, atol: A}, e.g.\n"
    "                              fields/signal: {rtol: 1e-12}\n"
    "                              series/*: {rtol: 1e-10, atol: 1e-300}\n"
    "                              '*': {rtol: 1e-6}       (quoted: matches every dataset)\n"
    "                          an exact path wins over a prefix, a longer prefix over a shorter;\n"
    "                          rtol or atol left out come from --rtol / --atol\n"
    "      --strict-params     differing parameters make the files DIFFERENT (exit 1)\n"
    "      --format text|json  a table (default), or one JSON object on stdout for scripts\n"
    "  -q, --quiet             print only the verdict (text format)\n"
    "\n"
    "Per dataset it reports the points out of tolerance, the largest |a - b| and |a - b|/|b|,\n"
    "and the worst point (furthest beyond its tolerance; the first in index order on ties):\n"
    "snapshot time in days and cell centre z, y, x in µm. Fields are read one snapshot at a\n"
    "time; the report does not depend on OMP_NUM_THREADS.\n"
    "exit status: 0 same within tolerance, 1 different, 2 unusable input (missing file, not a\n"
    "cisim run file, different grids, snapshot counts, species or series) or another error\n";

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "cisim compare: %s%s%s\n\n%s", msg, arg ? " " : "", arg ? arg : "",
          compare_usage);
  return 2;
}

static int parse_tol(const char *opt, const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(v) || v < 0) {
    fprintf(stderr, "cisim compare: %s: expected a non-negative finite number, got '%s'\n\n%s",
            opt, text, compare_usage);
    return 2;
  }
  *out = v;
  return 0;
}

/* ---- text --------------------------------------------------------------------------------- */

/* Shortest text that reads back as the same double: the worst values of a 1-ulp difference
   must not print alike. */
static const char *num(char buf[32], double v) {
  snprintf(buf, 32, "%.15g", v);
  if (isfinite(v) && strtod(buf, NULL) != v) snprintf(buf, 32, "%.17g", v);
  return buf;
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

/* ---- the command -------------------------------------------------------------------------- */

int cli_compare(int argc, char **argv) {
  compare_options o = {0, 0, NULL, 0};
  const char *files[2] = {NULL, NULL};
  int nfiles = 0, json = 0, quiet = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    const char *val = NULL;
    /* --opt VALUE and --opt=VALUE alike */
    const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
    char name[32] = "";
    if (eq && (size_t)(eq - arg) < sizeof name) {
      memcpy(name, arg, (size_t)(eq - arg));
      name[eq - arg] = '\0';
      val = eq + 1;
      arg = name;
    }
    int takes = strcmp(arg, "--rtol") == 0 || strcmp(arg, "--atol") == 0 ||
                strcmp(arg, "--tolerances") == 0 || strcmp(arg, "--format") == 0;
    if (takes && !val) {
      if (i + 1 >= argc) return usage_error("missing value after", arg);
      val = argv[++i];
    } else if (!takes && val) {
      return usage_error("option takes no value:", argv[i]);
    }
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(compare_usage, stdout);
      return 0;
    } else if (strcmp(arg, "--rtol") == 0) {
      if (parse_tol("--rtol", val, &o.rtol)) return 2;
    } else if (strcmp(arg, "--atol") == 0) {
      if (parse_tol("--atol", val, &o.atol)) return 2;
    } else if (strcmp(arg, "--tolerances") == 0) {
      o.tolerances = val;
    } else if (strcmp(arg, "--format") == 0) {
      if (strcmp(val, "json") == 0) json = 1;
      else if (strcmp(val, "text") == 0) json = 0;
      else return usage_error("--format: expected text or json, got", val);
    } else if (strcmp(arg, "--strict-params") == 0) {
      o.strict_params = 1;
    } else if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
      quiet = 1;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      return usage_error("unknown option", arg);
    } else if (nfiles < 2) {
      files[nfiles++] = arg;
    } else {
      return usage_error("unexpected argument", arg);
    }
  }
  if (nfiles < 2) return usage_error("expected two run files: A.h5 B.h5 (B the reference)", NULL);

  compare_report r;
  cs_status st = compare_files(files[0], files[1], &o, &r);
  if (st != CS_OK) {
    fprintf(stderr, "cisim compare: %s\n", cs_error_message());
    if (getenv("CISIM_DEBUG"))
      fprintf(stderr, "cisim compare: (raised at %s)\n", cs_error_origin());
  }
  if (json)
    compare_print_json(stdout, &r, st);
  else if (st == CS_OK)
    compare_print_text(stdout, &r, quiet);
  int rc = compare_exit_code(st, &r);
  compare_report_free(&r);
  return rc;
}
