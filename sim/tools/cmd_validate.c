/* cmd_validate: `cisim validate [TABLE] -o DIR`: the model's predictions of each study in a
 * table of published observations (validate_spec.h), scored (validate_report.h), and the
 * leave-one-study-out error of a calibration (validate_loso.h); docs/validation.md. The runs
 * are calibrate's (calib_runs.h), cached in DIR/runs under the base config DIR/base.yaml. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib_runs.h"
#include "cli.h"
#include "commands.h"
#include "sweep_util.h"
#include "validate_loso.h"
#include "validate_report.h"
#include "validate_run.h"
#include "validate_spec.h"

static const char usage[] =
    "usage: cisim validate [TABLE.yaml] -o DIR [--base CONFIG] [--set KEY=VALUE]...\n"
    "                      [--study ID]... [--no-loso] [--workers N] [--threads T] [--force]\n"
    "       cisim validate [TABLE.yaml] --check [--base CONFIG] [--set KEY=VALUE]...\n"
    "  runs each study's protocol of TABLE (default validation/observations.yaml) from the\n"
    "  base config (TABLE's run.base, e.g. configs/default.yaml) and compares the predicted\n"
    "  outcomes with the published ones: DIR/validation.csv and DIR/validation.md hold each\n"
    "  observation, the prediction, the log-ratio residual, whether it lies within the\n"
    "  reported spread, pass/fail for qualitative rows, and the RMS log-ratio score; then the\n"
    "  leave-one-study-out error of TABLE's calibrate.fit parameters (--no-loso: skipped).\n"
    "  Metrics the model does not write are rows 'not predicted by this model'. Runs are\n"
    "  cached in DIR/runs (N at a time, T threads each). --force: replace DIR's tables.\n"
    "  --check: read TABLE and load every study's run config, list them; run nothing.\n"
    "  Exit 0 done, 1 a run failed, 2 bad input. See docs/validation.md.\n";

typedef struct {
  const char *table, *dir, *base;
  const char **sets, **only;
  int nsets, nonly, loso, force, workers, threads, check;
} val_args;

static int count_arg(const char *flag, const char *s, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 1 || v > 1024) {
    fprintf(stderr, "cisim: validate: %s: expected 1 to 1024, got '%s'\n", flag, s);
    return 2;
  }
  *out = (int)v;
  return 0;
}

/* 0 to go on, -1 after --help, 2 after a message. */
static int parse_args(int argc, char **argv, val_args *a) {
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    static const char *const valued[] = {"-o", "--output", "--base", "--set", "-s", "--study",
                                         "--workers", "-w", "--threads", "-j"};
    int takes = 0;
    for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) takes |= !strcmp(o, valued[k]);
    if (takes && i + 1 >= argc) return cli_usage_error(usage, "validate: %s needs a value", o);
    if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
      fputs(usage, stdout);
      return -1;
    }
    if (!strcmp(o, "--no-loso")) a->loso = 0;
    else if (!strcmp(o, "--check")) a->check = 1;
    else if (!strcmp(o, "--force")) a->force = 1;
    else if (!strcmp(o, "-o") || !strcmp(o, "--output")) a->dir = argv[++i];
    else if (!strcmp(o, "--base")) a->base = argv[++i];
    else if (!strcmp(o, "--set") || !strcmp(o, "-s")) a->sets[a->nsets++] = argv[++i];
    else if (!strcmp(o, "--study")) a->only[a->nonly++] = argv[++i];
    else if (!strcmp(o, "--workers") || !strcmp(o, "-w")) {
      if (count_arg(o, argv[++i], &a->workers)) return 2;
    } else if (!strcmp(o, "--threads") || !strcmp(o, "-j")) {
      if (count_arg(o, argv[++i], &a->threads)) return 2;
    } else if (o[0] == '-' && o[1]) return cli_usage_error(usage, "validate: unknown option %s", o);
    else if (a->table) return cli_usage_error(usage, "validate: one TABLE only, got also %s", o);
    else a->table = o;
  }
  if (!a->dir && !a->check) return cli_usage_error(usage, "validate: needs %s", "-o DIR");
  if (!a->table) a->table = "validation/observations.yaml";
  return 0;
}

/* Cached runs made from another base config are dropped: their overrides alone name them. */
static cs_status clear_cache(const char *dir) {
  char runs[CALIB_PATH], p[2 * CALIB_PATH];
  snprintf(runs, sizeof runs, "%s/runs", dir);
  DIR *d = opendir(runs);
  if (!d) return CS_OK;
  struct dirent *e;
  cs_status st = CS_OK;
  while ((e = readdir(d)) && st == CS_OK) {
    size_t l = strlen(e->d_name);
    if (l < 5 || strcmp(e->d_name + l - 4, ".set")) continue;
    snprintf(p, sizeof p, "%s/%s", runs, e->d_name);
    if (unlink(p) != 0) st = CS_ERROR(CS_ERR_IO, "%s: cannot remove: %s", p, strerror(errno));
  }
  closedir(d);
  return st;
}

/* Refuses (nothing written) to replace DIR's tables without --force; keeps DIR/base.yaml the
   base config of every cached run. */
static cs_status prepare_dir(const val_args *a, const val_spec *vs) {
  const char *outs[] = {"validation.csv", "validation.md"};
  char p[CALIB_PATH + 64];
  for (int i = 0; i < 2 && !a->force; i++) {
    snprintf(p, sizeof p, "%s/%s", a->dir, outs[i]);
    if (access(p, F_OK) == 0)
      return CS_ERROR(CS_ERR_INPUT, "%s: exists; use --force to replace it", p);
  }
  snprintf(p, sizeof p, "%s/base.yaml", a->dir);
  char *old = NULL;
  int same = 0;
  if (access(p, F_OK) == 0) {
    CS_TRY(sweep_read_text(p, &old));
    same = strcmp(old, vs->base_text) == 0;
    free(old);
    if (!same && !a->force)
      return CS_ERROR(CS_ERR_INPUT, "%s: cached runs of another base config; use --force", p);
    if (!same) CS_TRY(clear_cache(a->dir));
  }
  CS_TRY(sweep_mkdirs(a->dir));
  return same ? CS_OK : sweep_write_text(p, vs->base_text);
}

static void write_setup(FILE *f, const val_args *a, const val_spec *vs) {
  fprintf(f, "<!-- generated by `cisim validate %s` (scripts/validation_report.sh); "
             "edit the table or the program, not this block -->\n\n",
          a->table);
  fprintf(f, "Base config `%s`, overrides in every run:", vs->base_path);
  for (int i = 0; i < vs->nset; i++) fprintf(f, "%s `%s`", i ? "," : "", vs->set[i]);
  fprintf(f, "%s. %d stud%s, observations from `%s`; changes in %% from the untreated state; "
             "the log-ratio is ln((100 + predicted) / (100 + observed)).\n\n",
          vs->nset ? "" : " none", vs->nst, vs->nst == 1 ? "y" : "ies", a->table);
}

/* The markdown report: setup, table and score, leave-one-study-out. */
static cs_status write_report(const val_args *a, const val_spec *vs, val_row *const *rows,
                              const val_fold *folds, int nfolds) {
  char *text = NULL, p[CALIB_PATH + 64];
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  write_setup(f, a, vs);
  fputs("### Predictions\n\n", f);
  val_write_table(f, vs, rows);
  fputs("\n### Leave-one-study-out\n\n", f);
  if (a->loso) val_write_loso(f, vs, rows, folds, nfolds);
  else fputs("Skipped (--no-loso).\n", f);
  fclose(f);
  snprintf(p, sizeof p, "%s/validation.md", a->dir);
  cs_status st = text ? sweep_write_text(p, text) : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) fputs(text, stdout);
  free(text);
  return st;
}

/* --check: what would run (the table and every run config have loaded by now). */
static cs_status check(const val_spec *vs) {
  int rows = 0;
  for (int s = 0; s < vs->nst; s++) {
    char *text = NULL;
    CS_TRY(val_study_overrides(vs, s, NULL, &text));
    for (char *c = text; *c; c++)
      if (*c == '\n') *c = ' ';
    printf("%-16s %2d observation%s  %s with %s\n", vs->st[s].id, vs->st[s].nobs,
           vs->st[s].nobs == 1 ? " " : "s", vs->base_path, text);
    rows += vs->st[s].nobs;
    free(text);
  }
  printf("%d studies, %d observations, %d fitted parameter%s: the table and every run config load\n",
         vs->nst, rows, vs->nfit, vs->nfit == 1 ? "" : "s");
  return CS_OK;
}

static cs_status validate(const val_args *a, const val_spec *vs) {
  CS_TRY(prepare_dir(a, vs));
  calib_runner r = {a->dir, a->workers, a->threads, 0, 0, NULL};
  double t0 = cli_now_s();
  char (*paths)[CALIB_PATH] = calloc((size_t)vs->nst, sizeof *paths);
  val_row **rows = calloc((size_t)vs->nst, sizeof(val_row *));
  cs_status st = paths && rows ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int s = 0; s < vs->nst && st == CS_OK; s++)
    if (!(rows[s] = calloc((size_t)vs->st[s].nobs, sizeof(val_row))))
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) st = val_run_studies(vs, &r, NULL, NULL, paths);
  for (int s = 0; s < vs->nst && st == CS_OK; s++) st = val_read_study(vs, s, paths, rows[s]);
  val_fold *folds = NULL;
  int nfolds = 0;
  if (st == CS_OK && a->loso) st = val_loso(vs, &r, rows, &folds, &nfolds);
  char p[CALIB_PATH + 64];
  snprintf(p, sizeof p, "%s/validation.csv", a->dir);
  if (st == CS_OK) st = val_write_csv(p, vs, rows, paths);
  if (st == CS_OK) st = write_report(a, vs, rows, folds, nfolds);
  if (st == CS_OK)
    printf("\n-> %s/validation.csv, %s/validation.md (%.1f s; runs: %ld, reused %ld)\n", a->dir,
           a->dir, cli_now_s() - t0, r.launched, r.reused);
  val_loso_free(folds, nfolds);
  for (int s = 0; rows && s < vs->nst; s++) free(rows[s]);
  free(rows);
  free(paths);
  return st;
}

int cli_validate(int argc, char **argv) {
  val_args a = {0};
  a.loso = 1;
  a.workers = a.threads = 1;
  a.sets = calloc((size_t)argc + 1, sizeof(char *));
  a.only = calloc((size_t)argc + 1, sizeof(char *));
  if (!a.sets || !a.only) {
    free(a.sets);
    free(a.only);
    fputs("cisim: validate: out of memory\n", stderr);
    return 1;
  }
  int rc = parse_args(argc, argv, &a);
  if (rc == 0) {
    val_spec vs;
    cli_set_model_names();
    cs_status st = val_spec_load(a.table, a.base, a.sets, a.nsets, a.only, a.nonly, &vs);
    if (st == CS_OK) st = a.check ? check(&vs) : validate(&a, &vs);
    val_spec_free(&vs);
    if (st != CS_OK) cli_fail("validate");
    rc = cs_exit_code(st);
  }
  free(a.sets);
  free(a.only);
  return rc < 0 ? 0 : rc;
}
