/* outcome_ckpt: pack and unpack the outcome metrics' running state; see outcome_ckpt.h. */
#include "outcome_ckpt.h"
#include "outcome_impl.h"

#include <stdlib.h>
#include <string.h>

/* 1: without first arrivals or time lags (written so still when an outcome has neither, so
   such checkpoints keep their bits); 2: version 1's data, then those (pack_follow). */
#define OUTCOME_CKPT_VERSION 1
#define OUTCOME_CKPT_VERSION_FOLLOW 2

typedef struct {
  double *b;
  size_t n, cap;
  int fail;
} packer;

static void put(packer *p, double v) {
  if (p->fail) return;
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 256;
    double *nb = realloc(p->b, cap * sizeof *nb);
    if (!nb) {
      p->fail = 1;
      return;
    }
    p->b = nb;
    p->cap = cap;
  }
  p->b[p->n++] = v;
}

static void put_n(packer *p, const double *v, size_t n) {
  for (size_t i = 0; i < n; i++) put(p, v[i]);
}

static int follows(const struct outcome *o) { return o->narr > 0 || o->nlag > 0; }

/* REPORT_ARRIVAL rows (per species: count, previous time, previous values, arrival times) and
   the time lags (previous time and value, largest slope, its end). */
static void pack_follow(packer *p, const struct outcome *o) {
  for (int q = 0; q < o->ns; q++) {
    const arrival_rows *a = &o->arr[q];
    put(p, a->n);
    if (a->n == 0) continue;
    put(p, a->t_prev);
    put_n(p, a->prev, (size_t)a->n);
    put_n(p, a->t, (size_t)a->n);
  }
  put(p, o->nlag);
  for (int j = 0; j < o->nlag; j++) {
    const lag_track *l = &o->lag[j];
    const double v[5] = {l->t_prev, l->q_prev, l->slope, l->t_m, l->q_m};
    put_n(p, v, 5);
  }
}

cs_status outcome_ckpt_pack(const outcome *oc, double **buf, size_t *n) {
  *buf = NULL;
  *n = 0;
  if (!oc) return CS_OK;
  const struct outcome *o = oc;
  packer p = {0};
  size_t ne = (size_t)o->ns * (size_t)o->nl;
  put(&p, follows(o) ? OUTCOME_CKPT_VERSION_FOLLOW : OUTCOME_CKPT_VERSION);
  put(&p, o->ns);
  put(&p, o->nl);
  put(&p, o->nbase);
  put(&p, o->nz);
  put(&p, o->nser);
  put(&p, o->rowlen);
  put(&p, o->ntrack);
  put(&p, o->cur);
  put(&p, o->nrec);
  put_n(&p, o->base0, (size_t)o->nbase);
  put_n(&p, o->prof0, (size_t)o->ns * (size_t)o->nz);
  put_n(&p, o->run_peak, (size_t)o->ns);
  put_n(&p, o->run_peak_t, (size_t)o->ns);
  for (int k = 0; k < o->ntrack; k++) {
    const session_track *tr = &o->track[k];
    put(&p, o->track_session[k]);
    put(&p, tr->t0);
    put_n(&p, tr->peak, (size_t)o->ns);
    put_n(&p, tr->peak_t, (size_t)o->ns);
    put_n(&p, tr->mpeak, ne);
    put_n(&p, tr->mpeak_t, ne);
    for (size_t e = 0; e < ne; e++) put(&p, tr->left[e]);
    for (size_t e = 0; e < ne; e++) put(&p, tr->inside[e]);
    put_n(&p, tr->t_enter, ne);
  }
  put_n(&p, o->rec_t, (size_t)o->nrec);
  put_n(&p, o->rec, (size_t)o->nrec * (size_t)o->rowlen);
  if (follows(o)) pack_follow(&p, o);
  if (p.fail) {
    free(p.b);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (checkpoint of the outcome metrics)");
  }
  *buf = p.b;
  *n = p.n;
  return CS_OK;
}

typedef struct {
  const double *b;
  size_t n, at;
} reader;

static int get(reader *r, double *v) {
  if (r->at >= r->n) return 0;
  *v = r->b[r->at++];
  return 1;
}

static int get_n(reader *r, double *v, size_t n) {
  if (r->n - r->at < n) return 0;
  memcpy(v, r->b + r->at, n * sizeof *v);
  r->at += n;
  return 1;
}

static int get_int(reader *r, int *v, int lo, int hi) {
  double d;
  if (!get(r, &d) || !(d >= lo && d <= hi) || d != (double)(int)d) return 0;
  *v = (int)d;
  return 1;
}

/* The sizes in a checkpoint's header. */
typedef struct {
  int ns, nl, nbase, nz, nser, rowlen, ntrack, cur, nrec;
} ckpt_header;

static cs_status bad(const char *what, const char *msg) {
  return CS_ERROR(CS_ERR_INPUT, "%s: outcome metrics: %s", what, msg);
}

/* Format version and sizes; the sizes must be those of this configuration's outcome. */
static cs_status read_header(reader *r, const struct outcome *o, const char *what,
                             ckpt_header *h) {
  int ver = -1;
  if (!get_int(r, &ver, 0, 1 << 30) ||
      ver != (follows(o) ? OUTCOME_CKPT_VERSION_FOLLOW : OUTCOME_CKPT_VERSION))
    return bad(what, ver == OUTCOME_CKPT_VERSION || ver == OUTCOME_CKPT_VERSION_FOLLOW
                         ? "first arrivals or time lags differ from this configuration's"
                         : "unknown format version");
  if (!get_int(r, &h->ns, 0, MODEL_MAX_SPECIES) || !get_int(r, &h->nl, 0, PARAMS_MAX_LAYERS) ||
      !get_int(r, &h->nbase, 0, 1 << 30) || !get_int(r, &h->nz, 0, 1 << 30) ||
      !get_int(r, &h->nser, 0, 1 << 30) || !get_int(r, &h->rowlen, 0, 1 << 30) ||
      !get_int(r, &h->ntrack, 1, 1 << 20) || !get_int(r, &h->cur, 0, h->ntrack - 1) ||
      !get_int(r, &h->nrec, 0, 1 << 30))
    return bad(what, "truncated or damaged header");
  if (h->ns != o->ns || h->nl != o->nl || h->nbase != o->nbase || h->nz != o->nz ||
      h->nser != o->nser || h->rowlen != o->rowlen)
    return bad(what, "species, layers or series differ from this configuration's");
  return CS_OK;
}

/* One session track over ne species-layer entries, allocated here; *session its protocol
   session index. */
static cs_status read_track(reader *r, int ns, size_t ne, const char *what, session_track *tr,
                            int *session) {
  tr->left = calloc(ne ? ne : 1, 1);
  tr->inside = calloc(ne ? ne : 1, 1);
  tr->t_enter = calloc(ne ? ne : 1, sizeof(double));
  tr->mpeak = calloc(2 * (ne ? ne : 1), sizeof(double));
  tr->mpeak_t = tr->mpeak ? tr->mpeak + ne : NULL;
  if (!tr->left || !tr->inside || !tr->t_enter || !tr->mpeak)
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  if (!get_int(r, session, -1, 1 << 30) || !get(r, &tr->t0) || !get_n(r, tr->peak, (size_t)ns) ||
      !get_n(r, tr->peak_t, (size_t)ns) || !get_n(r, tr->mpeak, ne) || !get_n(r, tr->mpeak_t, ne))
    return bad(what, "truncated session track");
  for (size_t e = 0; e < 2 * ne; e++) {
    int v;
    if (!get_int(r, &v, 0, 1)) return bad(what, "damaged session track");
    if (e < ne) tr->left[e] = (unsigned char)v;
    else tr->inside[e - ne] = (unsigned char)v;
  }
  if (!get_n(r, tr->t_enter, ne)) return bad(what, "truncated session track");
  return CS_OK;
}

/* The session tracks; the fresh outcome has one (from t = 0), a checkpoint may hold more. On
   failure the caller frees what was allocated (outcome_tracks_free, free). */
static cs_status read_tracks(reader *r, const ckpt_header *h, size_t ne, const char *what,
                             session_track **tracks, int **tsess) {
  *tracks = calloc((size_t)h->ntrack, sizeof **tracks);
  *tsess = calloc((size_t)h->ntrack, sizeof **tsess);
  if (!*tracks || !*tsess) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  for (int k = 0; k < h->ntrack; k++)
    CS_TRY(read_track(r, h->ns, ne, what, &(*tracks)[k], &(*tsess)[k]));
  return CS_OK;
}

/* The recorded snapshot rows: nrec times, nrec rows of rowlen values; *cap rows allocated. */
static cs_status read_records(reader *r, const ckpt_header *h, const char *what, double **rec_t,
                              double **rec, int *cap) {
  *cap = h->nrec > 0 ? h->nrec : 1;
  *rec_t = malloc(sizeof(double) * (size_t)*cap);
  *rec = malloc(sizeof(double) * (size_t)*cap * (size_t)(h->rowlen > 0 ? h->rowlen : 1));
  if (!*rec_t || !*rec) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  if (!get_n(r, *rec_t, (size_t)h->nrec) || !get_n(r, *rec, (size_t)h->nrec * (size_t)h->rowlen))
    return bad(what, "truncated snapshot records");
  return CS_OK;
}

/* The data of pack_follow, checked against this configuration's sizes, into o (all or nothing:
   read into copies first). */
static cs_status read_follow(reader *r, struct outcome *o, const char *what, arrival_rows *arr,
                             lag_track *lag) {
  for (int q = 0; q < o->ns; q++) {
    arrival_rows *a = &arr[q];
    int n;
    if (!get_int(r, &n, 0, 1 << 30) || n != o->arr[q].n)
      return bad(what, "arrival rows differ from this configuration's");
    if (n == 0) continue;
    *a = o->arr[q];
    a->prev = malloc(sizeof(double) * (size_t)n);
    a->t = malloc(sizeof(double) * (size_t)n);
    if (!a->prev || !a->t) return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
    if (!get(r, &a->t_prev) || !get_n(r, a->prev, (size_t)n) || !get_n(r, a->t, (size_t)n))
      return bad(what, "truncated arrival rows");
  }
  int nlag;
  if (!get_int(r, &nlag, 0, 1 << 30) || nlag != o->nlag)
    return bad(what, "time lags differ from this configuration's");
  for (int j = 0; j < nlag; j++) {
    double v[5];
    if (!get_n(r, v, 5)) return bad(what, "truncated time lags");
    lag[j] = (lag_track){v[0], v[1], v[2], v[3], v[4]};
  }
  return CS_OK;
}

/* After the version-1 data: the followed state, replacing o's on success. */
static cs_status unpack_follow(reader *r, struct outcome *o, const char *what) {
  arrival_rows arr[MODEL_MAX_SPECIES];
  memset(arr, 0, sizeof arr);
  lag_track *lag = malloc(sizeof(lag_track) * (size_t)(o->nlag > 0 ? o->nlag : 1));
  cs_status st = lag ? read_follow(r, o, what, arr, lag)
                     : CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  if (st == CS_OK && r->at != r->n) st = bad(what, "unexpected trailing data");
  for (int q = 0; q < o->ns; q++) {
    if (st != CS_OK) {
      free(arr[q].prev);
      free(arr[q].t);
    } else if (o->arr[q].n > 0) {
      arrival_rows_free(&o->arr[q]);
      o->arr[q] = arr[q];
    }
  }
  if (st == CS_OK && o->nlag > 0) memcpy(o->lag, lag, sizeof(lag_track) * (size_t)o->nlag);
  free(lag);
  return st;
}

cs_status outcome_ckpt_unpack(outcome *oc, const double *buf, size_t n, const char *what) {
  if (!oc) {
    if (n == 0) return CS_OK;
    return CS_ERROR(CS_ERR_INPUT, "%s: holds outcome metrics, but this model reports none", what);
  }
  struct outcome *o = oc;
  reader r = {buf, n, 0};
  size_t ne = (size_t)o->ns * (size_t)o->nl;
  if (n == 0) return bad(what, "missing, but this model reports outcomes");
  ckpt_header h = {0};
  CS_TRY(read_header(&r, o, what, &h));
  if (!get_n(&r, o->base0, (size_t)h.nbase) || !get_n(&r, o->prof0, (size_t)h.ns * (size_t)h.nz) ||
      !get_n(&r, o->run_peak, (size_t)h.ns) || !get_n(&r, o->run_peak_t, (size_t)h.ns))
    return bad(what, "truncated");
  session_track *tracks = NULL;
  int *tsess = NULL, cap = 0;
  double *rec_t = NULL, *rec = NULL;
  cs_status st = read_tracks(&r, &h, ne, what, &tracks, &tsess);
  if (st == CS_OK) st = read_records(&r, &h, what, &rec_t, &rec, &cap);
  if (st == CS_OK && !follows(o) && r.at != r.n) st = bad(what, "unexpected trailing data");
  if (st == CS_OK && follows(o)) st = unpack_follow(&r, o, what);
  if (st != CS_OK) {
    outcome_tracks_free(tracks, h.ntrack);
    free(tsess);
    free(rec_t);
    free(rec);
    return st;
  }
  outcome_tracks_free(o->track, o->ntrack);
  free(o->track_session);
  free(o->rec_t);
  free(o->rec);
  o->track = tracks;
  o->track_session = tsess;
  o->ntrack = h.ntrack;
  o->cur = h.cur;
  o->rec_t = rec_t;
  o->rec = rec;
  o->nrec = h.nrec;
  o->caprec = cap;
  return CS_OK;
}
