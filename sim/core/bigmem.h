/* bigmem: allocation of the large state arrays. */
#ifndef CISIM_BIGMEM_H
#define CISIM_BIGMEM_H

#include <stddef.h>

/* bytes of memory, not initialised, aligned to 2 MiB and, where the system offers it (Linux
   transparent huge pages, also in madvise mode), backed by huge pages; release with free().
   NULL when out of memory. Pages are placed on first touch as usual, in 2 MiB units. */
void *bigmem_alloc(size_t bytes);

#endif
