#include "grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bc_kind bc_from_name(const char *s) {
  if (strcmp(s, "periodic") == 0) return BC_PERIODIC;
  if (strcmp(s, "dirichlet") == 0) return BC_DIRICHLET;
  return BC_NOFLUX;
}

/* Sizes must be whole multiples of the spacing: a silently rounded domain would move the
   layer boundaries and the periodic images of the needle pattern. */
static cs_status cells_along(const params *p, const char *what, double size, double h, int *n) {
  double q = size / h;
  double r = nearbyint(q);
  /* the count first: a huge q is not "not whole", it is too many */
  if (!(r <= GRID_MAX_AXIS))
    return params_key_error(p, "grid.size_um",
                            "%s extent %g µm with grid.spacing_um %g µm is %.3g cells: at most "
                            "%.0f along an axis",
                            what, size, h, q, (double)GRID_MAX_AXIS);
  if (r < 1 || fabs(q - r) > 1e-9 * q)
    return params_key_error(p, "grid.size_um",
                            "%s extent %g µm is not a whole number of cells of %g µm "
                            "(grid.spacing_um)",
                            what, size, h);
  *n = (int)r;
  return CS_OK;
}

static cs_status grid_finish(grid *g) {
  g->ncell = (size_t)g->nx * (size_t)g->ny * (size_t)g->nz;
  g->layer_of_z = malloc(sizeof(int) * (size_t)g->nz);
  if (!g->layer_of_z) return CS_ERROR(CS_ERR_NOMEM, "out of memory for the grid");
  double top = 0;
  for (int l = 0; l < g->nlayers; l++) {
    g->layer_top[l] = top;
    top += g->layers[l].thickness_um;
  }
  for (int k = 0; k < g->nz; k++) {
    double z = (k + 0.5) * g->h;
    int l = 0;
    while (l + 1 < g->nlayers && z >= g->layer_top[l + 1]) l++;
    g->layer_of_z[k] = l;
  }
  return CS_OK;
}

cs_status grid_init(grid *g, const params *p) {
  memset(g, 0, sizeof *g);
  g->dims = (int)params_int(p, "grid.dims");
  g->h = params_real(p, "grid.spacing_um");
  int n;
  const double *size = params_reals(p, "grid.size_um", &n);
  if (n != g->dims)
    return params_key_error(p, "grid.size_um", "expected %d sizes for grid.dims = %d, got %d",
                            g->dims, g->dims, n);
  g->size[0] = size[0];
  g->size[1] = g->dims == 3 ? size[1] : g->h;
  g->size[2] = size[n - 1];
  CS_TRY(cells_along(p, "x", g->size[0], g->h, &g->nx));
  CS_TRY(cells_along(p, "y", g->size[1], g->h, &g->ny));
  CS_TRY(cells_along(p, "depth", g->size[2], g->h, &g->nz));
  size_t nxy, ncell;
  if (__builtin_mul_overflow((size_t)g->nx, (size_t)g->ny, &nxy) ||
      __builtin_mul_overflow(nxy, (size_t)g->nz, &ncell) || ncell > GRID_MAX_CELLS)
    return params_key_error(p, "grid.size_um",
                            "%d × %d × %d cells of %g µm (grid.spacing_um) is %.3g cells: at most "
                            "%.0f",
                            g->nx, g->ny, g->nz, g->h,
                            (double)g->nx * (double)g->ny * (double)g->nz, (double)GRID_MAX_CELLS);
  g->bc_x = bc_from_name(params_str(p, "grid.boundary.x"));
  g->bc_y = g->dims == 3 ? bc_from_name(params_str(p, "grid.boundary.y")) : BC_PERIODIC;
  g->bc_top = bc_from_name(params_str(p, "grid.boundary.surface"));
  g->bc_bottom = bc_from_name(params_str(p, "grid.boundary.deep"));
  g->nlayers = p->nlayers;
  memcpy(g->layers, p->layers, sizeof(layer_desc) * (size_t)p->nlayers);
  for (int l = 0; l < g->nlayers; l++) {
    /* A layer thinner than a cell would own no cell and its coefficients would vanish. */
    if (g->layers[l].thickness_um < g->h * (1 - 1e-12))
      return CS_ERROR(CS_ERR_INPUT, "%s:%d:%d: layers: layer '%s' (%g µm) is thinner than one cell (%g µm)",
                      p->file, g->layers[l].line, g->layers[l].col, g->layers[l].name,
                      g->layers[l].thickness_um, g->h);
  }
  return grid_finish(g);
}

cs_status grid_init_simple(grid *g, int dims, int nx, int ny, int nz, double h, bc_kind bx,
                           bc_kind by, bc_kind btop, bc_kind bbottom) {
  memset(g, 0, sizeof *g);
  g->dims = dims;
  g->nx = nx;
  g->ny = dims == 3 ? ny : 1;
  g->nz = nz;
  g->h = h;
  g->size[0] = nx * h;
  g->size[1] = g->ny * h;
  g->size[2] = nz * h;
  g->bc_x = bx;
  g->bc_y = dims == 3 ? by : BC_PERIODIC;
  g->bc_top = btop;
  g->bc_bottom = bbottom;
  g->nlayers = 1;
  strcpy(g->layers[0].name, "tissue");
  g->layers[0].thickness_um = g->size[2];
  return grid_finish(g);
}

void grid_free(grid *g) {
  free(g->layer_of_z);
  g->layer_of_z = NULL;
}
