/* compare_cli: `cisim compare A B` on the command line: options, the comparison
 * (compare_files), the report in the format asked for, and the exit status (0/1/2). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
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
