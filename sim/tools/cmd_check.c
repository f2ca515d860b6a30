/* cmd_check: the subcommands that read the configuration and the registry but run nothing —
 * check (validate a config, print what a run would need), params (the registry) and models. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "grid.h"
#include "depth_forcing.h"
#include "initial_from.h"
#include "input_warn.h"
#include "model.h"
#include "params.h"
#include "protocol.h"

static const char check_usage[] =
    "usage: cisim check CONFIG [--set key.path=value]... [--threads N] [--strict]\n"
    "\n"
    "Validates CONFIG and prints every resolved parameter with its unit (and where it came\n"
    "from), the grid, and the memory a run needs. Writes nothing. Warns on stderr about\n"
    "values that are valid but probably not meant: needle channels shallower than one cell,\n"
    "ending in the epidermis or covering no cell, sessions or output.summary_days after\n"
    "time.end_day.\n"
    "      --strict   a warning makes the configuration invalid (exit 2)\n"
    "exit status: 0 valid, 2 invalid\n";

/* initial.from: the file, its snapshot and its fields' shapes and units, without reading
   them; a forcing file (model.forcing_key) read and handed to the model; on failure the model
   instance and grid are freed. */
static cs_status check_initial(const params *p, grid *g, const model *m, void *inst,
                               initial_source *src) {
  cs_status st = CS_OK;
  if (initial_from_wanted(p))
    st = initial_from_read(p, g, m, params_bool(p, "time.nonnegative"), NULL, src);
  if (st == CS_OK) st = depth_forcing_apply(p, m, inst);
  if (st != CS_OK) {
    m->destroy(inst);
    grid_free(g);
  }
  return st;
}

int cli_check(int argc, char **argv) {
  cli_opts o;
  int rc = cli_parse(argc, argv, check_usage, 0, 0, &o);
  if (rc) {
    cli_free(&o);
    return rc < 0 ? 0 : rc;
  }
  params p;
  if ((rc = cli_load(&o, &p))) {
    cli_free(&o);
    return rc;
  }
  grid g;
  void *inst = NULL;
  const model *m = model_resolve(model_find(p.model_name), &p);
  cs_status st = grid_init(&g, &p);
  if (st == CS_OK) {
    st = m->create(&p, &g, &inst);
    if (st != CS_OK) grid_free(&g);
  }
  initial_source src = {0};
  if (st == CS_OK) st = check_initial(&p, &g, m, inst, &src);
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
                   o.threads * 7.0 * 8 * longest * (wmax > 8 ? wmax : 8);
    printf("# species: %d; memory: %.1f MiB (%.1f bytes per cell·species) on %d thread%s\n",
           m->nspecies, bytes / (1 << 20), bytes / ((double)g.ncell * m->nspecies), o.threads,
           o.threads == 1 ? "" : "s");
    if (src.path[0]) {
      char line[1800];
      initial_from_describe(&src, line, sizeof line);
      printf("# %s\n", line);
    }
    const protocol *pr = m->treatment ? protocol_of(m->treatment(inst)) : NULL;
    int nwarn = input_warn(stderr, &p, &g, pr, o.threads);
    /* only the sessions the run reaches take steps */
    int nsess = input_sessions_within(pr, params_real(&p, "time.end_day"));
    if (pr)
      printf("# treatment: %d session%s in the run%s, %d punctures in the domain\n", nsess,
             nsess == 1 ? "" : "s", nsess < pr->nsessions ? " (more after time.end_day)" : "",
             pr->npunctures);
    /* A rough guess, calibrated on the 2-core development machine (docs/performance.md):
       about 22 ns per cell·species·step on one thread (the second-order step: three reaction
       and three transport passes, step control), end_day/dt_max quiet steps plus ~180 steps
       after each session at the default tolerances (the default run: 629 steps, pen_3d 851). */
    double steps =
        params_real(&p, "time.end_day") / params_real(&p, "time.dt_max_day") + 180.0 * nsess;
    double secs = steps * (double)g.ncell * m->nspecies * 22e-9 / o.threads;
    printf("# rough run time: %.0f s on %d thread%s (about %.0f steps; within a factor of 3)\n",
           secs < 1 ? 1 : secs, o.threads, o.threads == 1 ? "" : "s", steps);
    m->destroy(inst);
    grid_free(&g);
    if (nwarn && o.strict) {
      fprintf(stderr, "cisim: check: %d warning%s with --strict: invalid\n", nwarn,
              nwarn == 1 ? "" : "s");
      rc = 2;
    }
  }
  params_free(&p);
  cli_free(&o);
  return rc ? rc : cs_exit_code(st);
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
