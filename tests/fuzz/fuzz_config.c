/* fuzz_config: the configuration path of `cisim check` / `cisim run`, fed arbitrary bytes as
 * the YAML config file (tests/fuzz/README.md).
 *
 *   params_load -> params_to_yaml round trip -> grid_init -> model create (the protocol and
 *   its punctures) -> a few protocol_cell probes -> free everything
 *
 * Besides what ASan, UBSan and LeakSanitizer catch, these are checked (a failure aborts):
 *   - every refused config leaves a message (with CISIM_FUZZ_STRICT_MESSAGES=1 also: the
 *     message starts with the config's path, i.e. it is located in the file);
 *   - the resolved YAML (params_to_yaml) loads again, and gives the same YAML text;
 *   - a grid that grid_init accepts has ncell == nx·ny·nz without overflow;
 *   - an accepted protocol is consistent: sessions cover [0, npunctures) in order, every
 *     puncture is inside the domain with finite depth and radius, and what protocol_cell says
 *     of a few cells is a fraction in [0, 1] with damage >= channel and distance >= 0.
 * A config is parsed and checked, never run: no per-cell state is allocated, so grid size is
 * no resource problem here (only the protocol's punctures, capped at 2 000 000 by cisim).
 * Two aids steer the fuzzer toward extreme numbers (see below): a number-aware custom mutator
 * and value classes of every parameter as extra coverage. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define FZ_MAX_MODEL_CELLS 20000000
#include "grid.h"
#include "model.h"
#include "params.h"
#include "params_load.h"
#include "protocol.h"

static char cfg_path[1024], rt_path[1024];

/* Value classes as extra coverage: libFuzzer counts every counter in this section as a
 * feature, like an edge. A config whose parameter i holds a value of a magnitude class not
 * seen before (sign, zero, inf, NaN, or its binary exponent in steps of 4) is thus kept in the
 * corpus, and so is one whose grid or puncture count reaches a new power of 2. That steers
 * the fuzzer along the numeric range of every key toward its extremes, where the overflows
 * live (a spacing of 1e-6 is one mutation from 1e-7), instead of only toward new code. */
#define FZ_NPARAM 192
#define FZ_NCLASS 132
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t
    fz_value_class[FZ_NPARAM * FZ_NCLASS + 2 * 128];

static int value_class(double x) {
  if (x == 0) return 0;
  if (isnan(x)) return 1;
  if (isinf(x)) return x > 0 ? 2 : 3;
  int e = ilogb(x) / 4 + 32;
  e = e < 0 ? 0 : e > 63 ? 63 : e;
  return 4 + (x < 0 ? 64 : 0) + e;
}

static void note_count(int which, double n) {
  int b = n < 1 ? 0 : (int)log2(n) + 1;
  fz_value_class[FZ_NPARAM * FZ_NCLASS + 128 * which + (b > 127 ? 127 : b)]++;
}

static void note_values(const params *p) {
  for (size_t i = 0; i < p->nvals && i < FZ_NPARAM; i++) {
    const param_value *v = &p->vals[i];
    if (!v->v) continue;
    for (int k = 0; k < v->n && k < 8; k++) fz_value_class[i * FZ_NCLASS + value_class(v->v[k])]++;
  }
}

static int strict_messages;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_init();
  fz_path(cfg_path, sizeof cfg_path, "config.yaml");
  fz_path(rt_path, sizeof rt_path, "roundtrip.yaml");
  const char *sm = getenv("CISIM_FUZZ_STRICT_MESSAGES");
  strict_messages = sm && *sm && strcmp(sm, "0") != 0;
  return 0;
}

/* ---- a number-aware mutator ----
 * libFuzzer's own mutations change a number a digit at a time (1000 -> 1001, 2000, ...): it
 * takes many lucky steps to turn a lattice spacing of 1000 µm into 3e-7. One mutation in four
 * here instead picks one number of the text at random and scales it by 10^k (|k| <= 40),
 * negates it, or replaces it by a value at an edge (0, 1e-300, 1e308, an overflowing 1e309,
 * 2^31, 2^63, a subnormal); the rest are libFuzzer's. */
static uint64_t mut_state;
static uint64_t mut_rand(void) {
  mut_state = mut_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return mut_state >> 33;
}

/* A number token at data[i]: [+-]digits[.digits][e[+-]digits], not inside a word. */
static size_t number_at(const uint8_t *d, size_t size, size_t i) {
  if (i > 0 && (isalnum(d[i - 1]) || d[i - 1] == '_' || d[i - 1] == '.')) return 0;
  size_t j = i;
  if (j < size && (d[j] == '-' || d[j] == '+')) j++;
  int ndigits = 0;
  while (j < size && (isdigit(d[j]) || d[j] == '.')) ndigits += isdigit(d[j++]) != 0;
  if (ndigits == 0) return 0;
  if (j < size && (d[j] == 'e' || d[j] == 'E')) {
    size_t k = j + 1;
    if (k < size && (d[k] == '-' || d[k] == '+')) k++;
    size_t e0 = k;
    while (k < size && isdigit(d[k])) k++;
    if (k > e0) j = k;
  }
  return j - i;
}

static size_t mutate_number(uint8_t *data, size_t size, size_t max_size) {
  size_t starts[512], lens[512], n = 0;
  for (size_t i = 0; i < size && n < 512;) {
    size_t len = number_at(data, size, i);
    if (len) {
      starts[n] = i;
      lens[n++] = len;
      i += len;
    } else {
      i++;
    }
  }
  if (n == 0) return 0;
  size_t w = (size_t)(mut_rand() % n);
  char old[64], repl[64];
  size_t ol = lens[w] < sizeof old - 1 ? lens[w] : sizeof old - 1;
  memcpy(old, data + starts[w], ol);
  old[ol] = '\0';
  double x = strtod(old, NULL);
  static const char *const edges[] = {"0", "-0", "1", "-1", "1e-300", "-1e-300", "4.9e-324",
                                      "1e308", "-1e308", "1e309", "2147483647", "2147483648",
                                      "-2147483649", "4294967296", "9223372036854775807",
                                      "9223372036854775808", "1e-20", "3e-7", "1e20", ".nan"};
  switch (mut_rand() % 4) {
    case 0:
    case 1: {
      int k = (int)(mut_rand() % 81) - 40;
      if (k == 0) k = 1;
      snprintf(repl, sizeof repl, "%.6g", (x == 0 ? 1 : x) * pow(10, k));
      break;
    }
    case 2: snprintf(repl, sizeof repl, "%.6g", -x); break;
    default: snprintf(repl, sizeof repl, "%s", edges[mut_rand() % (sizeof edges / sizeof *edges)]);
  }
  size_t rl = strlen(repl);
  if (size - lens[w] + rl > max_size) return 0;
  memmove(data + starts[w] + rl, data + starts[w] + lens[w], size - starts[w] - lens[w]);
  memcpy(data + starts[w], repl, rl);
  return size - lens[w] + rl;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  mut_state ^= seed;
  if (mut_rand() % 4 == 0) {
    size_t r = mutate_number(data, size, max_size);
    if (r) return r;
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

static void check_refusal(cs_status st, const char *what) {
  const char *msg = cs_error_message();
  FZ_CHECK(st == CS_ERR_INPUT || st == CS_ERR_NOMEM, "%s: status %d (expected CS_ERR_INPUT): %s",
           what, (int)st, msg);
  FZ_CHECK(msg && msg[0], "%s refused the config without a message", what);
  if (strict_messages && st == CS_ERR_INPUT)
    FZ_CHECK(strncmp(msg, cfg_path, strlen(cfg_path)) == 0,
             "%s: message not located in the config file: %s", what, msg);
}

/* Work of probing one session's cells: every puncture once, then the sub-samples. */
static int probe_affordable(const protocol *pr, const session_desc *sd) {
  double n = pr->subsamples, per_cell = (double)sd->count * (1 + n * n * (pr->dims == 3 ? n : 1));
  return per_cell <= 2e5;
}

static void check_protocol(const protocol *pr, const grid *g) {
  FZ_CHECK(pr->nsessions >= 0 && pr->npunctures >= 0, "%d sessions, %d punctures", pr->nsessions,
           pr->npunctures);
  FZ_CHECK(pr->npunctures <= 2000000, "%d punctures, above the documented cap",
           pr->npunctures);
  int next = 0;
  for (int s = 0; s < pr->nsessions; s++) {
    const session_desc *sd = &pr->sessions[s];
    FZ_CHECK(sd->first == next && sd->count >= 0 && sd->first + sd->count <= pr->npunctures,
             "session %d: punctures [%d, %d + %d) of %d (expected to start at %d)", s, sd->first,
             sd->first, sd->count, pr->npunctures, next);
    FZ_CHECK(isfinite(sd->day) && isfinite(sd->density_per_cm2), "session %d: day %g, density %g",
             s, sd->day, sd->density_per_cm2);
    next = sd->first + sd->count;
  }
  FZ_CHECK(next == pr->npunctures, "sessions cover %d of %d punctures", next, pr->npunctures);
  for (int q = 0; q < pr->npunctures; q++) {
    const puncture *c = &pr->punctures[q];
    FZ_CHECK(c->x >= 0 && c->x <= pr->size[0] && c->y >= 0 &&
                 c->y <= (pr->dims == 3 ? pr->size[1] : 0) && isfinite(c->depth) &&
                 c->depth >= 0 && isfinite(c->radius) && c->radius >= 0 &&
                 isfinite(c->period_y) && c->period_y >= 0,
             "puncture %d: x %g, y %g, depth %g, radius %g, period_y %g in a %g × %g domain", q,
             c->x, c->y, c->depth, c->radius, c->period_y, pr->size[0], pr->size[1]);
  }
  /* A few cells per session: a corner, the middle of the surface, the deepest corner. */
  int cells[3][3] = {{0, 0, 0}, {g->nx / 2, g->ny / 2, 0}, {g->nx - 1, g->ny - 1, g->nz - 1}};
  for (int s = 0; s < pr->nsessions && s < 4; s++) {
    if (!probe_affordable(pr, &pr->sessions[s])) continue;
    for (int c = 0; c < 3; c++) {
      wound_info w;
      protocol_cell(pr, g, s, cells[c][0], cells[c][1], cells[c][2], &w);
      FZ_CHECK(w.channel >= 0 && w.channel <= 1 && w.damage >= w.channel && w.damage <= 1 &&
                   w.distance_um >= 0,
               "session %d, cell (%d, %d, %d): channel %g, damage %g, distance %g µm", s,
               cells[c][0], cells[c][1], cells[c][2], w.channel, w.damage, w.distance_um);
    }
  }
  const treatment *tr = protocol_treatment(pr);
  FZ_CHECK(tr && tr->nsessions == pr->nsessions && protocol_of(tr) == pr,
           "the treatment view does not mirror the protocol");
  for (int s = 1; s < tr->nsessions; s++)
    FZ_CHECK(tr->day[s] > tr->day[s - 1], "session days not increasing: %g after %g", tr->day[s],
             tr->day[s - 1]);
}

static void round_trip(const params *p) {
  char *y1 = params_to_yaml(p);
  FZ_CHECK(y1 != NULL, "params_to_yaml failed on a loaded config");
  fz_write_text(rt_path, y1);
  params p2;
  cs_status st = params_load(&p2, rt_path, NULL, 0, model_registry_lookup);
  FZ_CHECK(st == CS_OK, "the resolved YAML does not load again: %s\n--- resolved YAML ---\n%s",
           cs_error_message(), y1);
  char *y2 = params_to_yaml(&p2);
  FZ_CHECK(y2 != NULL, "params_to_yaml failed on the reloaded config");
  FZ_CHECK(strcmp(y1, y2) == 0,
           "the resolved YAML, loaded again, gives another YAML\n--- first ---\n%s\n--- second "
           "---\n%s",
           y1, y2);
  free(y2);
  free(y1);
  params_free(&p2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_write(cfg_path, data, size);
  cs_error_clear();
  params p;
  cs_status st = params_load(&p, cfg_path, NULL, 0, model_registry_lookup);
  if (st != CS_OK) {
    check_refusal(st, "params_load");
    params_free(&p);
    return 0;
  }
  note_values(&p);
  round_trip(&p);

  const model *m = model_find(p.model_name);
  FZ_CHECK(m != NULL, "params_load accepted an unknown model '%s'", p.model_name);
  grid g;
  cs_error_clear();
  st = grid_init(&g, &p);
  if (st != CS_OK) {
    check_refusal(st, "grid_init");
    grid_free(&g);
    params_free(&p);
    return 0;
  }
  size_t cells;
  int wrapped = __builtin_mul_overflow((size_t)g.nx, (size_t)g.ny, &cells) ||
                __builtin_mul_overflow(cells, (size_t)g.nz, &cells);
  FZ_CHECK(g.nx >= 1 && g.ny >= 1 && g.nz >= 1 && !wrapped && cells == g.ncell,
           "grid_init accepted %d × %d × %d cells (%s), ncell = %zu", g.nx, g.ny, g.nz,
           wrapped ? "more than a size_t holds" : "no overflow", g.ncell);
  note_count(0, (double)g.nx * g.ny * g.nz);
  /* A model's set-up is O(cells) (per-cell source weights): a legitimate 10^8-cell grid takes
     seconds under ASan, a timeout that says nothing. The grid checks above still ran. */
  if (g.ncell > FZ_MAX_MODEL_CELLS) {
    grid_free(&g);
    params_free(&p);
    return 0;
  }

  void *inst = NULL;
  cs_error_clear();
  st = m->create(&p, &g, &inst);
  if (st != CS_OK) {
    check_refusal(st, "model create");
  } else {
    const protocol *pr = m->treatment ? protocol_of(m->treatment(inst)) : NULL;
    if (pr) {
      note_count(1, pr->npunctures);
      check_protocol(pr, &g);
    }
    if (m->next_event) {
      double e = m->next_event(inst, 0);
      FZ_CHECK(e > 0, "next_event(0) = %g", e);
    }
    m->destroy(inst);
  }
  grid_free(&g);
  params_free(&p);
  return 0;
}
