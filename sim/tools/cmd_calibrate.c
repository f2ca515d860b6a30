/* cmd_calibrate: `cisim calibrate SPEC -o DIR [--workers N] [--threads T]` and
 * `cisim calibrate status DIR`: fit parameters of a config to observations (calib_spec.h,
 * calib_fit.h), with the model runs cached in DIR so that an interrupted calibration, run
 * again, goes on without redoing finished runs (calib_runs.h); docs/calibration.md. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calib_fit.h"
#include "calib_runs.h"
#include "calib_spec.h"
#include "cli.h"
#include "commands.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sweep_util.h"

static const char usage[] =
    "usage: cisim calibrate SPEC.yaml -o DIR [--workers N] [--threads T] [--submit CMD]\n"
    "       cisim calibrate status DIR\n"
    "  fits the parameters SPEC names to its observations by weighted nonlinear least squares\n"
    "  (GSL multifit_nlinear, trust region); model runs go to DIR/runs (N at a time, T threads\n"
    "  each) and are not redone when the same command runs again. Writes DIR/fit.csv (best\n"
    "  fit, 95% intervals), covariance.csv, residuals.csv, predictions.csv, calibrated.yaml\n"
    "  and progress.csv. --submit CMD: the runs go out as job arrays, each batch a sweep\n"
    "  directory DIR/batches/B put in place of {} in CMD (e.g. 'scripts/slurm/submit.sh {}\n"
    "  --time=1:00:00'); started again after a scancel, only what is not done is submitted.\n"
    "  Exit 0 converged, 1 not converged or a run failed, 2 bad input.\n"
    "  See docs/calibration.md.\n";

/* DIR's copy of a file: refused when it exists with other content (nothing is written). */
static cs_status check_copy(const char *dir, const char *name, const char *text, int write) {
  char path[CALIB_PATH + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  if (!write) {
    if (access(path, F_OK) != 0) return CS_OK;
    char *old = NULL;
    CS_TRY(sweep_read_text(path, &old));
    int same = strcmp(old, text) == 0;
    free(old);
    return same ? CS_OK
                : CS_ERROR(CS_ERR_INPUT,
                           "%s: holds a calibration with a different %s; use a new directory",
                           dir, name);
  }
  return sweep_write_text(path, text);
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size) {
  snprintf(path, size, "%s/%s", dir, name);
  return fopen(path, "w");
}

static cs_status write_fit(const char *dir, const calib_spec *cs, const calib_result *res) {
  char path[CALIB_PATH + 64];
  FILE *f = open_out(dir, "fit.csv", path, sizeof path);
  if (!f) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  fputs("parameter,best,ci95_low,ci95_high,start,scale,at_bound\n", f);
  for (int j = 0; j < cs->np; j++)
    fprintf(f, "%s,%.10g,%.10g,%.10g,%.10g,%s,%d\n", cs->par[j].key, res->best[j], res->lo95[j],
            res->hi95[j], cs->par[j].start, cs->par[j].logscale ? "log" : "linear",
            res->at_bound[j]);
  int bad = fclose(f) != 0;
  FILE *c = open_out(dir, "covariance.csv", path, sizeof path);
  if (!c) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  fputs("parameter", c);
  for (int j = 0; j < cs->np; j++)
    fprintf(c, ",%s%s%s", cs->par[j].logscale ? "ln(" : "", cs->par[j].key, cs->par[j].logscale ? ")" : "");
  fputc('\n', c);
  for (int j = 0; j < cs->np; j++) {
    fprintf(c, "%s%s%s", cs->par[j].logscale ? "ln(" : "", cs->par[j].key, cs->par[j].logscale ? ")" : "");
    for (int k = 0; k < cs->np; k++) fprintf(c, ",%.10g", res->cov[j * cs->np + k]);
    fputc('\n', c);
  }
  bad |= fclose(c) != 0;
  return bad ? CS_ERROR(CS_ERR_IO, "%s: write error", dir) : CS_OK;
}

static cs_status write_residuals(const char *dir, const calib_spec *cs, const calib_result *res) {
  char path[CALIB_PATH + 64];
  FILE *f = open_out(dir, "residuals.csv", path, sizeof path);
  if (!f) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  fputs("metric,layer,day,observed,sd,model,residual,weighted_residual\n", f);
  for (int i = 0; i < cs->nobs; i++) {
    const calib_obs *o = &cs->obs[i];
    fprintf(f, "%s,%s,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", o->metric, o->layer, o->day,
            o->value, o->sd, res->model[i], res->model[i] - o->value,
            (res->model[i] - o->value) / o->sd);
  }
  int bad = fclose(f) != 0;
  if (cs->npred) {
    FILE *p = open_out(dir, "predictions.csv", path, sizeof path);
    if (!p) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    fputs("metric,layer,day,predicted,pi95_low,pi95_high\n", p);
    for (int i = 0; i < cs->npred; i++)
      fprintf(p, "%s,%s,%.10g,%.10g,%.10g,%.10g\n", cs->pred[i].metric, cs->pred[i].layer,
              cs->pred[i].day, res->pred[i], res->pred_lo[i], res->pred_hi[i]);
    bad |= fclose(p) != 0;
  }
  return bad ? CS_ERROR(CS_ERR_IO, "%s: write error", dir) : CS_OK;
}

/* DIR/calibrated.yaml: the resolved base config with the best-fit values. */
static cs_status write_config(const char *dir, const calib_spec *cs, const calib_result *res) {
  char *set = NULL, base[CALIB_PATH + 64], path[CALIB_PATH + 64];
  CS_TRY(calib_overrides(cs, res->best, &set));
  const char *sets[40];
  int k = 0;
  for (char *save = NULL, *l = strtok_r(set, "\n", &save); l && k < 40; l = strtok_r(NULL, "\n", &save))
    sets[k++] = l;
  snprintf(base, sizeof base, "%s/base.yaml", dir);
  params p = {0};
  cs_status st = params_load(&p, base, sets, k, model_registry_lookup);
  char *yaml = st == CS_OK ? params_to_yaml(&p) : NULL;
  if (st == CS_OK && !yaml) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  snprintf(path, sizeof path, "%s/calibrated.yaml", dir);
  if (st == CS_OK) st = sweep_write_text(path, yaml);
  free(yaml);
  free(set);
  params_free(&p);
  return st;
}

static void print_result(const calib_spec *cs, const calib_result *res, const char *dir) {
  printf("\n%s after %ld iterations: chi2 %.8g (start %.8g), %d observations, %d parameters\n",
         res->converged ? "converged" : "NOT converged (max_iterations)", res->iterations,
         res->chi2, res->chi2_start, cs->nobs, cs->np);
  printf("  %-44s %16s %16s %16s\n", "parameter", "best", "95% low", "95% high");
  for (int j = 0; j < cs->np; j++)
    printf("  %-44s %16.8g %16.8g %16.8g%s\n", cs->par[j].key, res->best[j], res->lo95[j],
           res->hi95[j], res->at_bound[j] ? "  (at a bound)" : "");
  for (int i = 0; i < cs->npred; i++)
    printf("  predicted %s at day %g: %.8g [%.8g, %.8g]\n", cs->pred[i].series, cs->pred[i].day,
           res->pred[i], res->pred_lo[i], res->pred_hi[i]);
  printf("-> %s/fit.csv, covariance.csv, residuals.csv%s, calibrated.yaml (cisim run %s/calibrated.yaml)\n",
         dir, cs->npred ? ", predictions.csv" : "", dir);
}

static cs_status calibrate(const char *spec, const char *dir, calib_runner *r, int *converged) {
  calib_spec cs;
  calib_result res = {0};
  cs_status st = calib_spec_load(spec, &cs);
  if (st == CS_OK) st = check_copy(dir, "spec.yaml", cs.doc.text, 0);
  if (st == CS_OK) st = check_copy(dir, "base.yaml", cs.base_text, 0);
  if (st == CS_OK) st = sweep_mkdirs(dir);
  if (st == CS_OK) st = check_copy(dir, "base.yaml", cs.base_text, 1);
  if (st == CS_OK) st = check_copy(dir, "spec.yaml", cs.doc.text, 1);
  char path[CALIB_PATH + 64];
  FILE *prog = st == CS_OK ? open_out(dir, "progress.csv", path, sizeof path) : NULL;
  if (st == CS_OK && !prog) st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  if (prog) {
    fputs("iteration,chi2", prog);
    for (int j = 0; j < cs.np; j++) fprintf(prog, ",%s", cs.par[j].key);
    fputc('\n', prog);
  }
  if (st == CS_OK) st = calib_fit(&cs, r, prog, &res);
  if (prog) fclose(prog);
  if (st == CS_OK) st = write_fit(dir, &cs, &res);
  if (st == CS_OK) st = write_residuals(dir, &cs, &res);
  if (st == CS_OK) st = write_config(dir, &cs, &res);
  if (st == CS_OK) print_result(&cs, &res, dir);
  *converged = res.converged;
  calib_result_free(&res);
  calib_spec_free(&cs);
  return st;
}

/* `cisim calibrate status DIR`: the iterations so far and the current best. */
static int status(const char *dir) {
  char path[CALIB_PATH + 64], *text = NULL;
  snprintf(path, sizeof path, "%s/progress.csv", dir);
  if (sweep_read_text(path, &text) != CS_OK) {
    cli_fail("calibrate status");
    return 2;
  }
  char *head = strtok(text, "\n"), *last = NULL, *l;
  long lines = 0;
  while ((l = strtok(NULL, "\n"))) last = l, lines++;
  snprintf(path, sizeof path, "%s/fit.csv", dir);
  printf("%s: %ld iterations recorded%s\n", dir, lines > 0 ? lines - 1 : 0,
         access(path, F_OK) == 0 ? ", finished (fit.csv)" : "");
  if (head && last) printf("latest: %s\n        %s\n", head, last);
  free(text);
  return 0;
}

static int parse_count(const char *s, const char *what, int max, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 1 || v > max) {
    fprintf(stderr, "cisim: calibrate: %s: expected 1 to %d, got '%s'\n", what, max, s);
    return 2;
  }
  *out = (int)v;
  return 0;
}

int cli_calibrate(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "status") == 0) return status(argv[2]);
  const char *spec = NULL, *dir = NULL, *workers = NULL, *threads = NULL, *submit = NULL;
  const sweep_opt opts[] = {{"-o", "--output", &dir, NULL, 1},
                            {"--workers", "-w", &workers, NULL, 0},
                            {"--threads", "-j", &threads, NULL, 0},
                            {"--submit", NULL, &submit, NULL, 0},
                            {0}};
  int rc = sweep_args(argc, argv, "calibrate", usage, opts, &spec, "SPEC and -o DIR");
  if (rc) return rc < 0 ? 0 : rc;
  calib_runner r = {dir, 1, 1, 0, 0, submit};
  if (workers && (rc = parse_count(workers, "--workers", 1024, &r.workers))) return rc;
  if (threads && (rc = parse_count(threads, "--threads", 1024, &r.threads))) return rc;
  int converged = 0;
  cs_status st = calibrate(spec, dir, &r, &converged);
  if (st != CS_OK) {
    cli_fail("calibrate");
    return cs_exit_code(st);
  }
  return converged ? 0 : 1;
}
