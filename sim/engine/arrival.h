/* arrival: two outcomes followed after every accepted step from values the outcome already
 * reduces (sim/engine/outcome.h): the first time a level is reached at each depth row
 * (REPORT_ARRIVAL), and Crank's time lag of a growing amount (a derived quantity's lag flag).
 *
 * Rows: row k's value v_k (a lateral mean) reaches the level θ first between the accepted
 * steps at t_{n-1} and t_n (v_k(t_{n-1}) < θ ≤ v_k(t_n)); its arrival time is the linear
 * interpolation t_{n-1} + (θ − v_k(t_{n-1})) / (v_k(t_n) − v_k(t_{n-1})) · (t_n − t_{n-1}), and t_0
 * for a row at or above θ from the start. Lag: of the amount Q after every accepted step,
 * Q' = ΔQ/Δt over each step; at the step where Q' is largest (the first of equal ones), ending
 * at t_m, the lag is t_m − Q(t_m)/Q'(t_m) (Crank, The Mathematics of Diffusion, §4.3.2: the
 * steady line's intercept with the time axis; scripts/topical_report.py's lag_time on /series). */
#ifndef CISIM_ARRIVAL_H
#define CISIM_ARRIVAL_H

#include "error.h"

typedef struct {
  int n;           /* rows followed */
  double level;    /* θ */
  double t_prev;   /* the previous accepted step */
  double *prev;    /* [n] the rows' values then */
  double *t;       /* [n] arrival times; NaN: not yet */
} arrival_rows;

/* n rows (n >= 0) at level > 0, from the values v[n] at time t. */
cs_status arrival_rows_init(arrival_rows *a, int n, double level, const double *v, double t);
void arrival_rows_free(arrival_rows *a);
/* After an accepted step: the rows' values v[n] at time t. */
void arrival_rows_observe(arrival_rows *a, const double *v, double t);
/* The deepest row reached so far (the largest index with an arrival time), -1: none. */
int arrival_rows_deepest(const arrival_rows *a);

typedef struct {
  double t_prev, q_prev; /* the previous accepted step */
  double slope;          /* the largest Q' so far (−∞: none) */
  double t_m, q_m;       /* the end of that step */
} lag_track;

void lag_init(lag_track *l, double t, double q);
void lag_observe(lag_track *l, double t, double q);
/* t_m − Q(t_m)/Q'(t_m); NaN while no step has Q' > 0. */
double lag_time(const lag_track *l);

#endif
