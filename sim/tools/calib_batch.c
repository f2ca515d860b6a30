/* calib_batch: calibration runs as sweep job arrays (see calib_batch.h). */
#define _POSIX_C_SOURCE 200809L

#include "calib_batch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sweep_point.h"
#include "sweep_util.h"

#define BPATH 4096

static uint64_t fnv1a64(uint64_t h, const char *s) {
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

/* The batch as a planned sweep: base.yaml, manifest.csv, points/0/<n>.set, spec.yaml last. */
static cs_status write_batch(const char *bdir, const char *dir, int m, char *const *sets,
                             char (*paths)[BPATH]) {
  char path[BPATH + 64], *base = NULL;
  snprintf(path, sizeof path, "%s/spec.yaml", bdir);
  if (access(path, F_OK) == 0) return CS_OK; /* written before: an interrupted batch */
  snprintf(path, sizeof path, "%s/points/0", bdir);
  CS_TRY(sweep_mkdirs(path));
  snprintf(path, sizeof path, "%s/base.yaml", dir);
  CS_TRY(sweep_read_text(path, &base));
  snprintf(path, sizeof path, "%s/base.yaml", bdir);
  cs_status st = sweep_write_text(path, base);
  free(base);
  size_t len = 32 + (size_t)m * 64;
  char *man = st == CS_OK ? malloc(len) : NULL;
  if (st == CS_OK && !man) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  size_t used = man ? (size_t)snprintf(man, len, "index,run,seed\n") : 0;
  for (int n = 0; n < m && st == CS_OK; n++) {
    const char *slash = strrchr(paths[n], '/');
    used += (size_t)snprintf(man + used, len - used, "%d,%.16s,\n", n, slash ? slash + 1 : paths[n]);
    snprintf(path, sizeof path, "%s/points/0/%d.set", bdir, n);
    st = sweep_write_text(path, sets[n]);
  }
  snprintf(path, sizeof path, "%s/manifest.csv", bdir);
  if (st == CS_OK) st = sweep_write_text(path, man);
  free(man);
  char spec[512];
  snprintf(spec, sizeof spec,
           "# cisim calibrate: a batch of %d runs of the calibration in %s (docs/calibration.md);\n"
           "# not a sweep spec: planned by calibrate, run with cisim sweep run\n",
           m, dir);
  snprintf(path, sizeof path, "%s/spec.yaml", bdir);
  if (st == CS_OK) st = sweep_write_text(path, spec);
  return st;
}

/* Runs submit with 'bdir' in place of its first {} (else appended), echoing its output; the
   job ids it reports ("submitted job N") are appended to jobs ("N,M"). */
static cs_status submit_batch(const char *bdir, const char *submit, char *jobs, size_t size) {
  if (strchr(bdir, '\''))
    return CS_ERROR(CS_ERR_INPUT, "%s: a quote in the directory name", bdir);
  char cmd[BPATH * 2];
  const char *at = strstr(submit, "{}");
  if (at)
    snprintf(cmd, sizeof cmd, "%.*s'%s'%s 2>&1", (int)(at - submit), submit, bdir, at + 2);
  else
    snprintf(cmd, sizeof cmd, "%s '%s' 2>&1", submit, bdir);
  fflush(stdout);
  FILE *p = popen(cmd, "r");
  if (!p) return CS_ERROR(CS_ERR_IO, "cannot run %s: %s", submit, strerror(errno));
  char line[1024];
  jobs[0] = '\0';
  while (fgets(line, sizeof line, p)) {
    printf("  %s", line);
    long id;
    if (sscanf(line, "submitted job %ld", &id) == 1) {
      size_t l = strlen(jobs);
      snprintf(jobs + l, size - l, "%s%ld", l ? "," : "", id);
    }
  }
  int rc = pclose(p);
  if (rc != 0)
    return CS_ERROR(CS_ERR_RUN, "the submit command failed (status %d): %s", rc, cmd);
  return CS_OK;
}

/* 1 while squeue still lists one of the jobs. */
static int jobs_queued(const char *jobs) {
  if (!jobs[0]) return 0;
  char cmd[2048], line[256];
  snprintf(cmd, sizeof cmd, "squeue -h -o %%i -j '%s' 2>/dev/null", jobs);
  FILE *p = popen(cmd, "r");
  if (!p) return 0;
  int any = 0;
  while (fgets(line, sizeof line, p)) any |= line[0] >= '0' && line[0] <= '9';
  pclose(p);
  return any;
}

/* Follows the points' states until every one is done (CS_OK), one failed, or the jobs are
   gone with points not done. */
static cs_status wait_points(const char *bdir, int m, const char *jobs) {
  struct timespec nap = {0, 250000000L};
  int gone = 0; /* the jobs were not in the queue at the last look */
  for (;;) {
    int done = 0, live = 0;
    for (int n = 0; n < m; n++) {
      char *text = NULL;
      sweep_state s = sweep_point_state(bdir, n, &text);
      if (s == SWEEP_FAILED) {
        cs_status st = CS_ERROR(CS_ERR_RUN, "%s: run %d failed: %s (log: %s/runs/0/%d.h5.log)",
                                bdir, n, text ? text : "", bdir, n);
        free(text);
        return st;
      }
      free(text);
      done += s == SWEEP_DONE;
      live += s == SWEEP_RUNNING;
    }
    if (done == m) return CS_OK;
    /* Gone only if the jobs are out of the queue twice, with the points' states read again
       in between: a task that ended after its point was read and before the queue was is
       done, not cancelled. */
    if (!live && !jobs_queued(jobs)) {
      if (gone)
        return CS_ERROR(CS_ERR_RUN,
                        "%s: %d of %d runs not done and none of its jobs (%s) in the queue "
                        "(cancelled?): start the same calibration again to submit them",
                        bdir, m - done, m, jobs[0] ? jobs : "none submitted");
      gone = 1;
    } else {
      gone = 0;
    }
    nanosleep(&nap, NULL);
  }
}

cs_status calib_batch_run(const char *dir, const char *submit, int m, char *const *sets,
                          char (*paths)[BPATH]) {
  uint64_t h = 1469598103934665603ULL;
  for (int n = 0; n < m; n++) h = fnv1a64(h, sets[n]);
  char bdir[BPATH], jobs[1024], from[BPATH + 64], to[BPATH + 16];
  int w = snprintf(bdir, sizeof bdir, "%s/batches/%016llx", dir, (unsigned long long)h);
  if (w < 0 || w >= BPATH - 64) return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  CS_TRY(write_batch(bdir, dir, m, sets, paths));
  printf("batch %s: %d runs\n", bdir, m);
  CS_TRY(submit_batch(bdir, submit, jobs, sizeof jobs));
  CS_TRY(wait_points(bdir, m, jobs));
  for (int n = 0; n < m; n++) {
    snprintf(from, sizeof from, "%s/runs/0/%d.h5", bdir, n);
    if (rename(from, paths[n]) != 0)
      return CS_ERROR(CS_ERR_IO, "%s: cannot move to %s: %s", from, paths[n], strerror(errno));
    snprintf(from, sizeof from, "%s/runs/0/%d.h5.log", bdir, n);
    snprintf(to, sizeof to, "%s.log", paths[n]);
    rename(from, to); /* (the log is a convenience) */
  }
  return CS_OK;
}
