#include "cli.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hdf5out.h"
#include "model.h"
#include "outcome.h"
#include "params.h"
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
  if (!o->config) return usage_error(usage, "%s", "missing CONFIG (a YAML file)");
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
    "                        [--quiet]\n"
    "\n"
    "Runs the simulation CONFIG describes and writes an HDF5 run file (default: output.file).\n"
    "  -o, --output FILE     run file to write (refuses to replace an existing one)\n"
    "  -s, --set KEY=VALUE   override a parameter (YAML value syntax; repeatable)\n"
    "  -j, --threads N       OpenMP threads (default: OMP_NUM_THREADS or all cores);\n"
    "                        results are bitwise identical for any N\n"
    "      --force           replace an existing run file\n"
    "  -q, --quiet           no progress output\n"
    "exit status: 0 success, 1 run failure, 2 bad usage or configuration\n";

typedef struct {
  int quiet;
  double t0;
} progress_ctx;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void progress(const sim *s, void *vctx) {
  const progress_ctx *c = vctx;
  if (c->quiet) return;
  fprintf(stderr, "cisim: t = %g / %g day, %ld steps (%ld rejected), dt = %.3g day, %.1f s\n",
          s->t, s->opt.end_day, s->nsteps, s->nrejected, s->dt_prev, now_s() - c->t0);
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

int cli_run(int argc, char **argv) {
  cli_opts o;
  int rc = cli_parse(argc, argv, run_usage, 1, &o);
  if (rc) {
    cli_free(&o);
    return rc < 0 ? 0 : rc;
  }
  params p;
  if ((rc = load(&o, &p))) {
    cli_free(&o);
    return rc;
  }
  const char *out_path = o.out ? o.out : params_str(&p, "output.file");
  sim s;
  hdf5out *out = NULL;
  char *cmdline = join_args(argc, argv);
  double t0 = now_s();
  cs_status st = sim_create(&s, &p, o.threads);
  if (st == CS_OK) {
    int nser = sim_series_count(&s);
    series_desc *sd = calloc((size_t)nser, sizeof *sd);
    char (*names)[3][128] = calloc((size_t)nser, sizeof *names);
    if (!sd || !names) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    for (int q = 0; st == CS_OK && q < nser; q++) {
      sim_series_describe(&s, q, names[q][0], 128, names[q][1], 128, names[q][2], 128);
      sd[q] = (series_desc){names[q][0], names[q][1], names[q][2]};
    }
    hdf5out_options ho = {
        .path = out_path,
        .force = o.force,
        .single_precision = strcmp(params_str(&p, "output.precision"), "single") == 0,
        .deflate = (int)params_int(&p, "output.compression"),
        .command_line = cmdline ? cmdline : "cisim run",
        .threads = o.threads,
    };
    if (st == CS_OK) st = hdf5out_create(&out, &ho, s.g, s.m, &p, sd, nser);
    if (st == CS_OK && s.prot) st = hdf5out_write_punctures(out, s.prot, s.g, o.threads);
    free(sd);
    free(names);
  }
  if (st == CS_OK) {
    if (!o.quiet)
      fprintf(stderr, "cisim: %s, model %s, %d×%d×%d cells, %d species, %d thread%s -> %s\n",
              o.config, s.m->name, s.g->nx, s.g->ny, s.g->nz, s.m->nspecies, o.threads,
              o.threads == 1 ? "" : "s", out_path);
    progress_ctx pc = {o.quiet, t0};
    st = sim_run(&s, out, progress, &pc);
    cs_status cst = hdf5out_close(out, st == CS_OK);
    if (st == CS_OK) st = cst;
    if (st == CS_OK && !o.quiet)
      fprintf(stderr, "cisim: done: %ld steps (%ld rejected), %ld reaction substeps, %.2f s -> %s\n",
              s.nsteps, s.nrejected, s.nsubsteps, now_s() - t0, out_path);
    if (st == CS_OK) { /* the outcome summary (models that report outcomes), on stdout */
      int nd;
      const double *days = params_reals(&p, "output.summary_days", &nd);
      outcome_print(s.oc, &s, stdout, days, nd);
    }
  }
  if (st != CS_OK) cli_fail("run");
  sim_free(&s);
  free(cmdline);
  params_free(&p);
  cli_free(&o);
  return cs_exit_code(st);
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
    double bytes = 8.0 * (double)g.ncell * (3 * m->nspecies + (m->cell_source ? 1 : 0)) +
                   o.threads * 6.0 * 8 * longest * (wmax > 8 ? wmax : 8);
    printf("# species: %d; memory: %.1f MiB (%.1f bytes per cell·species) on %d thread%s\n",
           m->nspecies, bytes / (1 << 20), bytes / ((double)g.ncell * m->nspecies), o.threads,
           o.threads == 1 ? "" : "s");
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
