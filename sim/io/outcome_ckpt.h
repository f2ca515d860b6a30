/* outcome_ckpt: the running state of the outcome metrics (sim/engine/outcome.c) for checkpoints.
 *
 * It reads the private struct through sim/engine/outcome_impl.h.
 *
 * The state is packed into a flat array of doubles (integers and flags are exact in a double):
 * header, baselines, running peaks, every session track, and the recorded snapshot rows. */
#ifndef CISIM_OUTCOME_CKPT_H
#define CISIM_OUTCOME_CKPT_H

#include <stddef.h>

#include "error.h"
#include "model.h"
#include "outcome.h"

/* The packed state of o (NULL: *n = 0); caller frees *buf. */
cs_status outcome_ckpt_pack(const outcome *o, double **buf, size_t *n);
/* Restore into o, freshly created for the same model, grid and configuration. what names the
   checkpoint in messages. */
cs_status outcome_ckpt_unpack(outcome *o, const double *buf, size_t n, const char *what);

#endif
