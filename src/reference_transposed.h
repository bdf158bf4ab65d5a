/* The transposed convolution's fp64 oracle (src/reference_transposed.c) and
 * the parts of the forward oracle it shares (src/reference.c): the
 * activations in double and the error bound of docs/numerics.md. */
#ifndef SIMDCONV_REFERENCE_TRANSPOSED_H
#define SIMDCONV_REFERENCE_TRANSPOSED_H

#include "simdconv.h"

/* simdconv_reference() for a descriptor with transposed set. */
simdconv_status sc_reference_transposed(const simdconv_desc *desc,
                                        size_t batch, size_t in_h, size_t in_w,
                                        const float *input,
                                        const float *weights,
                                        const float *bias, double *ref,
                                        double *bound);

/* The activation in double, as the forward oracle applies it. */
double sc_ref_activate(simdconv_activation act, double lo, double hi,
                       double s);

/* The bound of an output whose exact sum is s, with the given scale
 * (|b| + sum |x*w|) and number of taps (fmas) n. */
double sc_ref_bound(simdconv_activation act, double taps, double s,
                    double scale);

#endif
