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
#include "sweep_design.h"
#include "sweep_util.h"
#include "sweep_vary.h"
#include "ytree.h"

enum { MODE_GRID, MODE_ZIP, MODE_RANDOM, MODE_SOBOL, MODE_SALTELLI, MODE_MORRIS };
static const char *const mode_names[] = {"grid", "zip", "random", "sobol", "saltelli", "morris"};

typedef struct {
  const char *spec_name;
  int nvar;
  sweep_var *var;
  long npoints;   /* design points times replicates */
  long ndesign;
  long nrep;
  long seed;
  const char *rep_key;
  int paired;     /* paired_seeds: the same replicate seeds at every design point */
  char **fixed;   /* set: "key=value" overrides of every point */
  int nfixed;
  char **table;   /* ndesign x nvar value texts */
} sweep_plan_t;

static void plan_free(sweep_plan_t *pl) {
  for (int v = 0; v < pl->nvar; v++) sweep_var_free(&pl->var[v]);
  for (int i = 0; i < pl->nfixed; i++) free(pl->fixed[i]);
  free(pl->fixed);
  if (pl->table)
    for (long i = 0; i < pl->ndesign * pl->nvar; i++) free(pl->table[i]);
  free(pl->table);
  free(pl->var);
}

/* The number of design points of the mode (pl->ndesign). */
static cs_status design_size(sweep_plan_t *pl, int mode, long npts, const char *file,
                             const yt_node *where) {
  int nv = pl->nvar;
  if (mode == MODE_GRID) {
    double total = 1;
    for (int v = 0; v < nv; v++) total *= (double)pl->var[v].nvals;
    if (total > 1e7)
      return sweep_at(file, where->line, where->col, ": more than 10^7 grid points", "vary", NULL);
    pl->ndesign = (long)total;
  } else if (mode == MODE_ZIP) {
    pl->ndesign = pl->var[0].nvals;
    for (int v = 1; v < nv; v++)
      if (pl->var[v].nvals != pl->ndesign)
        return sweep_at(file, pl->var[v].line, pl->var[v].col,
                        ": zip mode needs lists of the same length as the first", pl->var[v].key,
                        NULL);
  } else if (mode == MODE_SALTELLI || mode == MODE_MORRIS) {
    if (mode == MODE_SALTELLI && nv > SWEEP_SALTELLI_MAX_K)
      return sweep_at(file, where->line, where->col, ": saltelli mode takes at most 20 keys",
                      "vary", NULL);
    double total = (double)npts * (nv + (mode == MODE_SALTELLI ? 2 : 1));
    if (total > 1e6)
      return sweep_at(file, where->line, where->col,
                      ": more than 10^6 design points (N (k + 2) or r (k + 1))", "vary", NULL);
    pl->ndesign = (long)total;
  } else {
    pl->ndesign = npts;
  }
  return CS_OK;
}

/* Where the unit coordinates of random, sobol, saltelli and morris points come from. */
typedef struct {
  gsl_rng *rng;   /* random */
  gsl_qrng *q;    /* sobol */
  double *matrix; /* saltelli, morris: [ndesign * nvar] */
  double *u;      /* [nvar], the current point's */
} unit_source;

static cs_status units_open(unit_source *us, const sweep_plan_t *pl, int mode, long npts,
                            long levels) {
  int nv = pl->nvar;
  memset(us, 0, sizeof *us);
  us->u = calloc((size_t)nv, sizeof(double));
  if (!us->u) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (mode == MODE_RANDOM) {
    us->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!us->rng) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    gsl_rng_set(us->rng, (unsigned long)pl->seed);
  } else if (mode == MODE_SOBOL) {
    us->q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)nv);
    if (!us->q) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  } else if (mode == MODE_SALTELLI || mode == MODE_MORRIS) {
    us->matrix = malloc((size_t)pl->ndesign * (size_t)nv * sizeof(double));
    if (!us->matrix) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    if (mode == MODE_SALTELLI) return sweep_design_saltelli(nv, npts, us->matrix);
    return sweep_design_morris(nv, npts, (int)levels, (unsigned long)pl->seed, us->matrix);
  }
  return CS_OK;
}

static const double *units_next(unit_source *us, long d, int nv) {
  if (us->rng)
    for (int v = 0; v < nv; v++) us->u[v] = gsl_rng_uniform(us->rng);
  if (us->q) gsl_qrng_get(us->q, us->u);
  return us->matrix ? us->matrix + d * nv : us->u;
}

static void units_close(unit_source *us) {
  if (us->rng) gsl_rng_free(us->rng);
  if (us->q) gsl_qrng_free(us->q);
  free(us->matrix);
  free(us->u);
}

/* Fill pl->table from the variables and the mode. */
static cs_status build_table(sweep_plan_t *pl, int mode, long npts, long levels,
                             const char *file, const yt_node *where) {
  int nv = pl->nvar;
  CS_TRY(design_size(pl, mode, npts, file, where));
  pl->table = calloc((size_t)(pl->ndesign * nv) + 1, sizeof(char *));
  if (!pl->table) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  unit_source us;
  cs_status st = units_open(&us, pl, mode, npts, levels);
  for (long d = 0; d < pl->ndesign && st == CS_OK; d++) {
    const double *u = units_next(&us, d, nv);
    long rest = d;
    for (int v = nv - 1; v >= 0 && st == CS_OK; v--) {
      const sweep_var *var = &pl->var[v];
      char *txt;
      if (mode == MODE_GRID) {
        txt = strdup(var->vals[rest % var->nvals]);
        rest /= var->nvals;
      } else if (mode == MODE_ZIP) {
        txt = strdup(var->vals[d]);
      } else {
        txt = sweep_var_value(var, u[v]);
      }
      if (!txt) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
      pl->table[d * nv + v] = txt;
    }
  }
  units_close(&us);
  return st;
}

/* Replicate seeds: seed + n (distinct over the sweep), or with paired seeds seed + replicate,
   the same seed set at every design point (common random numbers). */
static long point_seed(const sweep_plan_t *pl, long n) {
  return pl->seed + (pl->paired ? n % pl->nrep : n);
}

/* The overrides of point n as key=value strings (into sets[], texts owned by buf). */
static int point_sets(const sweep_plan_t *pl, long n, char **sets, char *buf, size_t size) {
  long d = n / pl->nrep;
  int k = 0;
  size_t used = 0;
  for (int v = -pl->nfixed; v <= pl->nvar; v++) {
    int w;
    if (v < 0)
      w = snprintf(buf + used, size - used, "%s", pl->fixed[pl->nfixed + v]);
    else if (v < pl->nvar)
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

/* DIR/design.txt: what `cisim sweep analyze` needs to rebuild the design (sweep_analyze.h). */
static char *design_text(const sweep_plan_t *pl, int mode, long npts, long levels) {
  size_t len = 512;
  for (int v = 0; v < pl->nvar; v++) len += strlen(pl->var[v].key) + 8;
  char *t = malloc(len);
  if (!t) return NULL;
  int w = snprintf(t, len,
                   "# cisim sweep design (docs/sweeps.md): read by cisim sweep analyze\n"
                   "mode %s\nkeys %d\nn %ld\nlevels %ld\nseed %ld\nreplicates %ld\n",
                   mode_names[mode], pl->nvar, npts, levels, pl->seed, pl->nrep);
  for (int v = 0; v < pl->nvar && w > 0 && (size_t)w < len; v++)
    w += snprintf(t + w, len - (size_t)w, "key %s\n", pl->var[v].key);
  return t;
}

static cs_status write_plan(const sweep_plan_t *pl, const char *dir, const char *spec_text,
                            const char *base_text, const char *design) {
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
      sweep_csv_field(man, sweep_var_label(&pl->var[v], pl->table[(n / pl->nrep) * pl->nvar + v]));
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
  snprintf(path, sizeof path, "%s/design.txt", dir);
  CS_TRY(sweep_write_text(path, design));
  snprintf(path, sizeof path, "%s/spec.yaml", dir); /* last: marks the plan complete */
  return sweep_write_text(path, spec_text);
}

/* ---- the spec ---- */

/* The spec's top-level entries that the plan does not keep in sweep_plan_t. */
typedef struct {
  const yt_node *base, *vary, *points, *traj, *levels_node, *set;
  int mode;
  long npts;   /* random, sobol, saltelli: points; morris: trajectories */
  long ntraj, levels; /* morris */
} plan_spec;

/* A whole number in [lo, hi]; msg says what was expected. */
static cs_status whole_number(const char *spec, const yt_node *x, const char *k, double lo,
                              double hi, const char *msg, double *num) {
  CS_TRY(sweep_scalar_num(spec, x, k, num));
  if (*num < lo || *num > hi || *num != floor(*num))
    return sweep_at(spec, x->line, x->col, msg, k, NULL);
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
    if (x->kind != YT_SCALAR) return sweep_at(spec, x->line, x->col, ": expected a file name", k, NULL);
  } else if (strcmp(k, "vary") == 0) {
    ps->vary = x;
  } else if (strcmp(k, "set") == 0) {
    ps->set = x;
  } else if (strcmp(k, "mode") == 0) {
    const char *m = x->kind == YT_SCALAR ? x->value : "";
    ps->mode = -1;
    for (int j = 0; j <= MODE_MORRIS; j++)
      if (strcmp(m, mode_names[j]) == 0) ps->mode = j;
    if (ps->mode < 0)
      return sweep_at(spec, x->line, x->col,
                      ": expected grid, zip, random, sobol, saltelli or morris, got ", k, m);
  } else if (strcmp(k, "seed") == 0) {
    CS_TRY(whole_number(spec, x, k, 0, 2e9, ": expected a whole number from 0 to 2e9", &num));
    pl->seed = (long)num;
  } else if (strcmp(k, "points") == 0) {
    ps->points = x;
    CS_TRY(whole_number(spec, x, k, 1, 1e7, ": expected a whole number from 1 to 10^7", &num));
    ps->npts = (long)num;
  } else if (strcmp(k, "trajectories") == 0) {
    ps->traj = x;
    CS_TRY(whole_number(spec, x, k, 1, 1e6, ": expected a whole number from 1 to 10^6", &num));
    ps->ntraj = (long)num;
  } else if (strcmp(k, "levels") == 0) {
    ps->levels_node = x;
    CS_TRY(whole_number(spec, x, k, 2, 1000, ": expected an even whole number from 2 to 1000",
                        &num));
    if ((long)num % 2)
      return sweep_at(spec, x->line, x->col, ": expected an even number (Morris 1991)", k, NULL);
    ps->levels = (long)num;
  } else if (strcmp(k, "paired_seeds") == 0) {
    if (x->kind != YT_SCALAR || (strcmp(x->value, "true") && strcmp(x->value, "false")))
      return sweep_at(spec, x->line, x->col, ": expected true or false", k, NULL);
    pl->paired = strcmp(x->value, "true") == 0;
  } else if (strcmp(k, "replicates") == 0) {
    CS_TRY(whole_number(spec, x, k, 1, 1e6, ": expected a whole number >= 1", &num));
    pl->nrep = (long)num;
  } else if (strcmp(k, "replicate_key") == 0) {
    if (x->kind != YT_SCALAR)
      return sweep_at(spec, x->line, x->col, ": expected a parameter key", k, NULL);
    pl->rep_key = x->value;
  } else {
    return sweep_at(spec, root->key_line[i], root->key_col[i],
              ": unknown entry (expected base, set, vary, mode, seed, points, trajectories, "
              "levels, replicates, replicate_key, paired_seeds)",
              k, NULL);
  }
  return CS_OK;
}

/* The spec's entries, and what they need of each other. */
static cs_status parse_spec(const char *spec, const yt_node *root, plan_spec *ps,
                            sweep_plan_t *pl) {
  if (root->kind != YT_MAP)
    return sweep_at(spec, root->line, root->col, ": expected a mapping (base, vary, mode, ...)", "spec",
              NULL);
  for (size_t i = 0; i < root->n; i++) CS_TRY(spec_entry(spec, root, i, ps, pl));
  const yt_node *nvary = ps->vary;
  if (!ps->base) return sweep_at(spec, root->line, root->col, ": missing base: CONFIG", "spec", NULL);
  if (!nvary || nvary->kind != YT_MAP || nvary->n == 0)
    return sweep_at(spec, nvary ? nvary->line : root->line, nvary ? nvary->col : root->col,
              ": expected a mapping of parameter keys to values or ranges", "vary", NULL);
  if (nvary->n > 40)
    return sweep_at(spec, nvary->line, nvary->col, ": at most 40 varied keys", "vary", NULL);
  int m = ps->mode;
  if ((m == MODE_RANDOM || m == MODE_SOBOL || m == MODE_SALTELLI) && !ps->points)
    return sweep_at(spec, root->line, root->col,
                    ": random, sobol and saltelli modes need points: N", "spec", NULL);
  if (m == MODE_MORRIS && (!ps->traj || ps->points))
    return sweep_at(spec, root->line, root->col,
                    ": morris mode needs trajectories: R (and levels: P, default 4; no points)",
                    "spec", NULL);
  const yt_node *misplaced = m != MODE_MORRIS ? (ps->traj ? ps->traj : ps->levels_node) : NULL;
  if (misplaced)
    return sweep_at(spec, misplaced->line, misplaced->col,
                    ": trajectories and levels belong to mode: morris", "spec", NULL);
  if (m == MODE_MORRIS) ps->npts = ps->ntraj;
  if (pl->paired && !pl->rep_key)
    return sweep_at(spec, root->line, root->col,
                    ": paired_seeds needs replicate_key (e.g. protocol.pattern.seed)", "spec",
                    NULL);
  if (pl->nrep > 1 && !pl->rep_key)
    return sweep_at(spec, root->line, root->col,
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
    return sweep_at(spec, nbase->line, nbase->col, ": ", "base", msg);
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
      return sweep_at(spec, rk->line, rk->col,
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
      return sweep_at(spec, v->line, v->col, ": unknown parameter key for the base config's model: ",
                "vary", msg);
    }
    if (pl->rep_key && strcmp(pl->rep_key, v->key) == 0)
      return sweep_at(spec, v->line, v->col, ": the replicate_key may not be varied too: ", "vary",
                v->key);
    v->is_int = pv->desc->type == P_INT;
    CS_TRY(sweep_var_parse(spec, nvary->items[i], mode == MODE_GRID || mode == MODE_ZIP, v));
  }
  return CS_OK;
}

/* set: fixed overrides of every point, keys of the base config's model not varied too. */
static cs_status parse_fixed(const char *spec, const yt_node *x, const params *base,
                             sweep_plan_t *pl) {
  if (x->kind != YT_MAP || x->n > 20)
    return sweep_at(spec, x->line, x->col, ": expected a mapping of at most 20 keys to values",
                    "set", NULL);
  pl->fixed = calloc(x->n + 1, sizeof(char *));
  if (!pl->fixed) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < x->n; i++) {
    const char *key = x->keys[i];
    int varied = pl->rep_key && strcmp(pl->rep_key, key) == 0;
    for (int v = 0; v < pl->nvar; v++) varied |= strcmp(pl->var[v].key, key) == 0;
    if (!params_find(base, key) || varied)
      return sweep_at(spec, x->key_line[i], x->key_col[i],
                      varied ? ": a key of set may not be varied too: "
                             : ": unknown parameter key for the base config's model: ",
                      "set", key);
    char *val = NULL;
    CS_TRY(sweep_value_text(spec, key, x->items[i], &val));
    size_t len = strlen(key) + strlen(val) + 2;
    pl->fixed[i] = malloc(len);
    if (pl->fixed[i]) snprintf(pl->fixed[i], len, "%s=%s", key, val);
    free(val);
    if (!pl->fixed[i]) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
    pl->nfixed = (int)i + 1;
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
    return sweep_at(spec, line, col, ": ", head, msg);
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

/* The commands printed name this very program and its scripts, so they work as printed from
   a build tree as well as from an installed cisim. */
static void print_plan(const sweep_plan_t *pl, const char *dir, int noop) {
  char prog[4096], scripts[4096];
  sweep_program_for_user(prog, sizeof prog);
  sweep_scripts_dir(scripts, sizeof scripts);
  printf("%ld points%s in %s\n", pl->npoints, noop ? " (already planned, nothing written)" : "",
         dir);
  printf("run one point:  %s sweep run %s --task N   (N = 0..%ld)\n", prog, dir,
         pl->npoints - 1);
  printf("run locally:    seq 0 %ld | xargs -P 4 -I{} %s sweep run %s --task {}\n",
         pl->npoints - 1, prog, dir);
  printf("submit (Slurm): %s/slurm/submit.sh %s [sbatch options]   (what is not done yet)\n",
         scripts, dir);
  printf("           (or: sbatch --array=0-%ld %s/slurm/sweep.sbatch %s%s)\n", pl->npoints - 1,
         scripts, dir,
         pl->npoints > 1001 ? "; above Slurm's default MaxArraySize: use submit.sh" : "");
}

/* ---- the plan ---- */

static cs_status plan(const char *spec, const char *dir, int *noop) {
  yt_doc doc = {0};
  sweep_plan_t pl = {.spec_name = spec, .nrep = 1, .seed = 1};
  plan_spec ps = {.mode = MODE_GRID, .levels = 4};
  params base = {0};
  char *base_path = NULL, *base_text = NULL;
  cs_status st = yt_load_file(spec, &doc);
  if (st == CS_OK) st = parse_spec(spec, doc.root, &ps, &pl);
  if (st == CS_OK) st = load_base(spec, ps.base, &base, &base_path, &base_text);
  if (st == CS_OK) st = parse_vars(spec, doc.root, ps.vary, ps.mode, &base, &pl);
  if (st == CS_OK && ps.set) st = parse_fixed(spec, ps.set, &base, &pl);
  if (st == CS_OK) st = build_table(&pl, ps.mode, ps.npts, ps.levels, spec, ps.vary);
  if (st == CS_OK) {
    pl.npoints = pl.ndesign * pl.nrep;
    if (pl.npoints > 10000000)
      st = sweep_at(spec, doc.root->line, doc.root->col, ": more than 10^7 points", "spec", NULL);
  }
  if (st == CS_OK) st = check_points(spec, ps.vary, &pl, base_path);
  if (st == CS_OK) st = check_replan(dir, doc.text, noop);
  char *design = st == CS_OK ? design_text(&pl, ps.mode, ps.npts, ps.levels) : NULL;
  if (st == CS_OK && !design) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK && !*noop) st = write_plan(&pl, dir, doc.text, base_text, design);
  free(design);
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
  int rc = sweep_args(argc, argv, "sweep plan", usage, opts, &spec, "SPEC and -o DIR");
  if (rc) return rc < 0 ? 0 : rc;
  int noop = 0;
  cs_status st = plan(spec, dir, &noop);
  if (st != CS_OK) {
    cli_fail("sweep plan");
    return cs_exit_code(st);
  }
  return 0;
}
