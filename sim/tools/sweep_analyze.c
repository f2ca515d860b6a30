/* sweep_analyze: `cisim sweep analyze` (see sweep_analyze.h; docs/sweeps.md). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_analyze.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sweep_design.h"
#include "sweep_indices.h"
#include "sweep_util.h"

/* DIR/design.txt */
typedef struct {
  int morris, k;
  long n, levels, seed, nrep;
  char **keys;
  int nkeys;
} design;

/* The outcomes of the table: name and one value per point. */
typedef struct {
  char **names;
  double **vals;
  int n;
  long npts;
} outcomes;

static void design_free(design *d) {
  for (int i = 0; i < d->nkeys; i++) free(d->keys[i]);
  free(d->keys);
}

static void outcomes_free(outcomes *o) {
  for (int i = 0; i < o->n; i++) {
    free(o->names[i]);
    free(o->vals[i]);
  }
  free(o->names);
  free(o->vals);
}

/* One "word value" line of design.txt. */
static cs_status design_line(const char *path, int ln, char *line, design *d) {
  char *sp = strchr(line, ' ');
  if (!sp) return CS_ERROR(CS_ERR_INPUT, "%s:%d: expected 'name value', got '%s'", path, ln, line);
  *sp = '\0';
  const char *w = line, *v = sp + 1;
  char *end;
  long x = strtol(v, &end, 10);
  int num = *v && !*end;
  if (strcmp(w, "mode") == 0) {
    if (strcmp(v, "saltelli") && strcmp(v, "morris"))
      return CS_ERROR(CS_ERR_INPUT,
                      "%s:%d: this sweep's mode is %s: analyze needs mode saltelli or morris",
                      path, ln, v);
    d->morris = strcmp(v, "morris") == 0;
  } else if (strcmp(w, "key") == 0) {
    char **nk = realloc(d->keys, (size_t)(d->nkeys + 1) * sizeof(char *));
    if (!nk) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    d->keys = nk;
    if (!(d->keys[d->nkeys] = strdup(v))) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    d->nkeys++;
  } else if (num && strcmp(w, "keys") == 0) {
    d->k = (int)x;
  } else if (num && strcmp(w, "n") == 0) {
    d->n = x;
  } else if (num && strcmp(w, "levels") == 0) {
    d->levels = x;
  } else if (num && strcmp(w, "seed") == 0) {
    d->seed = x;
  } else if (num && strcmp(w, "replicates") == 0) {
    d->nrep = x;
  } else {
    return CS_ERROR(CS_ERR_INPUT, "%s:%d: unexpected line '%s %s'", path, ln, w, v);
  }
  return CS_OK;
}

static cs_status design_read(const char *dir, design *d) {
  memset(d, 0, sizeof *d);
  d->k = -1;
  char path[4096], *text = NULL;
  snprintf(path, sizeof path, "%s/design.txt", dir);
  if (access(path, F_OK) != 0)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: no design.txt: not a sweep planned with mode saltelli or morris", dir);
  CS_TRY(sweep_read_text(path, &text));
  cs_status st = CS_OK;
  int ln = 0, have_mode = 0;
  char *save = NULL;
  for (char *line = strtok_r(text, "\n", &save); line && st == CS_OK;
       line = strtok_r(NULL, "\n", &save)) {
    ln++;
    if (line[0] == '#') continue;
    have_mode |= strncmp(line, "mode ", 5) == 0;
    st = design_line(path, ln, line, d);
  }
  free(text);
  if (st == CS_OK && (!have_mode || d->k < 1 || d->k != d->nkeys || d->n < 1 || d->nrep < 1 ||
                      (d->morris && (d->levels < 2 || d->levels % 2))))
    st = CS_ERROR(CS_ERR_INPUT, "%s: incomplete or inconsistent design", path);
  return st;
}

/* One dataset of /metrics (1-D) or /metrics_at_day (2-D, one outcome per day) into o. */
static int add_outcome(outcomes *o, const char *name, double *vals) {
  char **nn = realloc(o->names, (size_t)(o->n + 1) * sizeof(char *));
  if (nn) o->names = nn;
  double **nv = nn ? realloc(o->vals, (size_t)(o->n + 1) * sizeof(double *)) : NULL;
  if (nv) o->vals = nv;
  char *s = nv ? strdup(name) : NULL;
  if (!s) {
    free(vals);
    return -1;
  }
  o->names[o->n] = s;
  o->vals[o->n++] = vals;
  return 0;
}

typedef struct {
  outcomes *o;
  const double *days;
  long ndays;
} read_ctx;

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  read_ctx *c = data;
  long np = c->o->npts;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;
  hid_t sp = H5Dget_space(d);
  hsize_t dims[2] = {0, 1};
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  int ok = (rank == 1 || (rank == 2 && c->days)) && H5Sget_simple_extent_dims(sp, dims, NULL) == rank &&
           (long)dims[0] == np && (rank == 1 || (long)dims[1] == c->ndays);
  double *all = ok ? malloc((size_t)np * dims[1] * sizeof(double)) : NULL;
  ok = all && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) >= 0;
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  int rc = 0;
  for (hsize_t j = 0; ok && j < dims[1] && rc == 0; j++) {
    double *v = malloc((size_t)np * sizeof(double));
    if (!v) return -1;
    for (long n = 0; n < np; n++) v[n] = all[(hsize_t)n * dims[1] + j];
    char label[512];
    if (rank == 2) snprintf(label, sizeof label, "%s@%.12g", name, c->days[j]);
    else snprintf(label, sizeof label, "%s", name);
    rc = add_outcome(c->o, label, v);
  }
  free(all);
  return rc;
}

/* A 1-D dataset of doubles (caller frees), its length in *n; NULL when absent. */
static double *read_vec(hid_t f, const char *name, hid_t mtype, size_t size, long *n) {
  hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
  if (d < 0) return NULL;
  hid_t sp = H5Dget_space(d);
  hsize_t dims[1] = {0};
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1;
  void *buf = ok ? malloc((size_t)dims[0] * size + 1) : NULL;
  if (buf && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
    free(buf);
    buf = NULL;
  }
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  *n = (long)dims[0];
  return buf;
}

static cs_status outcomes_read(const char *path, outcomes *o) {
  memset(o, 0, sizeof *o);
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  cs_status st = CS_OK;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  long nday = 0;
  double *days = NULL, *index = NULL;
  if (f < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: cannot open (run cisim sweep collect first)", path);
  if (st == CS_OK && !(index = read_vec(f, "index", H5T_NATIVE_DOUBLE, sizeof(double), &o->npts)))
    st = CS_ERROR(CS_ERR_INPUT, "%s: no /index: not a collected sweep table", path);
  if (st == CS_OK) days = read_vec(f, "day", H5T_NATIVE_DOUBLE, sizeof(double), &nday);
  read_ctx c = {o, NULL, 0};
  hid_t g = st == CS_OK ? H5Gopen2(f, "metrics", H5P_DEFAULT) : -1;
  if (g >= 0 && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, &c) < 0)
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (g >= 0) H5Gclose(g);
  c.days = days;
  c.ndays = nday;
  g = st == CS_OK && days ? H5Gopen2(f, "metrics_at_day", H5P_DEFAULT) : -1;
  if (g >= 0 && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, &c) < 0)
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  free(days);
  free(index);
  if (st == CS_OK && o->n == 0) st = CS_ERROR(CS_ERR_INPUT, "%s: no metrics to analyse", path);
  return st;
}

/* Per design point, the mean of its replicates (NaN when any is missing). */
static void replicate_means(const double *v, long ndesign, long nrep, double *y) {
  for (long d = 0; d < ndesign; d++) {
    double s = 0;
    for (long r = 0; r < nrep; r++) s += v[d * nrep + r];
    y[d] = s / (double)nrep;
  }
}

typedef struct {
  long nboot;
  double level;
  FILE *csv;
} analyze_opts;

static cs_status analyze_saltelli(const design *d, const char *name, const double *y,
                                  const analyze_opts *ao) {
  sweep_sobol *s = malloc((size_t)d->k * sizeof(sweep_sobol));
  if (!s) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  sweep_sobol_info info;
  cs_status st = sweep_sobol_indices(d->k, d->n, y, ao->nboot, (unsigned long)d->seed, ao->level,
                                     s, &info);
  if (st == CS_OK) {
    printf("\n%s: Sobol indices (%ld of %ld base samples, variance %.6g, %.0f%% bootstrap "
           "intervals of %ld resamples)\n  %-48s %8s %20s %8s %20s\n",
           name, info.used, d->n, info.variance, 100 * ao->level, ao->nboot, "key", "S1",
           "interval", "ST", "interval");
    for (int i = 0; i < d->k; i++) {
      printf("  %-48s %8.4f [%8.4f, %8.4f] %8.4f [%8.4f, %8.4f]\n", d->keys[i], s[i].s1,
             s[i].s1_lo, s[i].s1_hi, s[i].st, s[i].st_lo, s[i].st_hi);
      fprintf(ao->csv, "%s,%s,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%ld\n", name, d->keys[i],
              s[i].s1, s[i].s1_lo, s[i].s1_hi, s[i].st, s[i].st_lo, s[i].st_hi, info.used);
    }
  }
  free(s);
  return st;
}

static cs_status analyze_morris(const design *d, const char *name, const double *u,
                                const double *y, const analyze_opts *ao) {
  sweep_morris *m = malloc((size_t)d->k * sizeof(sweep_morris));
  if (!m) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  cs_status st = sweep_morris_indices(d->k, d->n, u, y, m);
  if (st == CS_OK) {
    printf("\n%s: Morris elementary effects (%ld of %ld trajectories, %ld levels; unit "
           "coordinates)\n  %-48s %12s %12s %12s\n",
           name, m[0].used, d->n, d->levels, "key", "mu*", "mu", "sigma");
    for (int i = 0; i < d->k; i++) {
      printf("  %-48s %12.6g %12.6g %12.6g\n", d->keys[i], m[i].mu_star, m[i].mu, m[i].sigma);
      fprintf(ao->csv, "%s,%s,%.10g,%.10g,%.10g,%ld\n", name, d->keys[i], m[i].mu_star, m[i].mu,
              m[i].sigma, m[i].used);
    }
  }
  free(m);
  return st;
}

static cs_status analyze_all(const design *d, const outcomes *o, const analyze_opts *ao) {
  long per = d->morris ? d->k + 1 : d->k + 2, ndesign = d->n * per;
  if (o->npts != ndesign * d->nrep)
    return CS_ERROR(CS_ERR_INPUT,
                    "the results table has %ld points, the design %ld (re-run cisim sweep collect)",
                    o->npts, ndesign * d->nrep);
  double *y = malloc((size_t)ndesign * sizeof(double));
  double *u = d->morris ? malloc((size_t)ndesign * (size_t)d->k * sizeof(double)) : NULL;
  cs_status st = y && (!d->morris || u) ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK && d->morris)
    st = sweep_design_morris(d->k, d->n, (int)d->levels, (unsigned long)d->seed, u);
  if (st == CS_OK)
    fputs(d->morris ? "outcome,key,mu_star,mu,sigma,trajectories\n"
                    : "outcome,key,S1,S1_low,S1_high,ST,ST_low,ST_high,base_samples\n",
          ao->csv);
  for (int i = 0; i < o->n && st == CS_OK; i++) {
    replicate_means(o->vals[i], ndesign, d->nrep, y);
    st = d->morris ? analyze_morris(d, o->names[i], u, y, ao)
                   : analyze_saltelli(d, o->names[i], y, ao);
  }
  free(y);
  free(u);
  return st;
}

static const char analyze_usage[] =
    "usage: cisim sweep analyze DIR [-o TABLE.csv] [--bootstrap B] [--level L]\n"
    "  sensitivity indices of every collected outcome (DIR/results.h5) of a saltelli sweep\n"
    "  (S1, ST with bootstrap intervals; B resamples, default 1000; level L, default 0.95)\n"
    "  or a morris sweep (mu*, mu, sigma); the table also to TABLE.csv (default\n"
    "  DIR/indices.csv); plot it with scripts/plot_indices.py TABLE.csv\n";

static int parse_opts(const char *boot, const char *level, analyze_opts *ao) {
  char *end;
  if (boot) {
    errno = 0;
    ao->nboot = strtol(boot, &end, 10);
    if (errno || *end || ao->nboot < 10 || ao->nboot > 1000000) {
      fprintf(stderr, "cisim: sweep analyze: --bootstrap: expected 10 to 10^6, got '%s'\n", boot);
      return 2;
    }
  }
  if (level) {
    ao->level = strtod(level, &end);
    if (*end || !(ao->level > 0 && ao->level < 1)) {
      fprintf(stderr, "cisim: sweep analyze: --level: expected a number in (0, 1), got '%s'\n",
              level);
      return 2;
    }
  }
  return 0;
}

int sweep_analyze(int argc, char **argv) {
  const char *dir = NULL, *out = NULL, *boot = NULL, *level = NULL;
  const sweep_opt opts[] = {{"-o", "--output", &out, NULL, 0},
                            {"--bootstrap", NULL, &boot, NULL, 0},
                            {"--level", NULL, &level, NULL, 0},
                            {0}};
  int rc = sweep_args(argc, argv, "sweep analyze", analyze_usage, opts, &dir, "DIR");
  if (rc) return rc < 0 ? 0 : rc;
  analyze_opts ao = {1000, 0.95, NULL};
  if ((rc = parse_opts(boot, level, &ao)) != 0) return rc;
  char csv[4096], tmp[4200], h5[4200];
  snprintf(csv, sizeof csv, "%s", out ? out : "");
  if (!out) snprintf(csv, sizeof csv, "%s/indices.csv", dir);
  snprintf(h5, sizeof h5, "%s/results.h5", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", csv, (long)getpid());
  design d;
  outcomes o = {0};
  cs_status st = design_read(dir, &d);
  if (st == CS_OK) st = outcomes_read(h5, &o);
  if (st == CS_OK && !(ao.csv = fopen(tmp, "w")))
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  if (st == CS_OK) st = analyze_all(&d, &o, &ao);
  if (ao.csv && fclose(ao.csv) != 0 && st == CS_OK)
    st = CS_ERROR(CS_ERR_IO, "%s: write error", tmp);
  if (st == CS_OK && rename(tmp, csv) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", csv, strerror(errno));
  if (ao.csv && st != CS_OK) unlink(tmp);
  design_free(&d);
  outcomes_free(&o);
  if (st != CS_OK) {
    cli_fail("sweep analyze");
    return cs_exit_code(st);
  }
  printf("\n-> %s   (plot: scripts/plot_indices.py %s)\n", csv, csv);
  return 0;
}
