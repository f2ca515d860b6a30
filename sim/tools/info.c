/* info: `cisim info RUN.h5`: what a run file holds, in a few lines, one step per part of the
 * file (docs/checkpoint.md). */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "commands.h"
#include "hdf5out_attr.h"
#include "model.h"
#include "params.h"
#include "params_load.h"

static const char info_usage[] =
    "usage: cisim info RUN.h5\n"
    "\n"
    "Summarises a run file: model, grid, snapshot times, the parameters that differ from their\n"
    "defaults, the final values of the outcome series, whether the run finished (and how it\n"
    "ended), and its checkpoint if one is waiting to be resumed. Works on a running file.\n"
    "exit status: 0 success, 2 not a readable run file\n";


static int attr_num(hid_t obj, const char *name, double *v, int n) {
  if (H5Aexists(obj, name) <= 0) return 0;
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
  int ok = sp >= 0 && H5Sget_simple_extent_npoints(sp) <= n &&
           H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0;
  int cnt = ok ? (int)H5Sget_simple_extent_npoints(sp) : 0;
  if (sp >= 0) H5Sclose(sp);
  if (a >= 0) H5Aclose(a);
  return cnt;
}

/* A whole 1-D double dataset (caller frees); n receives its length. */
static double *read_vec(hid_t f, const char *path, long *n) {
  *n = 0;
  if (H5Lexists(f, path, H5P_DEFAULT) <= 0) return NULL;
  hid_t ds = H5Dopen2(f, path, H5P_DEFAULT);
  hid_t sp = ds >= 0 ? H5Dget_space(ds) : H5I_INVALID_HID;
  hssize_t len = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  double *v = len >= 0 ? malloc(sizeof(double) * (size_t)(len > 0 ? len : 1)) : NULL;
  if (v && len > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
    free(v);
    v = NULL;
  }
  if (v) *n = (long)len;
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  return v;
}

/* Does pv hold its registry default? Required keys (no default) count as differing. */
static int is_default(const param_value *pv) {
  const param_desc *d = pv->desc;
  if (!d->def) return 0;
  if (d->type == P_ENUM || d->type == P_STRING) return strcmp(pv->s ? pv->s : "", d->def) == 0;
  if (d->type == P_BOOL) {
    int t = strcmp(d->def, "true") == 0;
    return pv->n == 1 && (pv->v[0] != 0) == t;
  }
  if (d->type == P_REALS) {
    double vals[64];
    int n = 0;
    const char *c = d->def;
    while (*c && n < 64) {
      while (*c == '[' || *c == ' ' || *c == ',') c++;
      if (*c == ']' || !*c) break;
      char *end;
      vals[n++] = strtod(c, &end);
      if (end == c) break;
      c = end;
    }
    if (pv->n != n) return 0;
    for (int i = 0; i < n; i++)
      if (pv->v[i] != vals[i]) return 0;
    return 1;
  }
  double def = strtod(d->def, NULL);
  for (int i = 0; i < pv->n; i++)
    if (pv->v[i] != def) return 0;
  return 1;
}

static void print_value(const param_value *pv) {
  const param_desc *d = pv->desc;
  if (d->type == P_ENUM || d->type == P_STRING) {
    printf("%s", pv->s ? pv->s : "");
    return;
  }
  if (d->type == P_BOOL) {
    printf("%s", pv->v[0] != 0 ? "true" : "false");
    return;
  }
  int list = d->type == P_REALS || (d->per_layer && pv->n > 1);
  if (list) printf("[");
  for (int i = 0; i < pv->n; i++) printf("%s%.6g", i ? ", " : "", pv->v[i]);
  if (list) printf("]");
  if (d->unit && d->unit[0] && strcmp(d->unit, "-") != 0) printf(" %s", d->unit);
}

static void print_parameters(const char *yaml) {
  const char *dir = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/cisim-info-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) return;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(path);
    return;
  }
  fputs(yaml, f);
  fclose(f);
  int n;
  const model *const *ms = model_list(&n);
  static const char *names[32];
  for (int i = 0; i < n && i < 32; i++) names[i] = ms[i]->name;
  params_set_model_names(names, n < 32 ? n : 32);
  params p;
  cs_status st = params_load(&p, path, NULL, 0, model_registry_lookup);
  unlink(path);
  if (st != CS_OK) {
    printf("parameters: cannot be read back: %s\n", cs_error_message());
    return;
  }
  printf("parameters differing from defaults:\n");
  int shown = 0;
  for (size_t i = 0; i < p.nvals; i++) {
    const param_value *pv = &p.vals[i];
    if (!pv->desc || !pv->desc->key || is_default(pv)) continue;
    printf("  %-44s ", pv->desc->key);
    print_value(pv);
    printf("\n");
    shown++;
  }
  if (!shown) printf("  (none)\n");
  params_free(&p);
}

/* RUN.h5 from the command line; -1 to go on, else the exit status (help: 0, misuse: 2). */
static int info_args(int argc, char **argv, const char **path) {
  for (int a = 1; a < argc; a++) {
    if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
      fputs(info_usage, stdout);
      return 0;
    }
    if (argv[a][0] == '-' || *path) {
      fprintf(stderr, "cisim: info: unexpected argument '%s'\n%s", argv[a], info_usage);
      return 2;
    }
    *path = argv[a];
  }
  if (!*path) {
    fprintf(stderr, "cisim: info: missing RUN.h5\n%s", info_usage);
    return 2;
  }
  return -1;
}

/* The run file, read-only and without a lock (a running simulation's file can be looked at);
   H5I_INVALID_HID after saying why it is not a readable cisim run file. */
static hid_t open_run_file(const char *path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, 0, 1);
  hid_t f = access(path, R_OK) == 0 ? H5Fopen(path, H5F_ACC_RDONLY, fapl) : H5I_INVALID_HID;
  H5Pclose(fapl);
  if (f < 0) {
    h5a_note();
    fprintf(stderr, "cisim: %s: not a readable HDF5 run file%s%s\n", path,
            h5a_error_detail()[0] ? ": " : "", h5a_error_detail());
    return H5I_INVALID_HID;
  }
  char *program = h5a_read_str(f, "program");
  int ours = program && strcmp(program, "cisim") == 0;
  free(program);
  if (!ours) {
    fprintf(stderr, "cisim: %s: not a cisim run file (no program = cisim attribute)\n", path);
    H5Fclose(f);
    return H5I_INVALID_HID;
  }
  return f;
}

/* Version, creation time, and whether (and how) the run finished. */
static void print_status(hid_t f, const char *path) {
  char *version = h5a_read_str(f, "version"), *created = h5a_read_str(f, "created");
  char *status = h5a_read_str(f, "status");
  double fin = 0, resumed = 0;
  attr_num(f, "finished", &fin, 1);
  attr_num(f, "resumed", &resumed, 1);
  printf("%s: cisim %s run file, created %s\n", path, version ? version : "?",
         created ? created : "?");
  printf("finished: %s", fin != 0 ? "yes" : "no");
  if (status && strcmp(status, "finished") != 0)
    printf(" (%s)", strcmp(status, "running") == 0
                        ? "running, or killed: it ends at its last complete snapshot"
                        : status);
  if (resumed > 0) printf("; resumed %g time%s", resumed, resumed == 1 ? "" : "s");
  printf("\n");
  free(version);
  free(created);
  free(status);
}

/* The command line and code version from /code. */
static void print_code(hid_t f) {
  hid_t code = H5Gopen2(f, "code", H5P_DEFAULT);
  if (code < 0) return;
  char *cmd = h5a_read_str(code, "command_line"), *git = h5a_read_str(code, "git_commit");
  char *st = h5a_read_str(code, "start_time"), *en = h5a_read_str(code, "end_time");
  printf("command: %s\n", cmd ? cmd : "?");
  printf("code: git %s; started %s, ended %s\n", git ? git : "?", st ? st : "?",
         en && en[0] ? en : "(not yet)");
  free(cmd);
  free(git);
  free(st);
  free(en);
  H5Gclose(code);
}

static void print_grid(hid_t f) {
  hid_t gg = H5Gopen2(f, "grid", H5P_DEFAULT);
  if (gg < 0) return;
  double dims = 0, h = 0, size[3] = {0};
  attr_num(gg, "dims", &dims, 1);
  attr_num(gg, "spacing_um", &h, 1);
  attr_num(gg, "size_um", size, 3);
  char *layers = h5a_read_str(gg, "layer_names");
  if (dims == 2)
    printf("grid: 2D, %g × %g µm (x × depth), cells of %g µm (%g × %g); layers: %s\n", size[0],
           size[2], h, h > 0 ? size[0] / h : 0, h > 0 ? size[2] / h : 0, layers ? layers : "?");
  else
    printf("grid: 3D, %g × %g × %g µm (x × y × depth), cells of %g µm (%g × %g × %g); layers: "
           "%s\n",
           size[0], size[1], size[2], h, h > 0 ? size[0] / h : 0, h > 0 ? size[1] / h : 0,
           h > 0 ? size[2] / h : 0, layers ? layers : "?");
  free(layers);
  H5Gclose(gg);
}

/* The snapshot times, the first and last six of a long list. */
static void print_times(const double *t, long nt) {
  printf("snapshots: %ld", nt);
  if (nt > 0) {
    printf(", day");
    for (long i = 0; i < nt; i++) {
      if (nt > 12 && i == 6) {
        printf(" ... (%ld more) ...", nt - 12);
        i = nt - 6;
      }
      printf(" %g", t[i]);
    }
  }
  printf("\n");
}

/* The parameters that differ from their defaults, from the stored config /parameters/yaml. */
static void print_stored_parameters(hid_t pg) {
  if (pg < 0 || H5Lexists(pg, "yaml", H5P_DEFAULT) <= 0) return;
  hid_t ds = H5Dopen2(pg, "yaml", H5P_DEFAULT), ty = h5a_string_type();
  char *yaml = NULL;
  if (ds >= 0 && ty >= 0 && H5Dread(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, &yaml) >= 0 && yaml) {
    print_parameters(yaml);
    H5free_memory(yaml);
  }
  if (ty >= 0) H5Tclose(ty);
  if (ds >= 0) H5Dclose(ds);
}

/* The name of link i of group g, in creation order where the file tracks it; 0 if none. */
static int link_name(hid_t g, hsize_t i, char *name, size_t size) {
  return H5Lget_name_by_idx(g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name, size,
                            H5P_DEFAULT) >= 0 ||
         H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, size, H5P_DEFAULT) >= 0;
}

/* Final values of the series (their last row): the outcome metrics when the model reports
   them, else the totals. Outcome series are those after the engine's (_total, _max,
   _mean_*). /series/time is their axis (older files have none: /time is). */
static void print_final_series(hid_t f, const double *t, long nt) {
  hid_t sg = H5Gopen2(f, "series", H5P_DEFAULT);
  if (sg < 0) return;
  H5G_info_t gi;
  if (nt > 0 && H5Gget_info(sg, &gi) >= 0) {
    int outcome = 0;
    for (int pass = 0; pass < 2; pass++) {
      int printed = 0;
      for (hsize_t i = 0; i < gi.nlinks; i++) {
        char name[256];
        if (!link_name(sg, i, name, sizeof name) || strcmp(name, "time") == 0) continue;
        int base = strstr(name, "_total") || strstr(name, "_max") || strstr(name, "_mean_");
        if (pass == 0) {
          outcome |= !base;
          continue;
        }
        if (outcome ? base : !strstr(name, "_total")) continue;
        long n;
        double *v = read_vec(sg, name, &n);
        if (v && n > 0) {
          hid_t ds = H5Dopen2(sg, name, H5P_DEFAULT);
          /* the unit as written for people; older files have it in `units` only */
          char *unit = ds >= 0 ? h5a_read_str(ds, "unit_label") : NULL;
          if (!unit && ds >= 0) unit = h5a_read_str(ds, "units");
          if (!printed) printf("final series (day %g):\n", t[nt - 1]);
          printf("  %-40s %.6g %s\n", name, v[n - 1], unit ? unit : "");
          printed = 1;
          free(unit);
          if (ds >= 0) H5Dclose(ds);
        }
        free(v);
      }
    }
  }
  H5Gclose(sg);
}

/* The checkpoint beside the run file, if one is waiting to be resumed. */
static void print_checkpoint(const char *path) {
  char *ck = checkpoint_path_for(path);
  if (ck && access(ck, F_OK) == 0) {
    checkpoint_header hd;
    if (checkpoint_read_header(ck, &hd) == CS_OK) {
      printf("checkpoint: %s at day %.9g (%ld steps, %ld snapshots): continue with cisim run "
             "--resume %s\n",
             ck, hd.t, hd.nsteps, hd.nsnap, path);
      checkpoint_header_free(&hd);
    } else {
      printf("checkpoint: %s is unusable: %s\n", ck, cs_error_message());
    }
  }
  free(ck);
}

int cli_info(int argc, char **argv) {
  const char *path = NULL;
  int rc = info_args(argc, argv, &path);
  if (rc >= 0) return rc;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  hid_t f = open_run_file(path);
  if (f < 0) return 2;
  print_status(f, path);
  print_code(f);
  hid_t pg = H5Gopen2(f, "parameters", H5P_DEFAULT);
  char *model_name = pg >= 0 ? h5a_read_str(pg, "model") : NULL;
  char *changed = pg >= 0 ? h5a_read_str(pg, "changed_on_resume") : NULL;
  printf("model: %s\n", model_name ? model_name : "?");
  print_grid(f);
  long nt;
  double *t = read_vec(f, "time", &nt);
  print_times(t, nt);
  print_stored_parameters(pg);
  if (changed) printf("changed on resume: %s\n", changed);
  free(changed);
  free(model_name);
  if (pg >= 0) H5Gclose(pg);
  print_final_series(f, t, nt);
  free(t);
  H5Fclose(f);
  print_checkpoint(path);
  return 0;
}
