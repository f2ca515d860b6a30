/* xdmf: the .xmf sidecar that lets ParaView and VisIt open a run file: a temporal collection
 * of uniform grids (3DCoRectMesh; dimensions listed z y x and counting nodes, i.e. cells + 1)
 * whose cell-centred attributes are hyperslabs of /fields/<species> in the HDF5 file.
 * Rewritten after every snapshot (temporary file, then rename), so it always describes the
 * snapshots the run file holds. */
#ifndef CISIM_XDMF_H
#define CISIM_XDMF_H

#include "error.h"
#include "grid.h"
#include "model.h"

/* "run.h5" -> "run.xmf" (replaces a final ".h5"/".hdf5", else appends ".xmf"). Caller frees. */
char *xdmf_path_for(const char *h5path);

cs_status xdmf_write(const char *xmf_path, const char *h5path, const grid *g, const model *m,
                     const double *times, int nsnap, int single_precision);

#endif
