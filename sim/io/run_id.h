/* run_id: the identity of one run — 128 random bits as 32 hex digits, drawn when the run file
 * is created and written into it and into every checkpoint of it, so that a checkpoint is
 * accepted only by the run that wrote it (two runs started in the same second differ). */
#ifndef CISIM_RUN_ID_H
#define CISIM_RUN_ID_H

#include "error.h"

#define RUN_ID_LEN 33 /* 32 hex digits and the terminator */

/* A fresh identity from the kernel's random source (/dev/urandom). */
cs_status run_id_new(char out[RUN_ID_LEN]);

/* FNV-1a 64-bit hash of a text, as 16 hex digits: the configuration's fingerprint in the run
   file and its checkpoints. */
void run_id_hash_text(const char *text, char out[17]);

#endif
