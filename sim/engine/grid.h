/* grid: the uniform cell-centred grid, its depth layers and its boundary conditions.
 *
 * Memory order (used everywhere, HDF5 included): x fastest, then y, then z (depth below the
 * skin surface): index = (k*ny + j)*nx + i. A 2D run has ny = 1. Cell (i, j, k) has its centre
 * at ((i+1/2)h, (j+1/2)h, (k+1/2)h) µm. A cell belongs to the layer that contains its centre. */
#ifndef CISIM_GRID_H
#define CISIM_GRID_H

#include <stddef.h>

#include "error.h"
#include "params.h"

/* Cells a grid may have (2^32: far beyond the memory of any node, yet every index fits a
   size_t and every axis an int). Larger sizes are refused before anything is allocated. */
#define GRID_MAX_CELLS 4294967296.0
#define GRID_MAX_AXIS 1e8

typedef enum { BC_PERIODIC = 0, BC_NOFLUX = 1, BC_DIRICHLET = 2 } bc_kind;

typedef struct {
  int dims;                 /* 2 or 3 */
  int nx, ny, nz;           /* ny == 1 in 2D */
  double h;                 /* cell edge, µm */
  double size[3];           /* x, y, z extent, µm (size[1] == h in 2D) */
  size_t ncell;
  bc_kind bc_x, bc_y, bc_top, bc_bottom;
  int nlayers;
  layer_desc layers[PARAMS_MAX_LAYERS];
  double layer_top[PARAMS_MAX_LAYERS];  /* depth of the layer's upper face, µm */
  int *layer_of_z;          /* [nz] layer index of each depth row */
} grid;

cs_status grid_init(grid *g, const params *p);
/* Build a grid directly (tests): one layer, given boundaries. */
cs_status grid_init_simple(grid *g, int dims, int nx, int ny, int nz, double h, bc_kind bx,
                           bc_kind by, bc_kind btop, bc_kind bbottom);
void grid_free(grid *g);

static inline size_t grid_index(const grid *g, int i, int j, int k) {
  return ((size_t)k * (size_t)g->ny + (size_t)j) * (size_t)g->nx + (size_t)i;
}
static inline double grid_xc(const grid *g, int i) { return (i + 0.5) * g->h; }
static inline double grid_cell_volume(const grid *g) {
  return g->dims == 3 ? g->h * g->h * g->h : g->h * g->h; /* 2D: per µm of y */
}

#endif
