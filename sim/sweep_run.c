/* sweep_run: `cisim sweep run`, `status`, `collect` and `metrics` (docs/sweeps.md). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "sweep.h"

extern char **environ;

/* Number of points: the manifest's rows. */
static cs_status count_points(const char *dir, long *n, char **manifest) {
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

static char *status_of(const char *dir, long n) {
  char path[4096];
  char *text = NULL;
  if (!sweep_point_path(path, sizeof path, dir, "status", n, ".txt")) return NULL;
  if (access(path, F_OK) != 0) return NULL;
  if (sweep_read_text(path, &text) != CS_OK) {
    cs_error_clear();
    return NULL;
  }
  text[strcspn(text, "\n")] = '\0';
  return text;
}

static cs_status set_status(const char *dir, long n, const char *text) {
  char path[4096];
  if (!sweep_point_path(path, sizeof path, dir, "status", n, ".txt"))
    return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  char line[1200];
  snprintf(line, sizeof line, "%s\n", text);
  return sweep_write_text(path, line);
}

/* 1 if the run file exists and its root attribute finished is 1. */
static int run_finished(const char *h5) {
  if (access(h5, R_OK) != 0) return 0;
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  int fin = 0;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f >= 0) {
    if (H5Aexists(f, "finished") > 0) {
      hid_t a = H5Aopen(f, "finished", H5P_DEFAULT);
      if (a >= 0) {
        if (H5Aread(a, H5T_NATIVE_INT, &fin) < 0) fin = 0;
        H5Aclose(a);
      }
    }
    H5Fclose(f);
  }
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  return fin == 1;
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

static cs_status run_point(const char *dir, long n, const char *threads, int *exit_code) {
  long npts;
  CS_TRY(count_points(dir, &npts, NULL));
  if (n >= npts)
    return CS_ERROR(CS_ERR_INPUT, "--task %ld: the sweep %s has points 0..%ld", n, dir, npts - 1);
  char setp[4096], h5[4096], ckpt[4200], logp[4200], base[4096], exe[4096], sub[4096];
  if (!sweep_point_path(setp, sizeof setp, dir, "points", n, ".set") ||
      !sweep_point_path(h5, sizeof h5, dir, "runs", n, ".h5"))
    return CS_ERROR(CS_ERR_INPUT, "%s: path too long", dir);
  snprintf(ckpt, sizeof ckpt, "%s.ckpt", h5);
  snprintf(logp, sizeof logp, "%s.log", h5);
  snprintf(base, sizeof base, "%s/base.yaml", dir);
  snprintf(sub, sizeof sub, "%s/runs/%ld", dir, n / SWEEP_SHARD);
  CS_TRY(sweep_mkdirs(sub));
  snprintf(sub, sizeof sub, "%s/status/%ld", dir, n / SWEEP_SHARD);
  CS_TRY(sweep_mkdirs(sub));
  if (run_finished(h5)) {
    char *old = status_of(dir, n);
    if (!old || strcmp(old, "done") != 0) {
      cs_status st = set_status(dir, n, "done");
      if (st != CS_OK) {
        free(old);
        return st;
      }
    }
    free(old);
    printf("point %ld: already done (%s), skipped\n", n, h5);
    *exit_code = 0;
    return CS_OK;
  }
  ssize_t el = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (el <= 0 || (size_t)el >= sizeof exe - 1)
    return CS_ERROR(CS_ERR_IO, "cannot find the cisim program (/proc/self/exe): %s", strerror(errno));
  exe[el] = '\0';
  char *sets_text;
  CS_TRY(sweep_read_text(setp, &sets_text));
  size_t nl = 0;
  for (const char *c = sets_text; *c; c++) nl += *c == '\n';
  char **av = calloc(2 * nl + 16, sizeof(char *));
  if (!av) {
    free(sets_text);
    return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  int k = 0;
  int resume = access(ckpt, F_OK) == 0;
  av[k++] = exe;
  av[k++] = "run";
  if (resume) {
    av[k++] = "--resume";
    av[k++] = h5;
  }
  av[k++] = base;
  for (char *line = strtok(sets_text, "\n"); line; line = strtok(NULL, "\n")) {
    if (!*line) continue;
    av[k++] = "--set";
    av[k++] = line;
  }
  if (!resume) {
    av[k++] = "-o";
    av[k++] = h5;
    av[k++] = "--force";
  }
  if (threads) {
    av[k++] = "--threads";
    av[k++] = (char *)threads;
  }
  av[k++] = "--quiet";
  av[k] = NULL;
  cs_status st = set_status(dir, n, "running");
  posix_spawn_file_actions_t fa;
  int fa_ok = st == CS_OK && posix_spawn_file_actions_init(&fa) == 0;
  pid_t pid = -1;
  int err = 0;
  if (fa_ok) {
    posix_spawn_file_actions_addopen(&fa, 1, logp, O_WRONLY | O_CREAT | O_APPEND, 0666);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    fflush(stdout);
    fflush(stderr);
    err = posix_spawn(&pid, exe, &fa, NULL, av, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) st = CS_ERROR(CS_ERR_IO, "cannot start %s: %s", exe, strerror(err));
  } else if (st == CS_OK) {
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  }
  printf("point %ld: %s%s\n", n, resume ? "resuming " : "running ", h5);
  fflush(stdout);
  int ws = 0;
  if (st == CS_OK) {
    while (waitpid(pid, &ws, 0) < 0) {
      if (errno != EINTR) {
        st = CS_ERROR(CS_ERR_IO, "waiting for point %ld: %s", n, strerror(errno));
        break;
      }
    }
  }
  char msg[1100], reason[1000];
  if (st != CS_OK) {
    snprintf(msg, sizeof msg, "failed: %s", cs_error_message());
    *exit_code = 1;
  } else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
    snprintf(msg, sizeof msg, "done");
    *exit_code = 0;
  } else {
    last_line(logp, reason, sizeof reason);
    if (WIFEXITED(ws)) {
      *exit_code = WEXITSTATUS(ws);
      snprintf(msg, sizeof msg, "failed: exit %d%s%s%s", *exit_code,
               *exit_code == 3 ? " (stopped with a checkpoint; run again to resume)" : "",
               reason[0] ? ": " : "", reason);
    } else {
      *exit_code = 1;
      snprintf(msg, sizeof msg, "failed: killed by signal %d%s%s", WIFSIGNALED(ws) ? WTERMSIG(ws) : 0,
               reason[0] ? ": " : "", reason);
    }
  }
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
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
      fputs(run_usage, stdout);
      return 0;
    } else if (strcmp(argv[a], "--task") == 0 && a + 1 < argc) {
      task = argv[++a];
    } else if ((strcmp(argv[a], "--threads") == 0 || strcmp(argv[a], "-j") == 0) && a + 1 < argc) {
      threads = argv[++a];
    } else if (argv[a][0] != '-' && !dir) {
      dir = argv[a];
    } else {
      fprintf(stderr, "cisim: sweep run: unexpected argument '%s'\n%s", argv[a], run_usage);
      return 2;
    }
  }
  if (!dir || !task) {
    fprintf(stderr, "cisim: sweep run: needs DIR and --task N (or $SLURM_ARRAY_TASK_ID)\n%s", run_usage);
    return 2;
  }
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

/* ---- status ---- */

int sweep_status(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: cisim sweep status DIR\n", argc == 2 ? stdout : stderr);
    return argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
  }
  const char *dir = argv[1];
  long npts;
  cs_status st = count_points(dir, &npts, NULL);
  if (st != CS_OK) {
    cli_fail("sweep status");
    return cs_exit_code(st);
  }
  long done = 0, running = 0, failed = 0, missing = 0;
  long *fl = calloc((size_t)npts + 1, sizeof(long)), *ml = calloc((size_t)npts + 1, sizeof(long));
  if (!fl || !ml) {
    free(fl);
    free(ml);
    fputs("cisim: out of memory\n", stderr);
    return 1;
  }
  for (long n = 0; n < npts; n++) {
    char *s = status_of(dir, n);
    if (!s) ml[missing++] = n;
    else if (strcmp(s, "done") == 0) done++;
    else if (strcmp(s, "running") == 0) running++;
    else fl[failed++] = n;
    free(s);
  }
  printf("%ld points: %ld done, %ld running, %ld failed, %ld missing\n", npts, done, running, failed,
         missing);
  for (long i = 0; i < failed; i++) {
    char *s = status_of(dir, fl[i]);
    printf("failed %ld: %s\n", fl[i], s ? s : "");
    free(s);
  }
  if (missing) {
    printf("missing:");
    for (long i = 0; i < missing && i < 20; i++) printf(" %ld", ml[i]);
    if (missing > 20) printf(" ... (%ld more)", missing - 20);
    printf("\n");
  }
  free(fl);
  free(ml);
  return 0;
}

/* ---- metrics ---- */

typedef struct {
  char **names;
  double *vals;
  int n, cap;
} metric_list;

static int wanted(const char *name) {
  size_t l = strlen(name);
  return strstr(name, "_change_") || strstr(name, "_depth_um") || strstr(name, "_peak") ||
         strstr(name, "_return_day_") || (l >= 6 && strcmp(name + l - 6, "_total") == 0);
}

static herr_t visit(hid_t g, const char *name, const H5L_info_t *info, void *data) {
  (void)info;
  metric_list *ml = data;
  if (!wanted(name)) return 0;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return 0;
  hid_t sp = H5Dget_space(d);
  hsize_t dims[1] = {0};
  double v = 0;
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, dims, NULL) == 1 &&
           dims[0] > 0;
  if (ok) {
    hsize_t start[1] = {dims[0] - 1}, count[1] = {1};
    hid_t mem = H5Screate_simple(1, count, NULL);
    ok = H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
         H5Dread(d, H5T_NATIVE_DOUBLE, mem, sp, H5P_DEFAULT, &v) >= 0;
    H5Sclose(mem);
  }
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  if (!ok) return 0;
  if (ml->n == ml->cap) {
    int cap = ml->cap ? 2 * ml->cap : 16;
    char **nn = realloc(ml->names, (size_t)cap * sizeof(char *));
    if (!nn) return -1;
    ml->names = nn;
    double *nv = realloc(ml->vals, (size_t)cap * sizeof(double));
    if (!nv) return -1;
    ml->vals = nv;
    ml->cap = cap;
  }
  ml->names[ml->n] = strdup(name);
  if (!ml->names[ml->n]) return -1;
  ml->vals[ml->n++] = v;
  return 0;
}

static void metrics_free(metric_list *ml) {
  for (int i = 0; i < ml->n; i++) free(ml->names[i]);
  free(ml->names);
  free(ml->vals);
  memset(ml, 0, sizeof *ml);
}

/* The final value of each wanted /series dataset, in name order. Never touches /fields. */
static cs_status read_metrics(const char *h5, metric_list *ml) {
  memset(ml, 0, sizeof *ml);
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  cs_status st = CS_OK;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: cannot open as HDF5", h5);
  hid_t g = f >= 0 ? H5Gopen2(f, "series", H5P_DEFAULT) : -1;
  if (st == CS_OK && g < 0) st = CS_ERROR(CS_ERR_INPUT, "%s: no /series group", h5);
  if (st == CS_OK && H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, visit, ml) < 0)
    st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  if (st != CS_OK) metrics_free(ml);
  return st;
}

static void fmt_num(char *b, size_t size, double v) { snprintf(b, size, "%.17g", v); }

int sweep_metrics(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: cisim sweep metrics RUN.h5   (name,value per line: what collect takes)\n",
          argc == 2 ? stdout : stderr);
    return argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
  }
  metric_list ml;
  cs_status st = read_metrics(argv[1], &ml);
  if (st != CS_OK) {
    cli_fail("sweep metrics");
    return cs_exit_code(st);
  }
  char b[64];
  for (int i = 0; i < ml.n; i++) {
    fmt_num(b, sizeof b, ml.vals[i]);
    printf("%s,%s\n", ml.names[i], b);
  }
  metrics_free(&ml);
  return 0;
}

/* ---- collect ---- */

static void csv_text(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\n")) {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
}

static int name_index(char ***names, int *n, const char *name) {
  for (int i = 0; i < *n; i++)
    if (strcmp((*names)[i], name) == 0) return i;
  char **nn = realloc(*names, (size_t)(*n + 1) * sizeof(char *));
  if (!nn) return -1;
  *names = nn;
  nn[*n] = strdup(name);
  if (!nn[*n]) return -1;
  return (*n)++;
}

static cs_status collect(const char *dir, const char *out, long *nrows) {
  long npts;
  char *manifest = NULL;
  CS_TRY(count_points(dir, &npts, &manifest));
  metric_list *per = calloc((size_t)npts + 1, sizeof(metric_list));
  char **stat = calloc((size_t)npts + 1, sizeof(char *));
  char **cols = NULL;
  int ncols = 0;
  cs_status st = (per && stat) ? CS_OK : CS_ERROR(CS_ERR_NOMEM, "out of memory");
  for (long n = 0; st == CS_OK && n < npts; n++) {
    stat[n] = status_of(dir, n);
    if (stat[n] && strcmp(stat[n], "done") == 0) {
      char h5[4096];
      sweep_point_path(h5, sizeof h5, dir, "runs", n, ".h5");
      if (read_metrics(h5, &per[n]) != CS_OK) {
        char *s = malloc(1100);
        if (s) snprintf(s, 1100, "failed: cannot read metrics: %s", cs_error_message());
        cs_error_clear();
        free(stat[n]);
        stat[n] = s;
      }
      for (int i = 0; i < per[n].n; i++)
        if (name_index(&cols, &ncols, per[n].names[i]) < 0) st = CS_ERROR(CS_ERR_NOMEM, "out of memory");
    }
  }
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp%ld", out, (long)getpid());
  FILE *f = st == CS_OK ? fopen(tmp, "w") : NULL;
  if (st == CS_OK && !f) st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
  if (f) {
    /* Rows are the manifest's rows (already CSV) plus status and metrics. */
    char *save = NULL, *line = strtok_r(manifest, "\n", &save);
    fprintf(f, "%s,status", line ? line : "index");
    for (int c = 0; c < ncols; c++) {
      fputc(',', f);
      csv_text(f, cols[c]);
    }
    fputc('\n', f);
    for (long n = 0; n < npts; n++) {
      line = strtok_r(NULL, "\n", &save);
      fprintf(f, "%s,", line ? line : "");
      csv_text(f, stat[n] ? stat[n] : "missing");
      for (int c = 0; c < ncols; c++) {
        fputc(',', f);
        for (int i = 0; i < per[n].n; i++)
          if (strcmp(per[n].names[i], cols[c]) == 0) {
            char b[64];
            fmt_num(b, sizeof b, per[n].vals[i]);
            fputs(b, f);
            break;
          }
      }
      fputc('\n', f);
    }
    if (fclose(f) != 0) st = CS_ERROR(CS_ERR_IO, "%s: write error", tmp);
    if (st == CS_OK && rename(tmp, out) != 0)
      st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", out, strerror(errno));
    if (st != CS_OK) unlink(tmp);
  }
  for (long n = 0; per && stat && n < npts; n++) {
    metrics_free(&per[n]);
    free(stat[n]);
  }
  for (int c = 0; c < ncols; c++) free(cols[c]);
  free(cols);
  free(per);
  free(stat);
  free(manifest);
  *nrows = npts;
  return st;
}

int sweep_collect(int argc, char **argv) {
  static const char usage[] = "usage: cisim sweep collect DIR [-o TABLE.csv]   (default DIR/results.csv)\n";
  const char *dir = NULL, *out = NULL;
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
      fputs(usage, stdout);
      return 0;
    } else if (strcmp(argv[a], "-o") == 0 && a + 1 < argc) {
      out = argv[++a];
    } else if (argv[a][0] != '-' && !dir) {
      dir = argv[a];
    } else {
      fprintf(stderr, "cisim: sweep collect: unexpected argument '%s'\n%s", argv[a], usage);
      return 2;
    }
  }
  if (!dir) {
    fprintf(stderr, "cisim: sweep collect: needs DIR\n%s", usage);
    return 2;
  }
  char def[4096];
  if (!out) {
    snprintf(def, sizeof def, "%s/results.csv", dir);
    out = def;
  }
  long rows = 0;
  cs_status st = collect(dir, out, &rows);
  if (st != CS_OK) {
    cli_fail("sweep collect");
    return cs_exit_code(st);
  }
  printf("%ld rows -> %s\n", rows, out);
  return 0;
}
