/* outcome_impl: the private state of the outcome metrics, shared by sim/engine/outcome.c and the
 * checkpoint code (sim/io/outcome_ckpt.c) that saves and restores it. Not for other modules. */
#ifndef CISIM_OUTCOME_IMPL_H
#define CISIM_OUTCOME_IMPL_H

#include "arrival.h"
#include "grid.h"
#include "model.h"
#include "outcome.h"
#include "series.h"

/* The kinds of outcome series (oseries.kind). */
enum { OS_PEAK, OS_PEAK_DAY, OS_CHANGE, OS_RETURN, OS_DEPTH, OS_DERIVED, OS_ARRIVAL };

typedef struct {
  int kind, sp, layer;
} oseries;

/* What happened after one session (index 0 is "from t = 0" when there is no session at 0). */
typedef struct {
  double t0;
  double peak[MODEL_MAX_SPECIES], peak_t[MODEL_MAX_SPECIES];
  double *mpeak, *mpeak_t; /* per species and layer: peak of the layer mean, and when */
  /* per species and layer: left the band, inside it now, time of the latest entry */
  unsigned char *left, *inside;
  double *t_enter;
} session_track;

struct outcome {
  const series_ctx *sr;       /* the engine's series of the sim; it outlives the outcome */
  const void *inst;           /* the model's instance (derived quantities) */
  const model *m;         /* the sim's; they outlive the outcome */
  const grid *g;
  int ns, nl, per, nbase;
  unsigned flags[MODEL_MAX_SPECIES];
  double *base0;          /* [nbase] engine series at t = 0 */
  double *buf;            /* [nbase] scratch */
  double *prof0;          /* [ns * nz] lateral means per depth row at t = 0 (DEPTH species) */
  double *rowsum;         /* [ny * nz] */
  double *prof;           /* [nz] */
  int nz;
  oseries *ser;
  int nser;
  double run_peak[MODEL_MAX_SPECIES], run_peak_t[MODEL_MAX_SPECIES];
  int ntrack, cur;        /* session tracks; index of the current one */
  session_track *track;
  int *track_session;     /* protocol session index of each track, -1 for "start" */
  /* REPORT_ARRIVAL species q: its rows from arr_row0[q] down (centres at or below the model's
     surface arr_surface[q], µm below the grid's top), followed after every accepted step
     (arr[q].n = 0 for the other species) */
  arrival_rows arr[MODEL_MAX_SPECIES];
  int arr_row0[MODEL_MAX_SPECIES];
  double arr_surface[MODEL_MAX_SPECIES];
  int narr;               /* species followed */
  /* the model's lagged derived quantities (model.lag_derived): lag[j] of the OS_DERIVED
     series lag_ser[j] */
  int nlag;
  int *lag_ser;
  lag_track *lag;
  double *const *state;   /* the state array outcome_create was given (the sim's, updated in
                             place): outcome_step_series reads the rows from it */
  /* recorded snapshots */
  int nrec, caprec, rowlen;
  double *rec_t, *rec;
};

/* Frees the arrays of n session tracks and the track array itself (outcome.c). */
void outcome_tracks_free(session_track *track, int n);
/* Days after the track's session until entry e (species * nl + layer) was back in the band
   (0: never left; NaN: outside now). */
double outcome_return_delay(const outcome *o, const session_track *tr, int e);
/* The recorded row nearest time t; -1: none. */
int outcome_nearest_record(const outcome *o, double t);
/* Depth of species q's arrival row k (its centre) below the model's surface, µm. */
double outcome_arrival_depth(const outcome *o, int q, int k);

#endif
