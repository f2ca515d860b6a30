#include "params_suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t levenshtein(const char *a, const char *b) {
  enum { MAXL = 127 };
  size_t la = strlen(a), lb = strlen(b);
  if (la > MAXL) la = MAXL;
  if (lb > MAXL) lb = MAXL;
  size_t row[MAXL + 1];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* Close enough to suggest: a few edits, never a word replaced wholesale. */
static int close_enough(size_t d, const char *word) {
  size_t len = strlen(word), lim = len / 3 > 2 ? len / 3 : 2;
  return d <= lim && d < len;
}

typedef struct {
  char best[160];
  size_t score;         /* 2*distance, +1 when only the last component matched */
} suggestion;

static const char *last_part(const char *k) {
  const char *dot = strrchr(k, '.');
  return dot ? dot + 1 : k;
}

static void consider(suggestion *sg, const char *word, const char *cand, int by_last) {
  const char *w = by_last ? last_part(word) : word;
  size_t d = levenshtein(w, by_last ? last_part(cand) : cand);
  if (!close_enough(d, w)) return;
  size_t score = 2 * d + (by_last ? 1 : 0);
  if (sg->best[0] && score >= sg->score) return;
  snprintf(sg->best, sizeof sg->best, "%s", cand);
  sg->score = score;
}

static void consider_both(suggestion *sg, const char *word, const char *cand) {
  consider(sg, word, cand, 0);
  consider(sg, word, cand, 1);
}

/* Candidates for an unknown key: every registry key, every section above one, and layers. */
void params_suggest_key(const params *p, const char *key, char *out, size_t sz) {
  suggestion sg = {{0}, 0};
  char sect[160];
  consider_both(&sg, key, "layers");
  for (size_t i = 0; i < p->nvals; i++) {
    const char *k = p->vals[i].desc->key;
    for (const char *dot = strchr(k, '.'); dot; dot = strchr(dot + 1, '.')) {
      snprintf(sect, sizeof sect, "%.*s", (int)(dot - k), k);
      consider_both(&sg, key, sect);
    }
    consider_both(&sg, key, k);
  }
  if (sg.best[0]) snprintf(out, sz, " (did you mean '%s'?)", sg.best);
  else out[0] = '\0';
}

/* Suggestion among a '|'-separated list of words. */
void params_suggest_word(const char *list, char sep, const char *word, char *out, size_t sz) {
  suggestion sg = {{0}, 0};
  char w[160];
  const char *s = list;
  while (*s) {
    const char *e = strchr(s, sep);
    size_t n = e ? (size_t)(e - s) : strlen(s);
    snprintf(w, sizeof w, "%.*s", (int)n, s);
    consider(&sg, word, w, 0);
    s += n + (e ? 1 : 0);
  }
  if (sg.best[0]) snprintf(out, sz, " (did you mean '%s'?)", sg.best);
  else out[0] = '\0';
}

