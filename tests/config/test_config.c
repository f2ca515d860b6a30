/* test_config: the configuration reader (ytree + params) on tiny YAML files.
 *
 * Every bad input must fail with CS_ERR_INPUT, leave the params empty, and say exactly where
 * (FILE:LINE:COL) and which key; a good one must give typed values, defaults and per-layer
 * values, and survive a round trip through params_to_yaml. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "params.h"
#include "params_load.h"
#include "ytree.h"

/* A stand-in model registry, so the test needs no real model. */
static const param_desc toy_registry[] = {
    {"toy.rate", P_REAL, "1/day", "0.5", 0, 100, NULL, 1, 0, 0, "turnover, per layer"},
    {"toy.kind", P_ENUM, "", "fast", 0, 0, "fast|slow", 0, 0, 0, "which kinetics"},
    {"toy.label", P_STRING, "", "hello", 0, 0, NULL, 0, 0, 0, "free text"},
    {"toy.weights", P_REALS, "-", "[1, 2]", 0, 10, NULL, 0, 1, 4, "a short list"},
    {"toy.enabled", P_BOOL, "", "false", 0, 1, NULL, 0, 0, 0, "a switch"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};

static const param_desc *toy_lookup(const char *name) {
  return strcmp(name, "toy") == 0 ? toy_registry : NULL;
}

static const char *const model_names[] = {"toy", "fisher"};

static char tmpdir[256];
static char written[128][320];
static int nwritten;
static int failures;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "FAIL %s:%d: (%s) ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fputc('\n', stderr);                                            \
      failures++;                                                     \
    }                                                                 \
  } while (0)

/* Writes text to tmpdir/name and returns the path (static storage, one per file). */
static const char *write_cfg(const char *name, const char *text) {
  if (nwritten == 128) {
    fprintf(stderr, "FAIL: too many test files\n");
    exit(1);
  }
  char *path = written[nwritten++];
  snprintf(path, sizeof written[0], "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
    fprintf(stderr, "FAIL: cannot write %s\n", path);
    exit(1);
  }
  return path;
}

static int params_empty(const params *p) {
  return p->nvals == 0 && !p->vals && !p->file && !p->model_name && !p->model_registry &&
         p->nlayers == 0;
}

/* Loads text as NAME (text NULL: the file does not exist) and expects a CS_ERR_INPUT whose
 * message contains want1 and want2 (either may be NULL). */
static void expect_fail(const char *name, const char *text, const char *const *sets, int nsets,
                        const char *want1, const char *want2) {
  char path[320];
  if (text) snprintf(path, sizeof path, "%s", write_cfg(name, text));
  else snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  params p;
  cs_error_clear();
  cs_status st = params_load(&p, path, sets, nsets, toy_lookup);
  const char *msg = cs_error_message();
  printf("  %-18s %s\n", name, msg);
  CHECK(st == CS_ERR_INPUT, "%s: status %d, want CS_ERR_INPUT", name, (int)st);
  CHECK(!want1 || strstr(msg, want1), "%s: message lacks '%s'", name, want1);
  CHECK(!want2 || strstr(msg, want2), "%s: message lacks '%s'", name, want2);
  CHECK(params_empty(&p), "%s: params not left empty", name);
  params_free(&p);
}

#define NEAR(a, b) (fabs((a) - (b)) <= 1e-12 * fabs(b))

static const char *good_yaml =
    "# a small but complete configuration\n"
    "model: toy\n"
    "grid:\n"
    "  dims: 2\n"
    "  size_um: [300, 100]\n"
    "  spacing_um: 10\n"
    "  boundary: {x: noflux, deep: dirichlet}\n"
    "layers:\n"
    "  - {name: epidermis, thickness_um: 40}\n"
    "  - name: dermis\n"
    "    thickness_um: 60\n"
    "time:\n"
    "  end_day: 2.5\n"
    "  adaptive: Off\n"
    "toy:\n"
    "  rate: {dermis: 3}\n"
    "  kind: slow\n"
    "  label: \"it's \\\"quoted\\\"\\ttab\"\n";

static void test_good(void) {
  const char *path = write_cfg("good.yaml", good_yaml);
  params p;
  cs_status st = params_load(&p, path, NULL, 0, toy_lookup);
  CHECK(st == CS_OK, "good.yaml: %s", cs_error_message());
  if (st != CS_OK) return;
  CHECK(strcmp(p.model_name, "toy") == 0, "model %s", p.model_name);
  CHECK(p.model_registry == toy_registry, "model registry");
  CHECK(params_int(&p, "grid.dims") == 2, "dims");
  int n = 0;
  const double *size = params_reals(&p, "grid.size_um", &n);
  CHECK(n == 2 && size[0] == 300 && size[1] == 100, "size_um n=%d", n);
  CHECK(params_real(&p, "grid.spacing_um") == 10, "spacing");
  CHECK(strcmp(params_str(&p, "grid.boundary.x"), "noflux") == 0, "boundary.x");
  CHECK(strcmp(params_str(&p, "grid.boundary.y"), "periodic") == 0, "boundary.y default");
  CHECK(strcmp(params_str(&p, "grid.boundary.deep"), "dirichlet") == 0, "boundary.deep");
  CHECK(params_real(&p, "time.end_day") == 2.5, "end_day");
  CHECK(params_real(&p, "time.rtol") == 1e-3, "rtol default");
  CHECK(params_bool(&p, "time.adaptive") == 0, "adaptive Off");
  CHECK(strcmp(params_str(&p, "output.file"), "run.h5") == 0, "output.file default");
  CHECK(p.nlayers == 2, "nlayers %d", p.nlayers);
  CHECK(strcmp(p.layers[0].name, "epidermis") == 0 && p.layers[0].thickness_um == 40, "layer 0");
  CHECK(strcmp(p.layers[1].name, "dermis") == 0 && p.layers[1].thickness_um == 60, "layer 1");
  CHECK(params_layer_real(&p, "toy.rate", 0) == 0.5, "rate epidermis keeps the default");
  CHECK(params_layer_real(&p, "toy.rate", 1) == 3, "rate dermis");
  CHECK(params_layer_real(&p, "grid.spacing_um", 1) == 10, "plain real by layer");
  CHECK(strcmp(params_str(&p, "toy.kind"), "slow") == 0, "kind");
  CHECK(strcmp(params_str(&p, "toy.label"), "it's \"quoted\"\ttab") == 0, "label");
  const double *w = params_reals(&p, "toy.weights", &n);
  CHECK(n == 2 && w[0] == 1 && w[1] == 2, "weights default");
  const param_value *v = params_find(&p, "grid.spacing_um");
  CHECK(v && v->from == PARAM_FROM_FILE && v->line == 6 && v->col == 3, "spacing from/line");
  v = params_find(&p, "time.rtol");
  CHECK(v && v->from == PARAM_FROM_DEFAULT, "rtol from default");
  CHECK(params_find(&p, "no.such.key") == NULL, "params_find unknown");
  params_free(&p);
  CHECK(params_empty(&p), "params_free leaves it empty");

  /* --set overrides the file and may use YAML values. */
  const char *sets[] = {"time.end_day=7",          "toy.rate=2",
                        "grid.boundary={y: noflux}", "toy.weights=[0.5, 1.5, 2]",
                        "toy.rate={dermis: 4}",    "toy.enabled=yes",
                        " grid.spacing_um = 5"};
  st = params_load(&p, path, sets, 7, toy_lookup);
  CHECK(st == CS_OK, "good.yaml with --set: %s", cs_error_message());
  if (st != CS_OK) return;
  CHECK(params_real(&p, "time.end_day") == 7, "end_day --set");
  v = params_find(&p, "time.end_day");
  CHECK(v->from == PARAM_FROM_SET && v->line == 1, "end_day from --set #1");
  CHECK(strcmp(params_str(&p, "grid.boundary.y"), "noflux") == 0, "boundary.y --set map");
  CHECK(strcmp(params_str(&p, "grid.boundary.x"), "noflux") == 0, "boundary.x kept");
  CHECK(params_layer_real(&p, "toy.rate", 0) == 2 && params_layer_real(&p, "toy.rate", 1) == 4,
        "rate --set");
  w = params_reals(&p, "toy.weights", &n);
  CHECK(n == 3 && w[0] == 0.5 && w[2] == 2, "weights --set");
  CHECK(params_bool(&p, "toy.enabled") == 1, "enabled --set");
  CHECK(params_real(&p, "grid.spacing_um") == 5, "spacing --set with blanks");
  params_free(&p);

  /* No layers: one layer "tissue" as deep as the grid. */
  path = write_cfg("onelayer.yaml",
                   "model: toy\ngrid: {dims: 3, size_um: [100, 80, 250]}\ntime: {end_day: 1}\n"
                   "toy: {rate: 1.25}\n");
  st = params_load(&p, path, NULL, 0, toy_lookup);
  CHECK(st == CS_OK, "onelayer.yaml: %s", cs_error_message());
  if (st != CS_OK) return;
  CHECK(p.nlayers == 1 && strcmp(p.layers[0].name, "tissue") == 0 &&
            p.layers[0].thickness_um == 250,
        "default layer");
  CHECK(params_layer_real(&p, "toy.rate", 0) == 1.25, "rate scalar");
  params_free(&p);

  /* --set may replace the layers (and then name them in per-layer values). */
  const char *lsets[] = {"layers=[{name: top, thickness_um: 50}, {name: deep, thickness_um: 200}]",
                         "toy.rate={deep: 4}"};
  st = params_load(&p, path, lsets, 2, toy_lookup);
  CHECK(st == CS_OK, "onelayer.yaml with --set layers: %s", cs_error_message());
  if (st != CS_OK) return;
  CHECK(p.nlayers == 2 && strcmp(p.layers[1].name, "deep") == 0 &&
            p.layers[1].thickness_um == 200,
        "layers --set");
  CHECK(params_layer_real(&p, "toy.rate", 0) == 1.25 && params_layer_real(&p, "toy.rate", 1) == 4,
        "rate file then --set map");
  params_free(&p);
}

static int same_values(const params *a, const params *b) {
  if (a->nvals != b->nvals || a->nlayers != b->nlayers || strcmp(a->model_name, b->model_name))
    return 0;
  for (int l = 0; l < a->nlayers; l++)
    if (strcmp(a->layers[l].name, b->layers[l].name) ||
        a->layers[l].thickness_um != b->layers[l].thickness_um)
      return 0;
  for (size_t i = 0; i < a->nvals; i++) {
    const param_value *x = &a->vals[i], *y = &b->vals[i];
    if (x->desc != y->desc || x->n != y->n) return 0;
    if ((x->s == NULL) != (y->s == NULL) || (x->s && strcmp(x->s, y->s))) {
      fprintf(stderr, "  %s differs: '%s' vs '%s'\n", x->desc->key, x->s, y->s);
      return 0;
    }
    for (int k = 0; k < (x->desc->type == P_ENUM || x->desc->type == P_STRING ? 0 : x->n); k++)
      if (x->v[k] != y->v[k]) {
        fprintf(stderr, "  %s[%d] differs: %.17g vs %.17g\n", x->desc->key, k, x->v[k], y->v[k]);
        return 0;
      }
  }
  return 1;
}

static void test_round_trip(void) {
  const char *path = write_cfg("trip.yaml", good_yaml);
  /* Values that need all 17 digits, and per-layer values that differ. */
  const char *sets[] = {"grid.spacing_um=0.1", "time.end_day=0.30000000000000004",
                        "toy.rate={epidermis: 1e-300, dermis: 2.718281828459045}",
                        "time.atol=1.2345678901234567e-29"};
  params a, b;
  cs_status st = params_load(&a, path, sets, 4, toy_lookup);
  CHECK(st == CS_OK, "trip.yaml: %s", cs_error_message());
  if (st != CS_OK) return;
  char *text = params_to_yaml(&a);
  CHECK(text != NULL, "params_to_yaml");
  if (!text) {
    params_free(&a);
    return;
  }
  printf("--- params_to_yaml:\n%s---\n", text);
  CHECK(strstr(text, "spacing_um: 0.1  # µm\n") != NULL, "spacing line");
  CHECK(strncmp(strstr(text, "model:"), "model: \"toy\"", 12) == 0, "model first");
  const char *again = write_cfg("trip_out.yaml", text);
  st = params_load(&b, again, NULL, 0, toy_lookup);
  CHECK(st == CS_OK, "reloading params_to_yaml: %s", cs_error_message());
  if (st == CS_OK) {
    CHECK(same_values(&a, &b), "round trip changed a value");
    char *text2 = params_to_yaml(&b);
    CHECK(text2 && strcmp(text, text2) == 0, "second params_to_yaml differs");
    free(text2);
    /* The tables must at least name keys, units and where values came from. */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
      params_print_registry(mem, params_engine_registry, "engine");
      params_print_registry(mem, toy_registry, NULL);
      params_print_values(mem, &a);
      fclose(mem);
      CHECK(strncmp(buf, "# engine\nkey ", 13) == 0 && strstr(buf, "grid.spacing_um") &&
                strstr(buf, "(required)") && strstr(buf, "real/layer") &&
                strstr(buf, "\ntoy.rate "),
            "print_registry output:\n%s", buf);
      CHECK(strstr(buf, "(--set)") && strstr(buf, "(config)") && strstr(buf, "(default)") &&
                strstr(buf, "epidermis 40 µm"),
            "print_values output:\n%s", buf);
      printf("--- tables:\n%s---\n", buf);
      free(buf);
    }
    params_free(&b);
  }
  free(text);
  params_free(&a);
}

/* The base of most bad cases: everything required, so only the bad line can fail. */
#define BASE "model: toy\ngrid: {size_um: [300, 100]}\ntime: {end_day: 1}\n"

static void test_bad(void) {
  params_set_model_names(model_names, 2);
  /* unknown keys, with and without a suggestion */
  expect_fail("unknown_key.yaml", "model: toy\ngrid:\n  spacng_um: 10\n", NULL, 0,
              "unknown_key.yaml:3:3: unknown key 'grid.spacng_um' (did you mean "
              "'grid.spacing_um'?)",
              NULL);
  expect_fail("unknown_sect.yaml", BASE "tiem:\n  end_day: 1\n", NULL, 0,
              "unknown_sect.yaml:4:1: unknown key 'tiem' (did you mean 'time'?)", NULL);
  expect_fail("unknown_far.yaml", BASE "completely_different: 1\n", NULL, 0,
              "unknown_far.yaml:4:1: unknown key 'completely_different'", NULL);
  {
    params p;
    const char *path = write_cfg("unknown_far2.yaml", BASE "completely_different: 1\n");
    params_load(&p, path, NULL, 0, toy_lookup);
    CHECK(!strstr(cs_error_message(), "did you mean"), "no wild suggestion: %s",
          cs_error_message());
  }
  expect_fail("unknown_model.yaml", "model: toyy\n", NULL, 0,
              "unknown_model.yaml:1:8: model: unknown model 'toyy' (did you mean 'toy'?)", NULL);
  expect_fail("unknown_model2.yaml", "model: zebrafish\n", NULL, 0,
              "unknown_model2.yaml:1:8: model: unknown model 'zebrafish' (models: toy fisher)",
              NULL);
  /* duplicate keys, in YAML and across flat/nested spellings */
  expect_fail("dup.yaml", "model: toy\ngrid:\n  dims: 2\ngrid:\n  dims: 3\n", NULL, 0,
              "dup.yaml:4:1: duplicate key 'grid' (first given at line 2)", NULL);
  expect_fail("dup_nested.yaml", "model: toy\ngrid: {dims: 2, dims: 3}\n", NULL, 0,
              "dup_nested.yaml:2:17: duplicate key 'dims' (first given at line 2)", NULL);
  expect_fail("dup_dotted.yaml", BASE "grid.size_um: [300, 100]\n", NULL, 0,
              "dup_dotted.yaml:4:1: duplicate key 'grid.size_um' (first given at line 2)", NULL);
  /* wrong types */
  expect_fail("map_for_number.yaml",
              "model: toy\ntime: {end_day: 1}\ngrid:\n  size_um: [300, 100]\n"
              "  spacing_um: {a: 1}\n",
              NULL, 0,
              "map_for_number.yaml:5:15: grid.spacing_um: expected a number in [1e-06, 1e+09] "
              "µm, got a mapping",
              NULL);
  expect_fail("word_for_number.yaml",
              "model: toy\ntime: {end_day: 1}\ngrid:\n  size_um: [300, 100]\n"
              "  spacing_um: fast\n",
              NULL, 0,
              "word_for_number.yaml:5:15: grid.spacing_um: expected a number in [1e-06, 1e+09] "
              "µm, got \"fast\"",
              NULL);
  expect_fail("quoted_number.yaml", "model: toy\ntime: {end_day: \"1\"}\n", NULL, 0,
              "quoted_number.yaml:2:17: time.end_day: expected a number in [0, 1e+06] day, "
              "got \"1\" (in quotes, so text)",
              NULL);
  expect_fail("scalar_for_map.yaml", "model: toy\ngrid: 5\n", NULL, 0,
              "scalar_for_map.yaml:2:7: grid: expected a mapping of keys (grid.*), got \"5\"",
              NULL);
  expect_fail("list_for_int.yaml", "model: toy\ngrid: {dims: [2]}\n", NULL, 0,
              "list_for_int.yaml:2:14: grid.dims: expected an integer in [2, 3], got a list",
              NULL);
  expect_fail("bad_enum.yaml", "model: toy\ngrid:\n  boundary:\n    x: perodic\n", NULL, 0,
              "bad_enum.yaml:4:8: grid.boundary.x: expected one of periodic, noflux, got "
              "\"perodic\" (did you mean 'periodic'?)",
              NULL);
  expect_fail("bad_bool.yaml", "model: toy\ntime:\n  adaptive: maybe\n", NULL, 0,
              "bad_bool.yaml:3:13: time.adaptive: expected true or false, got \"maybe\"", NULL);
  expect_fail("short_list.yaml", "model: toy\ngrid:\n  size_um: [300]\n", NULL, 0,
              "short_list.yaml:3:12: grid.size_um: expected a list of 2 to 3 numbers in "
              "[1e-06, 1e+09] µm, got a list of 1",
              NULL);
  expect_fail("bad_element.yaml", "model: toy\ngrid:\n  size_um:\n    - 300\n    - deep\n", NULL,
              0, "bad_element.yaml:5:7: grid.size_um[1]: expected a number", NULL);
  expect_fail("empty_value.yaml", "model: toy\ngrid:\n  spacing_um:\n", NULL, 0,
              "empty_value.yaml:3:14: grid.spacing_um: expected a number in [1e-06, 1e+09] "
              "µm, got nothing",
              NULL);
  /* ranges and non-finite numbers */
  expect_fail("range_int.yaml", "model: toy\ngrid:\n  dims: 4\n", NULL, 0,
              "range_int.yaml:3:9: grid.dims: expected an integer in [2, 3], got \"4\"", NULL);
  expect_fail("range_real.yaml", "model: toy\ntime:\n  end_day: -1\n", NULL, 0,
              "range_real.yaml:3:12: time.end_day: expected a number in [0, 1e+06] day, got "
              "\"-1\"",
              NULL);
  expect_fail("nan.yaml", "model: toy\ntime:\n  end_day: .nan\n", NULL, 0,
              "nan.yaml:3:12: time.end_day: expected a finite number in [0, 1e+06] day, got "
              "\".nan\"",
              NULL);
  expect_fail("nan2.yaml", "model: toy\ntime:\n  end_day: NaN\n", NULL, 0,
              "nan2.yaml:3:12: time.end_day: expected a finite number", NULL);
  expect_fail("inf.yaml", "model: toy\ntime:\n  end_day: .inf\n", NULL, 0,
              "inf.yaml:3:12: time.end_day: expected a finite number", NULL);
  expect_fail("overflow.yaml", "model: toy\ntime:\n  end_day: 1e999\n", NULL, 0,
              "overflow.yaml:3:12: time.end_day: expected a finite number", "got \"1e999\"");
  expect_fail("hex.yaml", "model: toy\ntime:\n  end_day: 0x10\n", NULL, 0,
              "hex.yaml:3:12: time.end_day: expected a number", NULL);
  /* files that are not configurations */
  expect_fail("empty.yaml", "", NULL, 0, "empty.yaml: empty configuration", NULL);
  expect_fail("comments.yaml", "# nothing here\n\n", NULL, 0,
              "comments.yaml: empty configuration", NULL);
  expect_fail("missing.yaml", NULL, NULL, 0,
              "missing.yaml: cannot read config: No such file or directory", NULL);
  expect_fail("unclosed.yaml", "a: [1, 2\n", NULL, 0, "unclosed.yaml:2:1: not valid YAML:",
              "flow sequence at line 1, column 4");
  expect_fail("tab.yaml", "\t:\n", NULL, 0,
              "tab.yaml:1:1: not valid YAML: found character that cannot start any token",
              NULL);
  expect_fail("scalar_top.yaml", "just words\n", NULL, 0,
              "scalar_top.yaml:1:1: expected a mapping of keys at the top level", NULL);
  expect_fail("list_top.yaml", "- model: toy\n", NULL, 0,
              "list_top.yaml:1:1: expected a mapping of keys at the top level, got a list",
              NULL);
  expect_fail("anchor.yaml", "model: toy\ngrid: &g {dims: 2}\nmore: *g\n", NULL, 0,
              "anchor.yaml:2:7: anchors and aliases", NULL);
  expect_fail("alias.yaml", "model: toy\nmore: *g\n", NULL, 0,
              "alias.yaml:2:7: anchors and aliases",
              NULL);
  expect_fail("tag.yaml", "model: !!str toy\n", NULL, 0, "tag.yaml:1:8: tags", NULL);
  expect_fail("two_docs.yaml", "model: toy\n---\nmodel: toy\n", NULL, 0,
              "two_docs.yaml:2:1: more than one YAML document", NULL);
  expect_fail("complex_key.yaml", "model: toy\n[a, b]: 1\n", NULL, 0,
              "complex_key.yaml:2:1: a key must be plain text", NULL);
  expect_fail("no_model.yaml", "grid: {dims: 2}\n", NULL, 0,
              "no_model.yaml: missing required key 'model'", NULL);
  expect_fail("no_end.yaml", "model: toy\ngrid: {size_um: [300, 100]}\n", NULL, 0,
              "no_end.yaml: missing required key 'time.end_day' (day: simulated time to reach)",
              NULL);
  expect_fail("dims_size.yaml", "model: toy\ngrid: {dims: 3, size_um: [300, 100]}\n"
              "time: {end_day: 1}\n", NULL, 0,
              "dims_size.yaml:2:17: grid.size_um: expected 3 numbers", NULL);
  /* --set */
  const char *noeq[] = {"foo"};
  expect_fail("set_noeq.yaml", BASE, noeq, 1, "--set 'foo': expected key.path=value", NULL);
  const char *unknown[] = {"time.end_day=2", "grid.spacng_um=1"};
  expect_fail("set_unknown.yaml", BASE, unknown, 2,
              "--set grid.spacng_um=1: unknown key 'grid.spacng_um' (did you mean "
              "'grid.spacing_um'?)",
              NULL);
  const char *badval[] = {"grid.spacing_um=fast"};
  expect_fail("set_badval.yaml", BASE, badval, 1,
              "--set grid.spacing_um=fast: expected a number in [1e-06, 1e+09] µm, got \"fast\"",
              NULL);
  const char *badmap[] = {"grid={boundary: {x: closed}}"};
  expect_fail("set_badmap.yaml", BASE, badmap, 1,
              "--set grid={boundary: {x: closed}}: grid.boundary.x: expected one of periodic, "
              "noflux, got \"closed\"",
              NULL);
  const char *notyaml[] = {"grid.size_um=[1, 2"};
  expect_fail("set_notyaml.yaml", BASE, notyaml, 1,
              "--set grid.size_um=[1, 2: not valid YAML: did not find expected ',' or ']' at "
              "its end "
              "(while parsing a flow sequence at column 1)",
              NULL);
  const char *setmodel[] = {"model=fishr"};
  expect_fail("set_model.yaml", BASE, setmodel, 1,
              "--set model=fishr: unknown model 'fishr' (did you mean 'fisher'?)", NULL);
  const char *setlayers[] = {"layers=[{name: a, thickness_um: 50}]"};
  expect_fail("set_layers.yaml", BASE, setlayers, 1,
              "--set layers=[{name: a, thickness_um: 50}]: thicknesses add up to 50 µm, "
              "but the depth (last element of grid.size_um) is 100 µm",
              NULL);
  /* layers */
  expect_fail("layer_sum.yaml",
              BASE "layers:\n  - {name: epidermis, thickness_um: 40}\n"
                   "  - {name: dermis, thickness_um: 50}\n",
              NULL, 0,
              "layer_sum.yaml:5:3: layers: thicknesses add up to 90 µm, but the depth (last "
              "element of grid.size_um) is 100 µm",
              NULL);
  expect_fail("layer_name.yaml",
              BASE "layers:\n  - {name: epidermis, thickness_um: 40}\n"
                   "  - {name: dermis, thickness_um: 60}\n"
                   "toy:\n  rate: {epidermis: 1, dermiss: 2}\n",
              NULL, 0,
              "layer_name.yaml:8:24: toy.rate: unknown layer 'dermiss' (did you mean 'dermis'?)",
              NULL);
  expect_fail("layer_name2.yaml", BASE "toy:\n  rate:\n    bone: 2\n", NULL, 0,
              "layer_name2.yaml:6:5: toy.rate: unknown layer 'bone' (layers: tissue)", NULL);
  expect_fail("layer_dup.yaml",
              BASE "layers:\n  - {name: skin, thickness_um: 40}\n"
                   "  - {name: skin, thickness_um: 60}\n",
              NULL, 0,
              "layer_dup.yaml:6:12: layers[1].name: duplicate layer name 'skin' (first given at "
              "line 5)",
              NULL);
  expect_fail("layer_key.yaml", BASE "layers:\n  - {name: skin, thicknes_um: 100}\n", NULL, 0,
              "layer_key.yaml:5:18: layers[0]: unknown key 'thicknes_um' (did you mean "
              "'thickness_um'?)",
              NULL);
  expect_fail("layer_neg.yaml", BASE "layers:\n  - {name: skin, thickness_um: -100}\n", NULL, 0,
              "layer_neg.yaml:5:32: layers[0].thickness_um: expected a number > 0 µm, got "
              "\"-100\"",
              NULL);
  expect_fail("layer_badname.yaml", BASE "layers:\n  - {name: \"top skin\", thickness_um: 100}\n",
              NULL, 0, "layer_badname.yaml:5:12: layers[0].name: expected a name", NULL);
  expect_fail("layer_value.yaml", BASE "toy:\n  rate: {tissue: lots}\n", NULL, 0,
              "layer_value.yaml:5:18: toy.rate[tissue]: expected a number in [0, 100] 1/day",
              NULL);
  params_set_model_names(NULL, 0);
}

/* The tree itself: positions, quoting, and the value form used by --set. */
static void test_ytree(void) {
  yt_doc d;
  cs_status st = yt_load_string("mem", "a:\n  b: [1, \"2\"]\n  c: x\n", &d);
  CHECK(st == CS_OK, "yt_load_string: %s", cs_error_message());
  if (st == CS_OK) {
    const yt_node *a = yt_get(d.root, "a"), *b = yt_get(a, "b");
    CHECK(a && a->kind == YT_MAP && a->n == 2 && a->key_line[1] == 3 && a->key_col[1] == 3,
          "mapping a");
    CHECK(b && b->kind == YT_SEQ && b->n == 2 && b->line == 2 && b->col == 6, "list b");
    CHECK(b && !b->items[0]->quoted && b->items[1]->quoted &&
              strcmp(b->items[1]->value, "2") == 0 && b->items[1]->col == 10,
          "items of b");
    CHECK(yt_get(a, "nope") == NULL && yt_get(b, "x") == NULL, "yt_get misses");
    yt_free(&d);
  }
  st = yt_load_string("mem", "42\n", &d);
  CHECK(st == CS_ERR_INPUT && strstr(cs_error_message(), "mem:1:1: expected a mapping"),
        "scalar document: %s", cs_error_message());
  st = yt_load_value("--set x=42", "42", &d);
  CHECK(st == CS_OK && d.root->kind == YT_SCALAR && strcmp(d.root->value, "42") == 0,
        "scalar value");
  yt_free(&d);
  st = yt_load_value("--set x=", "", &d);
  CHECK(st == CS_OK && d.root->kind == YT_SCALAR && d.root->value[0] == '\0', "empty value");
  yt_free(&d);
  st = yt_load_value("--set x={a: &b 1}", "{a: &b 1}", &d);
  CHECK(st == CS_ERR_INPUT && strstr(cs_error_message(), "--set x={a: &b 1}: anchors and "
                                                         "aliases (&name, *name) are not "
                                                         "supported (column 5)"),
        "anchor in value: %s", cs_error_message());
}

static void cleanup(void) {
  for (int i = 0; i < nwritten; i++) remove(written[i]);
  rmdir(tmpdir);
}

int main(void) {
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof tmpdir, "%s/test_config.XXXXXX", base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_ytree();
  test_good();
  test_round_trip();
  test_bad();
  cleanup();
  if (failures) {
    fprintf(stderr, "test_config: %d check(s) failed\n", failures);
    return 1;
  }
  printf("test_config: all checks passed\n");
  return 0;
}
