/* fuzz_runfile: the readers of cisim's HDF5 files, fed arbitrary bytes as a run file and its
 * checkpoint (tests/fuzz/README.md).
 *
 * Input: either one file, used as both the run file RUN.h5 and its checkpoint RUN.h5.ckpt, or
 * a pair: the 4 bytes "CSFZ", the run file's length L (4 bytes, little-endian), the run file's
 * L bytes, then the checkpoint's (a pair whose L is too large is taken as one file, whole).
 * Random bytes are rarely HDF5, so the seed corpus holds real run files and checkpoints
 * (tests/fuzz/make_seeds.sh), and the mutations are made through the HDF5 API
 * (fuzz_h5mutate.h): attribute and dataset values, shapes and types, deletions, extents. Each
 * input thus stays a well-formed HDF5 file and tests cisim's readers, not libhdf5's parser
 * (CISIM_FUZZ_RAW_BYTES=1 adds byte mutations, for that).
 *
 * Each input goes through
 *   1. `cisim info RUN.h5` (cli_info, stdout to /dev/null), which also reads the checkpoint's
 *      header;
 *   2. the checks of `cisim run --resume RUN.h5` (sim/tools/cmd_run.c), in its order, without running:
 *      checkpoint_read_header -> params_load of its configuration -> sim_create (skipped above
 *      MAX_CELLS cells: the grid's state arrays would be allocated) -> hdf5out_open_append on
 *      the run file (a scratch copy) -> close; then checkpoint_restore (also when the run
 *      file did not match, so that a checkpoint alone reaches it).
 * Checked besides ASan/UBSan/LSan (a failure aborts): cli_info exits 0 or 2; every refusal
 * has a message; a restored state has 0 <= t <= end_day, a finite dt > 0, next_output equal to
 * the header's nsnap and counters >= 0 (docs/checkpoint.md; issue 12 item 4); no HDF5 object
 * is left open after an input (a leaked handle would also keep the next input's file open). */
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "commands.h"
#include "fuzz_h5mutate.h"
#include "fuzz_util.h"
#include "grid.h"
#include "hdf5out.h"
#include "resume_check.h"
#include "model.h"
#include "params.h"
#include "sim.h"

/* Above this many cells a configuration is not built: sim_create would allocate its state
   (7 species × 5 copies × 8 bytes a cell), slow and beside the point here; the seeds have a
   few hundred. The config target covers large grids without allocating them. */
#define MAX_CELLS 20000

static char run_path[1024], ckpt_path[1024], yaml_path[1024], mut_path[1024];
static int raw_bytes;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* Mutations through the HDF5 API (fuzz_h5mutate.h), so that inputs stay HDF5 files. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  return hm_mutate_input(data, size, max_size, seed, mut_path, raw_bytes);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fz_init();
  fz_path(run_path, sizeof run_path, "run.h5");
  fz_path(ckpt_path, sizeof ckpt_path, "run.h5.ckpt");
  fz_path(yaml_path, sizeof yaml_path, "ckpt-config.yaml");
  fz_path(mut_path, sizeof mut_path, "mutate.h5");
  const char *rb = getenv("CISIM_FUZZ_RAW_BYTES");
  raw_bytes = rb && *rb && strcmp(rb, "0") != 0;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  /* cisim info prints its summary on stdout: not wanted 100 000 times a minute. libFuzzer
     reports on stderr. */
  int fd = open("/dev/null", O_WRONLY);
  if (fd >= 0) {
    fflush(stdout);
    dup2(fd, STDOUT_FILENO);
    close(fd);
  }
  return 0;
}

static void check_refusal(cs_status st, const char *what) {
  const char *msg = cs_error_message();
  FZ_CHECK(st != CS_OK, "%s", what);
  FZ_CHECK(msg && msg[0], "%s refused the file without a message (status %d)", what, (int)st);
}

static void check_no_open_objects(const char *after) {
  ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
  if (n == 0) return;
  /* which ones: type and name, for the report */
  char list[1024] = "";
  hid_t ids[8];
  ssize_t got = H5Fget_obj_ids(H5F_OBJ_ALL, H5F_OBJ_ALL, 8, ids);
  for (ssize_t i = 0; i < got; i++) {
    char name[256] = "?";
    H5I_type_t t = H5Iget_type(ids[i]);
    if (H5Iget_name(ids[i], name, sizeof name) < 0) snprintf(name, sizeof name, "?");
    size_t used = strlen(list);
    snprintf(list + used, sizeof list - used, " %s %s;",
             t == H5I_FILE ? "file" : t == H5I_GROUP ? "group" : t == H5I_DATASET ? "dataset"
             : t == H5I_ATTR ? "attribute" : t == H5I_DATATYPE ? "datatype" : "object",
             name);
  }
  FZ_CHECK(n == 0, "%zd HDF5 objects still open after %s:%s", n, after, list);
}

/* The series of a run, as cli.c's make_series names them. */
typedef struct {
  int n;
  series_desc *sd;
  char (*names)[3][128];
} series_set;

static int series_make(sim *s, series_set *ss) {
  ss->n = sim_series_count(s);
  ss->sd = calloc((size_t)(ss->n > 0 ? ss->n : 1), sizeof *ss->sd);
  ss->names = calloc((size_t)(ss->n > 0 ? ss->n : 1), sizeof *ss->names);
  FZ_CHECK(ss->sd && ss->names, "out of memory for %d series", ss->n);
  for (int q = 0; q < ss->n; q++) {
    sim_series_describe(s, q, ss->names[q][0], 128, ss->names[q][1], 128, ss->names[q][2], 128);
    ss->sd[q] = (series_desc){ss->names[q][0], ss->names[q][1], ss->names[q][2]};
  }
  return ss->n;
}

static void fz_series_free(series_set *ss) {
  free(ss->sd);
  free(ss->names);
}

/* cisim info RUN.h5 */
static void run_info(void) {
  char a0[] = "info";
  char *argv[] = {a0, run_path, NULL};
  int rc = cli_info(2, argv);
  fflush(stdout);
  FZ_CHECK(rc == 0 || rc == 2, "cisim info exited %d", rc);
  check_no_open_objects("cisim info");
}

/* What `cisim run --resume RUN.h5` checks before it steps on. */
static void run_resume_checks(void) {
  checkpoint_header h;
  cs_error_clear();
  cs_status st = checkpoint_read_header(ckpt_path, &h);
  check_no_open_objects("checkpoint_read_header");
  if (st != CS_OK) {
    check_refusal(st, "checkpoint_read_header");
    return;
  }
  FZ_CHECK(h.yaml != NULL && h.nsnap >= 1 && isfinite(h.t),
           "checkpoint_read_header accepted yaml %p, nsnap %ld, t %g", (void *)h.yaml, h.nsnap,
           h.t);
  fz_write_text(yaml_path, h.yaml);
  params p;
  cs_error_clear();
  st = params_load(&p, yaml_path, NULL, 0, model_registry_lookup);
  if (st != CS_OK) {
    check_refusal(st, "params_load of the checkpoint's configuration");
    params_free(&p);
    checkpoint_header_free(&h);
    return;
  }
  /* The grid's size, before sim_create allocates its state. */
  grid g;
  st = grid_init(&g, &p);
  double cells = st == CS_OK ? (double)g.nx * g.ny * g.nz : 0;
  grid_free(&g);
  if (st != CS_OK || cells > MAX_CELLS) {
    params_free(&p);
    checkpoint_header_free(&h);
    return;
  }
  sim s;
  cs_error_clear();
  st = sim_create(&s, &p, 1);
  if (st != CS_OK) {
    check_refusal(st, "sim_create from the checkpoint's configuration");
    sim_free(&s);
    params_free(&p);
    checkpoint_header_free(&h);
    return;
  }
  series_set ss;
  series_make(&s, &ss);
  /* The read-only check cisim run makes before it opens the run file for writing. */
  cs_error_clear();
  const resume_claim claim = {h.run_id, h.nsnap, h.t};
  st = resume_check_runfile(run_path, s.g, s.m, ss.sd, ss.n, &claim);
  if (st != CS_OK) check_refusal(st, "resume_check_runfile");
  hdf5out *out = NULL;
  cs_error_clear();
  st = hdf5out_open_append(&out, run_path, s.g, s.m, ss.sd, ss.n, h.nsnap, h.t);
  if (st != CS_OK) {
    check_refusal(st, "hdf5out_open_append");
  } else {
    FZ_CHECK(hdf5out_nsnap(out) == h.nsnap, "hdf5out_open_append kept %ld snapshots, asked %ld",
             hdf5out_nsnap(out), h.nsnap);
    const char *created = hdf5out_created(out);
    FZ_CHECK(created != NULL, "hdf5out_open_append: no created attribute");
    /* a mismatch is where cisim run refuses: the checkpoint belongs to another run */
    hdf5out_close(out, 0);
  }
  /* The restore, whether or not the run file matched: its reader is fuzzed either way (a
     checkpoint alone, used as its own run file, never gets past hdf5out_open_append). */
  cs_error_clear();
  st = checkpoint_restore(ckpt_path, &s);
  if (st != CS_OK) {
    check_refusal(st, "checkpoint_restore");
  } else {
    FZ_CHECK(isfinite(s.t) && s.t >= 0 && s.t <= s.opt.end_day,
             "checkpoint_restore accepted t = %g (end_day %g)", s.t, s.opt.end_day);
    FZ_CHECK(isfinite(s.dt) && s.dt > 0, "checkpoint_restore accepted dt = %g", s.dt);
    /* snapshots 0 .. nsnap-1 are in the run file: the next one is number nsnap */
    FZ_CHECK(s.next_output == h.nsnap && s.nsteps >= 0 && s.nrejected >= 0 && s.nsubsteps >= 0,
             "checkpoint_restore accepted next_output %ld (checkpoint's nsnap %ld), nsteps %ld, "
             "nrejected %ld, nsubsteps %ld",
             s.next_output, h.nsnap, s.nsteps, s.nrejected, s.nsubsteps);
  }
  check_no_open_objects("the resume checks");
  fz_series_free(&ss);
  sim_free(&s);
  params_free(&p);
  checkpoint_header_free(&h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *run = data, *ck = data;
  size_t nrun = size, nck = size;
  if (size >= 8 && memcmp(data, "CSFZ", 4) == 0) {
    uint32_t L = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 |
                 (uint32_t)data[7] << 24;
    if (L <= size - 8) {
      run = data + 8;
      nrun = L;
      ck = data + 8 + L;
      nck = size - 8 - L;
    }
  }
  fz_write(run_path, run, nrun);
  fz_write(ckpt_path, ck, nck);
  run_info();
  run_resume_checks();
  return 0;
}
