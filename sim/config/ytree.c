/* ytree: libyaml's event stream folded into a small tree of positioned nodes.
 *
 * The event parser (not libyaml's document loader) is used because only the events carry the
 * marks we need for every node and every key, and because it lets us refuse anchors, aliases
 * and tags before they can make a configuration mean something its text does not show. */
#define _POSIX_C_SOURCE 200809L /* fdopen, O_CLOEXEC */

#include "ytree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Deeper nesting than this is never a configuration; the cap keeps recursion bounded. */
#define YT_MAX_DEPTH 64
/* Bounds on what one document may cost (docs/run-file.md, "Configuration limits"): a config
   file's size, and its nodes (a 16 MiB flow list of 1s would otherwise be 8 M nodes). Anchors
   and aliases are refused outright, so no expansion can multiply either. */
#define YT_MAX_FILE_BYTES (16L << 20)
#define YT_MAX_NODES 1000000

typedef struct {
  yaml_parser_t parser;
  const char *name;
  const char *text;
  int value_mode;  /* a --set value: any node at the top, messages give a column only */
  long nodes;      /* built so far, against YT_MAX_NODES */
} yt_ctx;

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

static cs_status fail_at(const yt_ctx *c, int line, int col, const char *fmt, ...) CS_PRINTF(4, 5);
static cs_status fail_at(const yt_ctx *c, int line, int col, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (c->value_mode) return CS_ERROR(CS_ERR_INPUT, "%s: %s (column %d)", c->name, msg, col);
  return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: %s", c->name, line, col, msg);
}

static cs_status fail_mark(const yt_ctx *c, yaml_mark_t m, const char *what) {
  return fail_at(c, (int)m.line + 1, (int)m.column + 1, "%s", what);
}

static cs_status parser_error(const yt_ctx *c) {
  const yaml_parser_t *ps = &c->parser;
  if (ps->error == YAML_MEMORY_ERROR) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory", c->name);
  const char *problem = ps->problem ? ps->problem : "unknown parser error";
  int line = (int)ps->problem_mark.line + 1, col = (int)ps->problem_mark.column + 1;
  if (ps->error == YAML_READER_ERROR) {
    /* The reader reports a byte offset, not a mark: count lines ourselves. */
    line = 1;
    col = 1;
    for (size_t i = 0; i < ps->problem_offset && c->text[i]; i++) {
      if (c->text[i] == '\n') {
        line++;
        col = 1;
      } else if (((unsigned char)c->text[i] & 0xC0) != 0x80) {
        col++;
      }
    }
  }
  if (c->value_mode) {
    /* A --set value is one short line: a column says enough, and "line 2" would only mean
       that the parser ran off its end. */
    char where[64], ctx[256] = "";
    if (ps->problem_mark.index >= strlen(c->text)) snprintf(where, sizeof where, "at its end");
    else snprintf(where, sizeof where, "at column %d", col);
    if (ps->context)
      snprintf(ctx, sizeof ctx, " (%s at column %d)", ps->context,
               (int)ps->context_mark.column + 1);
    return CS_ERROR(CS_ERR_INPUT, "%s: not valid YAML: %s %s%s", c->name, problem, where, ctx);
  }
  if (ps->context)
    return fail_at(c, line, col, "not valid YAML: %s (%s at line %d, column %d)", problem,
                   ps->context, (int)ps->context_mark.line + 1,
                   (int)ps->context_mark.column + 1);
  return fail_at(c, line, col, "not valid YAML: %s", problem);
}

static cs_status next_event(yt_ctx *c, yaml_event_t *ev) {
  if (!yaml_parser_parse(&c->parser, ev)) return parser_error(c);
  return CS_OK;
}

static void node_free(yt_node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys) free(n->keys[i]);
    if (n->items) node_free(n->items[i]);
  }
  free(n->keys);
  free(n->key_line);
  free(n->key_col);
  free(n->items);
  free(n->value);
  free(n);
}

/* Grows the arrays of a mapping or sequence so that one more entry fits. */
static int node_reserve(yt_node *n, size_t *cap) {
  if (n->n < *cap) return 1;
  size_t nc = *cap ? 2 * *cap : 4;
  yt_node **items = realloc(n->items, nc * sizeof *items);
  if (!items) return 0;
  n->items = items;
  if (n->kind == YT_MAP) {
    char **keys = realloc(n->keys, nc * sizeof *keys);
    if (!keys) return 0;
    n->keys = keys;
    int *kl = realloc(n->key_line, nc * sizeof *kl);
    if (!kl) return 0;
    n->key_line = kl;
    int *kc = realloc(n->key_col, nc * sizeof *kc);
    if (!kc) return 0;
    n->key_col = kc;
  }
  *cap = nc;
  return 1;
}

/* Anchors and tags can sit on any node; the event carries them for scalars and collections. */
static cs_status refuse_decorations(const yt_ctx *c, const yaml_event_t *ev) {
  const yaml_char_t *anchor = NULL, *tag = NULL;
  if (ev->type == YAML_SCALAR_EVENT) {
    anchor = ev->data.scalar.anchor;
    tag = ev->data.scalar.tag;
  } else if (ev->type == YAML_SEQUENCE_START_EVENT) {
    anchor = ev->data.sequence_start.anchor;
    tag = ev->data.sequence_start.tag;
  } else if (ev->type == YAML_MAPPING_START_EVENT) {
    anchor = ev->data.mapping_start.anchor;
    tag = ev->data.mapping_start.tag;
  }
  if (anchor)
    return fail_mark(c, ev->start_mark, "anchors and aliases (&name, *name) are not supported");
  if (tag) return fail_mark(c, ev->start_mark, "tags (!name) are not supported");
  return CS_OK;
}

static yt_node *node_new(yt_kind kind, const yaml_event_t *ev) {
  yt_node *n = calloc(1, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->line = (int)ev->start_mark.line + 1;
  n->col = (int)ev->start_mark.column + 1;
  return n;
}

static cs_status parse_node(yt_ctx *c, yaml_event_t *ev, int depth, yt_node **out);

/* One key (the event *item, consumed) and its value, appended to the mapping n. */
static cs_status parse_pair(yt_ctx *c, yaml_event_t *item, yt_node *n, int depth) {
  cs_status st;
  if (item->type != YAML_SCALAR_EVENT) {
    st = fail_mark(c, item->start_mark,
                   item->type == YAML_ALIAS_EVENT
                       ? "anchors and aliases (&name, *name) are not supported"
                       : "a key must be plain text, not a mapping or a list");
    yaml_event_delete(item);
    return st;
  }
  if ((st = refuse_decorations(c, item)) != CS_OK) {
    yaml_event_delete(item);
    return st;
  }
  const char *k = (const char *)item->data.scalar.value;
  int kl = (int)item->start_mark.line + 1, kc = (int)item->start_mark.column + 1;
  for (size_t i = 0; i < n->n; i++) {
    if (strcmp(n->keys[i], k) == 0) {
      st = fail_at(c, kl, kc, "duplicate key '%s' (first given at line %d)", k, n->key_line[i]);
      yaml_event_delete(item);
      return st;
    }
  }
  char *kd = dup_n(k, item->data.scalar.length);
  yaml_event_delete(item);
  if (!kd) return CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
  /* Count the pair only once its value exists, so node_free never sees half a pair. */
  n->keys[n->n] = kd;
  n->key_line[n->n] = kl;
  n->key_col[n->n] = kc;
  yaml_event_t val;
  yt_node *child;
  if ((st = next_event(c, &val)) != CS_OK || (st = parse_node(c, &val, depth + 1, &child)) != CS_OK) {
    free(kd);
    return st;
  }
  n->items[n->n++] = child;
  return CS_OK;
}

/* Builds the node that starts with *ev (which this function consumes) and everything in it. */
static cs_status parse_node(yt_ctx *c, yaml_event_t *ev, int depth, yt_node **out) {
  *out = NULL;
  cs_status st = CS_OK;
  yt_node *n = NULL;
  if (ev->type == YAML_ALIAS_EVENT) {
    st = fail_mark(c, ev->start_mark, "anchors and aliases (&name, *name) are not supported");
    goto done;
  }
  if ((st = refuse_decorations(c, ev)) != CS_OK) goto done;
  if (depth > YT_MAX_DEPTH) {
    st = fail_mark(c, ev->start_mark, "nested too deeply");
    goto done;
  }
  if (++c->nodes > YT_MAX_NODES) {
    st = fail_mark(c, ev->start_mark, "more than 1000000 values: not a configuration");
    goto done;
  }
  if (ev->type == YAML_SCALAR_EVENT) {
    n = node_new(YT_SCALAR, ev);
    if (!n || !(n->value = dup_n((const char *)ev->data.scalar.value, ev->data.scalar.length))) {
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
      goto done;
    }
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    goto done;
  }
  if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT) {
    st = fail_mark(c, ev->start_mark, "not valid YAML: unexpected structure");
    goto done;
  }
  yaml_event_type_t end =
      ev->type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_END_EVENT : YAML_MAPPING_END_EVENT;
  n = node_new(ev->type == YAML_SEQUENCE_START_EVENT ? YT_SEQ : YT_MAP, ev);
  if (!n) {
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
    goto done;
  }
  size_t cap = 0;
  for (;;) {
    yaml_event_t item;
    if ((st = next_event(c, &item)) != CS_OK) goto done;
    if (item.type == end) {
      yaml_event_delete(&item);
      break;
    }
    if (!node_reserve(n, &cap)) {
      yaml_event_delete(&item);
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
      goto done;
    }
    if (n->kind == YT_MAP) {
      if ((st = parse_pair(c, &item, n, depth)) != CS_OK) goto done;
    } else {
      yt_node *child;
      if ((st = parse_node(c, &item, depth + 1, &child)) != CS_OK) goto done;
      n->items[n->n++] = child;
    }
  }
done:
  yaml_event_delete(ev);
  if (st != CS_OK) {
    node_free(n);
    return st;
  }
  *out = n;
  return CS_OK;
}

static const char *kind_text(const yt_node *n) {
  return n->kind == YT_MAP ? "a mapping" : n->kind == YT_SEQ ? "a list" : "a single value";
}

/* Parses c->text into doc->root; doc->name and doc->text are already set. */
static cs_status parse_doc(yt_ctx *c, yt_doc *doc) {
  cs_status st;
  yaml_event_t ev;
  yt_node *root = NULL;
  if (!yaml_parser_initialize(&c->parser))
    return CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
  yaml_parser_set_input_string(&c->parser, (const unsigned char *)c->text, strlen(c->text));

  if ((st = next_event(c, &ev)) != CS_OK) goto out;  /* stream start */
  yaml_event_delete(&ev);
  if ((st = next_event(c, &ev)) != CS_OK) goto out;
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    if (!c->value_mode) {
      st = CS_ERROR(CS_ERR_INPUT, "%s: empty configuration", c->name);
      goto out;
    }
    /* An empty --set value ("key=") is a value that says nothing; let the binder name it. */
    if (!(root = calloc(1, sizeof *root)) || !(root->value = dup_n("", 0))) {
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", c->name);
      goto out;
    }
    root->kind = YT_SCALAR;
    root->line = root->col = 1;
    goto out;
  }
  yaml_event_delete(&ev);  /* document start */
  if ((st = next_event(c, &ev)) != CS_OK) goto out;
  if ((st = parse_node(c, &ev, 0, &root)) != CS_OK) goto out;
  if ((st = next_event(c, &ev)) != CS_OK) goto out;  /* document end */
  yaml_event_delete(&ev);
  if ((st = next_event(c, &ev)) != CS_OK) goto out;
  if (ev.type != YAML_STREAM_END_EVENT) {
    st = fail_mark(c, ev.start_mark, "more than one YAML document (---) is not supported");
    yaml_event_delete(&ev);
    goto out;
  }
  yaml_event_delete(&ev);
  if (!c->value_mode) {
    if (root->kind == YT_SCALAR && !root->quoted && root->value[0] == '\0') {
      st = CS_ERROR(CS_ERR_INPUT, "%s: empty configuration", c->name);
      goto out;
    }
    if (root->kind != YT_MAP) {
      st = fail_at(c, root->line, root->col,
                   "expected a mapping of keys at the top level, got %s", kind_text(root));
      goto out;
    }
  }
out:
  yaml_parser_delete(&c->parser);
  if (st != CS_OK) {
    node_free(root);
    return st;
  }
  doc->root = root;
  return CS_OK;
}

static cs_status load_text(const char *name, const char *text, int value_mode, yt_doc *doc) {
  memset(doc, 0, sizeof *doc);
  doc->name = dup_n(name, strlen(name));
  doc->text = dup_n(text, strlen(text));
  if (!doc->name || !doc->text) {
    yt_free(doc);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory reading %s", name);
  }
  yt_ctx c = {.name = doc->name, .text = doc->text, .value_mode = value_mode};
  cs_status st = parse_doc(&c, doc);
  if (st != CS_OK) yt_free(doc);
  return st;
}

cs_status yt_load_string(const char *name, const char *text, yt_doc *doc) {
  return load_text(name, text, 0, doc);
}

cs_status yt_load_value(const char *name, const char *text, yt_doc *doc) {
  return load_text(name, text, 1, doc);
}

/* A regular file within YT_MAX_FILE_BYTES, asked of the open file (no race with a rename). */
static cs_status check_file(FILE *f, const char *path) {
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read config: %s", path, strerror(errno));
  if (!S_ISREG(sb.st_mode))
    return CS_ERROR(CS_ERR_INPUT, "%s: not a regular file (a device, pipe or directory): a config "
                    "is a YAML file", path);
  if (sb.st_size > YT_MAX_FILE_BYTES)
    return CS_ERROR(CS_ERR_INPUT, "%s: %lld bytes: a config is at most %ld bytes (16 MiB)", path,
                    (long long)sb.st_size, YT_MAX_FILE_BYTES);
  return CS_OK;
}

/* Opened without blocking (a named pipe would wait for a writer forever), then checked. */
static FILE *open_config(const char *path) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  FILE *f = fdopen(fd, "rb");
  if (!f) close(fd);
  return f;
}

cs_status yt_load_file(const char *path, yt_doc *doc) {
  memset(doc, 0, sizeof *doc);
  FILE *f = open_config(path);
  if (!f) return CS_ERROR(CS_ERR_INPUT, "%s: cannot read config: %s", path, strerror(errno));
  cs_status cst = check_file(f, path);
  if (cst != CS_OK) {
    fclose(f);
    return cst;
  }
  char *buf = NULL;
  size_t cap = 0, len = 0;
  int oom = 0, read_err = 0, err = 0;
  for (;;) {
    if (len + 1 >= cap) {
      size_t nc = cap ? 2 * cap : 4096;
      char *nb = realloc(buf, nc);
      if (!nb) {
        oom = 1;
        break;
      }
      buf = nb;
      cap = nc;
    }
    errno = 0;
    size_t got = fread(buf + len, 1, cap - 1 - len, f);
    len += got;
    if (len > (size_t)YT_MAX_FILE_BYTES) { /* it grew while we read it */
      fclose(f);
      free(buf);
      return CS_ERROR(CS_ERR_INPUT, "%s: a config is at most %ld bytes (16 MiB)", path,
                      YT_MAX_FILE_BYTES);
    }
    if (got == 0) {
      read_err = ferror(f);
      err = errno;
      break;
    }
  }
  fclose(f);
  if (oom || read_err) {
    free(buf);
    if (oom) return CS_ERROR(CS_ERR_NOMEM, "%s: out of memory reading the config", path);
    return CS_ERROR(CS_ERR_INPUT, "%s: cannot read config: %s", path,
                    err ? strerror(err) : "read error");
  }
  buf[len] = '\0';
  if (strlen(buf) != len) {
    int line = 1, col = 1;
    for (const char *c = buf; *c; c++) {
      col = *c == '\n' ? 1 : col + 1;
      line += *c == '\n';
    }
    free(buf);
    return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: not valid YAML: a NUL byte", path, line, col);
  }
  cs_status st = load_text(path, buf, 0, doc);
  free(buf);
  return st;
}

void yt_free(yt_doc *doc) {
  if (!doc) return;
  node_free(doc->root);
  free(doc->name);
  free(doc->text);
  memset(doc, 0, sizeof *doc);
}

const yt_node *yt_get(const yt_node *map, const char *key) {
  if (!map || map->kind != YT_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->keys[i], key) == 0) return map->items[i];
  return NULL;
}
