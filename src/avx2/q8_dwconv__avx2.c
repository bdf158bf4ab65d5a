/*
 * q8_dwconv__avx2: int8 depthwise convolution (channel multiplier 1),
 * NHWC, and NCHW through NHWC copies (driver: src/q8_dwconv.c), with row
 * functions from src/ukernels/q8_dwconv_ukernel.h: 8 channels per ymm: VPMOVZXBD/VPMOVSXBD, VPMADDWD by (w, 0) pairs, VPADDD.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx2/vec_avx2.h"
#include "q8_dwconv.h"

#define SC_Q8D_NAME q8_dw_row_u8__avx2
#define SC_Q8D_S8 0
#include "ukernels/q8_dwconv_ukernel.h"

#define SC_Q8D_NAME q8_dw_row_s8__avx2
#define SC_Q8D_S8 1
#include "ukernels/q8_dwconv_ukernel.h"

static const sc_q8_dw_config q8_dw_config = {
    .vw = SC_Q8D_VW,
    .wbytes = 4,
    .row = {q8_dw_row_u8__avx2, q8_dw_row_s8__avx2},
};

const sc_conv_kernel sc_q8_dwconv__avx2 = SC_Q8_DW_KERNEL(
    "q8_dwconv__avx2", SIMDCONV_ISA_AVX2, q8_dw_config, 0);
