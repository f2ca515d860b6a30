/* checkpoint: everything a run needs to continue bitwise identically (docs/checkpoint.md).
 *
 * A checkpoint is a separate HDF5 file next to the run file (RUN.h5.ckpt), written
 * atomically: to RUN.h5.ckpt.tmp, flushed, fsync'ed, renamed over the previous one, and the
 * directory fsync'ed; a crash at any moment leaves the previous checkpoint or the new one,
 * never a mixture. It holds:
 *
 *   attributes  format ("cisim-checkpoint"), format_version (2), version, created, run_id
 *               (the run file's `run_id`: which run it belongs to), yaml_fnv1a64 (hash of the
 *               resolved configuration), grid dims, species count, and the stepper's scalars:
 *               t, dt, dt_prev, dt_cap, have_history, mid_steps, next_session, nsteps,
 *               nrejected, nsubsteps, next_output (index of the next snapshot), nsnap (run
 *               file snapshots it covers); state_fnv1a64: FNV-1a 64 over run_id, yaml_fnv1a64,
 *               every stepper scalar and /outcome in one canonical form (little-endian 64-bit
 *               words), so an edited or flipped attribute is refused, not restored
 *   /yaml       the resolved configuration (as /parameters/yaml of the run file)
 *   /u, /du     (nspecies, ncell) the state and the change over the previous accepted step;
 *   /mid_prev   (after_transport error estimate only) the previous post-transport state;
 *               chunked one species per chunk with a Fletcher-32 checksum
 *   /outcome    the outcome metrics' running state (sim/io/outcome_ckpt.h), packed
 *
 * Not saved, because it is rebuilt identically from the configuration: the grid, the model
 * instance and its puncture protocol (generated from seeds at start), the transport's
 * factorisations (a function of dt), the reaction's source weights, the start-of-step copy
 * un and the post-transport scratch mid (both overwritten before they are read). */
#ifndef CISIM_CHECKPOINT_H
#define CISIM_CHECKPOINT_H

#include "error.h"
#include "sim.h"

/* RUN + ".ckpt" (caller frees; NULL when out of memory). */
char *checkpoint_path_for(const char *run_path);

/* Write s's state to path atomically. nsnap: snapshots of the run file it covers (synced to
   disk by the caller first); yaml: the resolved configuration; run_id: the run file's
   `run_id` attribute. */
cs_status checkpoint_write(const char *path, const sim *s, long nsnap, const char *yaml,
                           const char *run_id);

typedef struct {
  char *yaml;            /* resolved configuration text (hash verified) */
  char run_id[64];
  double t, end_day;
  long nsnap, nsteps;
  int dims[3], nspecies;
} checkpoint_header;

/* The header only: to build the sim that checkpoint_restore then fills. Any damage
   (not HDF5, truncated, wrong format, hash mismatch) is CS_ERR_INPUT naming the file. */
cs_status checkpoint_read_header(const char *path, checkpoint_header *h);
void checkpoint_header_free(checkpoint_header *h);

/* Restore the state into s, created from the checkpoint's configuration (or an allowed change
   of it): arrays, stepper scalars, counters, outcome metrics. Verified on the way: the
   checksums (Fletcher-32 of the arrays, state_fnv1a64 of the rest), the grid, and that the
   scalars are possible (finite t within the run, dt > 0, counts >= 0, the snapshot index and
   the session index consistent with t). On failure s holds a partial state: free it. */
cs_status checkpoint_restore(const char *path, sim *s);

#endif
