/* Helpers for the microneedling behaviour tests (tests/test_microneedling_*.c): build a run
 * from YAML text, run it, read outcome metrics, and report checks as "PASS|FAIL name = value
 * (relation bound; why)" so that a passing run documents the measured numbers.
 *
 * The skin and biology are those of configs/default.yaml; the tests vary the protocol. Under
 * CISIM_TEST_QUICK=1 (CI's sanitizer build) grids are coarser (25 µm). Tolerances rtol = atol =
 * 1e-2 keep each run to a second or two: the outcomes move by < 15 % against a converged run
 * (docs/model.md), far less than the margins checked here. */
#ifndef CISIM_TEST_MICRONEEDLING_UTIL_H
#define CISIM_TEST_MICRONEEDLING_UTIL_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "model.h"
#include "outcome.h"
#include "params.h"
#include "params_load.h"
#include "protocol.h"
#include "sim.h"

static inline int mn_quick(void) {
  const char *q = getenv("CISIM_TEST_QUICK");
  return q && *q && strcmp(q, "0") != 0;
}

static inline void mn_try(cs_status st, const char *what) {
  if (st != CS_OK) {
    fprintf(stderr, "FAIL: %s: status %d: %s\n", what, (int)st, cs_error_message());
    exit(1);
  }
}

static inline int mn_report(int ok, const char *name, double value, const char *rel, double bound,
                            const char *why) {
  printf("%s  %-52s = %-11.5g (%s %.5g%s%s)\n", ok ? "PASS" : "FAIL", name, value, rel, bound,
         why && *why ? "; " : "", why ? why : "");
  fflush(stdout);
  return !ok;
}
static inline int mn_le(const char *name, double v, double b, const char *why) {
  return mn_report(v <= b, name, v, "<=", b, why); /* NaN fails */
}
static inline int mn_ge(const char *name, double v, double b, const char *why) {
  return mn_report(v >= b, name, v, ">=", b, why);
}
static inline int mn_true(int ok, const char *name, const char *why) {
  printf("%s  %-52s (%s)\n", ok ? "PASS" : "FAIL", name, why);
  fflush(stdout);
  return !ok;
}

/* The skin of configs/default.yaml. %s slots: grid dims/size/boundary line, then protocol and
   time sections. */
static inline const char *mn_skin(void) {
  return "layers:\n"
         "  - {name: epidermis,  thickness_um: 100}\n"
         "  - {name: papillary,  thickness_um: 300}\n"
         "  - {name: reticular,  thickness_um: 1800}\n"
         "  - {name: hypodermis, thickness_um: 300}\n"
         "microneedling:\n"
         "  fibroblast:\n"
         "    density_per_mm3: {epidermis: 0, papillary: 1250, reticular: 1250, hypodermis: 300}\n"
         "    motility_um2_per_day: {epidermis: 0, hypodermis: 0}\n"
         "    chemotaxis_um2_per_day_per_ng_ml: {epidermis: 0, hypodermis: 0}\n"
         "  collagen:\n"
         "    baseline_index: {epidermis: 0, papillary: 0.93, reticular: 0.89, hypodermis: 0.2}\n"
         "  elastin:\n"
         "    baseline_index: {hypodermis: 0.2}\n"
         "  keratinocyte:\n"
         "    baseline_index: {epidermis: 1}\n";
}

/* Load YAML text (written to a temporary file) with --set style overrides. */
static inline cs_status mn_load(params *p, const char *yaml, const char *const *sets, int nsets) {
  char path[] = "/tmp/cisim_mn_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    exit(1);
  }
  FILE *f = fdopen(fd, "w");
  fputs(yaml, f);
  fclose(f);
  cs_status st = params_load(p, path, sets, nsets, model_registry_lookup);
  unlink(path);
  return st;
}

/* A 2D run of the default skin: width 2600 µm, the given protocol YAML (protocol: ... block)
   and end day. */
static inline void mn_sim_2d(sim *s, params *p, const char *protocol_yaml, double end_day,
                             double every, int nthreads) {
  char yaml[8192];
  double h = mn_quick() ? 25 : 20;
  snprintf(yaml, sizeof yaml,
           "model: microneedling\n"
           "grid: {dims: 2, size_um: [2600, 2500], spacing_um: %g,\n"
           "       boundary: {x: periodic, surface: noflux, deep: noflux}}\n"
           "time: {end_day: %g, output_every_day: %g, dt_max_day: 1, rtol: 1e-2, atol: 1e-2,\n"
           "       error_estimate: after_transport}\n"
           "%s%s",
           h, end_day, every, mn_skin(), protocol_yaml);
  mn_try(mn_load(p, yaml, NULL, 0), "load");
  mn_try(sim_create(s, p, nthreads), "sim_create");
}

static inline void mn_run(sim *s) { mn_try(sim_run(s, NULL, NULL, NULL), "sim_run"); }

/* Value of series NAME at the snapshot nearest day t. */
static inline double mn_at(const sim *s, const char *name, double t) {
  return outcome_at(s->oc, name, t);
}

static inline int mn_layer(const sim *s, const char *name) {
  for (int l = 0; l < s->g->nlayers; l++)
    if (strcmp(s->g->layers[l].name, name) == 0) return l;
  fprintf(stderr, "FAIL: no layer %s\n", name);
  exit(1);
}

static inline int mn_species(const sim *s, const char *name) {
  for (int q = 0; q < s->ns; q++)
    if (strcmp(s->m->species[q].name, name) == 0) return q;
  fprintf(stderr, "FAIL: no species %s\n", name);
  exit(1);
}

/* Papillary (and reticular) collagen change at read_day for the default roller protocol with
   the given session days (a YAML list) and needle length, on the default 2D skin. */
static inline double mn_roller_change(const char *days, double needle_um, double end, double read_day,
                               double *reticular) {
  char proto[1024];
  snprintf(proto, sizeof proto,
           "protocol:\n"
           "  device: {needle_length_um: %g, penetration: 0.5, needle_diameter_um: 250}\n"
           "  pattern: {kind: square, density_per_cm2: 15, passes: 8, shift: random}\n"
           "  sessions: {day: %s}\n",
           needle_um, days);
  sim s;
  params p;
  mn_sim_2d(&s, &p, proto, end, 5, 2);
  mn_run(&s);
  double c = mn_at(&s, "collagen_change_papillary", read_day);
  if (reticular) *reticular = mn_at(&s, "collagen_change_reticular", read_day);
  sim_free(&s);
  params_free(&p);
  return c;
}

#endif
