/* test_verify_cadence: outcomes do not depend on how often a run writes snapshots.
 *
 * The default protocol (configs/default.yaml) to day 20 with snapshots every 0.5, 1 and 5
 * days. Snapshots are landed on (a step is shortened to end there) and the step after keeps
 * the size the control had chosen; the step-doubling estimate is local to each step, so
 * landing changes the solution only by what the tolerance allows. Compared, between the
 * cadences, every outcome the end-of-run summary shows: the change of each layer mean at the
 * snapshot days all three share (5, 10, 15, 20) and the depth reached, and per session the
 * peak cell value and its delay, each layer mean's peak and delay, and the return times.
 * Asserted: every value agrees within the run's rtol, relatively: |a − b| ≤ rtol·max(|a|, |b|)
 * — for a change of a layer mean in %, of the mean itself (|Δ change| ≤ rtol·(100 + change)),
 * the quantity the tolerance controls. The depth reached is the face of the deepest cell row
 * whose lateral mean is 5 % above its start, so it moves in steps of one cell: two runs agree
 * on it when their rows are the same or neighbours (within h, the sampling of the crossing,
 * as one step either side is for times). A time (the delay of a peak, a return into the ±5 %
 * band) is the time of an accepted step at which a value is largest or crosses a level, so
 * what rtol says about it depends on how fast that value changes there: two runs agree on it
 * when their "tolerance intervals" overlap — the accepted steps (one more on either side:
 * sampling) around it at which the value is within rtol of the peak, or within rtol of the
 * band's edge. The values are followed at every accepted step through the run's hook.
 * Reduced for ctest: h = 50 µm (CISIM_TEST_QUICK: also end day 10). With arguments
 * `test_verify_cadence SPACING_UM END_DAY` it runs that grid and end day instead:
 * scripts/cadence_check.sh runs the default grid (20 µm) to day 20 that way. */
#include "verify_util.h"

#include "outcome.h"
#include "protocol.h"

#ifndef CISIM_SOURCE_DIR
#define CISIM_SOURCE_DIR "."
#endif

#define NCAD 3
#define MAXV 256

enum { K_VALUE, K_CHANGE, K_PEAK_TIME, K_RETURN_TIME, K_DEPTH };

typedef struct {
  int n;
  char name[MAXV][128];
  double v[MAXV];
  int kind[MAXV];
  double lo[MAXV], hi[MAXV]; /* times: the tolerance interval */
  long steps, rejected;
  double rtol, h; /* h: the cell edge, the resolution of a depth */
} outcomes;

static void add(outcomes *o, const char *name, double v, int kind, double lo, double hi) {
  if (o->n >= MAXV) return;
  snprintf(o->name[o->n], sizeof o->name[0], "%s", name);
  o->v[o->n] = v;
  o->kind[o->n] = kind;
  o->lo[o->n] = lo;
  o->hi[o->n] = hi;
  o->n++;
}

/* The engine's series (per species: total, max, layer means) after every accepted step. */
typedef struct {
  int nv, n, cap;
  double *t, *v; /* [cap], [cap * nv] */
} track;

static cs_status hook(sim *s, int after_snapshot, void *ctx) {
  track *tr = ctx;
  if (after_snapshot) return CS_OK;
  if (tr->n == tr->cap) {
    tr->cap = tr->cap ? 2 * tr->cap : 1024;
    tr->t = realloc(tr->t, sizeof(double) * (size_t)tr->cap);
    tr->v = realloc(tr->v, sizeof(double) * (size_t)tr->cap * (size_t)tr->nv);
    if (!tr->t || !tr->v) exit(1);
  }
  tr->t[tr->n] = s->t;
  series_of(&s->ser, s->u, tr->v + (size_t)tr->n * (size_t)tr->nv);
  tr->n++;
  return CS_OK;
}

/* The tolerance interval of a time T in [t0, t1): the samples around the one at T for which
   near(value) holds, and one more on either side. */
static void interval(const track *tr, int col, double T, double t0, double t1,
                     int (*near)(double v, const double *par), const double *par, double *lo,
                     double *hi) {
  int i = 0;
  while (i < tr->n && tr->t[i] < T) i++;
  if (i == tr->n) i = tr->n - 1;
  int a = i, b = i;
  while (a > 0 && tr->t[a - 1] >= t0 && near(tr->v[(size_t)(a - 1) * tr->nv + col], par)) a--;
  while (b + 1 < tr->n && tr->t[b + 1] < t1 && near(tr->v[(size_t)(b + 1) * tr->nv + col], par))
    b++;
  *lo = tr->t[a > 0 ? a - 1 : 0];
  *hi = tr->t[b + 1 < tr->n ? b + 1 : b];
}
static int near_peak(double v, const double *par) { return v >= par[0] * (1 - par[1]); }
/* |v/b0 - 1| within rtol·v/b0 of the band's edge */
static int near_edge(double v, const double *par) {
  return fabs(fabs(v / par[0] - 1) - OUTCOME_BAND) <= par[1] * v / par[0];
}

static outcomes run(double every, double h, double end, const char *scheme) {
  char sets[5][64];
  snprintf(sets[0], sizeof sets[0], "time.output_every_day=%g", every);
  snprintf(sets[1], sizeof sets[1], "time.end_day=%g", end);
  snprintf(sets[2], sizeof sets[2], "grid.spacing_um=%g", h);
  snprintf(sets[3], sizeof sets[3], "output.summary_days=[]");
  snprintf(sets[4], sizeof sets[4], "time.scheme=%s", scheme);
  const char *sp[5] = {sets[0], sets[1], sets[2], sets[3], sets[4]};
  params p;
  vu_try(params_load(&p, CISIM_SOURCE_DIR "/configs/default.yaml", sp, 5, model_registry_lookup),
         "configs/default.yaml");
  sim s;
  vu_try(sim_create(&s, &p, 1), "sim_create");
  track tr = {s.ns * (2 + s.g->nlayers), 0, 0, NULL, NULL};
  double *base0 = malloc(sizeof(double) * (size_t)tr.nv);
  if (!base0) exit(1);
  series_of(&s.ser, s.u, base0);
  s.hook = hook;
  s.hook_ctx = &tr;
  vu_try(sim_run(&s, NULL, NULL, NULL), "sim_run");
  const int per = 2 + s.g->nlayers;
  const double rtol = s.opt.rtol;
  outcomes o;
  memset(&o, 0, sizeof o);
  o.steps = s.nsteps;
  o.rejected = s.nrejected;
  o.rtol = s.opt.rtol;
  const grid *g = s.g;
  o.h = g->h;
  char name[128], nm[64];
  /* the change series (and the depth) at the shared snapshot days */
  for (double day = 5; day <= end + 1e-9; day += 5)
    for (int q = 0; q < sim_series_count(&s); q++) {
      char unit[64], ln[256];
      sim_series_describe(&s, q, nm, sizeof nm, unit, sizeof unit, ln, sizeof ln);
      int change = strstr(nm, "_change_") != NULL, depth = strstr(nm, "_depth_um") != NULL;
      if (!change && !depth) continue;
      snprintf(name, sizeof name, "%s day %g", nm, day);
      add(&o, name, outcome_at(s.oc, nm, day), change ? K_CHANGE : K_DEPTH, 0, 0);
    }
  /* per session: peaks, peak delays, layer-mean peaks, returns */
  const int nsess = s.treat ? s.treat->nsessions : 0;
  for (int k = 0; k < nsess; k++) {
    const double t0 = s.treat->day[k];
    const double t1 = k + 1 < nsess ? s.treat->day[k + 1] : INFINITY;
    if (t0 > end) break;
    for (int q = 0; q < s.ns; q++) {
      const unsigned fl = s.m->report ? s.m->report[q] : 0;
      const char *sn = s.m->species[q].name;
      double lo, hi, par[2] = {0, rtol};
      if (fl & REPORT_PEAK) {
        double delay;
        par[0] = outcome_session_peak(s.oc, k, q, &delay);
        snprintf(name, sizeof name, "session %d peak %s", k + 1, sn);
        add(&o, name, par[0], K_VALUE, 0, 0);
        interval(&tr, q * per + 1, t0 + delay, t0, t1, near_peak, par, &lo, &hi);
        snprintf(name, sizeof name, "session %d peak %s delay", k + 1, sn);
        add(&o, name, delay, K_PEAK_TIME, lo, hi);
        for (int l = 0; l < g->nlayers; l++) {
          double md;
          par[0] = outcome_session_peak_mean(s.oc, k, q, l, &md);
          if (!(par[0] > 0)) continue;
          snprintf(name, sizeof name, "session %d %s mean peak %s", k + 1, sn, g->layers[l].name);
          add(&o, name, par[0], K_VALUE, 0, 0);
          interval(&tr, q * per + 2 + l, t0 + md, t0, t1, near_peak, par, &lo, &hi);
          snprintf(name, sizeof name, "session %d %s mean peak %s delay", k + 1, sn,
                   g->layers[l].name);
          add(&o, name, md, K_PEAK_TIME, lo, hi);
        }
      }
      if (fl & REPORT_RETURN)
        for (int l = 0; l < g->nlayers; l++) {
          par[0] = base0[q * per + 2 + l];
          if (par[0] == 0) continue;
          double r = outcome_session_return(s.oc, k, q, l);
          lo = hi = 0;
          if (r > 0) interval(&tr, q * per + 2 + l, t0 + r, t0, t1, near_edge, par, &lo, &hi);
          snprintf(name, sizeof name, "session %d %s return %s", k + 1, sn, g->layers[l].name);
          add(&o, name, r, K_RETURN_TIME, lo, hi);
        }
    }
  }
  free(tr.t);
  free(tr.v);
  free(base0);
  sim_free(&s);
  params_free(&p);
  return o;
}

/* The largest difference between the cadences, in units of rtol; *what: which outcome. */
static double compare_cadences(const char *scheme, double h, double end, char *what, size_t wl) {
  const double every[NCAD] = {0.5, 1, 5};
  outcomes o[NCAD];
  for (int c = 0; c < NCAD; c++) {
    o[c] = run(every[c], h, end, scheme);
    vu_info("%s, snapshots every %g day: %ld steps (%ld rejected), %d outcomes", scheme, every[c],
            o[c].steps, o[c].rejected, o[c].n);
  }
  const double rtol = o[0].rtol;
  double worst = 0;
  snprintf(what, wl, "-");
  for (int c = 1; c < NCAD; c++) {
    if (o[c].n != o[0].n) {
      snprintf(what, wl, "the number of outcomes (%d, %d)", o[0].n, o[c].n);
      return INFINITY;
    }
    for (int i = 0; i < o[0].n; i++) {
      const double a = o[0].v[i], b = o[c].v[i];
      double r; /* the difference in units of rtol */
      if (isnan(a) && isnan(b)) continue; /* "not yet back" in both */
      if (o[0].kind[i] == K_PEAK_TIME || o[0].kind[i] == K_RETURN_TIME) {
        /* the tolerance intervals overlap: 0; else the gap, relative to the time */
        const double gap = fmax(o[c].lo[i] - o[0].hi[i], o[0].lo[i] - o[c].hi[i]);
        r = a == b ? 0 : gap <= 0 ? 0 : gap / (rtol * fmax(fabs(a), fabs(b)));
      } else if (o[0].kind[i] == K_DEPTH) {
        /* a cell face: neighbouring crossing cells agree (the sampling, as for times) */
        const double gap = fabs(a - b) - o[0].h;
        r = gap <= 1e-9 * o[0].h ? 0 : gap / (rtol * fmax(fabs(a), fabs(b)));
      } else {
        const double scale = o[0].kind[i] == K_CHANGE ? 100 + fmax(a, b) : fmax(fabs(a), fabs(b));
        r = scale > 0 ? fabs(a - b) / scale / rtol : 0;
      }
      if (!(r <= 1))
        printf("info  %s: %s: every %g day %.6g, every %g day %.6g: %.3g rtol\n", scheme,
               o[0].name[i], every[0], a, every[c], b, r);
      if (!(r <= worst)) {
        worst = isnan(r) ? INFINITY : r;
        snprintf(what, wl, "%s", o[0].name[i]);
      }
    }
  }
  return worst;
}

int main(int argc, char **argv) {
  double t0 = vu_now();
  const int quick = vu_quick();
  const double h = argc > 1 ? atof(argv[1]) : 50, end = argc > 2 ? atof(argv[2]) : quick ? 10 : 20;
  vu_info("configs/default.yaml, cells of %g µm, to day %g", h, end);
  char what[128];
  double worst = compare_cadences("second_order", h, end, what, sizeof what);
  vu_info("second order: largest difference in %s", what);
  int fails = vu_le("largest difference between cadences / rtol", worst, 1,
                    "every outcome within the run's rtol");
  if (!quick) { /* for contrast: the first-order scheme with its history-based estimate */
    double w1 = compare_cadences("first_order", h, end, what, sizeof what);
    vu_info("first order: largest difference between cadences %.3g rtol (in %s)", w1, what);
  }
  vu_info("run time %.2f s", vu_now() - t0);
  if (fails) {
    printf("test_verify_cadence: %d check(s) failed\n", fails);
    return 1;
  }
  printf("test_verify_cadence: all checks passed\n");
  return 0;
}
