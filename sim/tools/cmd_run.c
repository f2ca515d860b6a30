/* cmd_run: `cisim run` — a new run, or the continuation of one from its checkpoint — as
 * named steps: options, configuration, set-up (the resume path verifies the checkpoint and
 * the run file before it opens anything for writing), the run itself, and the end. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "cli.h"
#include "commands.h"
#include "hdf5out.h"
#include "depth_forcing.h"
#include "initial_from.h"
#include "input_warn.h"
#include "model.h"
#include "outcome.h"
#include "outcome_print.h"
#include "params.h"
#include "params_load.h"
#include "protocol.h"
#include "resume_check.h"
#include "run_control.h"
#include "run_progress.h"
#include "run_resume.h"
#include "sim.h"

static const char run_usage[] =
    "usage: cisim run CONFIG [-o OUT.h5] [--set key.path=value]... [--threads N] [--force]\n"
    "                        [--quiet] [--max-walltime T] [--strict]\n"
    "       cisim run --resume RUN.h5 [CONFIG] [--set key.path=value]... [--allow-change]\n"
    "                        [--threads N] [--quiet] [--max-walltime T]\n"
    "\n"
    "Runs the simulation CONFIG describes and writes an HDF5 run file (default: output.file).\n"
    "  -o, --output FILE     run file to write (refuses to replace an existing one)\n"
    "  -s, --set KEY=VALUE   override a parameter (YAML value syntax; repeatable)\n"
    "  -j, --threads N       OpenMP threads (default: OMP_NUM_THREADS or all cores);\n"
    "                        results are bitwise identical for any N\n"
    "      --force           replace an existing run file\n"
    "      --strict          stop (exit 2, nothing written) on a warning about the input:\n"
    "                        channels shallower than a cell or ending in the epidermis,\n"
    "                        sessions or summary days after time.end_day (cisim check)\n"
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
      if (a + 1 >= *argc) return cli_usage_error(run_usage, "%s needs the run file", arg);
      x->resume = argv[++a];
    } else if (strcmp(arg, "--allow-change") == 0) {
      x->allow_change = 1;
    } else if (strcmp(arg, "--max-walltime") == 0) {
      if (a + 1 >= *argc) return cli_usage_error(run_usage, "%s needs a time", arg);
      x->max_wall = run_parse_walltime(argv[++a]);
      if (!(x->max_wall > 0))
        return cli_usage_error(run_usage,
                           "--max-walltime: expected seconds, MM:SS or HH:MM:SS above 0, got '%s'",
                           argv[a]);
    } else if (strcmp(arg, "--stop-after-steps") == 0) { /* for tests (docs/checkpoint.md) */
      if (a + 1 >= *argc) return cli_usage_error(run_usage, "%s needs a number", arg);
      char *end;
      errno = 0;
      x->stop_after_steps = strtol(argv[++a], &end, 10);
      if (errno || *end || x->stop_after_steps < 1)
        return cli_usage_error(run_usage, "--stop-after-steps: expected a whole number >= 1, got '%s'",
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

/* Everything one `cisim run` holds, so that the steps below share it and one job_free
   releases it whatever step failed. */
typedef struct {
  int argc;
  char **argv, **args;
  run_extra x;
  cli_opts o;
  int have_opts;
  params p;
  int have_p;
  checkpoint_header hdr;  /* resume: the checkpoint's header */
  char *ckpt_path;
  char change[2048];      /* resume: the allowed changes of the configuration */
  const char *out_path;
  sim s;
  int have_sim;
  hdf5out *out;
  series_desc *sd;
  char (*names)[3][128];
  int nser;
  char *cmdline;
  run_ctl ctl;
} run_job;

static void job_free(run_job *j) {
  if (j->have_sim) sim_free(&j->s);
  if (j->have_p) params_free(&j->p);
  if (j->have_opts) cli_free(&j->o);
  checkpoint_header_free(&j->hdr);
  free(j->ckpt_path);
  free(j->ctl.yaml);
  free(j->cmdline);
  free(j->sd);
  free(j->names);
  free(j->args);
}

/* 0 to go on; otherwise the exit status (after --help: -1). */
static int parse_options(run_job *j) {
  j->args = calloc((size_t)j->argc + 1, sizeof *j->args);
  if (!j->args) return 1;
  memcpy(j->args, j->argv, sizeof *j->args * (size_t)j->argc);
  int nargs = j->argc;
  int rc = take_run_options(&nargs, j->args, &j->x);
  if (rc) return rc;
  rc = cli_parse(nargs, j->args, run_usage, 1, j->x.resume != NULL, &j->o);
  j->have_opts = 1;
  if (rc) return rc;
  if (j->x.resume && (j->o.out || j->o.force))
    return cli_usage_error(run_usage, "%s",
                           "--resume appends to the run file it names: no -o or --force");
  if (j->x.allow_change && !j->x.resume)
    return cli_usage_error(run_usage, "%s", "--allow-change goes with --resume");
  return 0;
}

/* Resuming: the checkpoint's header and configuration, then the one given now (CONFIG and
   --set, or the checkpoint's own), compared. 0, or the exit status after a message. */
static int load_resume_config(run_job *j) {
  cs_status st = CS_OK;
  char *tmp_yaml = NULL;
  params old = {0};
  int have_old = 0;
  j->ckpt_path = checkpoint_path_for(j->x.resume);
  if (!j->ckpt_path) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (st == CS_OK) st = checkpoint_read_header(j->ckpt_path, &j->hdr);
  if (st == CS_OK && !(tmp_yaml = resume_yaml_to_temp(j->hdr.yaml)))
    st = CS_ERROR(CS_ERR_IO, "cannot write a temporary file for %s's configuration: %s",
                  j->ckpt_path, strerror(errno));
  if (st == CS_OK) {
    cli_set_model_names();
    st = params_load(&old, tmp_yaml, NULL, 0, model_registry_lookup);
    have_old = st == CS_OK;
  }
  int rc = 0;
  if (st != CS_OK) {
    cli_fail("resume");
    rc = cs_exit_code(st);
  } else {
    if (!j->o.config) j->o.config = tmp_yaml;
    rc = cli_load(&j->o, &j->p);
    j->have_p = rc == 0;
    if (j->o.config == tmp_yaml) j->o.config = NULL;
  }
  if (!rc) {
    char refused[2048];
    int v = resume_compare_configs(&old, &j->p, j->hdr.t, j->change, sizeof j->change, refused,
                                   sizeof refused);
    if (v == 2) {
      fprintf(stderr,
              "cisim: %s: the configuration differs from the checkpoint's (%s), which would not "
              "continue the same run: %s\n",
              j->x.resume, j->ckpt_path, refused);
      rc = 2;
    } else if (v == 1 && !j->x.allow_change) {
      fprintf(stderr,
              "cisim: %s: the configuration differs from the checkpoint's: %s; this change is "
              "safe: add --allow-change to accept it\n",
              j->x.resume, j->change);
      rc = 2;
    }
  }
  if (have_old) params_free(&old);
  if (tmp_yaml) unlink(tmp_yaml);
  free(tmp_yaml);
  return rc;
}

/* initial.from: the starting state read over the model's own, before the run file exists (a
   refused file leaves nothing written), and never from the file this run is about to write. */
static cs_status load_initial(run_job *j) {
  if (!initial_from_wanted(&j->p)) return CS_OK;
  if (initial_from_is_output(&j->p, j->out_path))
    return params_key_error(&j->p, "initial.from",
                            "%s is this run's output file too: writing it would destroy the "
                            "starting state (choose another -o)",
                            params_str(&j->p, "initial.from"));
  initial_source src;
  CS_TRY(initial_from_read(&j->p, j->s.g, j->s.m, !j->s.opt.signed_values, j->s.u, &src));
  CS_TRY(sim_state_replaced(&j->s));
  if (!j->o.quiet) {
    char line[1800];
    initial_from_describe(&src, line, sizeof line);
    fprintf(stderr, "cisim: %s\n", line);
  }
  return CS_OK;
}

/* The sim, the run-control state and the names of the series, from the configuration. */
static cs_status build_sim(run_job *j) {
  j->out_path = j->x.resume ? j->x.resume : j->o.out ? j->o.out : params_str(&j->p, "output.file");
  if (!j->ckpt_path) j->ckpt_path = checkpoint_path_for(j->out_path);
  j->cmdline = join_args(j->argc, j->argv);
  double t0 = cli_now_s();
  j->ctl = (run_ctl){.ckpt_path = j->ckpt_path, .quiet = j->o.quiet, .t0 = t0, .last_wall = t0,
                     .max_wall = j->x.max_wall, .stop_after_steps = j->x.stop_after_steps};
  j->ctl.every_day = params_real(&j->p, "checkpoint.every_day");
  j->ctl.every_s = 60 * params_real(&j->p, "checkpoint.every_minutes");
  j->ctl.yaml = params_to_yaml(&j->p);
  if (!j->ckpt_path || !j->ctl.yaml) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  cs_status st = sim_create(&j->s, &j->p, j->o.threads);
  j->have_sim = 1;
  if (st == CS_OK) st = depth_forcing_apply(&j->p, j->s.m, j->s.inst);
  if (st == CS_OK && !j->x.resume) st = load_initial(j);
  if (st == CS_OK) st = make_series(&j->s, &j->sd, &j->names, &j->nser);
  return st;
}

/* Resuming: the checkpoint is read into the sim and verified, then the run file is checked
   read-only; only a resume that passes both opens the run file for writing. */
static cs_status open_resumed(run_job *j) {
  CS_TRY(checkpoint_restore(j->ckpt_path, &j->s));
  const resume_claim claim = {j->hdr.run_id, j->hdr.nsnap, j->hdr.t};
  CS_TRY(resume_check_runfile(j->out_path, j->s.g, j->s.m, j->sd, j->nser, &claim));
  CS_TRY(hdf5out_open_append(&j->out, j->out_path, j->s.g, j->s.m, j->sd, j->nser, j->hdr.nsnap,
                             j->hdr.t));
  hdf5out_set_threads(j->out, j->o.threads);
  hdf5out_set_rle(j->out, strcmp(params_str(&j->p, "output.compression_strategy"), "rle") == 0);
  if (j->change[0]) CS_TRY(hdf5out_replace_parameters(j->out, &j->p, j->change));
  return CS_OK;
}

/* A new run file (and no stale checkpoint of an earlier run of this name), with the
   punctures. */
static cs_status open_new(run_job *j) {
  hdf5out_options ho = {
      .path = j->out_path,
      .force = j->o.force,
      .single_precision = strcmp(params_str(&j->p, "output.precision"), "single") == 0,
      .deflate = (int)params_int(&j->p, "output.compression"),
      .command_line = j->cmdline ? j->cmdline : "cisim run",
      .threads = j->o.threads,
  };
  /* valid but suspicious input: said before anything is written; --strict stops here */
  int nwarn = input_warn(stderr, &j->p, j->s.g, j->s.treat ? protocol_of(j->s.treat) : NULL,
                         j->o.threads);
  if (nwarn && j->o.strict)
    return CS_ERROR(CS_ERR_INPUT, "%s: %d warning%s with --strict: nothing run or written",
                    j->o.config, nwarn, nwarn == 1 ? "" : "s");
  CS_TRY(hdf5out_create(&j->out, &ho, j->s.g, j->s.m, &j->p, j->sd, j->nser));
  hdf5out_set_rle(j->out, strcmp(params_str(&j->p, "output.compression_strategy"), "rle") == 0);
  unlink(j->ckpt_path);
  size_t n = strlen(j->ckpt_path) + 8;
  char *tmp = malloc(n);
  if (tmp) {
    snprintf(tmp, n, "%s.tmp", j->ckpt_path);
    unlink(tmp);
    free(tmp);
  }
  if (j->s.treat)
    CS_TRY(hdf5out_write_punctures(j->out, protocol_of(j->s.treat), j->s.g, j->o.threads));
  return CS_OK;
}

static cs_status execute(run_job *j) {
  sim *s = &j->s;
  if (!j->o.quiet) {
    if (j->x.resume)
      fprintf(stderr, "cisim: resuming %s at t = %.9g day (%ld steps, %ld snapshots)%s%s\n",
              j->out_path, s->t, s->nsteps, hdf5out_nsnap(j->out),
              j->change[0] ? "; changed: " : "", j->change);
    else
      fprintf(stderr, "cisim: %s, model %s, %d×%d×%d cells, %d species, %d thread%s -> %s\n",
              j->o.config, s->m->name, s->g->nx, s->g->ny, s->g->nz, s->m->nspecies,
              j->o.threads, j->o.threads == 1 ? "" : "s", j->out_path);
  }
  run_ctl *c = &j->ctl;
  c->out = j->out;
  c->next_day = c->every_day > 0 ? (floor(s->t / c->every_day) + 1) * c->every_day : 0;
  s->hook = run_hook;
  s->hook_ctx = c;
  c->lp = (live_progress){.enabled = !j->o.quiet, .tty = isatty(STDERR_FILENO), .t0 = cli_now_s(),
                          .t_start = s->t, .steps0 = s->nsteps, .next_pct = 10};
  c->lp.last_log = c->lp.t0;
  sim_output sink = hdf5out_output(j->out);
  cs_status st = j->x.resume ? sim_run_resume(s, &sink, NULL, NULL) : sim_run(s, &sink, NULL, NULL);
  if (st == CS_OK) live_progress_tick(&c->lp, s, 1);
  live_progress_break(&c->lp);
  run_restore_signals();
  return st;
}

/* The run file's status and close; the closing line and the outcome summary. */
static cs_status finish(run_job *j, cs_status st) {
  sim *s = &j->s;
  if (st != CS_OK) {
    char *msg = cs_error_copy();
    size_t n = strlen(msg ? msg : "") + 16;
    char *status = malloc(n);
    if (status) snprintf(status, n, "failed: %s", msg ? msg : "");
    hdf5out_set_status(j->out, status ? status : "failed"); /* best effort: the disk may be full */
    hdf5out_close(j->out, 0);
    st = CS_ERROR(st, "%s", msg ? msg : "out of memory");
    free(status);
    free(msg);
    return st;
  }
  char status[1200];
  if (s->stopped)
    snprintf(status, sizeof status, "stopped (%s) at day %.9g; checkpoint %s", j->ctl.stop_reason,
             s->t, j->ckpt_path);
  else
    snprintf(status, sizeof status, "finished");
  double io = hdf5out_io_seconds(j->out);
  cs_status sst = hdf5out_set_status(j->out, status);
  cs_status cst = hdf5out_close(j->out, !s->stopped);
  st = sst != CS_OK ? sst : cst;
  double wall = cli_now_s() - j->ctl.t0;
  if (st != CS_OK || j->o.quiet) {
    if (st == CS_OK && !s->stopped) unlink(j->ckpt_path);
    return st;
  }
  if (s->stopped) {
    fprintf(stderr,
            "cisim: stopped at t = %.9g day (%s) after %.2f s; continue with: cisim run "
            "--resume %s\n",
            s->t, j->ctl.stop_reason, wall, j->out_path);
    return st;
  }
  unlink(j->ckpt_path); /* the run file is complete; nothing to resume */
  const double pc = wall > 0 ? 100 / wall : 0.0;
  fprintf(stderr,
          "cisim: done: %ld steps (%ld rejected), %ld reaction substeps, %.2f s "
          "(output %.2f s, %.1f %%) -> %s\n",
          s->nsteps, s->nrejected, s->nsubsteps, wall, io, io * pc, j->out_path);
  /* where the time went (the second-order steps time their phases; the rest is set-up,
     sessions, series and outcome) */
  if (s->s2)
    fprintf(stderr,
            "cisim: time: reaction %.1f %%, transport %.1f %%, step control %.1f %%, output "
            "%.1f %%, other %.1f %%\n",
            s->sec_reaction * pc, s->sec_transport * pc, s->sec_control * pc, io * pc,
            100 - (s->sec_reaction + s->sec_transport + s->sec_control + io) * pc);
  return st;
}

int cli_run(int argc, char **argv) {
  /* From the start: a stop request during set-up takes effect at the first step. */
  run_install_signals();
  run_job j = {.argc = argc, .argv = argv};
  int rc = parse_options(&j);
  if (!rc) rc = j.x.resume ? load_resume_config(&j) : cli_load(&j.o, &j.p);
  if (!rc && !j.x.resume) j.have_p = 1;
  if (rc) {
    job_free(&j);
    return rc < 0 ? 0 : rc;
  }
  cs_status st = build_sim(&j);
  if (st == CS_OK) st = j.x.resume ? open_resumed(&j) : open_new(&j);
  if (st == CS_OK) {
    st = finish(&j, execute(&j));
    if (st == CS_OK && !j.s.stopped) {
      int nd;
      const double *days = params_reals(&j.p, "output.summary_days", &nd);
      outcome_print(j.s.oc, j.s.treat, stdout, days, nd); /* on stdout, for models that report */
    }
  } else if (j.out) {
    hdf5out_close(j.out, 0);
  }
  if (st != CS_OK) cli_fail("run");
  int stopped = st == CS_OK && j.s.stopped;
  job_free(&j);
  return st != CS_OK ? cs_exit_code(st) : stopped ? 3 : 0;
}
