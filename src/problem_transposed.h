/* Validation, padding and output size of transposed convolutions
 * (src/problem_transposed.c), called from the shared checks in problem.c. */
#ifndef SIMDCONV_PROBLEM_TRANSPOSED_H
#define SIMDCONV_PROBLEM_TRANSPOSED_H

#include "conv_internal.h"

/* The checks of the transposed-only fields: output padding (also for a
 * forward descriptor, where it must be 0) and the padding mode. */
simdconv_status sc_transposed_check(const simdconv_desc *d);

/* padding 'same' of a transposed convolution: ONNX's SAME_UPPER, the
 * padding that makes the output size input * stride. */
simdconv_status sc_transposed_same_padding(const simdconv_desc *d,
                                           sc_problem *p);

/* The output size of one axis: (in-1)*stride + dil*(k-1) + 1 + out_pad
 * - before - after, or 0 when that is below 1. */
size_t sc_transposed_out_size(size_t in, size_t before, size_t after,
                              size_t dil, size_t k, size_t stride,
                              size_t out_pad);

#endif
