/* fuzz_h5mutate: a structure-aware libFuzzer mutator for HDF5 files (fuzz_runfile.c).
 *
 * Byte-level mutations of an HDF5 file mostly test the HDF5 library's own parser (its
 * object headers, B-trees and heaps carry no checksums in the format cisim writes), and
 * libhdf5 1.10 crashes on such files within seconds: a finding in Debian's libhdf5, not in
 * cisim, and one that hides everything else. This mutator therefore edits a file *through the
 * HDF5 API*, so that every input stays a well-formed HDF5 file and the mutations probe what
 * cisim does with the content: it opens the file (or one half of a run-file/checkpoint pair),
 * picks one object (group or dataset) and does one of
 *   - change one attribute value: a number scaled by 10^k, negated, set to an edge value
 *     (0, -1, NaN, ±inf, 1e308, INT_MAX, 2^63, ...), nudged by ±1 or a bit of it flipped; a
 *     string mutated by libFuzzer's byte mutators;
 *   - change one element of a numeric dataset the same way, or the text of a string dataset
 *     (a checkpoint's /yaml is then, three times in four, re-hashed into yaml_fnv1a64, so that
 *     the edited configuration gets past the hash check and into params_load/sim_create);
 *   - replace an attribute by one of another shape or type (a list of 0, 2, 4 or 64
 *     numbers, a string, a number in place of a string);
 *   - delete an attribute, a dataset or a group;
 *   - grow or shrink an extendible dataset (snapshot counts that disagree).
 * With CISIM_FUZZ_RAW_BYTES=1 half of the mutations are libFuzzer's own byte mutations of the
 * whole input instead: for hunting HDF5-library crashes (README.md: "Raw-byte mode"). */
#ifndef CISIM_FUZZ_H5MUTATE_H
#define CISIM_FUZZ_H5MUTATE_H

#include <hdf5.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "fuzz_util.h"
#include "hdf5out_attr.h"
#include "run_id.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

static uint64_t hm_state;
static uint64_t hm_rand(void) {
  hm_state = hm_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return hm_state >> 33;
}
static size_t hm_pick(size_t n) { return n ? (size_t)(hm_rand() % n) : 0; }

/* ---- values ---- */

static double hm_mutate_double(double x) {
  static const double edges[] = {0, -0.0, 1, -1, 2, 0.5, 1e-300, 4.9e-324, 1e308, -1e308,
                                 2147483647.0, 2147483648.0, 4294967296.0, 9.3e18, 1e20, 1e-9};
  switch (hm_rand() % 8) {
    case 0:
    case 1: return (x == 0 ? 1 : x) * pow(10, (double)((int)hm_pick(61) - 30));
    case 2: return -x;
    case 3: return edges[hm_pick(sizeof edges / sizeof *edges)];
    case 4: return hm_rand() % 2 ? NAN : (hm_rand() % 2 ? INFINITY : -INFINITY);
    case 5: return x + (hm_rand() % 2 ? 1 : -1);
    case 6: return nextafter(x, hm_rand() % 2 ? INFINITY : -INFINITY);
    default: {
      uint64_t b;
      memcpy(&b, &x, sizeof b);
      b ^= 1ULL << hm_pick(64);
      memcpy(&x, &b, sizeof b);
      return x;
    }
  }
}

static long long hm_mutate_int(long long v) {
  static const long long edges[] = {0, 1, -1, 2, 3, INT_MAX, INT_MIN, (long long)INT_MAX + 1,
                                    LLONG_MAX, LLONG_MIN, 1000000, 4096, 65536};
  switch (hm_rand() % 5) { /* in unsigned arithmetic: LLONG_MAX + 1 wraps, no UB */
    case 0: return (long long)((unsigned long long)v + 1);
    case 1: return (long long)((unsigned long long)v - 1);
    case 2: return edges[hm_pick(sizeof edges / sizeof *edges)];
    case 3: return (long long)((unsigned long long)v ^ (1ULL << hm_pick(64)));
    default: return (long long)((unsigned long long)v * 2);
  }
}

/* A string through libFuzzer's byte mutators (caller frees). */
static char *hm_mutate_text(const char *s, size_t cap) {
  size_t n = strlen(s);
  if (n + 64 > cap) cap = n + 64;
  uint8_t *buf = malloc(cap + 1);
  if (!buf) return NULL;
  memcpy(buf, s, n);
  size_t m = LLVMFuzzerMutate(buf, n, cap);
  for (size_t i = 0; i < m; i++)
    if (!buf[i]) buf[i] = ' '; /* the readers see C strings */
  buf[m] = '\0';
  return (char *)buf;
}

/* ---- objects ---- */

#define HM_MAX_OBJ 256
typedef struct {
  int n;
  char path[HM_MAX_OBJ][160];
} hm_objects;

static herr_t hm_visit(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)g;
  hm_objects *o = data;
  if (info->type == H5L_TYPE_HARD && o->n < HM_MAX_OBJ)
    snprintf(o->path[o->n++], sizeof o->path[0], "/%s", name);
  return 0;
}

#define HM_MAX_ATTR 160
typedef struct {
  int n;
  char name[HM_MAX_ATTR][96];
} hm_attrs;

static herr_t hm_attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)loc;
  (void)info;
  hm_attrs *a = data;
  if (a->n < HM_MAX_ATTR) snprintf(a->name[a->n++], sizeof a->name[0], "%s", name);
  return 0;
}

/* Replace attribute NAME on OBJ by N doubles (n == 0: a null dataspace). */
static int hm_put_doubles(hid_t obj, const char *name, const double *v, hsize_t n) {
  if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
  hid_t sp = n == 0 ? H5Screate(H5S_NULL) : n == 1 ? H5Screate(H5S_SCALAR)
                                                   : H5Screate_simple(1, &n, NULL);
  hid_t a = sp >= 0 ? H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
  int ok = a >= 0 && (n == 0 || H5Awrite(a, H5T_NATIVE_DOUBLE, v) >= 0);
  if (a >= 0) H5Aclose(a);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

static int hm_mutate_attr(hid_t obj, const char *name) {
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return 0;
  hid_t t = H5Aget_type(a), sp = H5Aget_space(a);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  int ok = 0;
  if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && n > 0 && n <= 4096) {
    if (cls == H5T_INTEGER) {
      long long *v = malloc(sizeof *v * (size_t)n);
      if (v && H5Aread(a, H5T_NATIVE_LLONG, v) >= 0) {
        size_t i = hm_pick((size_t)n);
        v[i] = hm_mutate_int(v[i]);
        ok = H5Awrite(a, H5T_NATIVE_LLONG, v) >= 0;
      }
      free(v);
    } else {
      double *v = malloc(sizeof *v * (size_t)n);
      if (v && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0) {
        size_t i = hm_pick((size_t)n);
        v[i] = hm_mutate_double(v[i]);
        ok = H5Awrite(a, H5T_NATIVE_DOUBLE, v) >= 0;
      }
      free(v);
    }
    H5Aclose(a);
  } else if (cls == H5T_STRING) {
    H5Aclose(a);
    char *s = h5a_read_str(obj, name);
    char *m = s ? hm_mutate_text(s, 4096) : NULL;
    if (m) {
      h5a_ctx c;
      h5a_init(&c, obj);
      h5a_str(&c, name, m);
      ok = !c.failed[0];
    }
    free(m);
    free(s);
  } else {
    H5Aclose(a);
  }
  if (t >= 0) H5Tclose(t);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

/* Another shape or type for attribute NAME. */
static int hm_reshape_attr(hid_t obj, const char *name) {
  static const hsize_t sizes[] = {0, 1, 2, 3, 4, 64};
  switch (hm_rand() % 3) {
    case 0: { /* a string */
      if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
      h5a_ctx c;
      h5a_init(&c, obj);
      h5a_str(&c, name, hm_rand() % 2 ? "" : "cisim");
      return !c.failed[0];
    }
    case 1: { /* an integer */
      if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
      h5a_ctx c;
      h5a_init(&c, obj);
      h5a_int(&c, name, (int)hm_mutate_int(1));
      return !c.failed[0];
    }
    default: {
      double v[64];
      for (int i = 0; i < 64; i++) v[i] = i % 2 ? 1e300 : (double)i;
      return hm_put_doubles(obj, name, v, sizes[hm_pick(sizeof sizes / sizeof *sizes)]);
    }
  }
}

/* A checkpoint's /yaml edited: re-hash it, so that it gets past the hash check. */
static void hm_rehash(hid_t file, const char *yaml) {
  if (H5Aexists(file, "yaml_fnv1a64") <= 0) return;
  char hash[17];
  run_id_hash_text(yaml, hash);
  h5a_ctx c;
  h5a_init(&c, file);
  h5a_str(&c, "yaml_fnv1a64", hash);
}

static int hm_mutate_dataset(hid_t file, hid_t ds, const char *path) {
  hid_t t = H5Dget_type(ds), sp = H5Dget_space(ds);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  int rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  hsize_t dims[H5S_MAX_RANK], maxdims[H5S_MAX_RANK];
  int ok = 0;
  if (rank >= 0) H5Sget_simple_extent_dims(sp, dims, maxdims);
  unsigned op = hm_rand() % 4;
  if (op == 0 && rank >= 1 && maxdims[0] == H5S_UNLIMITED) { /* snapshots that disagree */
    hsize_t nd[H5S_MAX_RANK];
    memcpy(nd, dims, sizeof(hsize_t) * (size_t)rank);
    switch (hm_rand() % 3) {
      case 0: nd[0] = dims[0] > 0 ? dims[0] - 1 : 0; break;
      case 1: nd[0] = dims[0] + 1; break;
      default: nd[0] = 0;
    }
    ok = H5Dset_extent(ds, nd) >= 0;
  } else if (cls == H5T_STRING && rank == 0) {
    hid_t st = h5a_string_type();
    char *s = NULL;
    if (st >= 0 && H5Dread(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0 && s) {
      char *m = hm_mutate_text(s, 65536);
      H5free_memory(s);
      if (m) {
        ok = H5Dwrite(ds, st, H5S_ALL, H5S_ALL, H5P_DEFAULT, &m) >= 0;
        if (ok && strcmp(path, "/yaml") == 0 && hm_rand() % 4 != 0) hm_rehash(file, m);
        free(m);
      }
    }
    if (st >= 0) H5Tclose(st);
  } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && rank >= 0) {
    hssize_t n = H5Sget_simple_extent_npoints(sp);
    if (n > 0) {
      hsize_t lin = (hsize_t)hm_pick((size_t)n), coord[H5S_MAX_RANK] = {0};
      for (int d = rank - 1; d >= 0; d--) {
        coord[d] = lin % dims[d];
        lin /= dims[d];
      }
      hsize_t one = 1;
      hid_t ms = H5Screate_simple(1, &one, NULL);
      int sel = rank == 0 ? H5Sselect_all(sp) >= 0
                          : H5Sselect_elements(sp, H5S_SELECT_SET, 1, coord) >= 0;
      double v;
      if (ms >= 0 && sel && H5Dread(ds, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, &v) >= 0) {
        v = hm_mutate_double(v);
        ok = H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, &v) >= 0;
      }
      if (ms >= 0) H5Sclose(ms);
    }
  }
  if (t >= 0) H5Tclose(t);
  if (sp >= 0) H5Sclose(sp);
  return ok;
}

/* One mutation of the HDF5 file at PATH; 1 if the file was changed. */
static int hm_mutate_file(const char *path) {
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  if (f < 0) return 0;
  hm_objects *objs = calloc(1, sizeof *objs);
  hm_attrs *attrs = calloc(1, sizeof *attrs);
  int ok = 0;
  if (objs && attrs) {
    snprintf(objs->path[objs->n++], sizeof objs->path[0], "/");
    H5Lvisit(f, H5_INDEX_NAME, H5_ITER_INC, hm_visit, objs);
    /* The root carries the attributes the readers check first: pick it more often. */
    const char *path_o = hm_rand() % 3 == 0 ? "/" : objs->path[hm_pick((size_t)objs->n)];
    hid_t o = H5Oopen(f, path_o, H5P_DEFAULT);
    if (o >= 0) {
      H5I_type_t kind = H5Iget_type(o);
      hsize_t idx = 0;
      H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, &idx, hm_attr_cb, attrs);
      unsigned op = hm_rand() % 16;
      if (kind == H5I_DATASET && op < 5) {
        ok = hm_mutate_dataset(f, o, path_o);
      } else if (op < 12 && attrs->n > 0) {
        ok = hm_mutate_attr(o, attrs->name[hm_pick((size_t)attrs->n)]);
      } else if (op < 14 && attrs->n > 0) {
        ok = hm_reshape_attr(o, attrs->name[hm_pick((size_t)attrs->n)]);
      } else if (op == 14 && attrs->n > 0) {
        ok = H5Adelete(o, attrs->name[hm_pick((size_t)attrs->n)]) >= 0;
      } else if (op == 15 && strcmp(path_o, "/") != 0) {
        H5Oclose(o);
        o = H5I_INVALID_HID;
        ok = H5Ldelete(f, path_o, H5P_DEFAULT) >= 0;
      }
      if (o >= 0) H5Oclose(o);
    }
  }
  free(objs);
  free(attrs);
  if (H5Fclose(f) < 0) ok = 0;
  return ok;
}

static uint8_t *hm_read_all(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = len >= 0 ? malloc((size_t)len + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *n = buf ? (size_t)len : 0;
  return buf;
}

/* The mutator for inputs of fuzz_runfile's format: one file, or "CSFZ" + length + run file +
   checkpoint. Returns the new size, or 0 (libFuzzer then tries again). */
static size_t hm_mutate_input(uint8_t *data, size_t size, size_t max_size, unsigned seed,
                              const char *scratch, int raw_bytes) {
  hm_state ^= seed;
  if (raw_bytes && hm_rand() % 2) return LLVMFuzzerMutate(data, size, max_size);
  int pair = 0;
  size_t off = 0, len = size, L = 0;
  if (size >= 8 && memcmp(data, "CSFZ", 4) == 0) {
    L = (size_t)data[4] | (size_t)data[5] << 8 | (size_t)data[6] << 16 | (size_t)data[7] << 24;
    if (L <= size - 8) {
      pair = 1;
      if (hm_rand() % 2) {
        off = 8;
        len = L;
      } else {
        off = 8 + L;
        len = size - 8 - L;
      }
    }
  }
  fz_write(scratch, data + off, len);
  if (!hm_mutate_file(scratch)) return 0;
  size_t nlen;
  uint8_t *part = hm_read_all(scratch, &nlen);
  if (!part) return 0;
  size_t nsize = size - len + nlen;
  if (nsize > max_size || (pair && off == 8 && nlen > 0xffffffffu)) {
    free(part);
    return 0;
  }
  memmove(data + off + nlen, data + off + len, size - off - len);
  memcpy(data + off, part, nlen);
  free(part);
  if (pair && off == 8) {
    data[4] = (uint8_t)nlen;
    data[5] = (uint8_t)(nlen >> 8);
    data[6] = (uint8_t)(nlen >> 16);
    data[7] = (uint8_t)(nlen >> 24);
  }
  return nsize;
}

#endif
