/* sweep_point: the state of one sweep point (see sweep_point.h). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_point.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sweep_util.h"

cs_status sweep_count_points(const char *dir, long *n, char **manifest) {
  char path[4096];
  snprintf(path, sizeof path, "%s/spec.yaml", dir);
  if (access(path, F_OK) != 0)
    return CS_ERROR(CS_ERR_INPUT, "%s: not a planned sweep (no spec.yaml; run cisim sweep plan)", dir);
  snprintf(path, sizeof path, "%s/manifest.csv", dir);
  char *text;
  CS_TRY(sweep_read_text(path, &text));
  long lines = 0;
  for (const char *c = text; *c; c++) lines += *c == '\n';
  *n = lines > 0 ? lines - 1 : 0;
  if (manifest)
    *manifest = text;
  else
    free(text);
  return CS_OK;
}

/* The value of " key=" in a running line ("running host=H pid=P slurm_job=J started=T"). */
static int field(const char *line, const char *key, char *out, size_t size) {
  char pat[32];
  snprintf(pat, sizeof pat, " %s=", key);
  const char *p = strstr(line, pat);
  if (!p) return 0;
  p += strlen(pat);
  size_t len = strcspn(p, " ");
  if (len == 0 || len >= size) return 0;
  memcpy(out, p, len);
  out[len] = '\0';
  return 1;
}

void sweep_running_line(char *buf, size_t size) {
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  host[strcspn(host, " ")] = '\0';
  const char *job = getenv("SLURM_JOB_ID");
  char started[32];
  time_t now = time(NULL);
  struct tm tm;
  strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
  snprintf(buf, size, "running host=%s pid=%ld slurm_job=%s started=%s", host, (long)getpid(),
           job && *job && !strchr(job, ' ') ? job : "-", started);
}

int sweep_running_is_ours(const char *line) {
  char job[64];
  const char *mine = getenv("SLURM_JOB_ID");
  return mine && *mine && field(line, "slurm_job", job, sizeof job) && strcmp(job, mine) == 0;
}

/* A running point is alive while its process exists (checked when it runs on this host) and
   its heartbeat, the status file's modification time, is recent. */
static int running_alive(const char *line, const char *path, char *why, size_t size) {
  char host[256], pid_s[32], me[256] = "";
  gethostname(me, sizeof me - 1);
  if (field(line, "host", host, sizeof host) && field(line, "pid", pid_s, sizeof pid_s) &&
      strcmp(host, me) == 0) {
    long pid = strtol(pid_s, NULL, 10);
    if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
      snprintf(why, size, "its process %ld on %s is gone", pid, host);
      return 0;
    }
  }
  struct stat sb;
  if (stat(path, &sb) == 0) {
    double age = difftime(time(NULL), sb.st_mtime);
    if (age > SWEEP_STALE_S) {
      snprintf(why, size, "no heartbeat for %.0f s", age);
      return 0;
    }
  }
  return 1;
}

sweep_state sweep_point_state(const char *dir, long n, char **text) {
  char path[4096];
  *text = NULL;
  if (!sweep_point_path(path, sizeof path, dir, "status", n, ".txt") || access(path, F_OK) != 0)
    return SWEEP_MISSING;
  char *t = NULL;
  if (sweep_read_text(path, &t) != CS_OK) {
    cs_error_clear();
    return SWEEP_MISSING;
  }
  t[strcspn(t, "\n")] = '\0';
  *text = t;
  if (strcmp(t, "done") == 0) return SWEEP_DONE;
  if (strncmp(t, "interrupted", 11) == 0) return SWEEP_INTERRUPTED;
  if (strncmp(t, "running", 7) != 0) return SWEEP_FAILED;
  char why[400];
  if (running_alive(t, path, why, sizeof why)) return SWEEP_RUNNING;
  size_t len = strlen(t) + sizeof why + 64;
  char *u = malloc(len);
  if (u) {
    snprintf(u, len, "interrupted: was %s, but %s (killed?)", t, why);
    free(t);
    *text = u;
  }
  return SWEEP_INTERRUPTED;
}

const char *sweep_state_name(sweep_state s) {
  static const char *names[] = {"missing", "done", "running", "interrupted", "failed"};
  return names[s];
}
