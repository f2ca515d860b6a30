/* reaction: integrates every cell's reaction ODE  du/dt = f(t,u) - k(t,u).*u  over a split step.
 *
 * Per cell, exponential time differencing (ETD2RK with an embedded exponential Euler step):
 * the linear loss k, frozen at the start of each substep, is integrated exactly, and so is a
 * constant source on top of it, so fast decay never limits the substep; the rest is controlled
 * to |err| <= atol_s + rtol*|u| per species s by adapting the substep (atol_s: reaction_atol). Cells are independent, so
 * the result does not depend on the number of threads.
 *
 * For speed the first substep (the whole split step, which nearly every cell takes in one)
 * runs on blocks of cells along x, vectorised, through the model's block reaction where it
 * has one; a cell that needs more substeps is then integrated alone, from the start. Every
 * cell gets the same arithmetic on either path, in any block and on any instruction set, so
 * the bits do not depend on the blocking either. */
#ifndef CISIM_REACTION_H
#define CISIM_REACTION_H

#include "error.h"
#include "grid.h"
#include "model.h"

typedef struct reaction reaction;

cs_status reaction_create(reaction **r, const grid *g, const model *m, const void *inst,
                          double rtol, double atol, int nthreads);
void reaction_free(reaction *r);

/* Recompute the per-cell source weights (after a model event). */
void reaction_update_sources(reaction *r);

/* Work on one x row (index k * ny + j) just before and just after its reaction, on the
   thread that reacts it: a row's work in the reaction's own pass, not a parallel region of
   its own. Either may be NULL; after is not called on a row that failed. */
typedef struct {
  void (*before)(void *ctx, int row);
  void (*after)(void *ctx, int row);
  void *ctx;
} reaction_rows;
/* The pass of reaction_step_rows in two parts, for a caller that runs several passes in one
   parallel region: reaction_rows_in is called by every thread of the region (the rows shared
   out; every thread returns with all of them done), reaction_rows_result by one thread
   afterwards (the substeps added up in row order, a failed row's message). */
void reaction_rows_in(reaction *r, double *const *u, double *const *from, double t, double dt,
                      const reaction_rows *rows);
cs_status reaction_rows_result(reaction *r, double t, long *substeps);
int reaction_threads(const reaction *r);
/* Advance every cell from t to t + dt in place, starting from the state from (u is
   overwritten; from is not changed: the bits of copying from to u first, without a pass of its
   own; NULL: u itself), with work around each row (rows NULL: none). Fails (CS_ERR_RUN) when a
   cell needs more than the allowed number of substeps or produces a non-finite value; the
   message names the cell and species. *substeps receives the total number of accepted
   substeps. reaction_step and reaction_step_from: the same without rows (and from). */
static inline cs_status reaction_step_rows(reaction *r, double *const *u, double *const *from,
                                           double t, double dt, long *substeps,
                                           const reaction_rows *rows) {
#pragma omp parallel num_threads(reaction_threads(r))
  reaction_rows_in(r, u, from, t, dt, rows);
  return reaction_rows_result(r, t, substeps);
}
static inline cs_status reaction_step(reaction *r, double *const *u, double t, double dt,
                                      long *substeps) {
  return reaction_step_rows(r, u, NULL, t, dt, substeps, NULL);
}
static inline cs_status reaction_step_from(reaction *r, double *const *u, double *const *from,
                                           double t, double dt, long *substeps) {
  return reaction_step_rows(r, u, from, t, dt, substeps, NULL);
}

/* Hold species s at its value through every reaction pass from now on: its source and loss
   read as 0, so the other species see it as it was at the start of the pass (the second-order
   scheme solves it with its transport instead: step2.h). */
void reaction_freeze(reaction *r, int s);

/* The absolute tolerance of each species: atol times its species_info scale (0: 1). */
void reaction_atol(const model *m, double atol, double *out);

/* One cell, as the 0-D mode and the tests use it. */
cs_status reaction_integrate_cell(const model *m, const void *inst, const cell_info *c,
                                  double *u, double t, double dt, double rtol, double atol,
                                  long *substeps);

/* Instruction sets (MODEL_ISA_*): whether this CPU runs one, and its name. */
int reaction_cpu_has(int isa);
const char *reaction_isa_name(int isa);
/* The one in use: the widest the CPU has, unless set (for tests: the results are the same). */
int reaction_isa(const reaction *r);
cs_status reaction_set_isa(reaction *r, int isa);
/* Split rows into blocks of at most n cells (1 <= n <= 256, the default; for tests). */
cs_status reaction_set_block(reaction *r, int n);

/* The cell_info of cell (i, j, k), source weight included. */
void reaction_cell_info(const reaction *r, int i, int j, int k, cell_info *c);
size_t reaction_bytes(const reaction *r);

#endif
