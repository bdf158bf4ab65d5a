/* Descriptor validation, padding resolution and run-shape checks. */
#ifndef SIMDCONV_PROBLEM_H
#define SIMDCONV_PROBLEM_H

#include "conv_internal.h"

/* Validates desc and fills the shape-independent problem (has_bias and
 * weights_finite are left false: the caller knows them). */
simdconv_status sc_problem_init(const simdconv_desc *desc, sc_problem *p);

/* Checks a run's batch and input size against the problem and fills s. */
simdconv_status sc_shape_init(const sc_problem *p, size_t batch, size_t in_h,
                              size_t in_w, sc_shape *s);

/* a * b, or false on size_t overflow. */
static inline bool sc_mul_ok(size_t a, size_t b, size_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}

/* Product of n factors, or false on overflow. */
bool sc_product_ok(const size_t *factors, size_t n, size_t *out);

/* Elements of the input and the output of a run. */
bool sc_shape_elements(const sc_problem *p, const sc_shape *s,
                       size_t *in_elems, size_t *out_elems);

#endif
