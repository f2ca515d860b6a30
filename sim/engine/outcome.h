/* outcome: treatment outcome metrics, derived by the engine from the state for the species a
 * model flags (model->report, REPORT_* in model.h). No biology: the model says which species
 * to watch, the engine measures them the same way for every model.
 *
 * Baselines are the untreated state at t = 0 (before a session at day 0 is applied). Peaks
 * and returns are followed after every accepted step (so the peak hours after a session is
 * not missed between snapshots); the rest is evaluated at snapshots. Series, added to
 * /series after the engine's own (<sp>_total, <sp>_max, <sp>_mean_<layer>):
 *
 *   REPORT_PEAK    <sp>_peak, <sp>_peak_day       largest cell value so far, and when (the
 *                                                 summary adds each layer mean's peak)
 *   REPORT_CHANGE  <sp>_change_<layer>            100·(layer mean / its t = 0 value − 1), %
 *   REPORT_RETURN  <sp>_return_day_<layer>        days after the latest session at which the
 *                                                 layer mean came back within ±5 % of its
 *                                                 t = 0 value and has stayed there; 0 if it
 *                                                 never left the band; NaN while outside
 *   REPORT_DEPTH   <sp>_depth_um                  deepest depth (bottom face of the row) whose
 *                                                 lateral mean is ≥ 1.05 × its t = 0 value;
 *                                                 0 if none
 *   REPORT_ARRIVAL <sp>_arrival_depth_um          deepest depth (centre of the row, below the
 *                                                 model's surface) whose lateral mean has reached
 *                                                 the model's level θ (model.arrival_level); NaN
 *                                                 while none has; followed every step, monotone
 *
 * REPORT_ARRIVAL also keeps, per depth row, the first time its lateral mean reached θ, followed
 * after every accepted step and interpolated linearly between the two steps that bracket the
 * crossing (arrival.h); the summary prints it at the top row of each layer. A model's derived
 * quantities flagged in model.lag_derived (an amount that grows) get their time lag per layer,
 * Crank's t_m − Q(t_m)/Q'(t_m) at the step where Q' = ΔQ/Δt is largest, from Q after every
 * accepted step (arrival.h); summary only. All of it is saved in a checkpoint
 * (sim/io/outcome_ckpt.c). The summary is outcome_print.h's.
 *
 * Layers whose t = 0 mean is 0 get no change/return series. outcome_print (outcome_print.h)
 * writes the summary `cisim run` ends with. All reductions run in a fixed order, so the
 * numbers are the same bits for any thread count. */
#ifndef CISIM_OUTCOME_H
#define CISIM_OUTCOME_H

#include <stdio.h>

#include "error.h"
#include "model.h"
#include "series.h"

typedef struct outcome outcome;

#define OUTCOME_BAND 0.05 /* the ±5 % of "back to baseline" and "new collagen" */

/* NULL in *o when the model reports nothing. The baseline is the state u at time t; sr (the
   engine's series of the same grid and model), inst (the model's instance, for its derived
   quantities) and the array u itself (the sim's state, whose entries the stepper updates in
   place: outcome_step_series reads REPORT_ARRIVAL rows from it) must outlive the outcome. */
cs_status outcome_create(outcome **o, const series_ctx *sr, const void *inst, double *const *u,
                         double t);
void outcome_free(outcome *o);

int outcome_series_count(const outcome *o);
void outcome_series_describe(const outcome *o, int q, char *name, size_t namelen, char *unit,
                             size_t unitlen, char *long_name, size_t longlen);
/* After every accepted step (u: the state at time t); after session k was applied. */
void outcome_step(outcome *o, double *const *u, double t);
/* The same, from the engine's series of that state (series_of), when the caller has it. */
void outcome_step_series(outcome *o, const double *ser, double t);
void outcome_session(outcome *o, double *const *u, double t, int k);
/* The outcome series of the state u (snapshot), into vals[outcome_series_count]. */
void outcome_values(outcome *o, double *const *u, double *vals);
/* The same, given ser, the engine's series of u (series_of). */
void outcome_values_series(outcome *o, double *const *u, const double *ser, double *vals);
/* Keep a snapshot's full series row (engine's then outcome's) for the summary. */
cs_status outcome_record(outcome *o, double t, const double *all_series);
/* Whether the last recorded row is at time t (a summary day that is also a snapshot time is
   recorded once). */
int outcome_has_record_at(const outcome *o, double t);


/* Programmatic access for tests: value of series NAME (engine or outcome) at the recorded
   snapshot nearest day t; NaN if unknown. Per session k: the peak of species sp after it
   (value and delay in days), and the return delay of species sp in layer l (NaN: not back
   before the next session or the end; 0: never left the band). */
double outcome_at(const outcome *o, const char *name, double t);
double outcome_session_peak(const outcome *o, int k, int sp, double *delay_day);
double outcome_session_return(const outcome *o, int k, int sp, int layer);
/* Per session k: the peak of species sp's mean over layer l after it, and its delay. */
double outcome_session_peak_mean(const outcome *o, int k, int sp, int layer, double *delay_day);
/* REPORT_ARRIVAL species sp: the number of depth rows followed (0: none), and row k's arrival
   time (day; NaN: not yet) with, in *depth_um (or NULL), its centre's depth below the model's
   surface. */
int outcome_arrival_rows(const outcome *o, int sp);
double outcome_arrival_time(const outcome *o, int sp, int k, double *depth_um);
/* The time lag (day) of the model's derived quantity q in layer l (model.lag_derived); NaN:
   not followed, or no step with a positive growth yet. */
double outcome_lag(const outcome *o, int q, int layer);

#endif
