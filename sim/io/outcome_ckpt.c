/* Pack and unpack the outcome metrics' running state; see outcome_ckpt.h. */
#include "outcome_ckpt.h"
#include "outcome_impl.h"

#include <stdlib.h>
#include <string.h>

#define OUTCOME_CKPT_VERSION 1

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

cs_status outcome_ckpt_pack(const outcome *oc, double **buf, size_t *n) {
  *buf = NULL;
  *n = 0;
  if (!oc) return CS_OK;
  const struct outcome *o = oc;
  packer p = {0};
  size_t ne = (size_t)o->ns * (size_t)o->nl;
  put(&p, OUTCOME_CKPT_VERSION);
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

cs_status outcome_ckpt_unpack(outcome *oc, const double *buf, size_t n, const char *what) {
  if (!oc) {
    if (n == 0) return CS_OK;
    return CS_ERROR(CS_ERR_INPUT, "%s: holds outcome metrics, but this model reports none", what);
  }
  struct outcome *o = oc;
  reader r = {buf, n, 0};
  int ver, ns, nl, nbase, nz, nser, rowlen, ntrack, cur, nrec;
  size_t ne = (size_t)o->ns * (size_t)o->nl;
#define BAD(msg) CS_ERROR(CS_ERR_INPUT, "%s: outcome metrics: %s", what, msg)
  if (n == 0) return BAD("missing, but this model reports outcomes");
  if (!get_int(&r, &ver, 0, 1 << 30) || ver != OUTCOME_CKPT_VERSION)
    return BAD("unknown format version");
  if (!get_int(&r, &ns, 0, MODEL_MAX_SPECIES) || !get_int(&r, &nl, 0, PARAMS_MAX_LAYERS) ||
      !get_int(&r, &nbase, 0, 1 << 30) || !get_int(&r, &nz, 0, 1 << 30) ||
      !get_int(&r, &nser, 0, 1 << 30) || !get_int(&r, &rowlen, 0, 1 << 30) ||
      !get_int(&r, &ntrack, 1, 1 << 20) || !get_int(&r, &cur, 0, ntrack - 1) ||
      !get_int(&r, &nrec, 0, 1 << 30))
    return BAD("truncated or damaged header");
  if (ns != o->ns || nl != o->nl || nbase != o->nbase || nz != o->nz || nser != o->nser ||
      rowlen != o->rowlen)
    return BAD("species, layers or series differ from this configuration's");
  if (!get_n(&r, o->base0, (size_t)nbase) || !get_n(&r, o->prof0, (size_t)ns * (size_t)nz) ||
      !get_n(&r, o->run_peak, (size_t)ns) || !get_n(&r, o->run_peak_t, (size_t)ns))
    return BAD("truncated");
  /* The fresh outcome has one track (from t = 0); rebuild the rest. */
  session_track *tracks = calloc((size_t)ntrack, sizeof *tracks);
  int *tsess = calloc((size_t)ntrack, sizeof *tsess);
  if (!tracks || !tsess) {
    free(tracks);
    free(tsess);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  }
  cs_status st = CS_OK;
  for (int k = 0; k < ntrack && st == CS_OK; k++) {
    session_track *tr = &tracks[k];
    tr->left = calloc(ne ? ne : 1, 1);
    tr->inside = calloc(ne ? ne : 1, 1);
    tr->t_enter = calloc(ne ? ne : 1, sizeof(double));
    tr->mpeak = calloc(2 * (ne ? ne : 1), sizeof(double));
    tr->mpeak_t = tr->mpeak ? tr->mpeak + ne : NULL;
    if (!tr->left || !tr->inside || !tr->t_enter || !tr->mpeak) {
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
      break;
    }
    if (!get_int(&r, &tsess[k], -1, 1 << 30) || !get(&r, &tr->t0) ||
        !get_n(&r, tr->peak, (size_t)ns) || !get_n(&r, tr->peak_t, (size_t)ns) ||
        !get_n(&r, tr->mpeak, ne) || !get_n(&r, tr->mpeak_t, ne)) {
      st = BAD("truncated session track");
      break;
    }
    for (size_t e = 0; e < 2 * ne && st == CS_OK; e++) {
      int v;
      if (!get_int(&r, &v, 0, 1)) st = BAD("damaged session track");
      else if (e < ne) tr->left[e] = (unsigned char)v;
      else tr->inside[e - ne] = (unsigned char)v;
    }
    if (st == CS_OK && !get_n(&r, tr->t_enter, ne)) st = BAD("truncated session track");
  }
  double *rec_t = NULL, *rec = NULL;
  int cap = nrec > 0 ? nrec : 1;
  if (st == CS_OK) {
    rec_t = malloc(sizeof(double) * (size_t)cap);
    rec = malloc(sizeof(double) * (size_t)cap * (size_t)(rowlen > 0 ? rowlen : 1));
    if (!rec_t || !rec) st = CS_ERROR(CS_ERR_NOMEM, "out of memory (outcome metrics)");
  }
  if (st == CS_OK && (!get_n(&r, rec_t, (size_t)nrec) ||
                      !get_n(&r, rec, (size_t)nrec * (size_t)rowlen)))
    st = BAD("truncated snapshot records");
  if (st == CS_OK && r.at != r.n) st = BAD("unexpected trailing data");
#undef BAD
  if (st != CS_OK) {
    outcome_tracks_free(tracks, ntrack);
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
  o->ntrack = ntrack;
  o->cur = cur;
  o->rec_t = rec_t;
  o->rec = rec;
  o->nrec = nrec;
  o->caprec = cap;
  return CS_OK;
}
