/* fuzz_util: what both libFuzzer targets share (tests/fuzz/README.md).
 *
 * Each fuzzing process works in a private scratch directory (see fz_scratch_parent), where it
 * writes every input as a file (the readers take paths) and where cisim's own temporary files
 * go too ($TMPDIR is pointed at it). FZ_CHECK is an assertion that is never compiled out
 * (a Release build defines NDEBUG): a failed one prints what failed and aborts, which
 * libFuzzer reports as a crash (deadly signal) with the input that caused it. */
#ifndef CISIM_FUZZ_UTIL_H
#define CISIM_FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "params.h"
#include "params_load.h"

/* Where FZ_CHECK reports: a copy of stderr taken at start-up, so that the report survives
   libFuzzer's -close_fd_mask=2 (which silences what cisim itself prints on stderr). */
static FILE *fz_err;

#define FZ_CHECK(cond, ...)                                                                \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      FILE *fz_out_ = fz_err ? fz_err : stderr;                                            \
      fprintf(fz_out_, "\nFUZZ CHECK FAILED at %s:%d: %s\n  ", __FILE__, __LINE__, #cond); \
      fprintf(fz_out_, __VA_ARGS__);                                                       \
      fprintf(fz_out_, "\n");                                                              \
      fflush(fz_out_);                                                                     \
      abort();                                                                             \
    }                                                                                      \
  } while (0)

static char fz_dir[512];

/* Removes the files of directory DIR (no subdirectories are ever made there), then DIR. */
static void fz_remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

static void fz_cleanup(void) {
  if (!fz_dir[0]) return;
  fz_remove_dir(fz_dir);
  fz_dir[0] = '\0';
}

/* A crash ends the process without atexit: the scratch directories of fuzzing processes that
   no longer exist (cisim-fuzz-PID-*) are removed by the next one. */
static void fz_remove_stale(const char *parent) {
  DIR *d = opendir(parent);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int pid;
    if (sscanf(e->d_name, "cisim-fuzz-%d-", &pid) != 1 || pid <= 0) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
    fz_remove_dir(path);
  }
  closedir(d);
}

/* The scratch directory's parent: CISIM_FUZZ_TMPDIR, else /dev/shm (every input is written
   as a file or two: on a disk shared with other jobs that alone can cost 3x in speed), else
   $TMPDIR, else /tmp. */
static const char *fz_scratch_parent(void) {
  const char *d = getenv("CISIM_FUZZ_TMPDIR");
  if (d && *d) return d;
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  d = getenv("TMPDIR");
  return d && *d ? d : "/tmp";
}

static void fz_init(void) {
  int fd = dup(STDERR_FILENO);
  fz_err = fd >= 0 ? fdopen(fd, "w") : NULL;
  const char *parent = fz_scratch_parent();
  fz_remove_stale(parent);
  snprintf(fz_dir, sizeof fz_dir, "%s/cisim-fuzz-%d-XXXXXX", parent, (int)getpid());
  if (!mkdtemp(fz_dir)) {
    perror("cisim fuzz: mkdtemp");
    exit(1);
  }
  setenv("TMPDIR", fz_dir, 1); /* cisim's own temporary files (info, resume) go here too */
  atexit(fz_cleanup);
  /* the model names params_load suggests from (the CLI sets them the same way) */
  int n;
  const model *const *ms = model_list(&n);
  static const char *names[32];
  for (int i = 0; i < n && i < 32; i++) names[i] = ms[i]->name;
  params_set_model_names(names, n < 32 ? n : 32);
}

/* DIR/NAME into buf. */
static const char *fz_path(char *buf, size_t len, const char *name) {
  snprintf(buf, len, "%s/%s", fz_dir, name);
  return buf;
}

static void fz_write(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  FZ_CHECK(f != NULL, "cannot write %s", path);
  FZ_CHECK(fwrite(data, 1, n, f) == n || n == 0, "short write to %s", path);
  FZ_CHECK(fclose(f) == 0, "cannot close %s", path);
}

static void fz_write_text(const char *path, const char *text) {
  fz_write(path, text, strlen(text));
}

#endif
