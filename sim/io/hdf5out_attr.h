/* hdf5out_attr: small HDF5 attribute, dataset and error-stack helpers shared by the writers and
 * readers of cisim's HDF5 files (hdf5out, checkpoint, info, sweep collect).
 *
 * A run of attribute writes shares one h5a_ctx: every helper does nothing once an earlier one
 * has failed, so the caller checks once and still learns which attribute failed first.
 * Strings are variable-length UTF-8: h5py returns those as str (fixed-length ones come back
 * as bytes). Setting an attribute that exists replaces it. */
#ifndef CISIM_HDF5OUT_ATTR_H
#define CISIM_HDF5OUT_ATTR_H

#include <hdf5.h>
#include <stddef.h>

typedef struct {
  hid_t obj;          /* file, group or dataset the attributes go on */
  char failed[128];   /* name of the first attribute that could not be written; "" if none */
} h5a_ctx;

void h5a_init(h5a_ctx *c, hid_t obj);
void h5a_str(h5a_ctx *c, const char *name, const char *value);      /* NULL writes "" */
void h5a_int(h5a_ctx *c, const char *name, int value);
void h5a_double(h5a_ctx *c, const char *name, double value);
void h5a_doubles(h5a_ctx *c, const char *name, const double *v, size_t n);

/* Attributes that are rewritten while a run goes on (status, finished, resumed): a fixed size
   (strings H5A_FIXED_STR bytes, NUL-terminated, cut beyond) written over the old bytes, so a
   write that fails for a full disk leaves the previous value readable. */
#define H5A_FIXED_STR 2048
void h5a_str_in_place(h5a_ctx *c, const char *name, const char *value);
void h5a_int_in_place(h5a_ctx *c, const char *name, int value);

/* A string attribute, variable or fixed length (caller frees); NULL if absent or unreadable. */
char *h5a_read_str(hid_t obj, const char *name);

/* A whole 1-D dataset of doubles, at least one and fewer than 2^31 values (caller frees, *n
   its length); NULL and *n = 0 if absent, of another rank, empty or unreadable. */
double *h5a_read_vec(hid_t loc, const char *name, size_t *n);

/* A whole 1-D dataset of n values written from BUF, with "units" and "long_name" attributes;
   -1 on failure (noted, see h5a_note), 0 on success. */
int h5a_write_vec(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                  const void *buf, const char *units, const char *long_name);

/* Variable-length UTF-8 string type (caller closes), or H5I_INVALID_HID. */
hid_t h5a_string_type(void);

/* An empty dataset of RANK dims growing along the first, (0, row[0..rank-2]), chunked as
   CHUNK, with shuffle + deflate when DEFLATE > 0; H5I_INVALID_HID on failure (noted). */
hid_t h5a_extendible(hid_t loc, const char *name, hid_t ftype, int rank, const hsize_t *row,
                     const hsize_t *chunk, int deflate);
/* Grow DS to n+1 rows and write row n from BUF (memory type MTYPE); -1 on failure (noted). */
int h5a_append_row(hid_t ds, int rank, const hsize_t *row, hsize_t n, hid_t mtype,
                   const void *buf);

/* HDF5 clears its error stack at the start of every API call, so the cause of a failure must
   be copied out (h5a_note) before any clean-up call; h5a_error_detail returns the copy. */
void h5a_note(void);
const char *h5a_error_detail(void);
void h5a_error_clear(void);

#endif
