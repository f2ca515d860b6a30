/* transport_fft: the unsplit implicit solve of one species between laterally periodic walls.
 *
 * Solves (I − dt (A − k)) u_new = u in place, with A the species' whole finite-volume operator
 * (every direction's faces as transport.c builds them: per-layer diffusivities, harmonic means
 * across layers, no-flux or Dirichlet surface and deep walls) and k ≥ 0 a constant loss rate.
 * No directional splitting: the steady state of a step is that of the semi-discrete problem,
 * whatever dt (the LOD product (I − dt A_x)(I − dt A_z) adds dt² A_x A_z, an O(dt) shift of
 * every steady state; docs/numerics.md).
 *
 * Why it is exact and cheap: with periodic lateral walls and coefficients that depend on depth
 * only, the lateral operator of every depth row is D(layer) times the periodic second
 * difference, which the real discrete Fourier basis (cos, sin of 2πκi/n) diagonalises with the
 * eigenvalue D μ_κ/h², μ_κ = 2 − 2 cos(2πκ/n). A Fourier transform of every row turns the
 * system into one tridiagonal system in depth per wavenumber, whose diagonal gains
 * dt D μ_κ/h²; the inverse transform brings the rows back. In 2D two rows make one complex
 * sequence and the transforms of many pairs run at once, vectorised across them (fftv.h);
 * each row's spectrum is unpacked from the pair's, solved, and packed again. In 3D the rows
 * are transformed along x and then along y by GSL's real mixed-radix transform (halfcomplex
 * order: slot j holds wavenumber (j + 1)/2; each slot of the x transform is a real sequence
 * in y). The matrices are M-matrices, so the exact solution
 * is non-negative for non-negative data; the transforms add rounding of the order of 1e-16
 * times the row's largest value. With k = 0 and no-flux walls the total is conserved to
 * rounding. The arithmetic of a row or slot does not depend on which thread takes it. */
#ifndef CISIM_TRANSPORT_FFT_H
#define CISIM_TRANSPORT_FFT_H

#include <stddef.h>

#include "error.h"
#include "transport_types.h"

typedef struct transport_fft transport_fft;

/* For the grid of t (its lateral directions periodic): transforms, workspaces, scratch. */
cs_status transport_fft_create(transport_fft **f, const transport *t);
void transport_fft_free(transport_fft *f);
size_t transport_fft_bytes(const transport_fft *f);

/* Whether species s of t can take this solve: lateral walls periodic, not chemotactic, no
   per-cell coefficients. */
int transport_fft_applies(const transport *t, int s);

/* u (species s) = (I − dt (A − k))⁻¹ u. Called by every thread of a parallel region
   (transport_step_at's), which share the work; every thread returns with u solved. */
void transport_fft_solve(const transport *t, transport_fft *f, int s, double *u, double dt,
                         double k);

#endif
