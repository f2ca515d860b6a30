/* hdf5out_resume: reopening a run file to continue it (cisim run --resume), in the steps
 * hdf5out_open_append takes: open the file and its datasets, checking them against the grid
 * and model; cut every dataset back to the checkpoint's snapshots (/time first); mark the
 * file running again and count the resume. Failures are CS_ERR_INPUT naming what is wrong. */
#ifndef CISIM_HDF5OUT_RESUME_H
#define CISIM_HDF5OUT_RESUME_H

#include "error.h"
#include "hdf5out_file.h"

/* Open o->path for writing, /time and every /fields/<species> of o->m, which must hold o's
   grid; learns whether fields are single precision. */
cs_status hdf5out_resume_open(hdf5out *o);
/* (The series are hdf5out_series_resume's.) Every dataset of /time and /fields must hold at least nsnap snapshots; those after the first nsnap are cut off,
   and the times of the first nsnap are read back (for the XDMF sidecar). */
cs_status hdf5out_resume_cut(hdf5out *o, long nsnap);
/* Read `run_id` and `created`; set finished = 0, status = running, resumed + 1; flush. */
cs_status hdf5out_resume_mark(hdf5out *o, long nsnap);
/* What the XDMF sidecar shows beside the fields, as the file holds it: /grid/layer_cells and
   the sessions of /punctures/channel_fraction (files from before them have neither). */
void hdf5out_resume_extra(hdf5out *o);

#endif
