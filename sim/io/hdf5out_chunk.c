#include "hdf5out_chunk.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* A plane whose deflated size would exceed this share of it is stored (plane_compresses). */
#define PLANE_STORE_ABOVE 0.93
/* plane_compresses looks at one byte in this many */
#define PLANE_SAMPLE 8

/* One slot per chunk in flight: the shuffled bytes and their deflated copy. */
struct hdf5out_chunk {
  size_t ncell, elem, nbytes;
  int nslots, nthreads;
  unsigned char **shuf, **zbuf;
  uLong *zlen;
  int *zerr;
};

unsigned hdf5out_chunk_level(hid_t ds, const hsize_t row[3]) {
  hid_t dcpl = H5Dget_create_plist(ds), ty = H5Dget_type(ds);
  unsigned level = 0;
  hsize_t chunk[4];
  if (dcpl >= 0 && ty >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED &&
      H5Pget_chunk(dcpl, 4, chunk) == 4 && chunk[0] == 1 && chunk[1] == row[0] &&
      chunk[2] == row[1] && chunk[3] == row[2] && H5Pget_nfilters(dcpl) == 2 &&
      (H5Tequal(ty, H5T_NATIVE_DOUBLE) > 0 || H5Tequal(ty, H5T_NATIVE_FLOAT) > 0)) {
    unsigned flags, cd[4];
    size_t ncd = 4;
    char name[32];
    const H5Z_filter_t f0 = H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, sizeof name, name, NULL);
    ncd = 4;
    const H5Z_filter_t f1 = H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, sizeof name, name, NULL);
    if (f0 == H5Z_FILTER_SHUFFLE && f1 == H5Z_FILTER_DEFLATE && ncd >= 1 && cd[0] >= 1 &&
        cd[0] <= 9)
      level = cd[0];
  }
  if (ty >= 0) H5Tclose(ty);
  if (dcpl >= 0) H5Pclose(dcpl);
  return level;
}

/* Room for a deflated chunk whatever the strategy: compressBound is zlib's bound for its
   default parameters; stored blocks (the worst case) add 5 bytes per 16 KiB and a header. */
static uLong zbound(size_t nbytes) {
  return compressBound((uLong)nbytes) + (uLong)(nbytes >> 10) + 64;
}

/* Whether deflate would gain anything on n bytes of one significance (a plane of the
   shuffled chunk): from the plane's order-0 entropy H (bits per byte, what Huffman coding
   reaches) and the share e of bytes equal to their predecessor (what the run-length matches
   take), the deflated size is about (1 − e) H / 8 of the plane. The low mantissa bytes of a
   field that varies are noise (H ≈ 8, e ≈ 1/256): deflating them costs most of a snapshot's
   output time and saves nothing. */
static int plane_compresses(const unsigned char *p, size_t n) {
  if (n < 64 * PLANE_SAMPLE) return 1;
  /* every PLANE_SAMPLE-th byte and its predecessor: an estimate that costs an eighth of a
     histogram of the whole plane (the sampling bias of H, 255 / (2 m ln 2) bits for m
     samples, is below 0.1 bit from 2000 samples on) */
  unsigned hist[256] = {0};
  size_t eq = 0, m = 0;
  for (size_t i = PLANE_SAMPLE - 1; i < n; i += PLANE_SAMPLE, m++) {
    hist[p[i]]++;
    eq += p[i] == p[i - 1];
  }
  double h = 0;
  for (int b = 0; b < 256; b++)
    if (hist[b]) {
      const double f = (double)hist[b] / (double)m;
      h -= f * log2(f);
    }
  return (1.0 - (double)eq / (double)m) * h / 8.0 < PLANE_STORE_ABOVE;
}

/* zlib's run-length strategy, one plane of the shuffled bytes (elem planes of ncell bytes) at
   a time: planes that do not compress go into stored blocks (level 0: copied), the others are
   deflated at the given level. One ordinary zlib stream, whatever the mix. */
static int compress_rle(unsigned char *dst, uLong *dlen, const unsigned char *src, size_t ncell,
                        size_t elem, int level) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, level, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) return Z_MEM_ERROR;
  z.next_out = dst;
  z.avail_out = (uInt)*dlen;
  int r = Z_OK, cur = level;
  for (size_t b = 0; b < elem && r == Z_OK; b++) {
    const unsigned char *p = src + b * ncell;
    const int want = plane_compresses(p, ncell) ? level : 0;
    if (want != cur && (r = deflateParams(&z, want, Z_RLE)) != Z_OK) break;
    cur = want;
    z.next_in = (Bytef *)(uintptr_t)p; /* zlib's API: input it does not write */
    z.avail_in = (uInt)ncell;
    r = deflate(&z, b + 1 < elem ? Z_NO_FLUSH : Z_FINISH);
    if (r == Z_STREAM_END || (r == Z_OK && z.avail_in == 0 && b + 1 < elem)) r = Z_OK;
    else r = Z_BUF_ERROR;
  }
  *dlen = z.total_out;
  deflateEnd(&z);
  return r;
}

hdf5out_chunk *hdf5out_chunk_alloc(size_t ncell, size_t elem, int nslots, int nthreads) {
  hdf5out_chunk *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->ncell = ncell;
  c->elem = elem;
  c->nbytes = ncell * elem; /* no overflow: the state holds ncell doubles per species */
  c->nslots = nslots > 0 ? nslots : 1;
  c->nthreads = nthreads > 0 ? nthreads : 1;
  c->shuf = calloc((size_t)c->nslots, sizeof *c->shuf);
  c->zbuf = calloc((size_t)c->nslots, sizeof *c->zbuf);
  c->zlen = calloc((size_t)c->nslots, sizeof *c->zlen);
  c->zerr = calloc((size_t)c->nslots, sizeof *c->zerr);
  int ok = c->shuf && c->zbuf && c->zlen && c->zerr;
  for (int k = 0; ok && k < c->nslots; k++) {
    c->shuf[k] = malloc(c->nbytes ? c->nbytes : 1);
    c->zbuf[k] = malloc(zbound(c->nbytes));
    ok = c->shuf[k] && c->zbuf[k];
  }
  if (!ok) {
    hdf5out_chunk_free(c);
    return NULL;
  }
  return c;
}

void hdf5out_chunk_free(hdf5out_chunk *c) {
  if (!c) return;
  for (int k = 0; c->shuf && k < c->nslots; k++) free(c->shuf[k]);
  for (int k = 0; c->zbuf && k < c->nslots; k++) free(c->zbuf[k]);
  free(c->shuf);
  free(c->zbuf);
  free(c->zlen);
  free(c->zerr);
  free(c);
}

/* HDF5's shuffle filter: byte b of element i goes to b * n + i, the bytes of equal
   significance together. Single precision: the plain cast H5Dwrite's conversion makes. */
static void shuffle_field(const double *u, size_t n, size_t elem, unsigned char *out) {
  for (size_t i0 = 0; i0 < n; i0 += 256) { /* a few values at a time, read once */
    const size_t m = n - i0 < 256 ? n - i0 : 256;
    unsigned char v[256 * sizeof(double)];
    if (elem == sizeof(float))
      for (size_t i = 0; i < m; i++) {
        const float f = (float)u[i0 + i];
        memcpy(v + i * elem, &f, elem);
      }
    else
      memcpy(v, u + i0, m * elem);
    for (size_t b = 0; b < elem; b++)
      for (size_t i = 0; i < m; i++) out[b * n + i0 + i] = v[i * elem + b];
  }
}

int hdf5out_chunk_write(hdf5out_chunk *c, const hid_t *ds, int nfields, hsize_t n,
                        const double *const *u, unsigned level, int rle, int *bad) {
  for (int s0 = 0; s0 < nfields; s0 += c->nslots) {
    const int m = nfields - s0 < c->nslots ? nfields - s0 : c->nslots;
#pragma omp parallel for schedule(dynamic) num_threads(c->nthreads)
    for (int k = 0; k < m; k++) {
      shuffle_field(u[s0 + k], c->ncell, c->elem, c->shuf[k]);
      c->zlen[k] = zbound(c->nbytes);
      c->zerr[k] = (rle ? compress_rle(c->zbuf[k], &c->zlen[k], c->shuf[k], c->ncell, c->elem,
                                       (int)level)
                        : compress2(c->zbuf[k], &c->zlen[k], c->shuf[k], (uLong)c->nbytes,
                                    (int)level)) != Z_OK;
    }
    for (int k = 0; k < m; k++) {
      const hsize_t off[4] = {n, 0, 0, 0};
      if (c->zerr[k] ||
          H5Dwrite_chunk(ds[s0 + k], H5P_DEFAULT, 0, off, (size_t)c->zlen[k], c->zbuf[k]) < 0) {
        *bad = s0 + k;
        return -1;
      }
    }
  }
  return 0;
}
