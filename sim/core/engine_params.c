/* The engine's own parameters: everything that is not biology. */
#include <math.h>

#include "params.h"

const param_desc params_engine_registry[] = {
    {"model", P_STRING, "", NULL, 0, 0, NULL, 0, 0, 0,
     "model to run (see `cisim models`)"},
    {"grid.dims", P_INT, "-", "2", 2, 3, NULL, 0, 0, 0,
     "2: cross-section (x, depth); 3: block (x, y, depth)"},
    {"grid.size_um", P_REALS, "µm", NULL, 1e-6, 1e9, NULL, 0, 2, 3,
     "domain size: [x, depth] in 2D, [x, y, depth] in 3D"},
    {"grid.spacing_um", P_REAL, "µm", "10", 1e-6, 1e9, NULL, 0, 0, 0,
     "cell edge length (cubic cells); must divide every size"},
    {"grid.boundary.x", P_ENUM, "", "periodic", 0, 0, "periodic|noflux", 0, 0, 0,
     "lateral boundary across x"},
    {"grid.boundary.y", P_ENUM, "", "periodic", 0, 0, "periodic|noflux", 0, 0, 0,
     "lateral boundary across y (3D only)"},
    {"grid.boundary.surface", P_ENUM, "", "noflux", 0, 0, "noflux|dirichlet", 0, 0, 0,
     "skin surface (z = 0)"},
    {"grid.boundary.deep", P_ENUM, "", "noflux", 0, 0, "noflux|dirichlet", 0, 0, 0,
     "deep boundary (z = depth); dirichlet holds each species at the model's boundary value"},
    {"time.end_day", P_REAL, "day", NULL, 0, 1e6, NULL, 0, 0, 0, "simulated time to reach"},
    {"time.output_every_day", P_REAL, "day", "1", 1e-9, 1e6, NULL, 0, 0, 0,
     "interval between snapshots (the first is at t = 0, the last at end_day)"},
    {"time.dt_initial_day", P_REAL, "day", "1e-3", 1e-12, 1e6, NULL, 0, 0, 0,
     "first step, and the step after every model event (e.g. a treatment session)"},
    {"time.dt_min_day", P_REAL, "day", "1e-9", 1e-15, 1e6, NULL, 0, 0, 0,
     "smallest step before the run fails"},
    {"time.dt_max_day", P_REAL, "day", "1", 1e-12, 1e6, NULL, 0, 0, 0, "largest step"},
    {"time.rtol", P_REAL, "-", "1e-3", 1e-12, 1, NULL, 0, 0, 0,
     "relative tolerance on the local error estimate of a step"},
    {"time.atol", P_REAL, "-", "1e-6", 0, 1e30, NULL, 0, 0, 0,
     "absolute tolerance (in each species' unit) on the local error estimate"},
    {"time.adaptive", P_BOOL, "", "true", 0, 1, NULL, 0, 0, 0,
     "adapt the step to the tolerances; false: constant dt_max_day (landing on events)"},
    {"time.scheme", P_ENUM, "", "second_order", 0, 0, "second_order|first_order", 0, 0, 0,
     "time integration: second_order (the Lie step reaction-then-LOD-transport, extrapolated from "
     "dt and 2 x dt/2: step-doubling error estimate) or first_order (a Strang step with one LOD "
     "solve; docs/numerics.md)"},
    {"time.nonnegative", P_BOOL, "", "true", 0, 1, NULL, 0, 0, 0,
     "second_order: where the extrapolation would turn a non-negative value negative, set it to "
     "0 and take the mass from the positive corrections (conservative); false: the plain linear "
     "extrapolation, for signed fields and linear verification"},
    {"time.error_estimate", P_ENUM, "", "end_of_step", 0, 0, "end_of_step|after_transport", 0,
     0, 0,
     "first_order only: state the step error is measured on; after_transport for localised "
     "sources under fast diffusion (docs/numerics.md)"},
    {"initial.from", P_STRING, "", "\"\"", 0, 0, NULL, 0, 0, 0,
     "start from a snapshot of this HDF5 file in the run-file layout (an earlier run, or fields a "
     "script wrote; \"\": the model's own initial state; docs/run-file.md)"},
    {"initial.day", P_REAL, "day", "-1", -1, 1e6, NULL, 0, 0, 0,
     "initial.from: the day of the snapshot to start from, exactly one of the file's /time days "
     "(-1: its last snapshot); the run's own clock still starts at 0"},
    {"output.file", P_STRING, "", "run.h5", 0, 0, NULL, 0, 0, 0,
     "run file (HDF5); -o on the command line wins"},
    {"output.precision", P_ENUM, "", "double", 0, 0, "double|single", 0, 0, 0,
     "floating-point type of the field snapshots"},
    {"output.compression", P_INT, "-", "4", 0, 9, NULL, 0, 0, 0,
     "deflate level of field snapshots (0: none)"},
    {"output.compression_strategy", P_ENUM, "", "rle", 0, 0, "rle|default", 0, 0, 0,
     "zlib strategy of that deflate: rle (runs of one byte only, and byte planes that would "
     "shrink by less than 7 % stored: under half the output time of the default run, files "
     "about 3 % larger) or default (the bytes HDF5's own filter writes); any reader inflates "
     "either"},
    {"output.summary_days", P_REALS, "day", "[]", 0, 1e6, NULL, 0, 0, 100,
     "days the end-of-run outcome summary shows, exactly: steps land on each ([]: the snapshots "
     "every 30 days, and the end)"},
    {"output.series_every_day", P_REAL, "day", "0", 0, 1e6, NULL, 0, 0, 0,
     "time between rows of /series (0: a row after every accepted step, which resolves the "
     "hour-long peaks after a session; > 0: steps land on each multiple; docs/run-file.md)"},
    {"checkpoint.every_day", P_REAL, "day", "0", 0, 1e6, NULL, 0, 0, 0,
     "write a checkpoint (RUN.h5.ckpt) each time simulated time passes a multiple of this (0: "
     "never; docs/checkpoint.md)"},
    {"checkpoint.every_minutes", P_REAL, "min", "30", 0, 1e6, NULL, 0, 0, 0,
     "write a checkpoint after this much wall-clock time since the last one (0: never)"},
    {NULL, P_REAL, NULL, NULL, 0, 0, NULL, 0, 0, 0, NULL},
};
