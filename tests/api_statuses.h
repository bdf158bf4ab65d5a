/*
 * The statuses each public function documents (include/simdconv.h), as bit
 * sets: test_api drives every one of them, and the fuzz target checks that
 * no call returns a status outside its function's set.
 */
#ifndef SIMDCONV_API_STATUSES_H
#define SIMDCONV_API_STATUSES_H

#include <stdint.h>

#include <simdconv.h>

#define ST(s) (UINT64_C(1) << SIMDCONV_##s)

#define ST_VALIDATE                                                          \
  (ST(OK) | ST(ERR_NULL_POINTER) | ST(ERR_INVALID_ENUM) |                   \
   ST(ERR_INVALID_SIZE) | ST(ERR_INVALID_ACTIVATION) |                      \
   ST(ERR_INVALID_GROUPS) | ST(ERR_SAME_PADDING_STRIDE) |                   \
   ST(ERR_OUTPUT_PADDING) | ST(ERR_PADDING_MODE) | ST(ERR_OUTPUT_SHAPE))
/* The descriptor's padding is ignored: never SAME_PADDING_STRIDE. */
#define ST_TRANSPOSED_PADDING (ST_VALIDATE & ~ST(ERR_SAME_PADDING_STRIDE))
#define ST_DESC_INIT (ST(OK) | ST(ERR_NULL_POINTER))
#define ST_RESOLVED_PADDING ST_VALIDATE
#define ST_SHAPE_CHECKS                                                      \
  (ST(ERR_INVALID_SIZE) | ST(ERR_PADDING_TOO_LARGE) |                       \
   ST(ERR_EMPTY_OUTPUT) | ST(ERR_SIZE_OVERFLOW))
#define ST_OUTPUT_SHAPE (ST_VALIDATE | ST_SHAPE_CHECKS)
#define ST_ISA_CHECK                                                         \
  (ST(OK) | ST(ERR_INVALID_ENUM) | ST(ERR_ISA_NOT_BUILT) |                  \
   ST(ERR_ISA_NOT_SUPPORTED) | ST(ERR_ISA_DISABLED))
#define ST_ISA_FROM_NAME (ST(OK) | ST(ERR_NULL_POINTER) | ST(ERR_INVALID_ENUM))
#define ST_CREATE                                                            \
  (ST_VALIDATE | ST_ISA_CHECK | ST(ERR_MISALIGNED) |                        \
   ST(ERR_INVALID_ALLOCATOR) | ST(ERR_SIZE_OVERFLOW) |                      \
   ST(ERR_OUT_OF_MEMORY) | ST(ERR_UNKNOWN_KERNEL) |                         \
   ST(ERR_KERNEL_NOT_SUPPORTED) | ST(ERR_KERNEL_UNSUITABLE))
#define ST_WORKSPACE_SIZE (ST(OK) | ST(ERR_NULL_POINTER) | ST_SHAPE_CHECKS)
#define ST_RUN_Q8                                                            \
  (ST_WORKSPACE_SIZE | ST(ERR_DTYPE_MISMATCH) | ST(ERR_BUFFER_OVERLAP) |    \
   ST(ERR_WORKSPACE_TOO_SMALL) | ST(ERR_OUT_OF_MEMORY))
#define ST_RUN (ST_RUN_Q8 | ST(ERR_MISALIGNED))
#define ST_GET_INFO (ST(OK) | ST(ERR_NULL_POINTER))
#define ST_CONV2D                                                            \
  (ST_VALIDATE | ST_SHAPE_CHECKS | ST(ERR_MISALIGNED) |                     \
   ST(ERR_OUT_OF_MEMORY) | ST(ERR_BUFFER_OVERLAP))
#define ST_REFERENCE (ST_OUTPUT_SHAPE | ST(ERR_MISALIGNED))
#define ST_COMPARE (ST(OK) | ST(ERR_NULL_POINTER) | ST(ERR_MISALIGNED))
#define ST_KERNEL_LOOKUP                                                     \
  (ST(OK) | ST(ERR_NULL_POINTER) | ST(ERR_UNKNOWN_KERNEL))
#define ST_ACTIVATION_FROM_NAME ST_ISA_FROM_NAME

/* The int8 functions. */
/* PADDING_MODE and OUTPUT_SHAPE concern transposed descriptors only, which
 * get TRANSPOSED_INT8 first. */
#define ST_VALIDATE_Q8                                                       \
  ((ST_VALIDATE & ~(ST(ERR_PADDING_MODE) | ST(ERR_OUTPUT_SHAPE))) |         \
   ST(ERR_TRANSPOSED_INT8) | ST(ERR_OUTPUT_PADDING) |                       \
   ST(ERR_UNSUPPORTED_ACTIVATION) | ST(ERR_MISALIGNED) |                    \
   ST(ERR_INVALID_QPARAMS) | ST(ERR_ACCUMULATOR_OVERFLOW))
/* No SIZE_OVERFLOW: the reduction-length rule (ACCUMULATOR_OVERFLOW)
 * keeps the int8 packed bound below 2^57. */
#define ST_CREATE_Q8                                                         \
  (ST_VALIDATE_Q8 | ST_ISA_CHECK | ST(ERR_INVALID_ALLOCATOR) |              \
   ST(ERR_OUT_OF_MEMORY) | ST(ERR_UNKNOWN_KERNEL) |                         \
   ST(ERR_KERNEL_NOT_SUPPORTED) | ST(ERR_KERNEL_UNSUITABLE))
#define ST_REFERENCE_Q8 (ST_VALIDATE_Q8 | ST_SHAPE_CHECKS)
#define ST_QUANTIZE_BIAS                                                     \
  (ST(OK) | ST(ERR_NULL_POINTER) | ST(ERR_MISALIGNED) |                     \
   ST(ERR_INVALID_QPARAMS))

/* Whether status st is in the set. */
static inline int st_in(uint64_t set, simdconv_status st) {
  return (unsigned)st < 64 && (set >> (unsigned)st & 1u);
}

#endif
