/* sweep_plan: `cisim sweep plan` (see sweep_plan.h). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_plan.h"

#include <errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "sweep_util.h"
#include "ytree.h"

enum { MODE_GRID, MODE_ZIP, MODE_RANDOM, MODE_SOBOL };

typedef struct {
  const char *key;
  int line, col;
  int is_range;
  char **vals; /* list values (text), or the range's count values for grid/zip */
  long nvals;
  double lo, hi;
  int logscale;
  int is_int;
} sweep_var;

typedef struct {
  const char *spec_name;
  int nvar;
  sweep_var *var;
  long npoints;   /* design points times replicates */
  long ndesign;
  long nrep;
  long seed;
  const char *rep_key;
  char **table;   /* ndesign x nvar value texts */
} sweep_plan_t;

static cs_status at(const char *file, int line, int col, const char *fmt, const char *a,
                    const char *b) {
  return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s%s%s", file, line, col, a, fmt, b ? b : "");
}

static cs_status scalar_num(const char *file, const yt_node *n, const char *what, double *x) {
  if (!n || n->kind != YT_SCALAR)
    return at(file, n ? n->line : 1, n ? n->col : 1, ": expected a number", what, NULL);
  char *end;
  errno = 0;
  *x = strtod(n->value, &end);
  if (errno || end == n->value || *end || !isfinite(*x))
    return at(file, n->line, n->col, ": expected a number, got ", what, n->value);
  return CS_OK;
}

static char *fmt_value(double x, int is_int) {
  char b[64];
  if (is_int)
    snprintf(b, sizeof b, "%.0f", nearbyint(x));
  else
    snprintf(b, sizeof b, "%.12g", x);
  return strdup(b);
}

static void plan_free(sweep_plan_t *pl) {
  for (int v = 0; v < pl->nvar; v++) {
    for (long i = 0; i < pl->var[v].nvals; i++) free(pl->var[v].vals[i]);
    free(pl->var[v].vals);
  }
  if (pl->table)
    for (long i = 0; i < pl->ndesign * pl->nvar; i++) free(pl->table[i]);
  free(pl->table);
  free(pl->var);
}

static cs_status parse_var(const char *file, const char *key, const yt_node *n, int mode,
                           sweep_var *v) {
  if (n->kind == YT_SEQ) {
    if (n->n == 0) return at(file, n->line, n->col, ": expected at least one value", key, NULL);
    v->vals = calloc(n->n, sizeof(char *));
    if (!v->vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n->n; i++) {
      const yt_node *it = n->items[i];
      if (it->kind != YT_SCALAR)
        return at(file, it->line, it->col, ": expected a plain value (a scalar)", key, NULL);
      if (strchr(it->value, '\n'))
        return at(file, it->line, it->col, ": a value may not span lines", key, NULL);
      v->vals[i] = strdup(it->value);
      if (!v->vals[i]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
      v->nvals = (long)i + 1;
    }
    return CS_OK;
  }
  if (n->kind != YT_MAP)
    return at(file, n->line, n->col,
              ": expected a list of values or {range: [lo, hi], count: N, scale: linear|log}", key,
              NULL);
  const yt_node *range = NULL, *count = NULL;
  v->is_range = 1;
  for (size_t i = 0; i < n->n; i++) {
    const char *k = n->keys[i];
    const yt_node *x = n->items[i];
    if (strcmp(k, "range") == 0) {
      range = x;
    } else if (strcmp(k, "count") == 0) {
      count = x;
    } else if (strcmp(k, "scale") == 0) {
      if (x->kind != YT_SCALAR || (strcmp(x->value, "linear") && strcmp(x->value, "log")))
        return at(file, x->line, x->col, ": scale: expected linear or log", key, NULL);
      v->logscale = strcmp(x->value, "log") == 0;
    } else {
      return at(file, n->key_line[i], n->key_col[i],
                ": unknown entry (expected range, count, scale): ", key, k);
    }
  }
  if (!range || range->kind != YT_SEQ || range->n != 2)
    return at(file, range ? range->line : n->line, range ? range->col : n->col,
              ": range: expected [lo, hi]", key, NULL);
  CS_TRY(scalar_num(file, range->items[0], key, &v->lo));
  CS_TRY(scalar_num(file, range->items[1], key, &v->hi));
  if (!(v->hi >= v->lo))
    return at(file, range->line, range->col, ": range: expected lo <= hi", key, NULL);
  if (v->logscale && v->lo <= 0)
    return at(file, range->line, range->col, ": range: a log scale needs lo > 0", key, NULL);
  if (mode == MODE_GRID || mode == MODE_ZIP) {
    double c;
    if (!count) return at(file, n->line, n->col, ": a range in grid or zip mode needs count", key, NULL);
    CS_TRY(scalar_num(file, count, key, &c));
    if (c < 1 || c > 1e6 || c != floor(c))
      return at(file, count->line, count->col, ": count: expected a whole number >= 1", key, NULL);
    v->nvals = 0;
    v->vals = calloc((size_t)c, sizeof(char *));
    if (!v->vals) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    for (long i = 0; i < (long)c; i++) {
      double f = c > 1 ? (double)i / (c - 1) : 0.0;
      double x = v->logscale ? exp(log(v->lo) + f * (log(v->hi) - log(v->lo)))
                             : v->lo + f * (v->hi - v->lo);
      if (i == (long)c - 1 && c > 1) x = v->hi;
      v->vals[i] = fmt_value(x, v->is_int);
      if (!v->vals[i]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
      v->nvals = i + 1;
    }
  }
  return CS_OK;
}

static double from_unit(const sweep_var *v, double u) {
  return v->logscale ? exp(log(v->lo) + u * (log(v->hi) - log(v->lo))) : v->lo + u * (v->hi - v->lo);
}

/* Fill pl->table from the variables and the mode. */
static cs_status build_table(sweep_plan_t *pl, int mode, long npts, const char *file,
                             const yt_node *where) {
  int nv = pl->nvar;
  if (mode == MODE_GRID) {
    double total = 1;
    for (int v = 0; v < nv; v++) total *= (double)pl->var[v].nvals;
    if (total > 1e7) return at(file, where->line, where->col, ": more than 10^7 grid points", "vary", NULL);
    pl->ndesign = (long)total;
  } else if (mode == MODE_ZIP) {
    pl->ndesign = pl->var[0].nvals;
    for (int v = 1; v < nv; v++)
      if (pl->var[v].nvals != pl->ndesign)
        return at(file, pl->var[v].line, pl->var[v].col,
                  ": zip mode needs lists of the same length as the first", pl->var[v].key, NULL);
  } else {
    pl->ndesign = npts;
  }
  pl->table = calloc((size_t)(pl->ndesign * nv) + 1, sizeof(char *));
  if (!pl->table) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  gsl_rng *rng = NULL;
  gsl_qrng *q = NULL;
  double *u = calloc((size_t)nv, sizeof(double));
  if (!u) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (mode == MODE_RANDOM) {
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng) gsl_rng_set(rng, (unsigned long)pl->seed);
  } else if (mode == MODE_SOBOL) {
    q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)nv);
  }
  if ((mode == MODE_RANDOM && !rng) || (mode == MODE_SOBOL && !q)) {
    free(u);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  cs_status st = CS_OK;
  for (long d = 0; d < pl->ndesign && st == CS_OK; d++) {
    if (rng)
      for (int v = 0; v < nv; v++) u[v] = gsl_rng_uniform(rng);
    if (q) gsl_qrng_get(q, u);
    long rest = d;
    for (int v = nv - 1; v >= 0 && st == CS_OK; v--) {
      const sweep_var *var = &pl->var[v];
      char *txt;
      if (mode == MODE_GRID) {
        txt = strdup(var->vals[rest % var->nvals]);
        rest /= var->nvals;
      } else if (mode == MODE_ZIP) {
        txt = strdup(var->vals[d]);
      } else if (var->is_range) {
        txt = fmt_value(from_unit(var, u[v]), var->is_int);
      } else {
        long i = (long)(u[v] * (double)var->nvals);
        if (i >= var->nvals) i = var->nvals - 1;
        txt = strdup(var->vals[i]);
      }
      if (!txt) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
      pl->table[d * nv + v] = txt;
    }
  }
  free(u);
  if (rng) gsl_rng_free(rng);
  if (q) gsl_qrng_free(q);
  return st;
}


static long point_seed(const sweep_plan_t *pl, long n) { return pl->seed + n; }

/* The overrides of point n as key=value strings (into sets[], texts owned by buf). */
static int point_sets(const sweep_plan_t *pl, long n, char **sets, char *buf, size_t size) {
  long d = n / pl->nrep;
  int k = 0;
  size_t used = 0;
  for (int v = 0; v <= pl->nvar; v++) {
    int w;
    if (v < pl->nvar)
      w = snprintf(buf + used, size - used, "%s=%s", pl->var[v].key, pl->table[d * pl->nvar + v]);
    else if (pl->rep_key)
      w = snprintf(buf + used, size - used, "%s=%ld", pl->rep_key, point_seed(pl, n));
    else
      break;
    if (w < 0 || (size_t)w >= size - used) return -1;
    sets[k++] = buf + used;
    used += (size_t)w + 1;
  }
  return k;
}

static cs_status write_plan(const sweep_plan_t *pl, const char *dir, const char *spec_text,
                            const char *base_text) {
  char path[4096];
  CS_TRY(sweep_mkdirs(dir));
  snprintf(path, sizeof path, "%s/manifest.csv", dir);
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *man = fopen(tmp, "w");
  if (!man) return CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  fputs("index", man);
  for (int v = 0; v < pl->nvar; v++) {
    fputc(',', man);
    sweep_csv_field(man, pl->var[v].key);
  }
  fputs(",seed\n", man);
  cs_status st = CS_OK;
  char *sets[64], buf[16384];
  long made_shard = -1;
  for (long n = 0; n < pl->npoints && st == CS_OK; n++) {
    int k = point_sets(pl, n, sets, buf, sizeof buf);
    if (k < 0) {
      st = CS_ERROR(CS_ERR_INPUT, "%s: point %ld: overrides too long", pl->spec_name, n);
      break;
    }
    if (n / SWEEP_SHARD != made_shard) {
      made_shard = n / SWEEP_SHARD;
      snprintf(path, sizeof path, "%s/points/%ld", dir, made_shard);
      st = sweep_mkdirs(path);
      if (st != CS_OK) break;
    }
    if (!sweep_point_path(path, sizeof path, dir, "points", n, ".set")) {
      st = CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
      break;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
      st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
      break;
    }
    for (int i = 0; i < k; i++) fprintf(f, "%s\n", sets[i]);
    if (fclose(f) != 0) st = CS_ERROR(CS_ERR_IO, "%s: write error", path);
    fprintf(man, "%ld", n);
    for (int v = 0; v < pl->nvar; v++) {
      fputc(',', man);
      sweep_csv_field(man, pl->table[(n / pl->nrep) * pl->nvar + v]);
    }
    if (pl->rep_key)
      fprintf(man, ",%ld\n", point_seed(pl, n));
    else
      fputs(",\n", man);
  }
  if (fclose(man) != 0 && st == CS_OK) st = CS_ERROR(CS_ERR_IO, "%s: write error", tmp);
  snprintf(path, sizeof path, "%s/manifest.csv", dir);
  if (st == CS_OK && rename(tmp, path) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  if (st != CS_OK) unlink(tmp);
  if (st != CS_OK) return st;
  snprintf(path, sizeof path, "%s/base.yaml", dir);
  CS_TRY(sweep_write_text(path, base_text));
  snprintf(path, sizeof path, "%s/spec.yaml", dir); /* last: marks the plan complete */
  return sweep_write_text(path, spec_text);
}

/* ---- the spec ---- */

/* The spec's top-level entries that the plan does not keep in sweep_plan_t. */
typedef struct {
  const yt_node *base, *vary, *points;
  int mode;
  long npts;
} plan_spec;

/* A whole number in [lo, hi]; msg says what was expected. */
static cs_status whole_number(const char *spec, const yt_node *x, const char *k, double lo,
                              double hi, const char *msg, double *num) {
  CS_TRY(scalar_num(spec, x, k, num));
  if (*num < lo || *num > hi || *num != floor(*num))
    return at(spec, x->line, x->col, msg, k, NULL);
  return CS_OK;
}

/* One top-level entry of the spec: base, vary, mode, seed, points, replicates, replicate_key. */
static cs_status spec_entry(const char *spec, const yt_node *root, size_t i, plan_spec *ps,
                            sweep_plan_t *pl) {
  const char *k = root->keys[i];
  const yt_node *x = root->items[i];
  double num;
  if (strcmp(k, "base") == 0) {
    ps->base = x;
    if (x->kind != YT_SCALAR) return at(spec, x->line, x->col, ": expected a file name", k, NULL);
  } else if (strcmp(k, "vary") == 0) {
    ps->vary = x;
  } else if (strcmp(k, "mode") == 0) {
    const char *m = x->kind == YT_SCALAR ? x->value : "";
    if (strcmp(m, "grid") == 0) ps->mode = MODE_GRID;
    else if (strcmp(m, "zip") == 0) ps->mode = MODE_ZIP;
    else if (strcmp(m, "random") == 0) ps->mode = MODE_RANDOM;
    else if (strcmp(m, "sobol") == 0) ps->mode = MODE_SOBOL;
    else return at(spec, x->line, x->col, ": expected grid, zip, random or sobol, got ", k, m);
  } else if (strcmp(k, "seed") == 0) {
    CS_TRY(whole_number(spec, x, k, 0, 2e9, ": expected a whole number from 0 to 2e9", &num));
    pl->seed = (long)num;
  } else if (strcmp(k, "points") == 0) {
    ps->points = x;
    CS_TRY(whole_number(spec, x, k, 1, 1e7, ": expected a whole number from 1 to 10^7", &num));
    ps->npts = (long)num;
  } else if (strcmp(k, "replicates") == 0) {
    CS_TRY(whole_number(spec, x, k, 1, 1e6, ": expected a whole number >= 1", &num));
    pl->nrep = (long)num;
  } else if (strcmp(k, "replicate_key") == 0) {
    if (x->kind != YT_SCALAR)
      return at(spec, x->line, x->col, ": expected a parameter key", k, NULL);
    pl->rep_key = x->value;
  } else {
    return at(spec, root->key_line[i], root->key_col[i],
              ": unknown entry (expected base, vary, mode, seed, points, replicates, "
              "replicate_key)",
              k, NULL);
  }
  return CS_OK;
}

/* The spec's entries, and what they need of each other. */
static cs_status parse_spec(const char *spec, const yt_node *root, plan_spec *ps,
                            sweep_plan_t *pl) {
  if (root->kind != YT_MAP)
    return at(spec, root->line, root->col, ": expected a mapping (base, vary, mode, ...)", "spec",
              NULL);
  for (size_t i = 0; i < root->n; i++) CS_TRY(spec_entry(spec, root, i, ps, pl));
  const yt_node *nvary = ps->vary;
  if (!ps->base) return at(spec, root->line, root->col, ": missing base: CONFIG", "spec", NULL);
  if (!nvary || nvary->kind != YT_MAP || nvary->n == 0)
    return at(spec, nvary ? nvary->line : root->line, nvary ? nvary->col : root->col,
              ": expected a mapping of parameter keys to values or ranges", "vary", NULL);
  if (nvary->n > 40)
    return at(spec, nvary->line, nvary->col, ": at most 40 varied keys", "vary", NULL);
  if ((ps->mode == MODE_RANDOM || ps->mode == MODE_SOBOL) && !ps->points)
    return at(spec, root->line, root->col, ": random and sobol modes need points: N", "spec", NULL);
  if (pl->nrep > 1 && !pl->rep_key)
    return at(spec, root->line, root->col,
              ": replicates > 1 need replicate_key (e.g. protocol.pattern.seed)", "spec", NULL);
  return CS_OK;
}

/* The base config, relative to the spec's directory: it must load; its text is kept. */
static cs_status load_base(const char *spec, const yt_node *nbase, params *base,
                           char **base_path, char **base_text) {
  const char *b = nbase->value, *slash = strrchr(spec, '/');
  size_t dl = (b[0] != '/' && slash) ? (size_t)(slash - spec) + 1 : 0;
  *base_path = malloc(dl + strlen(b) + 1);
  if (!*base_path) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  memcpy(*base_path, spec, dl);
  strcpy(*base_path + dl, b);
  if (params_load(base, *base_path, NULL, 0, model_registry_lookup) != CS_OK) {
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cs_error_message());
    return at(spec, nbase->line, nbase->col, ": ", "base", msg);
  }
  return sweep_read_text(*base_path, base_text);
}

/* The varied keys (and the replicate key) must be parameters of the base config's model. */
static cs_status parse_vars(const char *spec, const yt_node *root, const yt_node *nvary,
                            int mode, const params *base, sweep_plan_t *pl) {
  if (pl->rep_key) {
    const param_value *pv = params_find(base, pl->rep_key);
    const yt_node *rk = yt_get(root, "replicate_key");
    if (!pv || pv->desc->type != P_INT)
      return at(spec, rk->line, rk->col,
                ": expected an integer parameter of the base config's model, got ",
                "replicate_key", pl->rep_key);
  }
  pl->var = calloc(nvary->n, sizeof(sweep_var));
  if (!pl->var) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < nvary->n; i++) {
    sweep_var *v = &pl->var[i];
    v->key = nvary->keys[i];
    v->line = nvary->key_line[i];
    v->col = nvary->key_col[i];
    pl->nvar = (int)i + 1;
    const param_value *pv = params_find(base, v->key);
    if (!pv) {
      char msg[256];
      snprintf(msg, sizeof msg, "%s (see cisim params %s)", v->key,
               base->model_name ? base->model_name : "");
      return at(spec, v->line, v->col, ": unknown parameter key for the base config's model: ",
                "vary", msg);
    }
    if (pl->rep_key && strcmp(pl->rep_key, v->key) == 0)
      return at(spec, v->line, v->col, ": the replicate_key may not be varied too: ", "vary",
                v->key);
    v->is_int = pv->desc->type == P_INT;
    CS_TRY(parse_var(spec, v->key, nvary->items[i], mode, v));
  }
  return CS_OK;
}

/* Every point must load as a config. A failure points at the first varied key whose override
   the message names, else at vary. */
static cs_status check_points(const char *spec, const yt_node *nvary, const sweep_plan_t *pl,
                              const char *base_path) {
  char *sets[64], buf[16384];
  for (long n = 0; n < pl->npoints; n++) {
    int k = point_sets(pl, n, sets, buf, sizeof buf);
    if (k < 0) return CS_ERROR(CS_ERR_INPUT, "%s: point %ld: overrides too long", spec, n);
    params p = {0};
    cs_status ps = params_load(&p, base_path, (const char *const *)sets, k, model_registry_lookup);
    params_free(&p);
    if (ps == CS_OK) continue;
    char msg[1024];
    snprintf(msg, sizeof msg, "%s", cs_error_message());
    int line = nvary->line, col = nvary->col;
    for (int v = 0; v < pl->nvar; v++)
      if (strstr(msg, pl->var[v].key)) {
        line = pl->var[v].line;
        col = pl->var[v].col;
        break;
      }
    char head[64];
    snprintf(head, sizeof head, "point %ld", n);
    return at(spec, line, col, ": ", head, msg);
  }
  return CS_OK;
}

/* Re-planning: the same spec is a no-op (*noop = 1), a different one is refused. */
static cs_status check_replan(const char *dir, const char *spec_text, int *noop) {
  char sp[4096];
  snprintf(sp, sizeof sp, "%s/spec.yaml", dir);
  if (access(sp, F_OK) != 0) return CS_OK;
  char *old = NULL;
  cs_status st = sweep_read_text(sp, &old);
  if (st == CS_OK && strcmp(old, spec_text) == 0)
    *noop = 1;
  else if (st == CS_OK)
    st = CS_ERROR(CS_ERR_INPUT,
                  "%s: already planned with a different spec (%s); plan into a new directory", dir,
                  sp);
  free(old);
  return st;
}

static void print_plan(const sweep_plan_t *pl, const char *dir, int noop) {
  printf("%ld points%s in %s\n", pl->npoints, noop ? " (already planned, nothing written)" : "",
         dir);
  printf("run one point:  cisim sweep run %s --task N   (N = 0..%ld)\n", dir, pl->npoints - 1);
  printf("run locally:    seq 0 %ld | xargs -P 4 -I{} cisim sweep run %s --task {}\n",
         pl->npoints - 1, dir);
  printf("submit (Slurm): scripts/slurm/submit.sh %s [sbatch options]   (what is not done yet)\n",
         dir);
  printf("           (or: sbatch --array=0-%ld scripts/slurm/sweep.sbatch %s%s)\n",
         pl->npoints - 1, dir,
         pl->npoints > 1001 ? "; above Slurm's default MaxArraySize: use submit.sh" : "");
}

/* ---- the plan ---- */

static cs_status plan(const char *spec, const char *dir, int *noop) {
  yt_doc doc = {0};
  sweep_plan_t pl = {.spec_name = spec, .nrep = 1, .seed = 1};
  plan_spec ps = {.mode = MODE_GRID};
  params base = {0};
  char *base_path = NULL, *base_text = NULL;
  cs_status st = yt_load_file(spec, &doc);
  if (st == CS_OK) st = parse_spec(spec, doc.root, &ps, &pl);
  if (st == CS_OK) st = load_base(spec, ps.base, &base, &base_path, &base_text);
  if (st == CS_OK) st = parse_vars(spec, doc.root, ps.vary, ps.mode, &base, &pl);
  if (st == CS_OK) st = build_table(&pl, ps.mode, ps.npts, spec, ps.vary);
  if (st == CS_OK) {
    pl.npoints = pl.ndesign * pl.nrep;
    if (pl.npoints > 10000000)
      st = at(spec, doc.root->line, doc.root->col, ": more than 10^7 points", "spec", NULL);
  }
  if (st == CS_OK) st = check_points(spec, ps.vary, &pl, base_path);
  if (st == CS_OK) st = check_replan(dir, doc.text, noop);
  if (st == CS_OK && !*noop) st = write_plan(&pl, dir, doc.text, base_text);
  if (st == CS_OK) print_plan(&pl, dir, *noop);
  free(base_text);
  free(base_path);
  params_free(&base);
  plan_free(&pl);
  yt_free(&doc);
  return st;
}

int sweep_plan(int argc, char **argv) {
  static const char usage[] = "usage: cisim sweep plan SPEC.yaml -o DIR\n";
  const char *spec = NULL, *dir = NULL;
  const sweep_opt opts[] = {{"-o", "--output", &dir, NULL, 1}, {0}};
  int rc = sweep_args(argc, argv, "plan", usage, opts, &spec, "SPEC and -o DIR");
  if (rc) return rc < 0 ? 0 : rc;
  int noop = 0;
  cs_status st = plan(spec, dir, &noop);
  if (st != CS_OK) {
    cli_fail("sweep plan");
    return cs_exit_code(st);
  }
  return 0;
}
