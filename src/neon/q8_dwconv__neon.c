/*
 * q8_dwconv__neon: int8 depthwise convolution (channel multiplier 1),
 * NHWC, and NCHW through NHWC copies (driver: src/q8_dwconv.c), from the
 * template src/ukernels/q8_dwconv_ukernel.h, 8 channels: UXTL/SXTL to int16,
 * SMLAL/SMLAL2 into two int32x4.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "neon/vec_neon.h"
#include "q8_dwconv.h"
#include "ukernels/q8_dwconv_ukernel.h"

SC_Q8D_DEFINE(q8_dwconv__neon, SIMDCONV_ISA_NEON, 0);
