/* fftv: complex discrete Fourier transforms of one length n, of many sequences at once.
 *
 * The sequences are stored transposed, as rows of a table: element j of sequence p is at
 * re[j*P + p], im[j*P + p]. Every butterfly then works on whole rows of P values, so its inner
 * loops run over contiguous memory and vectorise across the sequences (P of them), which one
 * transform at a time cannot do for the short lengths of a lateral grid line (GSL's mixed-radix
 * transform of 130 points, 2·5·13, spent 2 µs a line in its generic radix-13 pass).
 *
 * Mixed radix, decimation in time, in place: the input is read in digit-reversed order (the
 * caller puts element j at row fftv_perm(f)[j], which costs nothing where it is transposing
 * anyway) and the output comes out in natural order. Radix 4 and 2 butterflies are written out;
 * every other prime factor goes through a direct DFT of its size, with twiddles cos and sin of
 * exact angles. Forward and unnormalised: X_k = Σ_j x_j e^{−2πi jk/n}; the inverse is
 * conj(fftv_forward(conj X)) / n. Only correctly rounded operations, in a fixed order: the same
 * bits for any P and any thread. */
#ifndef CISIM_FFTV_H
#define CISIM_FFTV_H

#include <stddef.h>

#include "error.h"

typedef struct fftv fftv;

cs_status fftv_create(fftv **f, int n);
void fftv_free(fftv *f);
int fftv_n(const fftv *f);
/* Row of the table where element j of each sequence goes before fftv_forward. */
const int *fftv_perm(const fftv *f);
/* Doubles of scratch fftv_forward needs for P sequences. */
size_t fftv_scratch(const fftv *f, int P);
/* Transform the P sequences of re, im ([n][P] each) in place. */
void fftv_forward(const fftv *f, int P, double *re, double *im, double *scratch);

#endif
