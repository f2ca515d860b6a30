#include "run_id.h"

#include <errno.h>
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
