#include "run_id.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

cs_status run_id_new(char out[RUN_ID_LEN]) {
  unsigned char b[16];
  FILE *f = fopen("/dev/urandom", "rb");
  size_t n = f ? fread(b, 1, sizeof b, f) : 0;
  int e = errno;
  if (f) fclose(f);
  if (n != sizeof b)
    return CS_ERROR(CS_ERR_IO, "cannot draw a run identity from /dev/urandom: %s",
                    f ? "short read" : strerror(e));
  for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
  return CS_OK;
}

void run_id_hash_text(const char *text, char out[17]) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
    h ^= *c;
    h *= 1099511628211ULL;
  }
  snprintf(out, 17, "%016" PRIx64, h);
}
