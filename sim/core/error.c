#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The message is allocated to its full length, so a long path never cuts off the cause; the
   fixed buffer only serves when that allocation fails. */
static _Thread_local char *msg_heap;
static _Thread_local char msg_fallback[2048];
static _Thread_local const char *msg_now = "";
static _Thread_local char origin_buf[256];

cs_status cs_error_set(const char *src_file, int src_line, cs_status code, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  /* The arguments may point into the current message: format first, free after. */
  char *m = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (m) {
    vsnprintf(m, (size_t)n + 1, fmt, ap2);
    free(msg_heap);
    msg_heap = m;
    msg_now = m;
  } else {
    char tmp[sizeof msg_fallback];
    vsnprintf(tmp, sizeof tmp, fmt, ap2);
    memcpy(msg_fallback, tmp, sizeof tmp);
    free(msg_heap);
    msg_heap = NULL;
    msg_now = msg_fallback;
  }
  va_end(ap2);
  snprintf(origin_buf, sizeof origin_buf, "%s:%d", src_file, src_line);
  return code;
}

const char *cs_error_message(void) { return msg_now; }
const char *cs_error_origin(void) { return origin_buf; }

char *cs_error_copy(void) {
  size_t n = strlen(msg_now) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, msg_now, n);
  return c;
}

void cs_error_clear(void) {
  free(msg_heap);
  msg_heap = NULL;
  msg_now = "";
  origin_buf[0] = '\0';
}

int cs_exit_code(cs_status s) {
  switch (s) {
    case CS_OK: return 0;
    case CS_ERR_INPUT: return 2;
    default: return 1;
  }
}
