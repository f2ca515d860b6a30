/* test_compare: compare_files on small run files written with the hdf5out API.
 *
 * Identical files pass; one perturbed cell beyond the tolerance fails and is located exactly
 * (snapshot time, z, y, x, count 1) and passes within rtol; NaN in either file is a
 * difference (in both at one point it is not); single vs double precision passes with a
 * suitable rtol; per-dataset tolerances from YAML apply and bad ones are refused with
 * FILE:LINE:COL; the worst point is the same for any thread count, first in index order on
 * ties; unusable input (grid mismatch, snapshot count, species set, a plain HDF5 file, a
 * missing file) is CS_ERR_INPUT, exit 2. Exit status 0: pass. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <dirent.h>
#include <hdf5.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "hdf5out.h"

static int failures;
#define CHECK(cond, ...)                                          \
  do {                                                            \
    if (!(cond)) {                                                \
      failures++;                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);        \
      fprintf(stderr, __VA_ARGS__);                               \
      fputc('\n', stderr);                                        \
    }                                                             \
  } while (0)

static const species_info species2[2] = {
    {"a", "ng/mL", "species a", -1, 0},
    {"b", "cells/mm³", "species b", -1, 0},
};
static const species_info species_other[2] = {
    {"a", "ng/mL", "species a", -1, 0},
    {"c", "cells/mm³", "species c", -1, 0},
};
static const series_desc series2[2] = {
    {"a_total", "ng", "total of a"},
    {"b_max", "cells/mm³", "largest b"},
};

enum { MAXPERT = 4 };
typedef struct {
  int dims, nx, ny, nz;
  double h;
  int nsnap;
  int single;
  const species_info *species;
  int npert;                    /* cells set to a given value */
  int pert_s[MAXPERT], pert_snap[MAXPERT];
  size_t pert_c[MAXPERT];
  double pert_v[MAXPERT];
  int series_snap;              /* >= 0: series b_max at this snapshot is doubled */
  int unfinished;               /* close with finished = 0, as after a crash */
} spec;

static spec base_spec(void) {
  spec s = {.dims = 3, .nx = 6, .ny = 4, .nz = 5, .h = 10, .nsnap = 3, .species = species2,
            .series_snap = -1};
  return s;
}

static double snap_time(int snap) { return 0.25 * snap; }
/* Not exact in float, so single precision differs from double at rounding level. */
static double value(int s, int snap, size_t c) {
  return 1.0 + s + 0.1 * snap + 0.37 * sin(0.1 * (double)c + s);
}

static char dir[64];
static char *path_in(const char *name) {
  static char buf[8][256];
  static int k;
  k = (k + 1) % 8;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static int write_run(const char *path, const spec *sp) {
  grid g;
  if (grid_init_simple(&g, sp->dims, sp->nx, sp->ny, sp->nz, sp->h, BC_PERIODIC, BC_PERIODIC,
                       BC_NOFLUX, BC_NOFLUX) != CS_OK) {
    fprintf(stderr, "grid_init_simple: %s\n", cs_error_message());
    return 1;
  }
  const model m = {.name = "fake", .summary = "two species", .nspecies = 2,
                   .species = sp->species};
  hdf5out_options o = {.path = path, .force = 1, .single_precision = sp->single, .deflate = 1,
                       .command_line = "test_compare", .threads = 1};
  hdf5out *out = NULL;
  cs_status st = hdf5out_create(&out, &o, &g, &m, NULL, series2, 2);
  double *u[2] = {malloc(g.ncell * sizeof(double)), malloc(g.ncell * sizeof(double))};
  for (int snap = 0; st == CS_OK && snap < sp->nsnap; snap++) {
    for (int s = 0; s < 2; s++)
      for (size_t c = 0; c < g.ncell; c++) u[s][c] = value(s, snap, c);
    for (int p = 0; p < sp->npert; p++)
      if (sp->pert_snap[p] == snap) u[sp->pert_s[p]][sp->pert_c[p]] = sp->pert_v[p];
    double ser[2] = {10.0 + snap, 2.0 + snap * 0.5};
    if (snap == sp->series_snap) ser[1] *= 2;
    st = hdf5out_write_snapshot(out, snap_time(snap), (const double *const *)u, ser);
  }
  if (st == CS_OK) st = hdf5out_close(out, !sp->unfinished);
  else hdf5out_close(out, 0);
  free(u[0]);
  free(u[1]);
  grid_free(&g);
  if (st != CS_OK) fprintf(stderr, "write_run %s: %s\n", path, cs_error_message());
  return st != CS_OK;
}

/* compare_files with the given tolerances; returns the exit code, report in *r. */
static int run_cmp(const char *a, const char *b, double rtol, double atol, const char *tolfile,
                   compare_report *r) {
  compare_options o = {rtol, atol, tolfile, 0};
  cs_status st = compare_files(a, b, &o, r);
  return compare_exit_code(st, r);
}

static const compare_dataset *find_ds(const compare_report *r, const char *name) {
  for (int i = 0; i < r->nds; i++)
    if (strcmp(r->ds[i].name, name) == 0) return &r->ds[i];
  return NULL;
}

static void test_identical(const char *ref) {
  compare_report r;
  int rc = run_cmp(ref, ref, 0, 0, NULL, &r);
  CHECK(rc == 0, "identical files: exit %d (%s)", rc, cs_error_message());
  CHECK(r.nds == 5, "identical files: %d datasets, expected time + 2 fields + 2 series", r.nds);
  for (int i = 0; i < r.nds; i++)
    CHECK(r.ds[i].out == 0 && !r.ds[i].has_worst && r.ds[i].max_abs == 0,
          "identical files: %s differs", r.ds[i].name);
  const compare_dataset *d = find_ds(&r, "fields/b");
  CHECK(d && d->points == 3ull * 6 * 4 * 5, "fields/b: %llu points", d ? d->points : 0);
  char v[160];
  compare_verdict(&r, v, sizeof v);
  CHECK(strcmp(v, "same within tolerance") == 0, "verdict '%s'", v);
  CHECK(r.nwarnings == 0 && r.nparams == 0, "identical files: %d warnings, %d parameters",
        r.nwarnings, r.nparams);
  compare_report_free(&r);

  /* a run that did not close normally is compared, with a warning */
  spec s = base_spec();
  s.unfinished = 1;
  const char *pu = path_in("unfinished.h5");
  if (write_run(pu, &s)) {
    failures++;
    return;
  }
  rc = run_cmp(pu, ref, 0, 0, NULL, &r);
  CHECK(rc == 0 && r.nwarnings == 1 && strstr(r.warnings[0], "did not finish"),
        "unfinished run: exit %d, %d warnings", rc, r.nwarnings);
  compare_report_free(&r);
}

static void test_perturbed(const char *ref) {
  /* species b, snapshot 1, cell (i, j, k) = (3, 2, 4) */
  spec s = base_spec();
  int i = 3, j = 2, k = 4;
  size_t c = ((size_t)k * s.ny + j) * s.nx + i;
  double b0 = value(1, 1, c);
  s.npert = 1;
  s.pert_s[0] = 1;
  s.pert_snap[0] = 1;
  s.pert_c[0] = c;
  s.pert_v[0] = b0 * (1 + 1e-3);
  const char *pa = path_in("pert.h5");
  if (write_run(pa, &s)) {
    failures++;
    return;
  }
  compare_report r;
  int rc = run_cmp(pa, ref, 1e-4, 0, NULL, &r);
  CHECK(rc == 1, "perturbed cell beyond rtol: exit %d, expected 1", rc);
  CHECK(r.ndifferent == 1 && r.npoints_out == 1, "perturbed: %d datasets, %llu points",
        r.ndifferent, r.npoints_out);
  const compare_dataset *d = find_ds(&r, "fields/b");
  CHECK(d && d->out == 1, "fields/b: %llu out of tolerance, expected 1", d ? d->out : 0);
  if (d) {
    CHECK(d->has_worst && d->worst_snap == 1 && d->worst_time == snap_time(1),
          "worst snapshot %zu at t = %g, expected 1 at %g", d->worst_snap, d->worst_time,
          snap_time(1));
    CHECK(d->worst_k == k && d->worst_j == j && d->worst_i == i,
          "worst cell (k, j, i) = (%d, %d, %d), expected (%d, %d, %d)", d->worst_k, d->worst_j,
          d->worst_i, k, j, i);
    CHECK(d->worst_z == (k + 0.5) * s.h && d->worst_y == (j + 0.5) * s.h &&
              d->worst_x == (i + 0.5) * s.h,
          "worst at z, y, x = %g, %g, %g µm", d->worst_z, d->worst_y, d->worst_x);
    CHECK(d->worst_a == s.pert_v[0] && d->worst_b == b0, "worst values %g vs %g", d->worst_a,
          d->worst_b);
    CHECK(fabs(d->max_abs - b0 * 1e-3) < 1e-12 && fabs(d->max_rel - 1e-3) < 1e-9,
          "max abs %g, max rel %g", d->max_abs, d->max_rel);
  }
  const compare_dataset *da = find_ds(&r, "fields/a");
  CHECK(da && da->out == 0 && !da->has_worst, "fields/a should be equal");
  char v[160];
  compare_verdict(&r, v, sizeof v);
  CHECK(strcmp(v, "DIFFERENT: 1 dataset, 1 point") == 0, "verdict '%s'", v);
  compare_report_free(&r);

  /* the same perturbation within rtol passes, and is still located */
  rc = run_cmp(pa, ref, 2e-3, 0, NULL, &r);
  CHECK(rc == 0, "perturbed cell within rtol: exit %d, expected 0", rc);
  d = find_ds(&r, "fields/b");
  CHECK(d && d->out == 0 && d->has_worst && d->worst_k == k, "within rtol: still located");
  compare_report_free(&r);
  /* ... or within atol */
  rc = run_cmp(pa, ref, 0, 1e-2, NULL, &r);
  CHECK(rc == 0, "perturbed cell within atol: exit %d, expected 0", rc);
  compare_report_free(&r);
}

static void test_nan(const char *ref) {
  spec s = base_spec();
  size_t c = 17;
  s.npert = 1;
  s.pert_s[0] = 0;
  s.pert_snap[0] = 2;
  s.pert_c[0] = c;
  s.pert_v[0] = NAN;
  const char *pn = path_in("nan.h5");
  if (write_run(pn, &s)) {
    failures++;
    return;
  }
  compare_report r;
  for (int dir_ = 0; dir_ < 2; dir_++) {
    int rc = dir_ == 0 ? run_cmp(pn, ref, 1, 1, NULL, &r) : run_cmp(ref, pn, 1, 1, NULL, &r);
    const compare_dataset *d = find_ds(&r, "fields/a");
    CHECK(rc == 1, "NaN in %s only: exit %d, expected 1", dir_ ? "B" : "A", rc);
    CHECK(d && d->out == 1 && d->nan == 1 && d->has_worst && d->worst_snap == 2 &&
              d->worst_i == (int)(c % 6) && d->worst_j == (int)(c / 6 % 4) &&
              d->worst_k == (int)(c / 24),
          "NaN in %s: not located", dir_ ? "B" : "A");
    CHECK(d && isfinite(d->max_abs), "NaN must not poison max_abs");
    compare_report_free(&r);
  }
  int rc = run_cmp(pn, pn, 0, 0, NULL, &r);
  CHECK(rc == 0, "NaN at the same point in both files: exit %d, expected 0", rc);
  compare_report_free(&r);
}

static void test_single_vs_double(const char *ref) {
  spec s = base_spec();
  s.single = 1;
  const char *pf = path_in("single.h5");
  if (write_run(pf, &s)) {
    failures++;
    return;
  }
  compare_report r;
  int rc = run_cmp(pf, ref, 1e-6, 0, NULL, &r);
  CHECK(rc == 0, "float vs double with rtol 1e-6: exit %d, expected 0", rc);
  const compare_dataset *d = find_ds(&r, "fields/a");
  CHECK(d && d->max_rel > 0 && d->max_rel < 1e-7, "float vs double: max rel %g",
        d ? d->max_rel : -1);
  compare_report_free(&r);
  rc = run_cmp(pf, ref, 0, 0, NULL, &r);
  CHECK(rc == 1, "float vs double, bitwise: exit %d, expected 1", rc);
  compare_report_free(&r);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static void test_tolerance_file(const char *ref) {
  spec s = base_spec();
  s.series_snap = 2;
  s.npert = 1;
  s.pert_s[0] = 1;
  s.pert_snap[0] = 0;
  s.pert_c[0] = 5;
  s.pert_v[0] = value(1, 0, 5) * (1 + 1e-6);
  const char *ps = path_in("series.h5");
  if (write_run(ps, &s)) {
    failures++;
    return;
  }
  compare_report r;
  int rc = run_cmp(ps, ref, 0, 0, NULL, &r);
  const compare_dataset *d = find_ds(&r, "series/b_max");
  CHECK(rc == 1 && d && d->out == 1 && d->worst_snap == 2 && d->worst_time == snap_time(2) &&
            d->worst_k == -1,
        "series perturbation: exit %d, not located at snapshot 2", rc);
  compare_report_free(&r);

  const char *tf = path_in("tol.yaml");
  write_text(tf, "series/*: {rtol: 1.5}\nfields/b: {rtol: 1e-5}\n");
  rc = run_cmp(ps, ref, 0, 0, tf, &r);
  CHECK(rc == 0, "per-dataset tolerances: exit %d, expected 0 (%s)", rc, cs_error_message());
  d = find_ds(&r, "series/b_max");
  CHECK(d && d->rtol == 1.5 && d->atol == 0, "series/b_max tolerance from the prefix");
  d = find_ds(&r, "fields/a");
  CHECK(d && d->rtol == 0, "fields/a keeps the command-line tolerance");
  compare_report_free(&r);

  /* an exact entry wins over a prefix */
  write_text(tf, "series/*: {rtol: 1.5}\nseries/b_max: {rtol: 0.1}\n'*': {rtol: 1}\n");
  rc = run_cmp(ps, ref, 0, 0, tf, &r);
  d = find_ds(&r, "series/b_max");
  CHECK(rc == 1 && d && d->rtol == 0.1 && d->out == 1, "exact entry should win: exit %d", rc);
  compare_report_free(&r);

  /* entries that match nothing are warned about */
  write_text(tf, "fields/nosuch: {atol: 1}\n'*': {rtol: 2}\n");
  rc = run_cmp(ps, ref, 0, 0, tf, &r);
  CHECK(rc == 0 && r.nwarnings == 1 && strstr(r.warnings[0], "fields/nosuch"),
        "unused tolerance entry: exit %d, %d warnings", rc, r.nwarnings);
  compare_report_free(&r);

  static const struct {
    const char *text, *want;
  } bad[] = {
      {"fields/b: {rtol: 1e-5, rtl: 1}\n", "tol.yaml:1:24: fields/b: unknown key 'rtl'"},
      {"fields/b: {rtol: -1}\n", "tol.yaml:1:18: fields/b.rtol: expected a non-negative"},
      {"fields/b: {rtol: fast}\n", "tol.yaml:1:18: fields/b.rtol: expected a non-negative"},
      {"fields/b: 1e-5\n", "tol.yaml:1:11: fields/b: expected a mapping"},
      {"field/b: {rtol: 1}\n", "tol.yaml:1:1: 'field/b': expected a dataset path"},
      {"- fields/b\n", "tol.yaml:1:1: expected a mapping"},
      {"fields/b: {rtol: 1}\nfields/b: {atol: 1}\n", "tol.yaml:2:1:"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    write_text(tf, bad[i].text);
    compare_options o = {0, 0, tf, 0};
    cs_status st = compare_files(ps, ref, &o, &r);
    CHECK(st == CS_ERR_INPUT && compare_exit_code(st, &r) == 2 &&
              strstr(cs_error_message(), bad[i].want),
          "bad tolerance file %zu: status %d, message '%s', expected '%s'", i, (int)st,
          cs_error_message(), bad[i].want);
    compare_report_free(&r);
  }
  compare_options o = {0, 0, path_in("no-such-tol.yaml"), 0};
  cs_status st = compare_files(ps, ref, &o, &r);
  CHECK(st == CS_ERR_INPUT, "missing tolerance file: status %d", (int)st);
  compare_report_free(&r);
}

/* Two equal worst points in different blocks, slab large enough for several blocks: the first
   in index order is reported, whatever the number of threads. */
static void test_threads(void) {
  spec s = base_spec();
  s.dims = 2;
  s.nx = 128;
  s.ny = 1;
  s.nz = 300; /* 38400 cells: three blocks of the parallel comparison */
  const char *pr = path_in("big_ref.h5"), *pt = path_in("big_ties.h5");
  s.npert = 3;
  size_t cells[3] = {30000, 20000, 36000};
  for (int p = 0; p < 3; p++) {
    s.pert_s[p] = 0;
    s.pert_snap[p] = 1;
    s.pert_c[p] = cells[p];
  }
  /* equal differences (2 vs 5) at three cells, two in one block and one in another */
  spec sr = s;
  for (int p = 0; p < 3; p++) {
    sr.pert_v[p] = 2.0;
    s.pert_v[p] = 5.0;
  }
  if (write_run(pr, &sr) || write_run(pt, &s)) {
    failures++;
    return;
  }
  int saved = omp_get_max_threads();
  const int nthreads[3] = {1, 3, 8};
  for (int t = 0; t < 3; t++) {
    omp_set_num_threads(nthreads[t]);
    compare_report r;
    int rc = run_cmp(pt, pr, 0, 0, NULL, &r);
    const compare_dataset *d = find_ds(&r, "fields/a");
    size_t want = 20000;
    CHECK(rc == 1 && d && d->out == 3 && d->worst_snap == 1 &&
              d->worst_k == (int)(want / 128) && d->worst_i == (int)(want % 128),
          "%d threads: worst at k %d, i %d, expected the first tie (k %d, i %d)", nthreads[t],
          d ? d->worst_k : -1, d ? d->worst_i : -1, (int)(want / 128), (int)(want % 128));
    compare_report_free(&r);
  }
  omp_set_num_threads(saved);
}

static void expect_unusable(const char *a, const char *b, const char *want, const char *what) {
  compare_report r;
  cs_status st = compare_files(a, b, NULL, &r);
  CHECK(st == CS_ERR_INPUT && compare_exit_code(st, &r) == 2,
        "%s: status %d, exit %d, expected exit 2", what, (int)st, compare_exit_code(st, &r));
  CHECK(strstr(cs_error_message(), want), "%s: message '%s' lacks '%s'", what,
        cs_error_message(), want);
  compare_report_free(&r);
}

static void test_unusable(const char *ref) {
  spec s = base_spec();
  s.nx = 7;
  const char *pg = path_in("grid.h5");
  if (!write_run(pg, &s)) expect_unusable(pg, ref, "different grids", "grid shape mismatch");
  s = base_spec();
  s.h = 12;
  pg = path_in("spacing.h5");
  if (!write_run(pg, &s)) expect_unusable(ref, pg, "different grids", "grid spacing mismatch");
  s = base_spec();
  s.nsnap = 2;
  pg = path_in("snaps.h5");
  if (!write_run(pg, &s)) expect_unusable(pg, ref, "different snapshot counts", "snapshot count");
  s = base_spec();
  s.species = species_other;
  pg = path_in("species.h5");
  if (!write_run(pg, &s)) expect_unusable(pg, ref, "different species", "species set");

  /* an HDF5 file that is not a run file */
  const char *plain = path_in("plain.h5");
  hid_t f = H5Fcreate(plain, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t n = 4;
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t ds = H5Dcreate2(f, "data", H5T_NATIVE_DOUBLE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dclose(ds);
  H5Sclose(sp);
  H5Fclose(f);
  expect_unusable(plain, ref, "not a cisim run file", "plain HDF5 file");
  expect_unusable(ref, plain, "plain.h5: not a cisim run file", "plain HDF5 reference");

  const char *txt = path_in("text.h5");
  write_text(txt, "not hdf5\n");
  expect_unusable(txt, ref, "text.h5: not an HDF5 file", "text file");
  expect_unusable(path_in("missing.h5"), ref, "missing.h5: cannot read", "missing file");
  expect_unusable(ref, path_in("missing.h5"), "missing.h5: cannot read", "missing reference");
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/test_compare.XXXXXX");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  static char ref[256]; /* its own copy: path_in's buffers are reused */
  snprintf(ref, sizeof ref, "%s", path_in("ref.h5"));
  spec s = base_spec();
  if (write_run(ref, &s)) return 1;
  test_identical(ref);
  test_perturbed(ref);
  test_nan(ref);
  test_single_vs_double(ref);
  test_tolerance_file(ref);
  test_threads();
  test_unusable(ref);
  /* every file, dataset, group and attribute compare opened has been closed */
  ssize_t open_ids = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
  CHECK(open_ids == 0, "%zd HDF5 objects left open", open_ids);

  /* Remove everything written, sidecars included (hdf5out may add files beside a run). */
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlink(path_in(e->d_name));
  if (d) closedir(d);
  rmdir(dir);
  if (failures) {
    fprintf(stderr, "test_compare: %d failure%s\n", failures, failures == 1 ? "" : "s");
    return 1;
  }
  printf("test_compare: all checks passed\n");
  return 0;
}
