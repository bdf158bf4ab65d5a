/*
 * q8_dwconv__neon: int8 depthwise convolution (channel multiplier 1),
 * NHWC, and NCHW through NHWC copies (driver: src/q8_dwconv.c), with row
 * functions from src/ukernels/q8_dwconv_ukernel.h: 8 channels: UXTL/SXTL to int16, SMLAL/SMLAL2 into two int32x4.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "neon/vec_neon.h"
#include "q8_dwconv.h"

#define SC_Q8D_NAME q8_dw_row_u8__neon
#define SC_Q8D_S8 0
#include "ukernels/q8_dwconv_ukernel.h"

#define SC_Q8D_NAME q8_dw_row_s8__neon
#define SC_Q8D_S8 1
#include "ukernels/q8_dwconv_ukernel.h"

static const sc_q8_dw_config q8_dw_config = {
    .vw = SC_Q8D_VW,
    .wbytes = 2,
    .row = {q8_dw_row_u8__neon, q8_dw_row_s8__neon},
};

const sc_conv_kernel sc_q8_dwconv__neon = SC_Q8_DW_KERNEL(
    "q8_dwconv__neon", SIMDCONV_ISA_NEON, q8_dw_config, 0);
