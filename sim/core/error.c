#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char msg_buf[2048];
static _Thread_local char origin_buf[256];

cs_status cs_error_set(const char *src_file, int src_line, cs_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg_buf, sizeof msg_buf, fmt, ap);
  va_end(ap);
  snprintf(origin_buf, sizeof origin_buf, "%s:%d", src_file, src_line);
  return code;
}

const char *cs_error_message(void) { return msg_buf; }
const char *cs_error_origin(void) { return origin_buf; }

void cs_error_clear(void) {
  msg_buf[0] = '\0';
  origin_buf[0] = '\0';
}

int cs_exit_code(cs_status s) {
  switch (s) {
    case CS_OK: return 0;
    case CS_ERR_INPUT: return 2;
    default: return 1;
  }
}
