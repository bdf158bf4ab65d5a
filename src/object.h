/*
 * The object behind simdconv_conv, shared by the fp32 API (src/api.c) and
 * the int8 one (src/api_q8.c): the choice of kernel, the allocator, the
 * packed data, and the run that both data types go through.
 */
#ifndef SIMDCONV_OBJECT_H
#define SIMDCONV_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "conv_internal.h"

struct simdconv_conv {
  sc_problem problem;
  const sc_conv_kernel *kernel;
  simdconv_isa isa;
  simdconv_allocator allocator;
  void *packed;
  size_t packed_bytes;
  simdconv_pool_wait pool_wait;
};

/* Whether p (NULL included) is aligned for an object of `align` bytes:
 * reading an int32, float or double through a misaligned pointer is
 * undefined behaviour in C (SIMDCONV_ERR_MISALIGNED). */
static inline bool sc_ptr_aligned(const void *p, size_t align) {
  return (uintptr_t)p % align == 0;
}

/* Resolves the options (allocator, ISA, kernel: named, SIMDCONV_KERNEL or
 * the planner's) for a validated problem, checks its packed bound
 * (SIZE_OVERFLOW) and allocates the object, with nothing packed yet. *out
 * is NULL on error. */
simdconv_status sc_object_new(const sc_problem *problem,
                              const simdconv_options *options,
                              simdconv_conv **out);

/* The end of a create: *out = conv on success; on error conv (NULL or
 * partly packed) is destroyed and *out stays NULL. Returns st. */
simdconv_status sc_object_publish(simdconv_conv *conv, simdconv_status st,
                                  simdconv_conv **out);

/* Allocation through the object's allocator (SC_ALIGNMENT aligned). */
void *sc_object_alloc(const simdconv_conv *conv, size_t bytes);
void sc_object_free(const simdconv_conv *conv, void *ptr);

/* Copies the user's weights (elements of elem bytes: float or int8) to
 * canonical KRSC, flip applied. */
void sc_canonical_weights(const simdconv_desc *d, const sc_problem *p,
                          const void *w, void *krsc, size_t elem);

/* A run of either data type, the object's type checked by the caller:
 * input and output are float (F32) or byte (Q8) tensors; residual (F32
 * only) may be NULL. Checks the sizes, buffers and workspace as
 * simdconv_run() documents. */
simdconv_status sc_object_run(const simdconv_conv *conv, size_t batch,
                              size_t in_h, size_t in_w, const void *input,
                              const float *residual, float alpha,
                              void *output, void *workspace,
                              size_t workspace_size, pthreadpool_t pool);

#endif
