/* sweep_collect: `cisim sweep collect` and `cisim sweep metrics` (see sweep_collect.h;
 * docs/sweeps.md). Only the small /series datasets of the run files are read, never /fields. */
#define _POSIX_C_SOURCE 200809L

#include "sweep_collect.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sweep_outcome.h"
#include "sweep_point.h"
#include "sweep_table.h"
#include "sweep_util.h"

static void fmt_num(char *b, size_t size, double v) { snprintf(b, size, "%.17g", v); }

int sweep_metrics(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: cisim sweep metrics RUN.h5   (name,value per line: what collect takes)\n",
          argc == 2 ? stdout : stderr);
    return argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
  }
  sweep_outcome ml;
  cs_status st = sweep_outcome_read(argv[1], NULL, 0, NULL, 0, &ml);
  if (st != CS_OK) {
    cli_fail("sweep metrics");
    return cs_exit_code(st);
  }
  char b[64];
  for (int i = 0; i < ml.n; i++) {
    fmt_num(b, sizeof b, ml.vals[i]);
    printf("%s,%s\n", ml.names[i], b);
  }
  sweep_outcome_free(&ml);
  return 0;
}

/* ---- collect ---- */

/* Splits one CSV line (the manifest's quoting: fields with , " or newline in double quotes)
   in place into at most max fields; returns the count. */
static int csv_split(char *line, char **field, int max) {
  int n = 0;
  char *r = line, *w = line;
  while (n < max) {
    field[n++] = w;
    if (*r == '"') {
      r++;
      while (*r && !(*r == '"' && r[1] != '"')) {
        if (*r == '"') r++;
        *w++ = *r++;
      }
      if (*r == '"') r++;
    }
    while (*r && *r != ',') *w++ = *r++;
    int more = *r == ',';
    *w++ = '\0';
    if (!more) break;
    r++;
  }
  return n;
}

static int name_index(char ***names, char ***units, int *n, const char *name, const char *unit) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return i;
  char **nn = realloc(*names, (size_t)(*n + 1) * sizeof(char *));
  if (!nn) return -1;
  *names = nn;
  char **nu = realloc(*units, (size_t)(*n + 1) * sizeof(char *));
  if (!nu) return -1;
  *units = nu;
  nn[*n] = strdup(name);
  nu[*n] = strdup(unit);
  if (!nn[*n] || !nu[*n]) {
    free(nn[*n]);
    free(nu[*n]);
    return -1;
  }
  return (*n)++;
}

static void table_free(sweep_table *t) {
  for (long n = 0; n < t->npts; n++) {
    if (t->per) sweep_outcome_free(&t->per[n]);
    if (t->status) free(t->status[n]);
  }
  for (int c = 0; c < t->ncols; c++) {
    free(t->cols[c]);
    free(t->col_units[c]);
  }
  free(t->cols);
  free(t->col_units);
  free(t->per);
  free(t->status);
  free(t->state);
  free(t->man_head);
  free(t->man_cell);
  free(t->manifest);
  free(t->time);
}

/* Point n's metrics from its run file h5: final values, at the chosen days and, with
   want_series, along the first finished point's /time. */
static cs_status point_metrics(sweep_table *t, long n, const char *h5, int want_series) {
  if (want_series && !t->time) CS_TRY(sweep_outcome_time(h5, &t->time, &t->ntime));
  return sweep_outcome_read(h5, t->days, t->ndays, t->time, t->ntime, &t->per[n]);
}

static cs_status table_gather(const char *dir, const double *days, int ndays, int want_series,
                              sweep_table *t) {
  memset(t, 0, sizeof *t);
  t->days = days;
  t->ndays = ndays;
  CS_TRY(sweep_count_points(dir, &t->npts, &t->manifest));
  long np = t->npts;
  char *save = NULL, *line = strtok_r(t->manifest, "\n", &save);
  char *head[80];
  int nh = line ? csv_split(line, head, 80) : 0;
  t->nman = nh;
  t->man_head = malloc((size_t)(nh + 1) * sizeof(char *));
  t->man_cell = calloc((size_t)(np * nh + 1), sizeof(char *));
  t->per = calloc((size_t)np + 1, sizeof(sweep_outcome));
  t->status = calloc((size_t)np + 1, sizeof(char *));
  t->state = calloc((size_t)np + 1, sizeof(sweep_state));
  if (!t->man_head || !t->man_cell || !t->per || !t->status || !t->state)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  memcpy(t->man_head, head, (size_t)nh * sizeof(char *));
  for (long n = 0; n < np; n++) {
    line = strtok_r(NULL, "\n", &save);
    char *f[80];
    int k = line ? csv_split(line, f, 80) : 0;
    if (k != nh)
      return CS_ERROR(CS_ERR_INPUT, "%s/manifest.csv: row %ld has %d columns, expected %d", dir,
                      n + 2, k, nh);
    memcpy(&t->man_cell[n * nh], f, (size_t)nh * sizeof(char *));
  }
  for (long n = 0; n < np; n++) {
    t->state[n] = sweep_point_state(dir, n, &t->status[n]);
    if (!t->status[n] && !(t->status[n] = strdup("missing"))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    if (t->state[n] != SWEEP_DONE) continue;
    char h5[4096];
    sweep_point_path(h5, sizeof h5, dir, "runs", n, ".h5");
    if (point_metrics(t, n, h5, want_series) != CS_OK) {
      char *s = malloc(1100);
      if (!s) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
      snprintf(s, 1100, "failed: cannot read metrics: %s", cs_error_message());
      cs_error_clear();
      free(t->status[n]);
      t->status[n] = s;
      t->state[n] = SWEEP_FAILED;
    }
    for (int i = 0; i < t->per[n].n; i++)
      if (name_index(&t->cols, &t->col_units, &t->ncols, t->per[n].names[i], t->per[n].units[i]) < 0)
        return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  return CS_OK;
}

/* ",value" (17 significant digits), or "," for NaN. */
static void csv_value(FILE *f, double v) {
  fputc(',', f);
  if (isnan(v)) return;
  char b[64];
  fmt_num(b, sizeof b, v);
  fputs(b, f);
}

static cs_status write_csv(const sweep_table *t, const char *out) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", out, (long)getpid());
  FILE *f = fopen(tmp, "w");
  if (!f) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  for (int c = 0; c < t->nman; c++) {
    if (c) fputc(',', f);
    sweep_csv_field(f, t->man_head[c]);
  }
  fputs(",status", f);
  for (int c = 0; c < t->ncols; c++) {
    fputc(',', f);
    sweep_csv_field(f, t->cols[c]);
  }
  for (int c = 0; c < t->ncols; c++)
    for (int j = 0; j < t->ndays; j++) {
      fputc(',', f);
      fprintf(f, "%s@%.12g", t->cols[c], t->days[j]);
    }
  fputc('\n', f);
  for (long n = 0; n < t->npts; n++) {
    for (int c = 0; c < t->nman; c++) {
      if (c) fputc(',', f);
      sweep_csv_field(f, t->man_cell[n * t->nman + c]);
    }
    fputc(',', f);
    sweep_csv_field(f, t->status[n]);
    for (int c = 0; c < t->ncols; c++) csv_value(f, sweep_table_value(t, n, c, SWEEP_FINAL, 0));
    for (int c = 0; c < t->ncols; c++)
      for (int j = 0; j < t->ndays; j++) csv_value(f, sweep_table_value(t, n, c, SWEEP_AT_DAY, j));
    fputc('\n', f);
  }
  cs_status st = fclose(f) == 0 ? CS_OK : CS_ERROR(CS_ERR_IO, "%s: write error", tmp);
  if (st == CS_OK && rename(tmp, out) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
  if (st != CS_OK) unlink(tmp);
  return st;
}

static const char collect_usage[] =
    "usage: cisim sweep collect DIR [-o TABLE.csv] [--days D1,D2,...] [--series]\n"
    "  one row per point (parameters, seed, status, metrics) in TABLE.csv and, beside it, the\n"
    "  same table in HDF5 (TABLE.h5); default DIR/results.csv and DIR/results.h5\n"
    "  --days    the metrics also at these days (columns NAME@DAY; /metrics_at_day, point x day)\n"
    "  --series  the whole metric series over the snapshot days (/series, point x time; HDF5)\n";

/* --days "30,90,180": at most 1000 distinct finite days >= 0. */
static int parse_days(const char *text, double *days, int *n) {
  *n = 0;
  const char *p = text;
  while (*p) {
    char *end;
    errno = 0;
    double d = strtod(p, &end);
    if (end == p || errno || !isfinite(d) || d < 0 || (*end && *end != ',') || *n == 1000) {
      fprintf(stderr, "cisim: sweep collect: --days: expected days >= 0 separated by commas, "
                      "got '%s'\n", text);
      return 2;
    }
    for (int i = 0; i < *n; i++)
      if (days[i] == d) {
        fprintf(stderr, "cisim: sweep collect: --days: day %g given twice\n", d);
        return 2;
      }
    days[(*n)++] = d;
    p = *end ? end + 1 : end;
  }
  if (*n == 0) fprintf(stderr, "cisim: sweep collect: --days: expected at least one day\n");
  return *n ? 0 : 2;
}

int sweep_collect(int argc, char **argv) {
  const char *dir = NULL, *out = NULL, *days_text = NULL;
  int want_series = 0, ndays = 0;
  const sweep_opt opts[] = {{"-o", "--output", &out, NULL, 0},
                            {"--days", NULL, &days_text, NULL, 0},
                            {"--series", NULL, NULL, &want_series, 0},
                            {0}};
  int rc = sweep_args(argc, argv, "sweep collect", collect_usage, opts, &dir, "DIR");
  if (rc) return rc < 0 ? 0 : rc;
  static double days[1000];
  if (days_text && (rc = parse_days(days_text, days, &ndays)) != 0) return rc;
  char csv[4096], h5[4200];
  snprintf(csv, sizeof csv, "%s", out ? out : "");
  if (!out) snprintf(csv, sizeof csv, "%s/results.csv", dir);
  size_t len = strlen(csv);
  if (len > 4 && strcmp(csv + len - 4, ".csv") == 0)
    snprintf(h5, sizeof h5, "%.*s.h5", (int)(len - 4), csv);
  else
    snprintf(h5, sizeof h5, "%s.h5", csv);
  sweep_table t;
  cs_status st = table_gather(dir, days, ndays, want_series, &t);
  if (st == CS_OK) st = write_csv(&t, csv);
  if (st == CS_OK) st = sweep_table_h5(&t, dir, h5);
  long counts[5] = {0};
  for (long n = 0; st == CS_OK && n < t.npts; n++) counts[t.state[n]]++;
  long rows = t.npts;
  table_free(&t);
  if (st != CS_OK) {
    cli_fail("sweep collect");
    return cs_exit_code(st);
  }
  printf("%ld rows (%ld done, %ld running, %ld interrupted, %ld failed, %ld missing) -> %s, %s\n", rows,
         counts[SWEEP_DONE], counts[SWEEP_RUNNING], counts[SWEEP_INTERRUPTED], counts[SWEEP_FAILED],
         counts[SWEEP_MISSING], csv, h5);
  return 0;
}
