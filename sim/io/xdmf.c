#define _POSIX_C_SOURCE 200809L /* rename, fileno, fsync */

#include "xdmf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *xdmf_path_for(const char *h5path) {
  size_t n = strlen(h5path);
  size_t stem = n;
  if (n > 3 && strcmp(h5path + n - 3, ".h5") == 0) stem = n - 3;
  else if (n > 5 && strcmp(h5path + n - 5, ".hdf5") == 0) stem = n - 5;
  char *p = malloc(stem + 5);
  if (!p) return NULL;
  memcpy(p, h5path, stem);
  strcpy(p + stem, ".xmf");
  return p;
}

/* The sidecar sits next to the run file, so it names it without its directory. */
static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* NAME with XML's special characters escaped, and " (UNIT)" unless the unit is empty or "-". */
static void put_name(FILE *f, const char *name, const char *unit) {
  for (const char *c = name; *c; c++) {
    if (*c == '&') fputs("&amp;", f);
    else if (*c == '<') fputs("&lt;", f);
    else if (*c == '>') fputs("&gt;", f);
    else if (*c == '"') fputs("&quot;", f);
    else fputc(*c, f);
  }
  if (unit && unit[0] && strcmp(unit, "-") != 0) {
    fputs(" (", f);
    put_name(f, unit, NULL);
    fputc(')', f);
  }
}

/* A cell array that is slab N of a (count, nz, ny, nx) dataset. */
static void put_slab(FILE *f, const grid *g, const char *name, const char *unit, int n, int count,
                     const char *type, int prec, const char *h5, const char *dataset) {
  fputs("    <Attribute Name=\"", f);
  put_name(f, name, unit);
  fprintf(f,
          "\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
          "     <DataItem ItemType=\"HyperSlab\" Dimensions=\"%d %d %d\" Type=\"HyperSlab\">\n"
          "      <DataItem Dimensions=\"3 4\" Format=\"XML\">%d 0 0 0 1 1 1 1 1 %d %d %d</DataItem>\n"
          "      <DataItem Dimensions=\"%d %d %d %d\" NumberType=\"%s\" Precision=\"%d\" "
          "Format=\"HDF\">%s:%s</DataItem>\n"
          "     </DataItem>\n    </Attribute>\n",
          g->nz, g->ny, g->nx, n, g->nz, g->ny, g->nx, count, g->nz, g->ny, g->nx, type, prec, h5,
          dataset);
}

static void put_grid(FILE *f, const grid *g, const model *m, const char *h5, const double *times,
                     int n, int nsnap, int prec, const xdmf_extra *x) {
  fprintf(f, "   <Grid Name=\"t%d\" GridType=\"Uniform\">\n    <Time Value=\"%.17g\"/>\n", n,
          times[n]);
  fprintf(f, "    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\"/>\n",
          g->nz + 1, g->ny + 1, g->nx + 1);
  /* origin and spacing listed z y x; z up, so the depth runs along -z: surface on top */
  fprintf(f,
          "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
          "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
          "Format=\"XML\">0 0 0</DataItem>\n"
          "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
          "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n    </Geometry>\n",
          -g->h, g->h, g->h);
  char ds[320];
  for (int s = 0; s < m->nspecies; s++) {
    snprintf(ds, sizeof ds, "/fields/%s", m->species[s].name);
    put_slab(f, g, m->species[s].name, m->species[s].unit, n, nsnap, "Float", prec, h5, ds);
  }
  if (x && x->layer_cells)
    fprintf(f,
            "    <Attribute Name=\"layer\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
            "     <DataItem Dimensions=\"%d %d %d\" NumberType=\"UChar\" Precision=\"1\" "
            "Format=\"HDF\">%s:/grid/layer_cells</DataItem>\n    </Attribute>\n",
            g->nz, g->ny, g->nx, h5);
  for (int k = 0; x && k < x->channel_maps; k++) {
    char name[64];
    snprintf(name, sizeof name, "channel_fraction_session%d", k + 1);
    put_slab(f, g, name, NULL, k, x->channel_maps, "Float", 4, h5, "/punctures/channel_fraction");
  }
  fprintf(f, "   </Grid>\n");
}

cs_status xdmf_write(const char *xmf_path, const char *h5path, const grid *g, const model *m,
                     const double *times, int nsnap, int single_precision, const xdmf_extra *x) {
  size_t tl = strlen(xmf_path) + 5;
  char *tmp = malloc(tl);
  if (!tmp) return CS_ERROR(CS_ERR_NOMEM, "out of memory");
  snprintf(tmp, tl, "%s.tmp", xmf_path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    cs_status st = CS_ERROR(CS_ERR_IO, "%s: cannot write the XDMF sidecar: %s", tmp, strerror(errno));
    free(tmp);
    return st;
  }
  const char *h5 = base_name(h5path);
  const int prec = single_precision ? 4 : 8;
  fprintf(f, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
             "<Xdmf Version=\"3.0\">\n <Domain>\n"
             "  <Grid Name=\"cisim\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
  for (int n = 0; n < nsnap; n++) put_grid(f, g, m, h5, times, n, nsnap, prec, x);
  fprintf(f, "  </Grid>\n </Domain>\n</Xdmf>\n");
  int bad = ferror(f);
  bad |= fclose(f) != 0;
  cs_status st = CS_OK;
  if (bad)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write the XDMF sidecar: %s", tmp, strerror(errno));
  else if (rename(tmp, xmf_path) != 0)
    st = CS_ERROR(CS_ERR_IO, "%s: cannot write the XDMF sidecar: %s", xmf_path, strerror(errno));
  if (st != CS_OK) remove(tmp);
  free(tmp);
  return st;
}
