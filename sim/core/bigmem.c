/* madvise(MADV_HUGEPAGE) is a Linux extension outside strict POSIX. */
#define _DEFAULT_SOURCE
#include "bigmem.h"

#include <stdlib.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Why huge pages: the z sweep reads its lines' unknowns one depth plane apart (nx·ny·8 bytes,
   512 KiB on the benchmark grid), so with 4 KiB pages every unknown it touches lies on another
   page and the TLB misses; 2 MiB pages cover 4 such planes each. */
#define BIGMEM_ALIGN ((size_t)2 << 20)

void *bigmem_alloc(size_t bytes) {
  if (bytes == 0) bytes = 1;
  size_t rounded = (bytes + BIGMEM_ALIGN - 1) / BIGMEM_ALIGN * BIGMEM_ALIGN;
  void *p = aligned_alloc(BIGMEM_ALIGN, rounded);
  if (!p) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)madvise(p, rounded, MADV_HUGEPAGE); /* advice only: without it, 4 KiB pages */
#endif
  return p;
}
