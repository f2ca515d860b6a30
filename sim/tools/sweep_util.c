/* sweep_util: the sweep subcommands' shared helpers (see sweep_util.h). */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include "sweep_util.h"

#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sweep_args(int argc, char **argv, const char *cmd, const char *usage, const sweep_opt *opts,
               const char **positional, const char *needs) {
  for (int a = 1; a < argc; a++) {
    const char *arg = argv[a];
    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      fputs(usage, stdout);
      return -1;
    }
    const sweep_opt *o = opts;
    while (o && o->flag && strcmp(arg, o->flag) != 0 && !(o->alt && strcmp(arg, o->alt) == 0)) o++;
    if (o && o->flag && o->value && a + 1 < argc) {
      *o->value = argv[++a];
    } else if (o && o->flag && !o->value) {
      *o->on = 1;
    } else if (arg[0] != '-' && !*positional) {
      *positional = arg;
    } else {
      fprintf(stderr, "cisim: %s: unexpected argument '%s'\n%s", cmd, arg, usage);
      return 2;
    }
  }
  int missing = !*positional;
  for (const sweep_opt *o = opts; o && o->flag && !missing; o++)
    missing = o->required && !*o->value;
  if (missing) {
    fprintf(stderr, "cisim: %s: needs %s\n%s", cmd, needs, usage);
    return 2;
  }
  return 0;
}

cs_status sweep_mkdirs(const char *path) {
  size_t len = strlen(path);
  char *buf = malloc(len + 1);
  if (!buf) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] == '/' || buf[i] == '\0') {
      char c = buf[i];
      buf[i] = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot create directory: %s", buf, strerror(errno));
        free(buf);
        return st;
      }
      buf[i] = c;
    }
  }
  free(buf);
  return CS_OK;
}

cs_status sweep_read_text(const char *path, char **text) {
  *text = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return CS_ERROR(CS_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  int err = ferror(f);
  fclose(f);
  if (!buf) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  if (err) {
    free(buf);
    return CS_ERROR(CS_ERR_IO, "%s: read error", path);
  }
  buf[n] = '\0';
  *text = buf;
  return CS_OK;
}

cs_status sweep_write_text(const char *path, const char *text) {
  size_t len = strlen(path);
  char *tmp = malloc(len + 32);
  if (!tmp) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  snprintf(tmp, len + 32, "%s.tmp%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", tmp, strerror(errno));
    free(tmp);
    return st;
  }
  size_t tl = strlen(text);
  int bad = fwrite(text, 1, tl, f) != tl;
  if (fclose(f) != 0) bad = 1;
  if (bad || rename(tmp, path) != 0) {
    cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return st;
  }
  free(tmp);
  return CS_OK;
}

int sweep_point_path(char *buf, size_t size, const char *dir, const char *sub, long n,
                     const char *suffix) {
  int k;
  if (n < 0)
    k = snprintf(buf, size, "%s/%s", dir, sub);
  else
    k = snprintf(buf, size, "%s/%s/%ld/%ld%s", dir, sub, n / SWEEP_SHARD, n, suffix);
  return k > 0 && (size_t)k < size;
}

void sweep_csv_field(FILE *f, const char *s) {
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

int sweep_run_finished(const char *h5) {
  if (access(h5, R_OK) != 0) return 0;
  H5E_auto2_t fn;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &fn, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  int fin = 0;
  hid_t f = H5Fopen(h5, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f >= 0 && H5Aexists(f, "finished") > 0) {
    hid_t a = H5Aopen(f, "finished", H5P_DEFAULT);
    if (a >= 0 && H5Aread(a, H5T_NATIVE_INT, &fin) < 0) fin = 0;
    if (a >= 0) H5Aclose(a);
  }
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, fn, data);
  return fin == 1;
}

cs_status sweep_program(char *exe, size_t size) {
  ssize_t el = readlink("/proc/self/exe", exe, size - 1);
  if (el <= 0 || (size_t)el >= size - 1)
    return CS_ERROR(CS_ERR_IO, "cannot find the cisim program (/proc/self/exe): %s",
                    el < 0 ? strerror(errno) : "path too long");
  exe[el] = '\0';
  return CS_OK;
}

/* Whether `cisim` on PATH is the file exe. */
static int on_path(const char *exe) {
  const char *path = getenv("PATH");
  char want[4096], cand[4096], got[4096];
  if (!path || !realpath(exe, want)) return 0;
  for (const char *p = path; *p;) {
    const char *end = strchr(p, ':');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n > 0 && n < sizeof cand - 8) {
      snprintf(cand, sizeof cand, "%.*s/cisim", (int)n, p);
      if (access(cand, X_OK) == 0) return realpath(cand, got) && strcmp(got, want) == 0;
    }
    p += n + (end ? 1 : 0);
  }
  return 0;
}

void sweep_program_for_user(char *buf, size_t size) {
  char exe[4096];
  if (sweep_program(exe, sizeof exe) != CS_OK || on_path(exe)) snprintf(buf, size, "cisim");
  else snprintf(buf, size, "%s", exe);
}

static int is_dir(const char *p) {
  struct stat sb;
  return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

void sweep_scripts_dir(char *buf, size_t size) {
  char exe[4096], cand[4200];
  if (sweep_program(exe, sizeof exe) == CS_OK) {
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(cand, sizeof cand, "%s/../share/cisim/scripts", exe);
    char real[4096];
    if (is_dir(cand) && realpath(cand, real)) {
      snprintf(buf, size, "%s", real);
      return;
    }
  }
#ifdef CISIM_SOURCE_DIR
  snprintf(cand, sizeof cand, "%s/scripts", CISIM_SOURCE_DIR);
  if (is_dir(cand)) {
    snprintf(buf, size, "%s", cand);
    return;
  }
#endif
  snprintf(buf, size, "scripts");
}
