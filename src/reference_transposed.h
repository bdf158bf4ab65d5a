/* The transposed convolution's fp64 oracle (src/reference_transposed.c) and
 * the parts of the forward oracle it shares (src/reference.c): the residual,
 * the activations in double, the error bound of docs/numerics.md and the
 * size-rule arithmetic. */
#ifndef SIMDCONV_REFERENCE_TRANSPOSED_H
#define SIMDCONV_REFERENCE_TRANSPOSED_H

#include <stdbool.h>

#include "simdconv.h"

/* simdconv_reference_residual() for a descriptor with transposed set. */
simdconv_status sc_reference_transposed(const simdconv_desc *desc,
                                        size_t batch, size_t in_h, size_t in_w,
                                        const float *input,
                                        const float *weights,
                                        const float *bias,
                                        const float *residual, float alpha,
                                        double *ref, double *bound);

/* One output of a transposed convolution through the forward oracle's
 * epilogue: act(s + alpha * r) from the exact sum s of its `taps` fmas;
 * *bound (NULL: none) goes from the sum's scale (|b| + sum |x*w|) to the
 * output's bound (docs/numerics.md); r NULL: no residual. */
double sc_ref_output(simdconv_activation act, double lo, double hi,
                     double taps, double s, double *bound, const float *r,
                     float alpha);

/* The product of n factors times `scale`, plus `add`, in *out; false on
 * size_t overflow (the oracles' size rules). */
bool sc_ref_bytes(size_t scale, const size_t *f, size_t n, size_t add,
                  size_t *out);

#endif
