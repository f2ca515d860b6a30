#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include "run_resume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void value_text(const param_value *pv, char *buf, size_t len) {
  if (!pv) {
    snprintf(buf, len, "(absent)");
    return;
  }
  switch (pv->desc->type) {
    case P_ENUM:
    case P_STRING: snprintf(buf, len, "%s", pv->s ? pv->s : ""); return;
    default: break;
  }
  int list = pv->desc->type == P_REALS || pv->desc->per_layer || pv->n != 1;
  size_t used = 0;
  used += (size_t)snprintf(buf, len, "%s", list ? "[" : "");
  for (int i = 0; i < pv->n && used < len; i++)
    used += (size_t)snprintf(buf + used, len - used, "%s%.10g", i ? ", " : "", pv->v[i]);
  if (list && used < len) snprintf(buf + used, len - used, "]");
}

static int value_equal(const param_value *a, const param_value *b) {
  if (!a || !b) return a == b;
  if (a->desc->type == P_ENUM || a->desc->type == P_STRING)
    return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
  if (a->n != b->n) return 0;
  for (int i = 0; i < a->n; i++)
    if (!(a->v[i] == b->v[i])) return 0;
  return 1;
}

/* Keys that do not change the simulated result (output.summary_days does: steps land on
   each summary day). */
static int harmless_key(const char *k) {
  return strcmp(k, "output.file") == 0 || strncmp(k, "checkpoint.", 11) == 0;
}

int resume_compare_configs(const params *old, const params *now, double t_ckpt, char *change,
                           size_t len, char *refused, size_t rlen) {
  change[0] = refused[0] = '\0';
  size_t cu = 0, ru = 0;
  int verdict = 0;
  if (strcmp(old->model_name, now->model_name) != 0) {
    snprintf(refused, rlen, "model: %s -> %s", old->model_name, now->model_name);
    return 2;
  }
  if (old->nlayers != now->nlayers) {
    ru += (size_t)snprintf(refused + ru, rlen - ru, "layers: %d -> %d layers", old->nlayers,
                           now->nlayers);
    verdict = 2;
  } else {
    for (int l = 0; l < old->nlayers && ru < rlen; l++)
      if (strcmp(old->layers[l].name, now->layers[l].name) != 0 ||
          old->layers[l].thickness_um != now->layers[l].thickness_um) {
        ru += (size_t)snprintf(refused + ru, rlen - ru, "%slayers[%d]: %s %g µm -> %s %g µm",
                               ru ? "; " : "", l, old->layers[l].name,
                               old->layers[l].thickness_um, now->layers[l].name,
                               now->layers[l].thickness_um);
        verdict = 2;
      }
  }
  for (size_t i = 0; i < now->nvals; i++) {
    const param_value *b = &now->vals[i];
    if (!b->desc || !b->desc->key || harmless_key(b->desc->key)) continue;
    const param_value *a = params_find(old, b->desc->key);
    if (value_equal(a, b)) continue;
    char va[256], vb[256];
    value_text(a, va, sizeof va);
    value_text(b, vb, sizeof vb);
    if (strcmp(b->desc->key, "time.end_day") == 0 && b->v[0] > t_ckpt) {
      if (cu < len)
        cu += (size_t)snprintf(change + cu, len - cu, "%s%s: %s -> %s", cu ? "; " : "",
                               b->desc->key, va, vb);
      if (verdict < 1) verdict = 1;
    } else {
      if (ru < rlen)
        ru += (size_t)snprintf(refused + ru, rlen - ru, "%s%s: %s -> %s", ru ? "; " : "",
                               b->desc->key, va, vb);
      verdict = 2;
    }
  }
  return verdict;
}

char *resume_yaml_to_temp(const char *yaml) {
  const char *dir = getenv("TMPDIR");
  if (!dir || !dir[0]) dir = "/tmp";
  size_t n = strlen(dir) + 64;
  char *path = malloc(n);
  if (!path) return NULL;
  snprintf(path, n, "%s/cisim-checkpoint-config-XXXXXX", dir);
  int fd = mkstemp(path);
  if (fd < 0) {
    free(path);
    return NULL;
  }
  FILE *f = fdopen(fd, "w");
  int ok = f && fputs(yaml, f) >= 0;
  if (f) ok = fclose(f) == 0 && ok;
  else close(fd);
  if (!ok) {
    unlink(path);
    free(path);
    return NULL;
  }
  return path;
}

