/* xdmf: the .xmf sidecar that lets ParaView and VisIt open a run file: a temporal collection
 * of uniform grids (3DCoRectMesh; dimensions listed z y x and counting nodes, i.e. cells + 1)
 * whose cell-centred attributes are hyperslabs of /fields/<species> in the HDF5 file.
 * The skin surface is on top: the mesh's z axis points up and the depth below the surface is
 * -z (spacing -h along z, origin at the surface), so the epidermis is at z = 0 and the deep
 * boundary at z = -depth. Arrays are named with their unit, "signal (ng/mL)", so a colour bar
 * says it; beside the species: "layer" (the layer index of each cell, /grid/layer_cells) and,
 * for treatment runs, "channel_fraction_session<k>" (/punctures/channel_fraction).
 * Rewritten after every snapshot (temporary file, then rename), so it always describes the
 * snapshots the run file holds. */
#ifndef CISIM_XDMF_H
#define CISIM_XDMF_H

#include "error.h"
#include "grid.h"
#include "model.h"

/* "run.h5" -> "run.xmf" (replaces a final ".h5"/".hdf5", else appends ".xmf"). Caller frees. */
char *xdmf_path_for(const char *h5path);

/* What the run file holds besides the fields (older files may lack them). */
typedef struct {
  int layer_cells;  /* /grid/layer_cells (nz, ny, nx) exists */
  int channel_maps; /* sessions in /punctures/channel_fraction (nsession, nz, ny, nx); 0: none */
} xdmf_extra;

cs_status xdmf_write(const char *xmf_path, const char *h5path, const grid *g, const model *m,
                     const double *times, int nsnap, int single_precision, const xdmf_extra *x);

#endif
