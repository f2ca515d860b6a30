/* run_resume: what `cisim run --resume` decides before it touches anything — whether the
 * configuration given now continues the checkpoint's run. */
#ifndef CISIM_RUN_RESUME_H
#define CISIM_RUN_RESUME_H

#include <stddef.h>

#include "params.h"

/* The two configurations compared key by key (output.file, output.summary_days and
   checkpoint.* do not change the result). 0: the same; 1: only allowed changes (a later
   time.end_day than the checkpoint's time t_ckpt), listed in change; 2: refused, the
   differences listed in refused. */
int resume_compare_configs(const params *old, const params *now, double t_ckpt, char *change,
                           size_t len, char *refused, size_t rlen);

/* The checkpoint's configuration as a file params_load can read (caller unlinks, frees);
   NULL with errno set when it cannot be written. */
char *resume_yaml_to_temp(const char *yaml);

#endif
