/* params_bind: one YAML value bound to one registry entry (type, range, choices, per-layer
 * mapping, list length), a YAML mapping walked key by key onto the registry, and the layers
 * section; every message located at its source: "FILE:L:C: KEY: msg", "--set ARG: [KEY: ]msg"
 * or "FILE: KEY: msg". params_load runs the whole sequence. */
#ifndef CISIM_PARAMS_BIND_H
#define CISIM_PARAMS_BIND_H

#include <stddef.h>

#include "error.h"
#include "params.h"
#include "ytree.h"

typedef struct {
  const char *file;     /* config path; also used in --set-free messages */
  const char *set_arg;  /* the whole --set argument, NULL for the file and defaults */
  const char *set_key;  /* its key part */
  int from;             /* PARAM_FROM_* */
  int index;            /* --set: 1-based argument number */
} source;

typedef struct {
  params *p;
  const source *src;
  int *given_line;      /* per value: line where the current file gave it (duplicate check) */
} binder;

/* The located message (CS_ERR_INPUT). The key is left out of a --set message when it is the
   argument's own key, which the argument already shows; line 0: no position. */
cs_status params_bind_error(const source *s, int line, int col, const char *key, const char *fmt,
                            ...) CS_PRINTF(5, 6);
/* An empty or null YAML value ("", ~, null). */
int params_bind_is_null(const yt_node *n);
/* What the user wrote, for the "got ..." half of a message (into buf, or a constant). */
const char *params_bind_got(const yt_node *n, char *buf, size_t sz);
/* The value slot of key in p (NULL: not in the registry). */
param_value *params_bind_find(params *p, const char *key);
/* Node n as the value of pv (its registry entry decides how it is read). */
cs_status params_bind_value(const source *s, const params *p, param_value *pv,
                            const yt_node *n);
/* Node n under the dotted key: a value, or a section whose keys are walked in turn. */
cs_status params_bind_at(binder *b, const char *key, const yt_node *n, int kline, int kcol);
/* The layers section: a list of {name, thickness_um} from the surface down. */
cs_status params_bind_layers(const source *s, params *p, const yt_node *n);

char *params_bind_dup(const char *s);  /* strdup, in C17 */
cs_status params_bind_nomem(void);     /* CS_ERR_NOMEM "out of memory reading the configuration" */

#endif
