/* sweep_run: `cisim sweep run` (see sweep_run.h; docs/sweeps.md). */
#define _POSIX_C_SOURCE 200809L

#include "sweep_run.h"

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "sweep_point.h"
#include "sweep_util.h"

extern char **environ;

static cs_status set_status(const char *dir, long n, const char *text) {
  char path[4096];
  if (!sweep_point_path(path, sizeof path, dir, "status", n, ".txt"))
    return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  char line[1200];
  snprintf(line, sizeof line, "%s\n", text);
  return sweep_write_text(path, line);
}

static cs_status parse_task(const char *s, long *n) {
  char *end;
  errno = 0;
  long v = s ? strtol(s, &end, 10) : -1;
  if (!s || errno || end == s || *end || v < 0)
    return CS_ERROR(CS_ERR_INPUT, "--task: expected a point index >= 0, got '%s'", s ? s : "");
  *n = v;
  return CS_OK;
}

static void last_line(const char *log, char *out, size_t size) {
  char *text = NULL;
  out[0] = '\0';
  if (sweep_read_text(log, &text) != CS_OK) {
    cs_error_clear();
    return;
  }
  size_t len = strlen(text);
  while (len && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ')) text[--len] = '\0';
  char *start = strrchr(text, '\n');
  snprintf(out, size, "%s", start ? start + 1 : text);
  free(text);
}

static void ignore_signal(int sig) { (void)sig; }

/* Runs av with stdout and stderr appended to logp and waits for it. While it runs, the point's
   status file is touched every SWEEP_HEARTBEAT_S (so `status` can tell a live point from a
   killed one), and stop requests are passed on: SIGTERM, SIGINT, SIGHUP and SIGUSR2 as SIGUSR2
   (stop with a checkpoint; unlike a repeated SIGTERM it never kills, and a batch system may
   send its SIGTERM to the run as well), SIGUSR1 as SIGUSR1 (checkpoint and go on). */
static cs_status spawn_and_wait(const char *exe, char **av, const char *logp, const char *dir,
                                long n, int *ws) {
  static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2};
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++) sigaddset(&set, fwd[i]);
  /* SIGCHLD's default action discards it on some systems; a no-op handler keeps it pending. */
  struct sigaction sa, old_chld;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = ignore_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGCHLD, &sa, &old_chld);
  sigprocmask(SIG_BLOCK, &set, &old);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  cs_status st = CS_OK;
  pid_t pid = -1;
  if (posix_spawn_file_actions_init(&fa) != 0) {
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  } else {
    if (posix_spawnattr_init(&at) != 0) {
      st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    } else {
      posix_spawn_file_actions_addopen(&fa, 1, logp, O_WRONLY | O_CREAT | O_APPEND, 0666);
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
      /* The run starts with default dispositions and with the stop signals blocked until its
         handlers are in place (cisim run unblocks them), so none can kill it early. */
      sigset_t child_mask = old;
      for (size_t i = 0; i < sizeof fwd / sizeof fwd[0]; i++)
        if (fwd[i] != SIGHUP) sigaddset(&child_mask, fwd[i]);
      posix_spawnattr_setsigmask(&at, &child_mask);
      posix_spawnattr_setsigdefault(&at, &set);
      posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
      int err = posix_spawn(&pid, exe, &fa, &at, av, environ);
      if (err) st = CS_ERROR(CS_ERR_IO, "cannot start %s: %s", exe, strerror(err));
      posix_spawnattr_destroy(&at);
    }
    posix_spawn_file_actions_destroy(&fa);
  }
  char status_path[4096];
  sweep_point_path(status_path, sizeof status_path, dir, "status", n, ".txt");
  while (st == CS_OK) {
    pid_t r = waitpid(pid, ws, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      st = CS_ERROR(CS_ERR_IO, "waiting for point %ld: %s", n, strerror(errno));
      break;
    }
    struct timespec beat = {SWEEP_HEARTBEAT_S, 0};
    int sig = sigtimedwait(&set, NULL, &beat);
    if (sig == SIGUSR1) {
      kill(pid, SIGUSR1);
    } else if (sig > 0 && sig != SIGCHLD) {
      kill(pid, SIGUSR2);
    } else if (sig < 0 && errno == EAGAIN) {
      utimensat(AT_FDCWD, status_path, NULL, 0); /* heartbeat */
    }
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  sigaction(SIGCHLD, &old_chld, NULL);
  return st;
}

/* The files of point n. */
typedef struct {
  char setp[4096], h5[4096], ckpt[4200], logp[4200], base[4096];
} point_files;

/* Point n's paths; creates its shard directories under runs/ and status/. */
static cs_status point_paths(const char *dir, long n, point_files *pf) {
  if (!sweep_point_path(pf->setp, sizeof pf->setp, dir, "points", n, ".set") ||
      !sweep_point_path(pf->h5, sizeof pf->h5, dir, "runs", n, ".h5"))
    return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  snprintf(pf->ckpt, sizeof pf->ckpt, "%s.ckpt", pf->h5);
  snprintf(pf->logp, sizeof pf->logp, "%s.log", pf->h5);
  snprintf(pf->base, sizeof pf->base, "%s/base.yaml", dir);
  char sub[4096];
  snprintf(sub, sizeof sub, "%s/runs/%ld", dir, n / SWEEP_SHARD);
  CS_TRY(sweep_mkdirs(sub));
  snprintf(sub, sizeof sub, "%s/status/%ld", dir, n / SWEEP_SHARD);
  return sweep_mkdirs(sub);
}

/* Refuses a point that another live process runs; *was is its state. */
static cs_status not_running_elsewhere(const char *dir, long n, sweep_state *was) {
  char *old = NULL;
  *was = sweep_point_state(dir, n, &old);
  cs_status st = CS_OK;
  if (*was == SWEEP_RUNNING && !sweep_running_is_ours(old))
    st = CS_ERROR(CS_ERR_RUN,
                  "point %ld is being run by another process (%s); not starting it twice", n, old);
  free(old);
  return st;
}

/* The child's command line: `cisim run` of the base config with the point's overrides, into
   its run file, or --resume from its checkpoint when there is one. *av points into *sets_text
   and pf (caller frees both arrays); *resume says which. */
static cs_status point_argv(point_files *pf, char *exe, const char *threads,
                            char **sets_text, char ***av, int *resume) {
  CS_TRY(sweep_read_text(pf->setp, sets_text));
  size_t nl = 0;
  for (const char *c = *sets_text; *c; c++) nl += *c == '\n';
  char **v = calloc(2 * nl + 16, sizeof(char *));
  if (!v) {
    free(*sets_text);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  int k = 0;
  *resume = access(pf->ckpt, F_OK) == 0;
  v[k++] = exe;
  v[k++] = "run";
  if (*resume) {
    v[k++] = "--resume";
    v[k++] = pf->h5;
  }
  v[k++] = pf->base;
  for (char *line = strtok(*sets_text, "\n"); line; line = strtok(NULL, "\n")) {
    if (!*line) continue;
    v[k++] = "--set";
    v[k++] = line;
  }
  if (!*resume) {
    v[k++] = "-o";
    v[k++] = pf->h5;
    v[k++] = "--force";
  }
  if (threads) {
    v[k++] = "--threads";
    v[k++] = (char *)threads;
  }
  v[k++] = "--quiet";
  v[k] = NULL;
  *av = v;
  return CS_OK;
}

/* How the point ended, as its status line (msg), and the exit status to return. */
static int point_outcome(cs_status st, int ws, const char *logp, char *msg, size_t size) {
  if (st != CS_OK) {
    snprintf(msg, size, "failed: %s", cs_error_message());
    return 1;
  }
  if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
    snprintf(msg, size, "done");
    return 0;
  }
  char reason[1000];
  last_line(logp, reason, sizeof reason);
  if (!WIFEXITED(ws)) {
    snprintf(msg, size, "interrupted: killed by signal %d%s%s", WIFSIGNALED(ws) ? WTERMSIG(ws) : 0,
             reason[0] ? ": " : "", reason);
    return 1;
  }
  int code = WEXITSTATUS(ws);
  snprintf(msg, size, "%s: exit %d%s%s%s", code == 3 ? "interrupted" : "failed", code,
           code == 3 ? " (stopped with a checkpoint; run again to resume)" : "",
           reason[0] ? ": " : "", reason);
  return code;
}

static cs_status run_point(const char *dir, long n, const char *threads, int *exit_code) {
  long npts;
  CS_TRY(sweep_count_points(dir, &npts, NULL));
  if (n >= npts)
    return CS_ERROR(CS_ERR_INPUT, "--task %ld: the sweep %s has points 0..%ld", n, dir, npts - 1);
  point_files pf;
  CS_TRY(point_paths(dir, n, &pf));
  sweep_state was;
  CS_TRY(not_running_elsewhere(dir, n, &was));
  if (sweep_run_finished(pf.h5)) {
    if (was != SWEEP_DONE) CS_TRY(set_status(dir, n, "done"));
    printf("point %ld: already done (%s), skipped\n", n, pf.h5);
    *exit_code = 0;
    return CS_OK;
  }
  char exe[4096], *sets_text = NULL, **av = NULL;
  int resume = 0;
  CS_TRY(sweep_program(exe, sizeof exe));
  CS_TRY(point_argv(&pf, exe, threads, &sets_text, &av, &resume));
  char running[512];
  sweep_running_line(running, sizeof running);
  cs_status st = set_status(dir, n, running);
  printf("point %ld: %s%s\n", n, resume ? "resuming " : "running ", pf.h5);
  fflush(stdout);
  fflush(stderr);
  int ws = 0;
  if (st == CS_OK) st = spawn_and_wait(exe, av, pf.logp, dir, n, &ws);
  char msg[1100];
  *exit_code = point_outcome(st, ws, pf.logp, msg, sizeof msg);
  cs_status s2 = set_status(dir, n, msg);
  printf("point %ld: %s\n", n, msg);
  free(av);
  free(sets_text);
  return st != CS_OK ? st : s2;
}

static const char run_usage[] =
    "usage: cisim sweep run DIR [--task N] [--threads T]\n"
    "  N defaults to $SLURM_ARRAY_TASK_ID. Runs point N into DIR/runs/<N/1000>/N.h5, skips it\n"
    "  when finished, resumes it from N.h5.ckpt, records DIR/status/<N/1000>/N.txt.\n";

int sweep_run(int argc, char **argv) {
  const char *dir = NULL, *task = getenv("SLURM_ARRAY_TASK_ID"), *threads = NULL;
  const sweep_opt opts[] = {{"--task", NULL, &task, NULL, 1}, {"--threads", "-j", &threads, NULL, 0}, {0}};
  int rc = sweep_args(argc, argv, "sweep run", run_usage, opts, &dir, "DIR and --task N (or $SLURM_ARRAY_TASK_ID)");
  if (rc) return rc < 0 ? 0 : rc;
  long n = 0;
  int code = 0;
  cs_status st = parse_task(task, &n);
  if (st == CS_OK) st = run_point(dir, n, threads, &code);
  if (st != CS_OK) {
    cli_fail("sweep run");
    return cs_exit_code(st);
  }
  return code;
}
