/* Compile-time check: the mirror of struct outcome in sim/outcome_ckpt.h (used to checkpoint
 * the outcome metrics) matches the real one in sim/outcome.c field by field. Built, never run:
 * a mismatch fails the build. */
#include <stddef.h>

#include "../sim/outcome.c"
#include "outcome_ckpt.h"

#define SAME(T, M, f)                                                                        \
  _Static_assert(offsetof(T, f) == offsetof(M, f) && sizeof(((T *)0)->f) == sizeof(((M *)0)->f), \
                 "sim/outcome_ckpt.h: the mirror of " #T " differs from sim/outcome.c in field " #f \
                 "; update outcome_mirror and outcome_ckpt.c")

_Static_assert(sizeof(struct outcome) == sizeof(outcome_mirror),
               "sim/outcome_ckpt.h: struct outcome changed size; update outcome_mirror");
_Static_assert(sizeof(session_track) == sizeof(outcome_mirror_track),
               "sim/outcome_ckpt.h: session_track changed size; update outcome_mirror_track");
_Static_assert(sizeof(oseries) == sizeof(outcome_mirror_series),
               "sim/outcome_ckpt.h: oseries changed size; update outcome_mirror_series");
SAME(struct outcome, outcome_mirror, m);
SAME(struct outcome, outcome_mirror, g);
SAME(struct outcome, outcome_mirror, ns);
SAME(struct outcome, outcome_mirror, nl);
SAME(struct outcome, outcome_mirror, per);
SAME(struct outcome, outcome_mirror, nbase);
SAME(struct outcome, outcome_mirror, flags);
SAME(struct outcome, outcome_mirror, base0);
SAME(struct outcome, outcome_mirror, buf);
SAME(struct outcome, outcome_mirror, prof0);
SAME(struct outcome, outcome_mirror, rowsum);
SAME(struct outcome, outcome_mirror, prof);
SAME(struct outcome, outcome_mirror, nz);
SAME(struct outcome, outcome_mirror, ser);
SAME(struct outcome, outcome_mirror, nser);
SAME(struct outcome, outcome_mirror, run_peak);
SAME(struct outcome, outcome_mirror, run_peak_t);
SAME(struct outcome, outcome_mirror, ntrack);
SAME(struct outcome, outcome_mirror, cur);
SAME(struct outcome, outcome_mirror, track);
SAME(struct outcome, outcome_mirror, track_session);
SAME(struct outcome, outcome_mirror, nrec);
SAME(struct outcome, outcome_mirror, caprec);
SAME(struct outcome, outcome_mirror, rowlen);
SAME(struct outcome, outcome_mirror, rec_t);
SAME(struct outcome, outcome_mirror, rec);
SAME(session_track, outcome_mirror_track, t0);
SAME(session_track, outcome_mirror_track, peak);
SAME(session_track, outcome_mirror_track, peak_t);
SAME(session_track, outcome_mirror_track, mpeak);
SAME(session_track, outcome_mirror_track, mpeak_t);
SAME(session_track, outcome_mirror_track, left);
SAME(session_track, outcome_mirror_track, inside);
SAME(session_track, outcome_mirror_track, t_enter);
SAME(oseries, outcome_mirror_series, kind);
SAME(oseries, outcome_mirror_series, sp);
SAME(oseries, outcome_mirror_series, layer);
