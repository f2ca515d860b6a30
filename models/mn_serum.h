/* mn_serum: a serum's compound under the skin acting as wound signal (microneedling.serum.*;
 * docs/model.md §2 "Serum"). The profile of a topical run (its free compound's lateral mean
 * against depth below the skin and time after its start, sim/io/depth_forcing.h) is laid
 * after every session of this run, and the fibroblasts, their activation and the
 * keratinocytes see the signal
 *     s_eff(z, t) = max(s, 0) + σ Σ_sessions c(z, t − t_session),   0 ≤ t − t_session ≤ t_end,
 * c interpolated linearly in time and depth (constant above the profile's first depth, 0 below
 * its last and after its last time), σ = microneedling.serum.signal_per_compound. The signal's
 * own equation, its transport and the fibroblasts' chemotaxis up ∇s are unchanged: the topical
 * run has already moved and cleared the compound (one-way coupling). */
#ifndef CISIM_MN_SERUM_H
#define CISIM_MN_SERUM_H

#include "model.h"
#include "params.h"

typedef struct {
  int nt, nd;                /* 0: no serum */
  double *t, *depth, *v;     /* a copy of the profile, v already times σ */
  double tend;               /* the profile's last day */
  int nses;
  double day[64];            /* the sessions' days (the first 64) */
} mn_serum;

/* Copy the profile (unit µg/mL, else refused naming the key), scaled by σ, for the
   sessions days[nses]. */
cs_status mn_serum_set(mn_serum *sr, const params *p, const forcing_profile *f, double sigma,
                       int nses, const double *days);

/* σ Σ c(z, t − t_session) at depth z µm, day t; 0 without a serum. */
double mn_serum_at(const mn_serum *sr, double z, double t);

void mn_serum_free(mn_serum *sr);

#endif
