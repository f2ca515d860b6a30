/* The treatment protocol (sim/treatment/protocol.c) and the engine's session handling:
 *   - rasterised channel volume equals the geometric volume (cylinder π r² d, cone π r² d / 3;
 *     2D: divided by the row period P, the y-average);
 *   - lattices and random patterns place the requested punctures per cm²; same seed, same
 *     positions; each session its own positions;
 *   - distance to the channel: 0 inside, the geometric distance outside;
 *   - cross-field errors name the keys (and the file position);
 *   - a session removes fibroblasts and collagen in the damaged volume at its time;
 *   - runs are bitwise identical on 1 and 2 threads;
 *   - /punctures is written to the run file. */
#include "test_microneedling_util.h"

#include <hdf5.h>

#include "hdf5out.h"

static const char *base3d(double w, double depth, double h) {
  static char buf[1024];
  snprintf(buf, sizeof buf,
           "model: microneedling\n"
           "grid: {dims: 3, size_um: [%g, %g, %g], spacing_um: %g}\n"
           "time: {end_day: 1}\n",
           w, w, depth, h);
  return buf;
}

static protocol *make_protocol(const char *yaml, grid *g, params *p) {
  mn_try(mn_load(p, yaml, NULL, 0), "load");
  mn_try(grid_init(g, p), "grid");
  protocol *pr;
  mn_try(protocol_create(&pr, p, g), "protocol");
  return pr;
}

static double channel_volume(const protocol *pr, const grid *g, int s) {
  float *ch = malloc(sizeof(float) * g->ncell);
  protocol_rasterise(pr, g, s, ch, NULL, NULL, 2);
  double v = 0;
  for (size_t c = 0; c < g->ncell; c++) v += ch[c];
  free(ch);
  return v * (g->dims == 3 ? g->h * g->h * g->h : g->h * g->h);
}

static int volumes(void) {
  int fails = 0;
  char yaml[4096];
  for (int tip = 0; tip < 2; tip++) {
    /* one needle per 1 mm cell, r = 100, d = 400 */
    snprintf(yaml, sizeof yaml,
             "%sprotocol: {device: {needle_length_um: 800, penetration: 0.5, needle_diameter_um: 200,"
             " tip: %s}, pattern: {spacing_um: 1000, shift: none}, sessions: {day: [0]}}\n",
             base3d(1000, 1000, mn_quick() ? 20 : 10), tip ? "cylinder" : "cone");
    grid g;
    params p;
    protocol *pr = make_protocol(yaml, &g, &p);
    double want = CS_PI * 100 * 100 * 400 / (tip ? 1 : 3);
    double got = channel_volume(pr, &g, 0);
    char name[128];
    snprintf(name, sizeof name, "3D %s: rasterised / geometric channel volume", tip ? "cylinder" : "cone");
    fails += mn_le(name, fabs(got / want - 1), 0.02, "sub-sampled volume fractions");
    /* distance: the axis cell at 100 µm depth is inside; a cell 300 µm off the axis at depth
       105 µm is 200 µm from a cylinder's wall */
    wound_info w;
    protocol_cell(pr, &g, 0, (int)(500 / g.h), (int)(500 / g.h), (int)(100 / g.h), &w);
    fails += mn_le("distance inside the channel (µm)", w.distance_um, 0, "0 inside");
    if (tip) {
      /* the cell whose centre is (805, 505) at 10 µm, (810, 510) at 20 µm; 105 or 110 deep */
      double hh = g.h, cx = (floor(805 / hh) + 0.5) * hh, cy = (floor(505 / hh) + 0.5) * hh;
      protocol_cell(pr, &g, 0, (int)(805 / hh), (int)(505 / hh), (int)(105 / hh), &w);
      fails += mn_le("cylinder: distance off axis, error (µm)",
                     fabs(w.distance_um - (hypot(cx - 500, cy - 500) - 100)), 1e-9,
                     "geometric distance");
      fails += mn_true(w.channel == 0 && w.damage == 0, "cell far from the channel untouched", "0, 0");
    }
    protocol_free(pr);
    grid_free(&g);
    params_free(&p);
  }
  /* 2D: a needle row with period P = spacing; volume per µm of y is π r² d / P (cylinder) */
  snprintf(yaml, sizeof yaml,
           "model: microneedling\ngrid: {dims: 2, size_um: [1000, 1000], spacing_um: 10}\n"
           "time: {end_day: 1}\n"
           "protocol: {device: {needle_length_um: 800, penetration: 0.5, needle_diameter_um: 200,"
           " tip: cylinder}, pattern: {spacing_um: 1000, shift: none}, sessions: {day: [0]}}\n");
  grid g;
  params p;
  protocol *pr = make_protocol(yaml, &g, &p);
  double want = CS_PI * 100 * 100 * 400 / 1000.0;
  fails += mn_le("2D cylinder: rasterised / y-averaged channel volume",
                 fabs(channel_volume(pr, &g, 0) / want - 1), 0.02, "chord / period");
  protocol_free(pr);
  grid_free(&g);
  params_free(&p);
  return fails;
}

static int patterns(void) {
  int fails = 0;
  char yaml[4096];
  static const char *kinds[] = {"square", "hex", "random"};
  for (int k = 0; k < 3; k++) {
    snprintf(yaml, sizeof yaml,
             "%sprotocol: {pattern: {kind: %s, density_per_cm2: 100, passes: 3, seed: 7},"
             " sessions: {day: [0, 30]}}\n",
             base3d(3000, 2500, 50), kinds[k]);
    grid g;
    params p;
    protocol *pr = make_protocol(yaml, &g, &p);
    double dens = pr->sessions[0].density_per_cm2;
    char name[128];
    snprintf(name, sizeof name, "3D %s: placed / requested density", kinds[k]);
    fails += mn_le(name, fabs(dens / 100 - 1), 0.15, "a whole number of needles per period");
    snprintf(name, sizeof name, "3D %s: punctures in session 1", kinds[k]);
    fails += mn_ge(name, pr->sessions[0].count, 3 * 7, "3 passes of about 9");
    /* sessions at their own positions; the same seed gives the same ones */
    int same = 1;
    for (int q = 0; q < pr->sessions[0].count && q < pr->sessions[1].count; q++)
      same &= pr->punctures[q].x == pr->punctures[pr->sessions[1].first + q].x;
    snprintf(name, sizeof name, "3D %s: session 2 punctures elsewhere", kinds[k]);
    fails += mn_true(!same, name, "own random offset per session");
    protocol *pr2;
    mn_try(protocol_create(&pr2, &p, &g), "protocol again");
    int equal = pr2->npunctures == pr->npunctures;
    for (int q = 0; equal && q < pr->npunctures; q++)
      equal = pr->punctures[q].x == pr2->punctures[q].x && pr->punctures[q].y == pr2->punctures[q].y;
    snprintf(name, sizeof name, "3D %s: same seed, same punctures", kinds[k]);
    fails += mn_true(equal, name, "reproducible");
    protocol_free(pr2);
    protocol_free(pr);
    grid_free(&g);
    params_free(&p);
  }
  return fails;
}

static int expect_error(const char *label, const char *proto, const char *want1, const char *want2) {
  char yaml[4096];
  snprintf(yaml, sizeof yaml, "%s%s", base3d(1000, 1000, 50), proto);
  params p;
  cs_status st = mn_load(&p, yaml, NULL, 0);
  grid g;
  if (st == CS_OK) {
    mn_try(grid_init(&g, &p), "grid");
    void *inst = NULL;
    st = model_find("microneedling")->create(&p, &g, &inst);
    if (st == CS_OK) model_find("microneedling")->destroy(inst);
    grid_free(&g);
  }
  params_free(&p);
  const char *msg = cs_error_message();
  int ok = st == CS_ERR_INPUT && strstr(msg, want1) && (!want2 || strstr(msg, want2));
  printf("%s  %-52s (%s)\n", ok ? "PASS" : "FAIL", label, st == CS_OK ? "accepted" : msg);
  return !ok;
}

static int errors(void) {
  int fails = 0;
  fails += expect_error("channel below the grid",
                        "protocol:\n  device: {needle_length_um: 3000, penetration: 0.5}\n"
                        "  pattern: {spacing_um: 500}\n",
                        ":5:12: protocol.device.needle_length_um:", "grid.size_um");
  fails += expect_error("override list of the wrong length",
                        "protocol:\n  pattern: {spacing_um: 500}\n"
                        "  sessions: {day: [0, 10], passes: [1, 2, 3]}\n",
                        "protocol.sessions.passes: expected one value per session", NULL);
  fails += expect_error("spacing and density both given",
                        "protocol: {pattern: {spacing_um: 500, density_per_cm2: 10}}\n",
                        "not both", NULL);
  fails += expect_error("neither spacing nor density",
                        "protocol: {pattern: {kind: hex}}\n",
                        "protocol.pattern.spacing_um or protocol.pattern.density_per_cm2", NULL);
  fails += expect_error("days not increasing",
                        "protocol: {pattern: {spacing_um: 500}, sessions: {day: [0, 30, 30]}}\n",
                        "protocol.sessions.day: expected increasing days", NULL);
  return fails;
}

/* A session injures at its time; and 1 vs 2 threads give the same bits. */
static int injury_and_threads(void) {
  int fails = 0;
  const char *proto =
      "protocol:\n"
      "  device: {needle_length_um: 1500, penetration: 0.5, needle_diameter_um: 250, tip: cylinder}\n"
      "  pattern: {kind: square, spacing_um: 2600, shift: none}\n"
      "  sessions: {day: [0, 5]}\n";
  sim a, b;
  params pa, pb;
  mn_sim_2d(&a, &pa, proto, 8, 1, 1);
  mn_sim_2d(&b, &pb, proto, 8, 1, 2);
  /* the channel's axis column at x = 1300, depth 500 µm */
  const grid *g = a.g;
  int F = mn_species(&a, "fibroblasts"), C = mn_species(&a, "collagen");
  size_t idx = grid_index(g, (int)(1300 / g->h), 0, (int)(500 / g->h));
  wound_info w;
  protocol_cell(protocol_of(a.treat), g, 0, (int)(1300 / g->h), 0, (int)(500 / g->h), &w);
  mn_try(sim_advance_to(&a, 1e-6), "advance");
  mn_try(sim_advance_to(&b, 1e-6), "advance"); /* the same stops for both */
  double f_expect = 1250 * (1 - w.damage), c_expect = 0.89 * (1 - w.damage);
  printf("info  axis cell at 500 µm: channel fraction %.4f, damage %.4f\n", w.channel, w.damage);
  fails += mn_ge("damage fraction on the channel axis (2D, y-averaged)", w.damage, 0.05,
                 "the cell holds part of a channel");
  fails += mn_le("fibroblasts after the session vs 1250 (1 - damage), rel.",
                 fabs(a.u[F][idx] / f_expect - 1), 1e-3, "lost in the damaged volume");
  fails += mn_le("collagen after the session vs 0.89 (1 - damage), rel.",
                 fabs(a.u[C][idx] / c_expect - 1), 1e-3, "lost in the damaged volume");
  mn_run(&a);
  mn_run(&b);
  int same = a.t == b.t && a.nsteps == b.nsteps;
  for (int q = 0; same && q < a.ns; q++)
    same = memcmp(a.u[q], b.u[q], sizeof(double) * g->ncell) == 0;
  fails += mn_true(same, "1 and 2 threads: identical fields after 8 days", "bitwise");
  double pa1, pb1, da, db;
  pa1 = outcome_session_peak(a.oc, 1, mn_species(&a, "signal"), &da);
  pb1 = outcome_session_peak(b.oc, 1, mn_species(&b, "signal"), &db);
  fails += mn_true(pa1 == pb1 && da == db, "1 and 2 threads: identical session-2 signal peak",
                   "ordered reductions");

  /* /punctures in a run file */
  char path[] = "/tmp/cisim_mn_h5_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  int nser = sim_series_count(&a);
  series_desc *sd = calloc((size_t)nser, sizeof *sd);
  char (*nm)[3][128] = calloc((size_t)nser, sizeof *nm);
  for (int q = 0; q < nser; q++) {
    sim_series_describe(&a, q, nm[q][0], 128, nm[q][1], 128, nm[q][2], 128);
    sd[q] = (series_desc){nm[q][0], nm[q][1], nm[q][2]};
  }
  hdf5out *o;
  hdf5out_options ho = {.path = path, .force = 1, .command_line = "test", .threads = 2};
  mn_try(hdf5out_create(&o, &ho, a.g, a.m, &pa, sd, nser), "hdf5out_create");
  mn_try(hdf5out_write_punctures(o, protocol_of(a.treat), a.g, 2), "write punctures");
  mn_try(hdf5out_close(o, 1), "close");
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = f >= 0 ? H5Dopen2(f, "/punctures/x_um", H5P_DEFAULT) : -1;
  hsize_t n = 0;
  if (ds >= 0) {
    hid_t sp = H5Dget_space(ds);
    H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    H5Dclose(ds);
  }
  hid_t dm = f >= 0 ? H5Dopen2(f, "/punctures/channel_fraction", H5P_DEFAULT) : -1;
  hsize_t dims[4] = {0, 0, 0, 0};
  if (dm >= 0) {
    hid_t sp = H5Dget_space(dm);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(dm);
  }
  if (f >= 0) H5Fclose(f);
  unlink(path);
  fails += mn_true(n == (hsize_t)protocol_of(a.treat)->npunctures && n == 2, "/punctures/x_um holds every puncture", "2 sessions × 1");
  fails += mn_true(dims[0] == 2 && dims[1] == (hsize_t)g->nz && dims[3] == (hsize_t)g->nx,
                   "/punctures/channel_fraction is (session, z, y, x)", "one map per session");
  free(sd);
  free(nm);
  sim_free(&a);
  sim_free(&b);
  params_free(&pa);
  params_free(&pb);
  return fails;
}

int main(void) {
  int fails = volumes();
  fails += patterns();
  fails += errors();
  fails += injury_and_threads();
  printf("%s\n", fails ? "FAILED" : "all passed");
  return fails != 0;
}
