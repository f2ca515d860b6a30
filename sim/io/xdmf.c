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

cs_status xdmf_write(const char *xmf_path, const char *h5path, const grid *g, const model *m,
                     const double *times, int nsnap, int single_precision) {
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
  for (int n = 0; n < nsnap; n++) {
    fprintf(f, "   <Grid Name=\"t%d\" GridType=\"Uniform\">\n    <Time Value=\"%.17g\"/>\n", n,
            times[n]);
    fprintf(f, "    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\"/>\n",
            g->nz + 1, g->ny + 1, g->nx + 1);
    fprintf(f,
            "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
            "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"XML\">0 0 0</DataItem>\n"
            "     <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n    </Geometry>\n",
            g->h, g->h, g->h);
    for (int s = 0; s < m->nspecies; s++)
      fprintf(f,
              "    <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
              "     <DataItem ItemType=\"HyperSlab\" Dimensions=\"%d %d %d\" Type=\"HyperSlab\">\n"
              "      <DataItem Dimensions=\"3 4\" Format=\"XML\">%d 0 0 0 1 1 1 1 1 %d %d %d</DataItem>\n"
              "      <DataItem Dimensions=\"%d %d %d %d\" NumberType=\"Float\" Precision=\"%d\" "
              "Format=\"HDF\">%s:/fields/%s</DataItem>\n"
              "     </DataItem>\n    </Attribute>\n",
              m->species[s].name, g->nz, g->ny, g->nx, n, g->nz, g->ny, g->nx, nsnap, g->nz,
              g->ny, g->nx, prec, h5, m->species[s].name);
    fprintf(f, "   </Grid>\n");
  }
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
