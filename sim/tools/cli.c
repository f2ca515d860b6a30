#define _POSIX_C_SOURCE 200809L /* sigaction, mkstemp, fdopen */

#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <unistd.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "hdf5out.h"
#include "model.h"
#include "outcome.h"
#include "params.h"
#include "params_load.h"
#include "protocol.h"
#include "sim.h"

int cli_fail(const char *what) {
  (void)what;
  fprintf(stderr, "cisim: %s\n", cs_error_message());
  if (getenv("CISIM_DEBUG")) fprintf(stderr, "cisim: (raised at %s)\n", cs_error_origin());
  return 0;
}

static int usage_error(const char *usage, const char *fmt, const char *arg) {
  fprintf(stderr, "cisim: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", usage);
  return 2;
}

/* cisim run --resume: CONFIG may be left out (the checkpoint holds the configuration). */
static int config_optional;

int cli_parse(int argc, char **argv, const char *usage, int allow_run_opts, cli_opts *o) {
  memset(o, 0, sizeof *o);
  o->sets = calloc((size_t)argc + 1, sizeof(char *));
  if (!o->sets) return 2;
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(usage, stdout);
      return -1;
    } else if (strcmp(arg, "--set") == 0 || strcmp(arg, "-s") == 0) {
      if (a + 1 >= argc) return usage_error(usage, "%s needs key.path=value", arg);
      o->sets[o->nsets++] = argv[++a];
    } else if (strncmp(arg, "--set=", 6) == 0) {
      o->sets[o->nsets++] = arg + 6;
    } else if (strcmp(arg, "--threads") == 0 || strcmp(arg, "-j") == 0) {
      if (a + 1 >= argc) return usage_error(usage, "%s needs a number", arg);
      char *end;
      errno = 0;
      long n = strtol(argv[++a], &end, 10);
      if (errno || *end || n < 1 || n > 4096)
        return usage_error(usage, "--threads: expected a whole number from 1 to 4096, got '%s'",
                           argv[a]);
      o->threads = (int)n;
    } else if (allow_run_opts && (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0)) {
      if (a + 1 >= argc) return usage_error(usage, "%s needs a file name", arg);
      o->out = argv[++a];
    } else if (allow_run_opts && strcmp(arg, "--force") == 0) {
      o->force = 1;
    } else if (allow_run_opts && (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0)) {
      o->quiet = 1;
    } else if (arg[0] == '-' && arg[1] != '\0') {
      return usage_error(usage, "unknown option '%s'", arg);
    } else if (!o->config) {
      o->config = arg;
    } else {
      return usage_error(usage, "unexpected argument '%s'", arg);
    }
  }
  if (!o->config && !config_optional) return usage_error(usage, "%s", "missing CONFIG (a YAML file)");
  if (o->threads == 0) o->threads = omp_get_max_threads();
  return 0;
}

void cli_free(cli_opts *o) { free(o->sets); }

static void set_model_names(void) {
  int n;
  const model *const *ms = model_list(&n);
  static const char *names[32];
  for (int i = 0; i < n && i < 32; i++) names[i] = ms[i]->name;
  params_set_model_names(names, n < 32 ? n : 32);
}

static int load(const cli_opts *o, params *p) {
  set_model_names();
  cs_status st = params_load(p, o->config, o->sets, o->nsets, model_registry_lookup);
  if (st != CS_OK) {
    cli_fail("config");
    return cs_exit_code(st);
  }
  return 0;
}

static const char run_usage[] =
    "usage: cisim run CONFIG [-o OUT.h5] [--set key.path=value]... [--threads N] [--force]\n"
    "                        [--quiet] [--max-walltime T]\n"
    "       cisim run --resume RUN.h5 [CONFIG] [--set key.path=value]... [--allow-change]\n"
    "                        [--threads N] [--quiet] [--max-walltime T]\n"
    "\n"
    "Runs the simulation CONFIG describes and writes an HDF5 run file (default: output.file).\n"
    "  -o, --output FILE     run file to write (refuses to replace an existing one)\n"
    "  -s, --set KEY=VALUE   override a parameter (YAML value syntax; repeatable)\n"
    "  -j, --threads N       OpenMP threads (default: OMP_NUM_THREADS or all cores);\n"
    "                        results are bitwise identical for any N\n"
    "      --force           replace an existing run file\n"
    "  -q, --quiet           no progress output\n"
    "      --max-walltime T  stop cleanly with a checkpoint after T of wall-clock time\n"
    "                        (seconds, MM:SS or HH:MM:SS), before a batch queue's limit\n"
    "      --resume RUN.h5   continue RUN.h5 from its checkpoint RUN.h5.ckpt, appending to it;\n"
    "                        the result is bitwise identical to an uninterrupted run. With\n"
    "                        CONFIG or --set, the configuration must equal the checkpoint's\n"
    "      --allow-change    with --resume: accept a later time.end_day\n"
    "Checkpoints (RUN.h5.ckpt, written atomically) are taken every checkpoint.every_day of\n"
    "simulated time, every checkpoint.every_minutes of wall-clock time, on SIGUSR1 (the run\n"
    "goes on), on SIGUSR2 (the run stops) and on SIGTERM or SIGINT (the run stops; a second\n"
    "SIGTERM or SIGINT kills it at once).\n"
    "exit status: 0 success, 1 run failure, 2 bad usage or configuration, 3 stopped early\n"
    "(signal, --max-walltime) with a checkpoint: continue with --resume\n";

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Live progress. On a terminal: one line on stderr redrawn in place, at most 4 times a
   second. Otherwise (a batch job's log): a plain line every 10 % of the simulated time or
   every 5 minutes, whichever comes first. */
typedef struct {
  int enabled, tty, drawn;
  double t0, t_start, last_draw, last_log, next_pct;
  long steps0;
} live_progress;

static void clock_text(double s, char *buf, size_t n) {
  long v = (long)(s + 0.5);
  if (v >= 3600)
    snprintf(buf, n, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
  else
    snprintf(buf, n, "%ld:%02ld", v / 60, v % 60);
}

static void live_progress_tick(live_progress *lp, const sim *s, int final) {
  if (!lp->enabled) return;
  double now = now_s(), end = s->opt.end_day;
  double pct = end > 0 ? 100 * s->t / end : 100;
  if (!final && pct >= 100) return; /* the final line says it */
  if (lp->tty) {
    if (!final && now - lp->last_draw < 0.25) return;
  } else if (!final && pct < lp->next_pct && now - lp->last_log < 300) {
    return;
  }
  double el = now - lp->t0, done = s->t - lp->t_start;
  double rate = el > 0 ? (double)(s->nsteps - lp->steps0) / el : 0;
  char e[32], r[32] = "?";
  clock_text(el, e, sizeof e);
  if (done > 0 && !final) clock_text(el * (end - s->t) / done, r, sizeof r);
  fprintf(stderr, "%scisim: day %.4g / %g (%.1f %%), dt %.3g day, %.0f steps/s, elapsed %s%s%s%s",
          lp->tty ? "\r\033[K" : "", s->t, end, pct, s->dt_prev, rate, e,
          final ? "" : ", left ~", final ? "" : r, lp->tty && !final ? "" : "\n");
  lp->drawn = lp->tty && !final;
  lp->last_draw = lp->last_log = now;
  while (lp->next_pct <= pct) lp->next_pct += 10;
}

/* Before another message: end the live line so the message starts on its own line. */
static void live_progress_break(live_progress *lp) {
  if (lp->drawn) fputc('\n', stderr);
  lp->drawn = 0;
}

static char *join_args(int argc, char **argv) {
  size_t len = 16;
  for (int a = 0; a < argc; a++) len += strlen(argv[a]) + 1;
  char *s = malloc(len);
  if (!s) return NULL;
  strcpy(s, "cisim");
  for (int a = 0; a < argc; a++) {
    strcat(s, " ");
    strcat(s, argv[a]);
  }
  return s;
}

/* ---- checkpoints, signals, stopping ---- */

/* Separate flags, so that a SIGUSR1 arriving after a stop request cannot cancel it. */
static volatile sig_atomic_t pending_stop, pending_ckpt;

static void on_signal(int sig) {
  if (sig == SIGUSR1)
    pending_ckpt = 1;
  else
    pending_stop = sig;
}

static void install_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  /* SIGUSR2 stops like SIGTERM but never kills: `cisim sweep run` forwards a stop request as
     SIGUSR2, and the run may get the batch system's SIGTERM as well; the two must not add up
     to "a second signal". */
  sigaction(SIGUSR2, &sa, NULL);
  /* The second SIGTERM or SIGINT kills at once: the checkpoint on disk is always whole. */
  sa.sa_flags = SA_RESTART | SA_RESETHAND;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* `cisim sweep run` starts us with these blocked, so that a stop request arriving before
     this point waits for the handlers instead of killing the process. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void restore_signals(void) {
  signal(SIGUSR1, SIG_DFL);
  signal(SIGUSR2, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
}

typedef struct {
  const char *ckpt_path;
  hdf5out *out;
  char *yaml;              /* resolved configuration recorded in every checkpoint */
  double every_day, next_day;
  double every_s, last_wall;
  double max_wall, t0;
  long stop_after_steps;   /* hidden test option: stop once nsteps reaches it */
  int quiet, ncheckpoints;
  char stop_reason[64];
  live_progress lp;
} run_ctl;

static cs_status take_checkpoint(sim *s, run_ctl *c, const char *why) {
  CS_TRY(hdf5out_sync(c->out));
  CS_TRY(checkpoint_write(c->ckpt_path, s, hdf5out_nsnap(c->out), c->yaml,
                          hdf5out_created(c->out)));
  c->ncheckpoints++;
  c->last_wall = now_s();
  if (!c->quiet) {
    live_progress_break(&c->lp);
    fprintf(stderr, "cisim: checkpoint at t = %.9g day (%s) -> %s\n", s->t, why, c->ckpt_path);
  }
  return CS_OK;
}

static cs_status run_hook(sim *s, int after_snapshot, void *vctx) {
  (void)after_snapshot;
  run_ctl *c = vctx;
  live_progress_tick(&c->lp, s, 0);
  const char *why = NULL;
  int stop = 0;
  double now = now_s();
  int sig = pending_stop;
  if (sig) {
    pending_stop = 0;
    pending_ckpt = 0;
    why = sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "SIGUSR2";
    stop = 1;
  } else if (pending_ckpt) {
    pending_ckpt = 0;
    why = "SIGUSR1";
  }
  if (c->max_wall > 0 && now - c->t0 >= c->max_wall) {
    why = "--max-walltime";
    stop = 1;
  }
  if (c->stop_after_steps > 0 && s->nsteps >= c->stop_after_steps) {
    why = "--stop-after-steps";
    stop = 1;
  }
  if (c->every_day > 0 && s->t >= c->next_day) {
    c->next_day = (floor(s->t / c->every_day) + 1) * c->every_day;
    if (!why) why = "checkpoint.every_day";
  }
  if (c->every_s > 0 && now - c->last_wall >= c->every_s && !why) why = "checkpoint.every_minutes";
  if (!why) return CS_OK;
  CS_TRY(take_checkpoint(s, c, why));
  if (stop) {
    s->stop = 1;
    snprintf(c->stop_reason, sizeof c->stop_reason, "%s", why);
  }
  return CS_OK;
}

/* SECONDS, MM:SS or HH:MM:SS; negative if malformed. */
static double parse_walltime(const char *a) {
  double parts[3];
  int n = 0;
  const char *p = a;
  while (n < 3) {
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (errno || end == p || !(v >= 0) || !isfinite(v)) return -1;
    parts[n++] = v;
    if (*end == '\0') break;
    if (*end != ':') return -1;
    p = end + 1;
  }
  if (*p && strchr(p, ':')) return -1;
  double t = 0;
  for (int i = 0; i < n; i++) t = 60 * t + parts[i];
  return n > 1 && (parts[n - 1] >= 60 || (n == 3 && parts[1] >= 60)) ? -1 : t;
}

/* ---- resuming: the configuration the checkpoint holds vs the one given now ---- */

static void value_text(const param_value *pv, char *buf, size_t len) {
  if (!pv) {
    snprintf(buf, len, "(absent)");
    return;
  }
  switch (pv->desc->type) {
    case P_ENUM:
    case P_STRING: snprintf(buf, len, "%s", pv->s ? pv->s : ""); return;
    default: break;
  }
  int list = pv->desc->type == P_REALS || pv->desc->per_layer || pv->n != 1;
  size_t used = 0;
  used += (size_t)snprintf(buf, len, "%s", list ? "[" : "");
  for (int i = 0; i < pv->n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%.10g", i ? ", " : "", pv->v[i]);
  if (list && used < len) snprintf(buf + used, len - used, "]");
}

static int value_equal(const param_value *a, const param_value *b) {
  if (!a || !b) return a == b;
  if (a->desc->type == P_ENUM || a->desc->type == P_STRING)
    return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
  if (a->n != b->n) return 0;
  for (int i = 0; i < a->n; i++)
    if (!(a->v[i] == b->v[i])) return 0;
  return 1;
}

/* Keys that do not change the simulated result. */
static int harmless_key(const char *k) {
  return strcmp(k, "output.file") == 0 || strcmp(k, "output.summary_days") == 0 ||
         strncmp(k, "checkpoint.", 11) == 0;
}

/* 0: same (up to harmless keys); 1: only allowed changes (listed in change); 2: refused
   (the differences listed in change). */
static int compare_configs(const params *old, const params *now, double t_ckpt, char *change,
                           size_t len, char *refused, size_t rlen) {
  change[0] = refused[0] = '\0';
  size_t cu = 0, ru = 0;
  int verdict = 0;
  if (strcmp(old->model_name, now->model_name) != 0) {
    snprintf(refused, rlen, "model: %s -> %s", old->model_name, now->model_name);
    return 2;
  }
  if (old->nlayers != now->nlayers) {
    ru += (size_t)snprintf(refused + ru, rlen - ru, "layers: %d -> %d layers", old->nlayers,
                           now->nlayers);
    verdict = 2;
  } else {
    for (int l = 0; l < old->nlayers && ru < rlen; l++)
      if (strcmp(old->layers[l].name, now->layers[l].name) != 0 ||
          old->layers[l].thickness_um != now->layers[l].thickness_um) {
        ru += (size_t)snprintf(refused + ru, rlen - ru, "%slayers[%d]: %s %g µm -> %s %g µm",
                               ru ? "; " : "", l, old->layers[l].name,
                               old->layers[l].thickness_um, now->layers[l].name,
                               now->layers[l].thickness_um);
        verdict = 2;
      }
  }
  for (size_t i = 0; i < now->nvals; i++) {
    const param_value *b = &now->vals[i];
    if (!b->desc || !b->desc->key || harmless_key(b->desc->key)) continue;
    const param_value *a = params_find(old, b->desc->key);
    if (value_equal(a, b)) continue;
    char va[256], vb[256];
    value_text(a, va, sizeof va);
    value_text(b, vb, sizeof vb);
    if (strcmp(b->desc->key, "time.end_day") == 0 && b->v[0] > t_ckpt) {
      if (cu < len)
        cu += (size_t)snprintf(change + cu, len - cu, "%s%s: %s -> %s", cu ? "; " : "",
                               b->desc->key, va, vb);
      if (verdict < 1) verdict = 1;
    } else {
      if (ru < rlen)
        ru += (size_t)snprintf(refused + ru, rlen - ru, "%s%s: %s -> %s", ru ? "; " : "",
                               b->desc->key, va, vb);
      verdict = 2;
    }
  }
  return verdict;
}

/* The checkpoint's configuration as a file params_load can read (caller unlinks, frees). */
static char *yaml_to_temp(const char *yaml) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !dir[0]) dir = "/tmp";
  size_t n = strlen(dir) + 64;
  char *path = malloc(n);
  if (!path) return NULL;
  snprintf(path, n, "%s/cisim-checkpoint-config-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) {
    free(path);
    return NULL;
  }
  FILE *f = fdopen(fd, "w");
  int ok = f && fputs(yaml, f) >= 0;
  if (f) ok = fclose(f) == 0 && ok;
  else close(fd);
  if (!ok) {
    unlink(path);
    free(path);
    return NULL;
  }
  return path;
}

/* Pull the run-only options out of argv (cli_parse knows the shared ones). 0, or 2 after a
   usage error. */
typedef struct {
  const char *resume;
  int allow_change;
  double max_wall;
  long stop_after_steps;
} run_extra;

static int take_run_options(int *argc, char **argv, run_extra *x) {
  int w = 1;
  memset(x, 0, sizeof *x);
  for (int a = 1; a < *argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--resume") == 0) {
      if (a + 1 >= *argc) return usage_error(run_usage, "%s needs the run file", arg);
      x->resume = argv[++a];
    } else if (strcmp(arg, "--allow-change") == 0) {
      x->allow_change = 1;
    } else if (strcmp(arg, "--max-walltime") == 0) {
      if (a + 1 >= *argc) return usage_error(run_usage, "%s needs a time", arg);
      x->max_wall = parse_walltime(argv[++a]);
      if (!(x->max_wall > 0))
        return usage_error(run_usage,
                           "--max-walltime: expected seconds, MM:SS or HH:MM:SS above 0, got '%s'",
                           argv[a]);
    } else if (strcmp(arg, "--stop-after-steps") == 0) { /* for tests (docs/checkpoint.md) */
      if (a + 1 >= *argc) return usage_error(run_usage, "%s needs a number", arg);
      char *end;
      errno = 0;
      x->stop_after_steps = strtol(argv[++a], &end, 10);
      if (errno || *end || x->stop_after_steps < 1)
        return usage_error(run_usage, "--stop-after-steps: expected a whole number >= 1, got '%s'",
                           argv[a]);
    } else if (strcmp(arg, "--set") == 0 || strcmp(arg, "-s") == 0 || strcmp(arg, "-o") == 0 ||
               strcmp(arg, "--output") == 0 || strcmp(arg, "--threads") == 0 ||
               strcmp(arg, "-j") == 0) {
      argv[w++] = argv[a];
      if (a + 1 < *argc) argv[w++] = argv[++a];
    } else {
      argv[w++] = argv[a];
    }
  }
  *argc = w;
  argv[w] = NULL;
  return 0;
}

static cs_status make_series(sim *s, series_desc **sd, char (**names)[3][128], int *nser) {
  *nser = sim_series_count(s);
  *sd = calloc((size_t)(*nser > 0 ? *nser : 1), sizeof **sd);
  *names = calloc((size_t)(*nser > 0 ? *nser : 1), sizeof **names);
  if (!*sd || !*names) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int q = 0; q < *nser; q++) {
    sim_series_describe(s, q, (*names)[q][0], 128, (*names)[q][1], 128, (*names)[q][2], 128);
    (*sd)[q] = (series_desc){(*names)[q][0], (*names)[q][1], (*names)[q][2]};
  }
  return CS_OK;
}

int cli_run(int argc, char **argv) {
  /* From the start: a stop request during set-up takes effect at the first step. */
  install_signals();
  run_extra x;
  char **args = calloc((size_t)argc + 1, sizeof *args);
  if (!args) return 1;
  memcpy(args, argv, sizeof *args * (size_t)argc);
  int nargs = argc;
  int rc = take_run_options(&nargs, args, &x);
  if (rc) {
    free(args);
    return rc;
  }
  cli_opts o;
  config_optional = x.resume != NULL;
  rc = cli_parse(nargs, args, run_usage, 1, &o);
  config_optional = 0;
  if (rc) {
    cli_free(&o);
    free(args);
    return rc < 0 ? 0 : rc;
  }
  if (x.resume && (o.out || o.force)) {
    cli_free(&o);
    free(args);
    return usage_error(run_usage, "%s", "--resume appends to the run file it names: no -o or --force");
  }
  if (x.allow_change && !x.resume) {
    cli_free(&o);
    free(args);
    return usage_error(run_usage, "%s", "--allow-change goes with --resume");
  }

  /* Resuming: the checkpoint's configuration, and the one given now (if any). */
  checkpoint_header hdr = {0};
  char *ckpt_path = NULL, *tmp_yaml = NULL, change[2048] = "";
  params p_old = {0};
  int have_old = 0;
  cs_status st = CS_OK;
  if (x.resume) {
    ckpt_path = checkpoint_path_for(x.resume);
    if (!ckpt_path) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    if (st == CS_OK) st = checkpoint_read_header(ckpt_path, &hdr);
    if (st == CS_OK && !(tmp_yaml = yaml_to_temp(hdr.yaml)))
      st = CS_ERROR(CS_ERR_IO, "cannot write a temporary file for %s's configuration: %s",
                    ckpt_path, strerror(errno));
    if (st == CS_OK) {
      set_model_names();
      st = params_load(&p_old, tmp_yaml, NULL, 0, model_registry_lookup);
      have_old = st == CS_OK;
    }
    if (st == CS_OK && !o.config) o.config = tmp_yaml;
    if (st != CS_OK) {
      cli_fail("resume");
      if (tmp_yaml) unlink(tmp_yaml);
      free(tmp_yaml);
      free(ckpt_path);
      checkpoint_header_free(&hdr);
      if (have_old) params_free(&p_old);
      cli_free(&o);
      free(args);
      return cs_exit_code(st);
    }
  }
  params p;
  rc = load(&o, &p);
  if (!rc && x.resume) {
    char refused[2048];
    int v = compare_configs(&p_old, &p, hdr.t, change, sizeof change, refused, sizeof refused);
    if (v == 2) {
      fprintf(stderr,
              "cisim: %s: the configuration differs from the checkpoint's (%s), which would not "
              "continue the same run: %s\n",
              x.resume, ckpt_path, refused);
      rc = 2;
    } else if (v == 1 && !x.allow_change) {
      fprintf(stderr,
              "cisim: %s: the configuration differs from the checkpoint's: %s; this change is "
              "safe: add --allow-change to accept it\n",
              x.resume, change);
      rc = 2;
    }
    if (rc) params_free(&p);
  }
  if (have_old) params_free(&p_old);
  if (tmp_yaml) unlink(tmp_yaml);
  free(tmp_yaml);
  if (rc) {
    checkpoint_header_free(&hdr);
    free(ckpt_path);
    cli_free(&o);
    free(args);
    return rc;
  }
  const char *out_path = x.resume ? x.resume : o.out ? o.out : params_str(&p, "output.file");
  if (!ckpt_path) ckpt_path = checkpoint_path_for(out_path);
  sim s;
  hdf5out *out = NULL;
  char *cmdline = join_args(argc, argv);
  double t0 = now_s();
  run_ctl ctl = {.ckpt_path = ckpt_path, .quiet = o.quiet, .t0 = t0, .last_wall = t0,
                 .max_wall = x.max_wall, .stop_after_steps = x.stop_after_steps};
  ctl.every_day = params_real(&p, "checkpoint.every_day");
  ctl.every_s = 60 * params_real(&p, "checkpoint.every_minutes");
  ctl.yaml = params_to_yaml(&p);
  if (!ckpt_path || !ctl.yaml) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) st = sim_create(&s, &p, o.threads);
  else memset(&s, 0, sizeof s);
  if (st == CS_OK) {
    series_desc *sd = NULL;
    char(*names)[3][128] = NULL;
    int nser = 0;
    st = make_series(&s, &sd, &names, &nser);
    if (st == CS_OK && x.resume) {
      st = hdf5out_open_append(&out, out_path, s.g, s.m, sd, nser, hdr.nsnap);
      if (st == CS_OK && strcmp(hdf5out_created(out), hdr.run_created) != 0)
        st = CS_ERROR(CS_ERR_INPUT,
                      "%s: the checkpoint %s belongs to another run (made %s; this file %s)",
                      out_path, ckpt_path, hdr.run_created, hdf5out_created(out));
      if (st == CS_OK) st = checkpoint_restore(ckpt_path, &s);
      if (st == CS_OK && change[0]) st = hdf5out_replace_parameters(out, &p, change);
    } else if (st == CS_OK) {
      hdf5out_options ho = {
          .path = out_path,
          .force = o.force,
          .single_precision = strcmp(params_str(&p, "output.precision"), "single") == 0,
          .deflate = (int)params_int(&p, "output.compression"),
          .command_line = cmdline ? cmdline : "cisim run",
          .threads = o.threads,
      };
      st = hdf5out_create(&out, &ho, s.g, s.m, &p, sd, nser);
      if (st == CS_OK) { /* a checkpoint left by an earlier run of this name is not ours */
        unlink(ckpt_path);
        size_t n = strlen(ckpt_path) + 8;
        char *tmp = malloc(n);
        if (tmp) {
          snprintf(tmp, n, "%s.tmp", ckpt_path);
          unlink(tmp);
          free(tmp);
        }
      }
      if (st == CS_OK && s.treat)
        st = hdf5out_write_punctures(out, protocol_of(s.treat), s.g, o.threads);
    }
    free(sd);
    free(names);
  }
  if (st == CS_OK) {
    if (!o.quiet) {
      if (x.resume)
        fprintf(stderr, "cisim: resuming %s at t = %.9g day (%ld steps, %ld snapshots)%s%s\n",
                out_path, s.t, s.nsteps, hdf5out_nsnap(out), change[0] ? "; changed: " : "",
                change);
      else
        fprintf(stderr, "cisim: %s, model %s, %d×%d×%d cells, %d species, %d thread%s -> %s\n",
                o.config, s.m->name, s.g->nx, s.g->ny, s.g->nz, s.m->nspecies, o.threads,
                o.threads == 1 ? "" : "s", out_path);
    }
    ctl.out = out;
    ctl.next_day = ctl.every_day > 0 ? (floor(s.t / ctl.every_day) + 1) * ctl.every_day : 0;
    s.hook = run_hook;
    s.hook_ctx = &ctl;
    ctl.lp = (live_progress){.enabled = !o.quiet, .tty = isatty(STDERR_FILENO), .t0 = now_s(),
                             .t_start = s.t, .steps0 = s.nsteps, .next_pct = 10};
    ctl.lp.last_log = ctl.lp.t0;
    sim_output sink = hdf5out_output(out);
    st = x.resume ? sim_run_resume(&s, &sink, NULL, NULL) : sim_run(&s, &sink, NULL, NULL);
    if (st == CS_OK) live_progress_tick(&ctl.lp, &s, 1);
    live_progress_break(&ctl.lp);
    restore_signals();
    char status[1200];
    if (st != CS_OK)
      snprintf(status, sizeof status, "failed: %s", cs_error_message());
    else if (s.stopped)
      snprintf(status, sizeof status, "stopped (%s) at day %.9g; checkpoint %s", ctl.stop_reason,
               s.t, ckpt_path);
    else
      snprintf(status, sizeof status, "finished");
    if (st != CS_OK) {
      char msg[1024];
      cs_status keep = st;
      snprintf(msg, sizeof msg, "%s", cs_error_message());
      hdf5out_set_status(out, status); /* best effort: the disk may be full */
      hdf5out_close(out, 0);
      st = CS_ERROR(keep, "%s", msg);
    } else {
      double io = hdf5out_io_seconds(out);
      cs_status sst = hdf5out_set_status(out, status);
      cs_status cst = hdf5out_close(out, !s.stopped);
      st = sst != CS_OK ? sst : cst;
      double wall = now_s() - t0;
      if (st == CS_OK && s.stopped) {
        if (!o.quiet)
          fprintf(stderr,
                  "cisim: stopped at t = %.9g day (%s) after %.2f s; continue with: cisim run "
                  "--resume %s\n",
                  s.t, ctl.stop_reason, wall, out_path);
      } else if (st == CS_OK) {
        unlink(ckpt_path); /* the run file is complete; nothing to resume */
        if (!o.quiet)
          fprintf(stderr,
                  "cisim: done: %ld steps (%ld rejected), %ld reaction substeps, %.2f s "
                  "(output %.2f s, %.1f %%) -> %s\n",
                  s.nsteps, s.nrejected, s.nsubsteps, wall, io, wall > 0 ? 100 * io / wall : 0.0,
                  out_path);
        int nd;
        const double *days = params_reals(&p, "output.summary_days", &nd);
        outcome_print(s.oc, s.treat, stdout, days, nd); /* models that report outcomes, on stdout */
      }
    }
  } else if (out) {
    hdf5out_close(out, 0);
  }
  if (st != CS_OK) cli_fail("run");
  rc = st != CS_OK ? cs_exit_code(st) : s.stopped ? 3 : 0;
  sim_free(&s);
  free(cmdline);
  free(ctl.yaml);
  free(ckpt_path);
  checkpoint_header_free(&hdr);
  params_free(&p);
  cli_free(&o);
  free(args);
  return rc;
}

static const char check_usage[] =
    "usage: cisim check CONFIG [--set key.path=value]... [--threads N]\n"
    "\n"
    "Validates CONFIG and prints every resolved parameter with its unit (and where it came\n"
    "from), the grid, and the memory a run needs. Writes nothing.\n"
    "exit status: 0 valid, 2 invalid\n";

int cli_check(int argc, char **argv) {
  cli_opts o;
  int rc = cli_parse(argc, argv, check_usage, 0, &o);
  if (rc) {
    cli_free(&o);
    return rc < 0 ? 0 : rc;
  }
  params p;
  if ((rc = load(&o, &p))) {
    cli_free(&o);
    return rc;
  }
  grid g;
  void *inst = NULL;
  const model *m = model_find(p.model_name);
  cs_status st = grid_init(&g, &p);
  if (st == CS_OK) {
    st = m->create(&p, &g, &inst);
    if (st != CS_OK) grid_free(&g);
  }
  if (st != CS_OK) {
    cli_fail("check");
  } else {
    printf("# %s: valid\n", o.config);
    params_print_values(stdout, &p);
    printf("\n# grid: %dD, %d × %d × %d = %zu cells of %g µm; layers:", g.dims, g.nx, g.ny, g.nz,
           g.ncell, g.h);
    for (int l = 0; l < g.nlayers; l++)
      printf(" %s %g–%g µm%s", g.layers[l].name, g.layer_top[l],
             g.layer_top[l] + g.layers[l].thickness_um, l + 1 < g.nlayers ? "," : "\n");
    /* state, step start, previous change per species; a source map; per-thread line
       scratch (6 arrays of a block of up to 256 lines of the longest direction) */
    int longest = g.nx > g.nz ? g.nx : g.nz;
    if (g.ny > longest) longest = g.ny;
    int wmax = g.nx < 256 ? g.nx : 256;
    /* after_transport keeps two more copies of the state for its error estimate */
    int copies = 3 + (strcmp(params_str(&p, "time.error_estimate"), "after_transport") == 0 ? 2 : 0);
    double bytes = 8.0 * (double)g.ncell * (copies * m->nspecies + (m->cell_source ? 1 : 0)) +
                   o.threads * 6.0 * 8 * longest * (wmax > 8 ? wmax : 8);
    printf("# species: %d; memory: %.1f MiB (%.1f bytes per cell·species) on %d thread%s\n",
           m->nspecies, bytes / (1 << 20), bytes / ((double)g.ncell * m->nspecies), o.threads,
           o.threads == 1 ? "" : "s");
    const protocol *pr = m->treatment ? protocol_of(m->treatment(inst)) : NULL;
    int nsess = pr ? pr->nsessions : 0;
    if (pr)
      printf("# treatment: %d session%s, %d punctures in the domain\n", nsess,
             nsess == 1 ? "" : "s", pr->npunctures);
    /* A rough guess, calibrated on the 2-core development machine (docs/performance.md):
       about 32 ns per cell·species·step on one thread (two reaction half steps, transport,
       step control), end_day/dt_max quiet steps plus ~700 steps after each session. */
    double steps = params_real(&p, "time.end_day") / params_real(&p, "time.dt_max_day") + 700.0 * nsess;
    double secs = steps * (double)g.ncell * m->nspecies * 32e-9 / o.threads;
    printf("# rough run time: %.0f s on %d thread%s (about %.0f steps; within a factor of 3)\n",
           secs < 1 ? 1 : secs, o.threads, o.threads == 1 ? "" : "s", steps);
    m->destroy(inst);
    grid_free(&g);
  }
  params_free(&p);
  cli_free(&o);
  return cs_exit_code(st);
}

static const char params_usage[] =
    "usage: cisim params [MODEL] [--markdown]\n"
    "\n"
    "Lists every parameter: key, type, unit, default, allowed range, description. Without\n"
    "MODEL: the engine's parameters and every model's. --markdown writes the Markdown\n"
    "reference that docs/parameters.md holds.\n";

static void print_registry(int markdown, const param_desc *reg, const char *title) {
  if (markdown)
    params_print_markdown(stdout, reg, title);
  else
    params_print_registry(stdout, reg, title);
}

int cli_params(int argc, char **argv) {
  int markdown = 0;
  const char *name = NULL;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
      fputs(params_usage, stdout);
      return 0;
    } else if (strcmp(argv[a], "--markdown") == 0) {
      markdown = 1;
    } else if (argv[a][0] == '-' || name) {
      fprintf(stderr, "cisim: params: unexpected argument '%s'\n%s", argv[a], params_usage);
      return 2;
    } else {
      name = argv[a];
    }
  }
  int n;
  const model *const *ms = model_list(&n);
  if (name) {
    const model *m = model_find(name);
    if (!m) {
      fprintf(stderr, "cisim: params: unknown model '%s'; models:", name);
      for (int i = 0; i < n; i++) fprintf(stderr, " %s", ms[i]->name);
      fprintf(stderr, "\n");
      return 2;
    }
    print_registry(markdown, m->params, m->name);
    return 0;
  }
  if (markdown)
    printf("# Parameter reference\n\nGenerated by `cisim params --markdown` from the parameter "
           "registry; a test fails when this file and the registry disagree. Per-layer "
           "parameters take one value or a mapping `{layer_name: value}`.\n\n");
  print_registry(markdown, params_engine_registry, "engine");
  for (int i = 0; i < n; i++) {
    if (!markdown) printf("\n");
    print_registry(markdown, ms[i]->params, ms[i]->name);
  }
  return 0;
}

int cli_models(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs("usage: cisim models\n\nLists the models with their species and units.\n", stdout);
    return 0;
  }
  int n;
  const model *const *ms = model_list(&n);
  for (int i = 0; i < n; i++) {
    printf("%-14s %s\n", ms[i]->name, ms[i]->summary);
    for (int s = 0; s < ms[i]->nspecies; s++) {
      const species_info *si = &ms[i]->species[s];
      printf("%-14s   %-12s %-14s %s", "", si->name, si->unit, si->long_name);
      if (si->chemo_attractant >= 0)
        printf(" (climbs the gradient of %s)", ms[i]->species[si->chemo_attractant].name);
      printf("\n");
    }
  }
  return 0;
}
