/* ytree: a YAML document read with libyaml into a small tree that keeps the line and column
 * (1-based) of every node, so that every later complaint can point into the user's file.
 * Rejects, with FILE:LINE:COL messages and CS_ERR_INPUT: a missing or unreadable file, an
 * empty document, text that is not YAML, anchors/aliases/tags, multiple documents, and
 * duplicate keys in a mapping. */
#ifndef CISIM_YTREE_H
#define CISIM_YTREE_H

#include <stddef.h>

#include "error.h"

typedef enum { YT_SCALAR, YT_MAP, YT_SEQ } yt_kind;

typedef struct yt_node {
  yt_kind kind;
  int line, col;        /* position of the node's first character, 1-based */
  char *value;          /* YT_SCALAR: the text */
  int quoted;           /* YT_SCALAR: written in quotes (so "1" is a string, not a number) */
  size_t n;             /* YT_MAP: number of pairs; YT_SEQ: number of items */
  char **keys;          /* YT_MAP: key text */
  int *key_line, *key_col;
  struct yt_node **items; /* YT_MAP: values; YT_SEQ: items */
} yt_node;

typedef struct {
  char *name;           /* file name used in messages ("--set" for command-line values) */
  char *text;           /* the whole document as read */
  yt_node *root;
} yt_doc;

cs_status yt_load_file(const char *path, yt_doc *doc);
cs_status yt_load_string(const char *name, const char *text, yt_doc *doc);
/* One YAML value of any kind (a --set value such as "10", "[100, 50]" or "{a: 1}"); empty
 * text gives an empty plain scalar. Messages read "NAME: ... (column C)". */
cs_status yt_load_value(const char *name, const char *text, yt_doc *doc);
void yt_free(yt_doc *doc);

/* Lookup in a mapping; NULL if absent or not a mapping. */
const yt_node *yt_get(const yt_node *map, const char *key);

#endif
