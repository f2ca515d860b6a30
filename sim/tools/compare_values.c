/* compare_values: a dataset of two run files, point by point (see compare_values.h). */
#include "compare_values.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Elements per block of the parallel comparison. The blocks, not the threads, fix the order
   in which partial results are combined, so the report cannot depend on the thread count. */
#define COMPARE_BLOCK 16384
/* Slab size for a field stored without chunks (not written by cisim, but legal HDF5). */
#define COMPARE_CONTIG_BYTES ((size_t)32 << 20)

struct compare_part {
  unsigned long long out, nan;
  double max_abs, max_rel, ref_max;
  int has_worst;
  double excess;      /* of the worst point */
  size_t at;          /* its index in the compared range */
};

/* One block, in index order: a point replaces the worst only if strictly worse, so the first
   of equals is kept. */
static void cmp_block(const double *a, const double *b, size_t n, double rtol, double atol,
                      compare_part *p, size_t off) {
  double m = p->ref_max; /* NaN compares false and is left out; a loop that vectorises */
  for (size_t i = 0; i < n; i++) {
    const double v = fabs(b[i]);
    m = v > m && v < INFINITY ? v : m;
  }
  p->ref_max = m;
  for (size_t i = 0; i < n; i++) {
    /* Runs of equal values, the common case, are skipped 8 at a time by a test the compiler
       vectorises; a run with any difference is examined value by value below. */
    if ((i & 7) == 0 && i + 8 <= n) {
      int same = 1;
      for (size_t k = 0; k < 8; k++) same &= a[i + k] == b[i + k];
      if (same) {
        i += 7;
        continue;
      }
    }
    double x = a[i], y = b[i];
    if (x == y) continue; /* equal, infinities included */
    int xn = isnan(x), yn = isnan(y);
    if (xn && yn) continue;
    double excess;
    if (xn || yn) {
      p->nan++;
      p->out++;
      excess = INFINITY;
    } else if (isinf(x) || isinf(y)) {
      /* rtol·|inf| would pass anything against an infinite reference */
      p->out++;
      p->max_abs = p->max_rel = excess = INFINITY;
    } else {
      double d = fabs(x - y), tol = atol + rtol * fabs(y);
      if (!(d <= tol)) p->out++;
      if (d > p->max_abs) p->max_abs = d;
      double rel = d / fabs(y); /* +inf when y == 0 */
      if (rel > p->max_rel) p->max_rel = rel;
      excess = d - tol;
    }
    if (!p->has_worst || excess > p->excess) {
      p->has_worst = 1;
      p->excess = excess;
      p->at = off + i;
    }
  }
}

/* Fold a partial (whose index is relative to BASE) into the running total, in order. */
static void cmp_merge(compare_part *acc, const compare_part *p, size_t base) {
  acc->out += p->out;
  acc->nan += p->nan;
  if (p->max_abs > acc->max_abs) acc->max_abs = p->max_abs;
  if (p->max_rel > acc->max_rel) acc->max_rel = p->max_rel;
  if (p->ref_max > acc->ref_max) acc->ref_max = p->ref_max;
  if (p->has_worst && (!acc->has_worst || p->excess > acc->excess)) {
    acc->has_worst = 1;
    acc->excess = p->excess;
    acc->at = base + p->at;
  }
}

/* Compare n values in fixed blocks, in parallel when there are several; combine in order. */
static void cmp_range(const double *a, const double *b, size_t n, double rtol, double atol,
                      compare_part *parts, compare_part *acc, size_t base) {
  long nblk = (long)((n + COMPARE_BLOCK - 1) / COMPARE_BLOCK);
#pragma omp parallel for schedule(static) if (nblk > 1)
  for (long k = 0; k < nblk; k++) {
    size_t off = (size_t)k * COMPARE_BLOCK;
    size_t len = n - off < COMPARE_BLOCK ? n - off : COMPARE_BLOCK;
    memset(&parts[k], 0, sizeof parts[k]);
    cmp_block(a + off, b + off, len, rtol, atol, &parts[k], off);
  }
  for (long k = 0; k < nblk; k++) cmp_merge(acc, &parts[k], base);
}

static cs_status ensure_cap(compare_values_ctx *c, size_t n) {
  if (n <= c->cap) return CS_OK;
  size_t nblk = (n + COMPARE_BLOCK - 1) / COMPARE_BLOCK;
  free(c->buf_a);
  free(c->buf_b);
  free(c->parts);
  c->buf_a = malloc(n * sizeof *c->buf_a);
  c->buf_b = malloc(n * sizeof *c->buf_b);
  c->parts = malloc(nblk * sizeof *c->parts);
  c->cap = c->buf_a && c->buf_b && c->parts ? n : 0;
  return c->cap ? CS_OK : compare_nomem();
}

static void fill_dataset(compare_dataset *d, const compare_part *acc, const compare_runfile *b) {
  d->out = acc->out;
  d->nan = acc->nan;
  d->max_abs = acc->max_abs;
  d->max_rel = acc->max_rel;
  d->ref_max = acc->ref_max;
  d->has_worst = acc->has_worst;
  d->worst_k = d->worst_j = d->worst_i = -1;
  d->worst_z = d->worst_y = d->worst_x = NAN;
  if (!acc->has_worst) return;
  size_t plane = (size_t)(b->n[1] * b->n[2]), ncell = plane * (size_t)b->n[0];
  if (d->kind == COMPARE_FIELD) {
    size_t c = acc->at % ncell;
    d->worst_snap = acc->at / ncell;
    d->worst_k = (int)(c / plane);
    d->worst_j = (int)(c / b->n[2] % b->n[1]);
    d->worst_i = (int)(c % b->n[2]);
    d->worst_z = b->coord[0][d->worst_k];
    d->worst_y = b->coord[1][d->worst_j];
    d->worst_x = b->coord[2][d->worst_i];
  } else {
    d->worst_snap = acc->at;
  }
  d->worst_time = b->time[d->worst_snap];
}

cs_status compare_values_vector(compare_values_ctx *c, compare_dataset *d, const char *obj) {
  double *va = NULL, *vb = NULL;
  size_t na = 0, nb = 0;
  const int series = strncmp(obj, "series/", 7) == 0;
  cs_status st = series ? compare_runfile_series(c->a, obj, &va, &na)
                        : compare_runfile_vector(c->a, obj, &va, &na);
  if (st == CS_OK)
    st = series ? compare_runfile_series(c->b, obj, &vb, &nb)
                : compare_runfile_vector(c->b, obj, &vb, &nb);
  size_t n = c->b->nsnap;
  const compare_runfile *short_rf = na < n ? c->a : c->b;
  if (st == CS_OK && (na < n || nb < n))
    st = CS_ERROR(CS_ERR_INPUT, "%s: /%s has %zu values, fewer than the %zu snapshots of /time",
                  short_rf->path, obj, na < n ? na : nb, n);
  if (st == CS_OK) st = ensure_cap(c, n);
  if (st == CS_OK) {
    compare_part acc = {0};
    cmp_range(va, vb, n, d->rtol, d->atol, c->parts, &acc, 0);
    d->points = n;
    d->worst_a = acc.has_worst ? va[acc.at] : NAN;
    d->worst_b = acc.has_worst ? vb[acc.at] : NAN;
    fill_dataset(d, &acc, c->b);
  }
  free(va);
  free(vb);
  return st;
}

/* Open a field, check its shape against the grid, and learn how many z-planes a chunk holds. */
static cs_status field_open(const compare_runfile *rf, const char *obj, hid_t *ds,
                            hsize_t *planes, size_t *chunk_bytes) {
  *ds = H5Dopen2(rf->file, obj, H5P_DEFAULT);
  if (*ds < 0) return CS_ERROR(CS_ERR_INPUT, "%s: /%s is not a dataset", rf->path, obj);
  hid_t sp = H5Dget_space(*ds), ty = H5Dget_type(*ds), dcpl = H5Dget_create_plist(*ds);
  hsize_t dims[4] = {0, 0, 0, 0}, chunk[4] = {0, 0, 0, 0};
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  if (rank == 4) H5Sget_simple_extent_dims(sp, dims, NULL);
  H5T_class_t cls = ty >= 0 ? H5Tget_class(ty) : H5T_NO_CLASS;
  int chunked = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
                H5Pget_chunk(dcpl, 4, chunk) == 4;
  size_t esize = ty >= 0 ? H5Tget_size(ty) : 8;
  if (sp >= 0) H5Sclose(sp);
  if (ty >= 0) H5Tclose(ty);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (rank != 4 || dims[1] != rf->n[0] || dims[2] != rf->n[1] || dims[3] != rf->n[2] ||
      dims[0] < rf->nsnap)
    return CS_ERROR(CS_ERR_INPUT,
                    "%s: /%s: expected shape (snapshots >= %zu, %llu, %llu, %llu) to match "
                    "/time and /grid",
                    rf->path, obj, rf->nsnap, (unsigned long long)rf->n[0],
                    (unsigned long long)rf->n[1], (unsigned long long)rf->n[2]);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return CS_ERROR(CS_ERR_INPUT, "%s: /%s does not hold numbers", rf->path, obj);
  size_t plane_bytes = (size_t)(rf->n[1] * rf->n[2]) * sizeof(double);
  if (chunked) {
    *planes = chunk[1] ? chunk[1] : 1;
    *chunk_bytes = esize * (size_t)(chunk[0] * chunk[1] * chunk[2] * chunk[3]);
  } else {
    *planes = plane_bytes ? COMPARE_CONTIG_BYTES / plane_bytes : 1;
    *chunk_bytes = 0;
  }
  if (*planes < 1) *planes = 1;
  if (*planes > rf->n[0]) *planes = rf->n[0];
  return CS_OK;
}

/* If slabs are thinner than this file's chunks (the two files are chunked differently), each
   chunk is read in parts: reopen with a chunk cache that holds one, or HDF5 would decompress
   it once per part. */
static cs_status field_reopen_cached(const compare_runfile *rf, const char *obj, hid_t *ds,
                                     size_t chunk_bytes) {
  H5Dclose(*ds);
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  if (dapl >= 0)
    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, chunk_bytes + (1 << 20), 1.0);
  *ds = H5Dopen2(rf->file, obj, dapl >= 0 ? dapl : H5P_DEFAULT);
  if (dapl >= 0) H5Pclose(dapl);
  return *ds < 0 ? CS_ERROR(CS_ERR_INPUT, "%s: cannot reopen /%s", rf->path, obj) : CS_OK;
}

static cs_status read_slab(const compare_runfile *rf, hid_t ds, const char *obj, size_t snap,
                           hsize_t z0, hsize_t nz, double *buf) {
  hsize_t start[4] = {snap, z0, 0, 0}, count[4] = {1, nz, rf->n[1], rf->n[2]};
  /* The memory space has the selection's own 4-D shape: given a 1-D one, HDF5 maps every
     element to its chunk one by one, which costs more than reading the file. */
  hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(4, count, NULL);
  herr_t e = fs < 0 || ms < 0 ? -1
                              : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  if (e >= 0) e = H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf);
  char why[256] = "";
  if (e < 0) compare_h5_reason(why);
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (e < 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read /%s, snapshot %zu: %s", rf->path, obj, snap,
                    why);
  return CS_OK;
}

cs_status compare_values_field(compare_values_ctx *c, compare_dataset *d, const char *obj) {
  hid_t da = H5I_INVALID_HID, db = H5I_INVALID_HID;
  hsize_t pa = 1, pb = 1;
  size_t ca = 0, cb = 0;
  const compare_runfile *b = c->b;
  cs_status st = field_open(c->a, obj, &da, &pa, &ca);
  if (st == CS_OK) st = field_open(b, obj, &db, &pb, &cb);
  hsize_t planes = pa < pb ? pa : pb;
  if (st == CS_OK && pa > planes && ca > 0) st = field_reopen_cached(c->a, obj, &da, ca);
  if (st == CS_OK && pb > planes && cb > 0) st = field_reopen_cached(b, obj, &db, cb);
  size_t plane = (size_t)(b->n[1] * b->n[2]), ncell = plane * (size_t)b->n[0];
  if (st == CS_OK) st = ensure_cap(c, (size_t)planes * plane);
  compare_part acc = {0};
  for (size_t s = 0; st == CS_OK && s < b->nsnap; s++)
    for (hsize_t z0 = 0; st == CS_OK && z0 < b->n[0]; z0 += planes) {
      hsize_t nz = b->n[0] - z0 < planes ? b->n[0] - z0 : planes;
      st = read_slab(c->a, da, obj, s, z0, nz, c->buf_a);
      if (st == CS_OK) st = read_slab(b, db, obj, s, z0, nz, c->buf_b);
      if (st != CS_OK) break;
      compare_part before = acc;
      cmp_range(c->buf_a, c->buf_b, (size_t)nz * plane, d->rtol, d->atol, c->parts, &acc,
                s * ncell + (size_t)z0 * plane);
      /* The values at the worst point are only in the buffers while its slab is. */
      if (acc.has_worst && (!before.has_worst || acc.at != before.at)) {
        size_t i = acc.at - (s * ncell + (size_t)z0 * plane);
        d->worst_a = c->buf_a[i];
        d->worst_b = c->buf_b[i];
      }
    }
  d->scale = 0; /* the species' tolerance scale, where the reference file states one */
  if (db >= 0 && H5Aexists(db, "tolerance_scale") > 0) {
    hid_t at = H5Aopen(db, "tolerance_scale", H5P_DEFAULT);
    if (at < 0 || H5Aread(at, H5T_NATIVE_DOUBLE, &d->scale) < 0 || !(d->scale > 0)) d->scale = 0;
    if (at >= 0) H5Aclose(at);
  }
  if (da >= 0) H5Dclose(da);
  if (db >= 0) H5Dclose(db);
  if (st == CS_OK) {
    d->points = (unsigned long long)b->nsnap * ncell;
    fill_dataset(d, &acc, b);
  }
  return st;
}

void compare_values_free(compare_values_ctx *c) {
  free(c->buf_a);
  free(c->buf_b);
  free(c->parts);
  c->buf_a = c->buf_b = NULL;
  c->parts = NULL;
  c->cap = 0;
}
