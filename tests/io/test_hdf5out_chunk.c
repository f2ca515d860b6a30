/* hdf5out_chunk against HDF5's own filter pipeline: the same fields written once through
 * H5Dwrite (HDF5 shuffles and deflates them) and once through hdf5out_chunk_write (shuffled
 * and deflated on the threads, written with H5Dwrite_chunk) must give the same stored chunk,
 * byte for byte, with the same filter mask, and read back as the values written: doubles and
 * the float cast, several levels, more fields than slots (several waves), one cell. With
 * zlib's run-length strategy (rle), byte planes that would not compress stored, the stored
 * chunk must inflate to HDF5's own shuffled bytes, be no larger than Z_RLE makes of them
 * within what storing a plane may cost, and read back the same. And hdf5out_chunk_level accepts only the pipeline it reproduces. */
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "hdf5out_chunk.h"

static int failures;
#define CHECK(cond, ...)                 \
  do {                                   \
    if (!(cond)) {                       \
      printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      printf(__VA_ARGS__);               \
      printf("\n");                      \
      failures++;                        \
    }                                    \
  } while (0)

#define NF 5

/* A growing 4D field dataset of rows row[3], chunk {1, row} (or cz planes), filters as asked. */
static hid_t make_ds(hid_t f, const char *name, const hsize_t row[3], hid_t type, int shuffle,
                     unsigned level, hsize_t cz) {
  hsize_t dims[4] = {0, row[0], row[1], row[2]}, maxd[4] = {H5S_UNLIMITED, row[0], row[1], row[2]};
  hsize_t chunk[4] = {1, cz, row[1], row[2]};
  hid_t sp = H5Screate_simple(4, dims, maxd), pl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(pl, 4, chunk);
  if (shuffle) H5Pset_shuffle(pl);
  if (level) H5Pset_deflate(pl, level);
  hid_t ds = H5Dcreate2(f, name, type, sp, H5P_DEFAULT, pl, H5P_DEFAULT);
  H5Pclose(pl);
  H5Sclose(sp);
  return ds;
}

/* Smooth values with noise in the low bits: what a field looks like to the compressor. */
static double value(int s, size_t c, int snap) {
  return (1.0 + s) * sin(0.01 * (double)c + 0.3 * snap) + 1e-9 * (double)((c * 7919u) % 101u);
}

static void compare_chunks(hid_t a, hid_t b, hsize_t n, const char *what) {
  const hsize_t off[4] = {n, 0, 0, 0};
  hsize_t na = 0, nb = 0;
  CHECK(H5Dget_chunk_storage_size(a, off, &na) >= 0 && H5Dget_chunk_storage_size(b, off, &nb) >= 0,
        "%s: chunk sizes", what);
  CHECK(na == nb && na > 0, "%s: stored chunk %llu bytes, HDF5's own %llu", what,
        (unsigned long long)nb, (unsigned long long)na);
  if (na != nb || na == 0) return;
  unsigned char *ba = malloc(na), *bb = malloc(nb);
  uint32_t ma = 99, mb = 99;
  CHECK(H5Dread_chunk(a, H5P_DEFAULT, off, &ma, ba) >= 0 &&
            H5Dread_chunk(b, H5P_DEFAULT, off, &mb, bb) >= 0,
        "%s: read the raw chunks", what);
  CHECK(ma == mb && memcmp(ba, bb, na) == 0, "%s: chunk bytes or filter mask (%u, %u) differ",
        what, (unsigned)ma, (unsigned)mb);
  free(ba);
  free(bb);
}

/* rle: chunk b must inflate to the shuffled bytes of HDF5's own chunk a (default strategy),
   and be no larger than zlib's run-length strategy makes of them, within what storing the
   planes that would shrink by less than 7 % may cost: 7 % of the bytes, and a stored block's
   5-byte header per plane. */
static void compare_rle(hid_t a, hid_t b, hsize_t n, unsigned level, size_t nbytes, size_t elem,
                        const char *what) {
  const hsize_t off[4] = {n, 0, 0, 0};
  hsize_t na = 0, nb = 0;
  CHECK(H5Dget_chunk_storage_size(a, off, &na) >= 0 && H5Dget_chunk_storage_size(b, off, &nb) >= 0,
        "%s: chunk sizes", what);
  unsigned char *ba = malloc(na), *bb = malloc(nb), *raw = malloc(nbytes);
  unsigned char *mine = malloc(nbytes), *want = malloc(2 * nbytes + 1024);
  uint32_t ma = 99, mb = 99;
  CHECK(H5Dread_chunk(a, H5P_DEFAULT, off, &ma, ba) >= 0 &&
            H5Dread_chunk(b, H5P_DEFAULT, off, &mb, bb) >= 0 && ma == mb,
        "%s: read the raw chunks", what);
  uLongf rl = (uLongf)nbytes, ml = (uLongf)nbytes;
  CHECK(uncompress(raw, &rl, ba, (uLong)na) == Z_OK && rl == nbytes, "%s: inflate", what);
  CHECK(uncompress(mine, &ml, bb, (uLong)nb) == Z_OK && ml == nbytes &&
            memcmp(mine, raw, nbytes) == 0,
        "%s: the stored chunk does not inflate to HDF5's shuffled bytes", what);
  z_stream z;
  memset(&z, 0, sizeof z);
  CHECK(deflateInit2(&z, (int)level, Z_DEFLATED, 15, 8, Z_RLE) == Z_OK, "%s: deflateInit2", what);
  z.next_in = raw;
  z.avail_in = (uInt)nbytes;
  z.next_out = want;
  z.avail_out = (uInt)(2 * nbytes + 1024);
  CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END, "%s: deflate", what);
  const size_t wl = z.total_out;
  deflateEnd(&z);
  CHECK((double)nb <= (double)wl + 0.07 * (double)nbytes + 5.0 * (double)elem,
        "%s: stored %llu bytes, Z_RLE of HDF5's %zu", what, (unsigned long long)nb, wl);
  free(ba), free(bb), free(raw), free(mine), free(want);
}

static void one_case(const char *dir, const hsize_t row[3], int single, unsigned level,
                     int nslots, int nthreads, int rle) {
  char path[512], what[128];
  snprintf(path, sizeof path, "%s/chunks.h5", dir);
  snprintf(what, sizeof what, "%llux%llux%llu %s level %u%s, %d slots, %d threads",
           (unsigned long long)row[0], (unsigned long long)row[1], (unsigned long long)row[2],
           single ? "float" : "double", level, rle ? " rle" : "", nslots, nthreads);
  const size_t ncell = (size_t)(row[0] * row[1] * row[2]);
  const hid_t type = single ? H5T_IEEE_F32LE : H5T_IEEE_F64LE;
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t own[NF], mine[NF];
  char name[32];
  for (int s = 0; s < NF; s++) {
    snprintf(name, sizeof name, "own%d", s);
    own[s] = make_ds(f, name, row, type, 1, level, row[0]);
    snprintf(name, sizeof name, "mine%d", s);
    mine[s] = make_ds(f, name, row, type, 1, level, row[0]);
    CHECK(hdf5out_chunk_level(mine[s], row) == level, "%s: level of the pipeline", what);
  }
  double *u[NF];
  for (int s = 0; s < NF; s++) u[s] = malloc(sizeof(double) * ncell);
  hdf5out_chunk *c = hdf5out_chunk_alloc(ncell, single ? sizeof(float) : sizeof(double), nslots,
                                         nthreads);
  CHECK(c != NULL, "%s: alloc", what);
  for (hsize_t n = 0; n < 2 && c; n++) {
    const hsize_t dims[4] = {n + 1, row[0], row[1], row[2]}, start[4] = {n, 0, 0, 0};
    const hsize_t count[4] = {1, row[0], row[1], row[2]};
    for (int s = 0; s < NF; s++) {
      for (size_t i = 0; i < ncell; i++) u[s][i] = value(s, i, (int)n);
      H5Dset_extent(own[s], dims);
      H5Dset_extent(mine[s], dims);
      hid_t fs = H5Dget_space(own[s]), ms = H5Screate_simple(4, count, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
      CHECK(H5Dwrite(own[s], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, u[s]) >= 0, "%s: H5Dwrite",
            what);
      H5Sclose(ms);
      H5Sclose(fs);
    }
    int bad = -1;
    CHECK(hdf5out_chunk_write(c, mine, NF, n, (const double *const *)u, level, rle, &bad) == 0,
          "%s: write failed at %d", what, bad);
    H5Fflush(f, H5F_SCOPE_GLOBAL);
    for (int s = 0; s < NF; s++) {
      if (rle)
        compare_rle(own[s], mine[s], n, level, ncell * (single ? sizeof(float) : sizeof(double)),
                    single ? sizeof(float) : sizeof(double), what);
      else
        compare_chunks(own[s], mine[s], n, what);
      /* the values, through HDF5's reading filters */
      double *back = malloc(sizeof(double) * ncell);
      hid_t fs = H5Dget_space(mine[s]), ms = H5Screate_simple(4, count, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
      CHECK(H5Dread(mine[s], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, back) >= 0, "%s: read",
            what);
      size_t wrong = 0;
      for (size_t i = 0; i < ncell; i++) {
        const double want = single ? (double)(float)u[s][i] : u[s][i];
        wrong += back[i] != want;
      }
      CHECK(wrong == 0, "%s: %zu values read back differ", what, wrong);
      H5Sclose(ms);
      H5Sclose(fs);
      free(back);
    }
  }
  hdf5out_chunk_free(c);
  for (int s = 0; s < NF; s++) {
    free(u[s]);
    H5Dclose(own[s]);
    H5Dclose(mine[s]);
  }
  H5Fclose(f);
  unlink(path);
}

/* Only shuffle then deflate, one chunk per snapshot, a double or float type, is taken. */
static void levels(const char *dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/levels.h5", dir);
  const hsize_t row[3] = {6, 1, 10};
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t none = make_ds(f, "none", row, H5T_IEEE_F64LE, 0, 0, 6);
  hid_t defl = make_ds(f, "deflate_only", row, H5T_IEEE_F64LE, 0, 4, 6);
  hid_t planes = make_ds(f, "planes", row, H5T_IEEE_F64LE, 1, 4, 3);
  hid_t ints = make_ds(f, "ints", row, H5T_STD_I32LE, 1, 4, 6);
  hid_t good = make_ds(f, "good", row, H5T_IEEE_F32LE, 1, 9, 6);
  CHECK(hdf5out_chunk_level(none, row) == 0, "no filters");
  CHECK(hdf5out_chunk_level(defl, row) == 0, "deflate without shuffle");
  CHECK(hdf5out_chunk_level(planes, row) == 0, "chunks of part of a snapshot");
  CHECK(hdf5out_chunk_level(ints, row) == 0, "an integer type");
  CHECK(hdf5out_chunk_level(good, row) == 9, "float, shuffle + deflate 9");
  const hsize_t other[3] = {6, 1, 11};
  CHECK(hdf5out_chunk_level(good, other) == 0, "another grid's rows");
  H5Dclose(none);
  H5Dclose(defl);
  H5Dclose(planes);
  H5Dclose(ints);
  H5Dclose(good);
  H5Fclose(f);
  unlink(path);
}

int main(void) {
  char dir[] = "/tmp/cisim_chunk_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  const hsize_t grid2d[3] = {125, 1, 130}, grid3d[3] = {7, 9, 11}, one[3] = {1, 1, 1};
  for (int rle = 0; rle < 2; rle++) {
    one_case(dir, grid2d, 0, 4, 2, 2, rle);
    one_case(dir, grid2d, 1, 4, 2, 2, rle);
    one_case(dir, grid3d, 0, 1, 3, 2, rle);
    one_case(dir, grid3d, 0, 9, NF, 3, rle);
    one_case(dir, grid3d, 1, 6, 1, 1, rle);
    one_case(dir, one, 0, 4, 2, 2, rle);
  }
  levels(dir);
  rmdir(dir);
  if (failures) {
    printf("%d failure(s)\n", failures);
    return 1;
  }
  printf("hdf5out_chunk: chunks equal to HDF5's own filters (rle: HDF5's shuffled bytes, within "
         "7 %% of Z_RLE's size), values read back exactly\n");
  return 0;
}
