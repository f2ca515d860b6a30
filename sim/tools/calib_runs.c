/* calib_runs: the calibration's model runs, cached and in parallel (see calib_runs.h). */
#define _POSIX_C_SOURCE 200809L

#include "calib_runs.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calib_batch.h"
#include "sweep_util.h"

extern char **environ;

#define FNV1A64_START 1469598103934665603ULL

/* FNV-1a 64 of n more bytes, from the hash h of those before. */
static uint64_t fnv1a64_bytes(uint64_t h, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static uint64_t fnv1a64(const char *s) {
  return fnv1a64_bytes(FNV1A64_START, (const unsigned char *)s, strlen(s));
}

/* The program's identity: FNV-1a 64 of its executable's bytes, as 16 hex digits. A cached run
   counts only if this same program made it: a rebuilt cisim with other physics (or numerics)
   runs the points again rather than fit to the old program's results. */
static cs_status program_id(const char *exe, char id[17]) {
  FILE *f = fopen(exe, "rb");
  if (!f) return CS_ERROR(CS_ERR_IO, "cannot read the cisim program %s: %s", exe, strerror(errno));
  uint64_t h = FNV1A64_START;
  unsigned char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) h = fnv1a64_bytes(h, buf, n);
  const int err = ferror(f);
  fclose(f);
  if (err) return CS_ERROR(CS_ERR_IO, "cannot read the cisim program %s", exe);
  snprintf(id, 17, "%016llx", (unsigned long long)h);
  return CS_OK;
}

/* 1: point's run is there already, made by this program (prog); 0: to run (its .set and
   .program written); error otherwise. */
static cs_status prepare(const char *dir, const char *set, const char *prog, char *h5,
                         int *cached) {
  char sp[CALIB_PATH + 8], pp[CALIB_PATH + 16];
  unsigned long long hash = (unsigned long long)fnv1a64(set);
  int w = snprintf(h5, CALIB_PATH, "%s/runs/%016llx.h5", dir, hash);
  if (w < 0 || w >= CALIB_PATH - 8) return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  snprintf(sp, sizeof sp, "%s/runs/%016llx.set", dir, hash);
  snprintf(pp, sizeof pp, "%s/runs/%016llx.program", dir, hash);
  *cached = 0;
  if (access(sp, F_OK) == 0) {
    char *old = NULL;
    CS_TRY(sweep_read_text(sp, &old));
    int same = strcmp(old, set) == 0;
    free(old);
    if (!same)
      return CS_ERROR(CS_ERR_IO, "%s: holds other overrides with the same hash; remove it", sp);
    char *made = NULL;
    if (access(pp, F_OK) == 0) CS_TRY(sweep_read_text(pp, &made));
    *cached = made && strcmp(made, prog) == 0 && sweep_run_finished(h5);
    free(made);
    if (*cached) return CS_OK;
  }
  CS_TRY(sweep_write_text(sp, set));
  return sweep_write_text(pp, prog);
}

/* argv of `cisim run DIR/base.yaml --set ... -o H5 --force --quiet --threads T`, pointing
   into text (a copy of set whose newlines become NULs). */
static char **run_argv(const char *exe, const char *dir, char *text, const char *h5,
                       const char *threads, char *base) {
  size_t nl = 0;
  for (const char *c = text; *c; c++) nl += *c == '\n';
  char **av = calloc(2 * nl + 12, sizeof(char *));
  if (!av) return NULL;
  size_t k = 0;
  snprintf(base, CALIB_PATH, "%s/base.yaml", dir);
  av[k++] = (char *)exe;
  av[k++] = "run";
  av[k++] = base;
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    av[k++] = "--set";
    av[k++] = l;
  }
  av[k++] = "-o";
  av[k++] = (char *)h5;
  av[k++] = "--force";
  av[k++] = "--quiet";
  av[k++] = "--threads";
  av[k++] = (char *)threads;
  return av;
}

static cs_status spawn_run(const calib_runner *r, const char *exe, const char *set,
                           const char *h5, pid_t *pid) {
  char threads[32], base[CALIB_PATH], logp[CALIB_PATH + 8];
  snprintf(threads, sizeof threads, "%d", r->threads);
  snprintf(logp, sizeof logp, "%s.log", h5);
  char *text = strdup(set);
  char **av = text ? run_argv(exe, r->dir, text, h5, threads, base) : NULL;
  posix_spawn_file_actions_t fa;
  cs_status st = CS_OK;
  if (!av || posix_spawn_file_actions_init(&fa) != 0) {
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, logp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int err = posix_spawn(pid, exe, &fa, NULL, av, environ);
    if (err) st = CS_ERROR(CS_ERR_IO, "cannot start %s: %s", exe, strerror(err));
    posix_spawn_file_actions_destroy(&fa);
  }
  free(av);
  free(text);
  return st;
}

/* The last line of a run's log, for the message of a failed run. */
static void last_line(const char *h5, char *out, size_t size) {
  char logp[CALIB_PATH + 8], *text = NULL;
  snprintf(logp, sizeof logp, "%s.log", h5);
  out[0] = '\0';
  if (sweep_read_text(logp, &text) != CS_OK) {
    cs_error_clear();
    return;
  }
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == ' ')) text[--len] = '\0';
  char *start = strrchr(text, '\n');
  snprintf(out, size, "%s", start ? start + 1 : text);
  free(text);
}

/* Waits for one of the running children; a failed run's error is kept in *st. */
static void reap(pid_t *pids, int m, char (*paths)[CALIB_PATH], int *running, cs_status *st) {
  int ws;
  pid_t got = waitpid(-1, &ws, 0);
  if (got < 0) {
    *running = 0;
    if (*st == CS_OK) *st = CS_ERROR(CS_ERR_IO, "waiting for the runs: %s", strerror(errno));
    return;
  }
  for (int i = 0; i < m; i++) {
    if (pids[i] != got) continue;
    pids[i] = 0;
    (*running)--;
    if ((!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || !sweep_run_finished(paths[i])) && *st == CS_OK) {
      char msg[1024];
      last_line(paths[i], msg, sizeof msg);
      *st = CS_ERROR(CS_ERR_RUN, "run %s failed (exit %d): %s (log: %s.log)", paths[i],
                     WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), msg, paths[i]);
    }
  }
}

/* The points still to run (todo) as one batch of the batch system. */
static cs_status batch(calib_runner *r, int m, char *const *sets, char (*paths)[CALIB_PATH],
                       const int *todo) {
  char **bs = calloc((size_t)m + 1, sizeof(char *));
  char (*bp)[CALIB_PATH] = calloc((size_t)m + 1, sizeof *bp);
  int k = 0;
  cs_status st = bs && bp ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (int i = 0; i < m && st == CS_OK; i++)
    if (todo[i]) {
      bs[k] = sets[i];
      memcpy(bp[k++], paths[i], CALIB_PATH);
    }
  if (st == CS_OK && k > 0) st = calib_batch_run(r->dir, r->submit, k, bs, bp);
  if (st == CS_OK) r->launched += k;
  free(bs);
  free(bp);
  return st;
}

cs_status calib_run_points(calib_runner *r, int m, char *const *sets, char (*paths)[CALIB_PATH]) {
  char exe[CALIB_PATH], runs[CALIB_PATH], prog[17];
  CS_TRY(sweep_program(exe, sizeof exe));
  CS_TRY(program_id(exe, prog));
  snprintf(runs, sizeof runs, "%s/runs", r->dir);
  CS_TRY(sweep_mkdirs(runs));
  pid_t *pids = calloc((size_t)m + 1, sizeof(pid_t));
  int *todo = calloc((size_t)m + 1, sizeof(int));
  if (!pids || !todo) {
    free(pids);
    free(todo);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  cs_status st = CS_OK;
  for (int i = 0; i < m && st == CS_OK; i++) {
    int cached = 0, dup = 0;
    st = prepare(r->dir, sets[i], prog, paths[i], &cached);
    for (int j = 0; j < i && !cached; j++) dup |= todo[j] && strcmp(paths[j], paths[i]) == 0;
    todo[i] = st == CS_OK && !cached && !dup;
    if (cached || dup) r->reused++;
  }
  if (st == CS_OK && r->submit) {
    st = batch(r, m, sets, paths, todo);
    free(pids);
    free(todo);
    return st;
  }
  int running = 0;
  for (int i = 0; i < m && st == CS_OK; i++) {
    if (!todo[i]) continue;
    while (running >= r->workers && st == CS_OK) reap(pids, m, paths, &running, &st);
    if (st != CS_OK) break;
    st = spawn_run(r, exe, sets[i], paths[i], &pids[i]);
    if (st == CS_OK) {
      running++;
      r->launched++;
    }
  }
  cs_status first = st;
  while (running > 0) reap(pids, m, paths, &running, &st);
  free(pids);
  free(todo);
  return first != CS_OK ? first : st;
}
