/* depth_forcing: a depth–time profile read from another run file, for a model that takes it as
 * forcing (model.forcing_key, model.set_forcing; docs/topical.md, "Coupling"): the lateral mean
 * of one field of /fields at every snapshot of /time, against depth below the skin's surface.
 * The surface is the grid's top, or, for a topical run with `topical.dose: finite` (its
 * /parameters say so), the top of its second layer (the first is the vehicle film, which is
 * left out). Reads only; every refusal names the configuration key and the file. */
#ifndef CISIM_DEPTH_FORCING_H
#define CISIM_DEPTH_FORCING_H

#include "error.h"
#include "model.h"
#include "params.h"

typedef struct {
  forcing_profile prof; /* points into the arrays below */
  double *t, *depth, *v;
  char unit[64];      /* the field's unit_label (or units), "" if it states none */
} depth_forcing;

/* Read /fields/<field> of the file at params_str(p, key) into out (depth_forcing_free frees
   it). The file needs /time (increasing, from 0), /fields/z and /fields/<field> of shape
   (time, z, y, x). */
cs_status depth_forcing_read(const params *p, const char *key, const char *field,
                             depth_forcing *out);

void depth_forcing_free(depth_forcing *f);

/* Read and hand to the model where it wants one and the configuration names a file; CS_OK
   and nothing done otherwise. */
cs_status depth_forcing_apply(const params *p, const model *m, void *inst);

#endif
