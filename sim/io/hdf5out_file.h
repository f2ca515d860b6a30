/* hdf5out_file: the state of an open run file (struct hdf5out), shared by the parts of the run
 * file writer (hdf5out.c: create, snapshots, close; hdf5out_meta, hdf5out_punctures,
 * hdf5out_resume), and the helpers they all use: allocation and release, failures named by
 * file and object with HDF5's own reason, labelled datasets, and the chunk shape of a field.
 * Not for other modules: they see hdf5out.h. */
#ifndef CISIM_HDF5OUT_FILE_H
#define CISIM_HDF5OUT_FILE_H

#include <hdf5.h>
#include <stddef.h>

#include "error.h"
#include "grid.h"
#include "hdf5out_attr.h"
#include "model.h"
#include "run_id.h"
#include "xdmf.h"

typedef struct hdf5out hdf5out; /* as in hdf5out.h */

struct hdf5out {
  char *path;
  hid_t file, time;
  hid_t *fields;    /* [nfields] /fields/<species> */
  hid_t *series;    /* [nseries] /series/<name> */
  int nfields, nseries;
  hid_t stime;      /* /series/time (hdf5out_series.h) */
  hsize_t nrows;    /* series rows written */
  double *sbuf;     /* [nseries + 1][sbuf_cap] rows not yet written, column-major; time last */
  size_t sbuf_n, sbuf_cap;
  hsize_t row[3];   /* nz, ny, nx */
  size_t ncell;
  int single;
  float *scratch;   /* [ncell] single-precision copy of one field, allocated once */
  int nthreads;     /* threads that filter the snapshots' chunks (hdf5out_set_threads) */
  unsigned zlevel;  /* every field shuffle + deflate at this level, one chunk a snapshot:
                       written through hdf5out_chunk (0: through H5Dwrite) */
  struct hdf5out_chunk *zc; /* its buffers, allocated at the first snapshot */
  int zrle;         /* their deflate with zlib's run-length strategy (hdf5out_set_rle) */
  hsize_t nsnap;
  /* for the XDMF sidecar */
  const grid *g;
  const model *m;
  char *xmf_path;
  double *times;
  size_t times_cap;
  xdmf_extra extra;  /* the layer map and session maps the sidecar shows beside the fields */
  double io_seconds; /* in hdf5out_write_snapshot */
  char created[64];  /* the root attribute `created` */
  char run_id[RUN_ID_LEN]; /* the root attribute `run_id`: names the run; checkpoints carry it */
};

/* A closed hdf5out for PATH on grid g with model m's species and nseries series: every handle
   invalid, the handle arrays allocated, and times[times_cap] when times_cap > 0. NULL if out
   of memory (nothing left allocated). */
hdf5out *hdf5out_alloc(const char *path, const grid *g, const model *m, int nseries,
                       size_t times_cap);
/* Close every handle and free; nonzero if HDF5 reported a failure (e.g. the final write). */
int hdf5out_release(hdf5out *o);

/* An HDF5 failure, named by file and object, with HDF5's own most specific reason. */
cs_status hdf5out_io_err(const hdf5out *o, const char *what, const char *obj);
/* The first attribute of c that failed, on object obj. */
cs_status hdf5out_attr_err(const hdf5out *o, const h5a_ctx *c, const char *obj);
/* A failure on dataset ds, named by its path in the file. */
cs_status hdf5out_dataset_err(const hdf5out *o, hid_t ds);

/* Every dataset says what it holds and in which unit, for readers without our docs: `units`
   in UDUNITS spelling (cf_units.h, for CF tools), `unit_label` as cisim writes it for people
   ("ng/mL", what older run files hold in `units`), `long_name`. */
cs_status hdf5out_label(const hdf5out *o, hid_t ds, const char *obj, const char *units,
                        const char *long_name);
/* A fixed 1-D dataset written whole (obj: its path, for messages). */
cs_status hdf5out_write_vec(const hdf5out *o, hid_t loc, const char *name,
                            const char *obj, hid_t ftype, hid_t mtype, hsize_t n,
                            const void *buf, const char *units, const char *long_name);
/* One snapshot per chunk unless that exceeds the chunk limit; then fewer z-planes (and, for
   absurdly wide planes, fewer rows). */
void hdf5out_field_chunk(hsize_t chunk[4], const hsize_t row[3], size_t elem);

#endif
