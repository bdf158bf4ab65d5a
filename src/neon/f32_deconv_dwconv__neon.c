/*
 * f32_deconv_dwconv__neon: depthwise transposed convolutions (driver:
 * src/deconv_dw.c), each output phase a stride-1 depthwise convolution on the
 * NHWC row micro-kernels of f32_dwconv_nhwc__neon; NCHW rows on the row
 * micro-kernel of src/ukernels/deconv_dw_nchw_ukernel.h, or through the
 * transpose of f32_igemm_8x8__neon.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "neon/vec_neon.h"
#include "ukernels/deconv_dw_nchw_ukernel.h"

extern const sc_conv_kernel sc_f32_dwconv_nhwc__neon;
extern const sc_conv_kernel sc_f32_igemm_8x8__neon;

DWT_NCHW_ROW(dwt_nchw_row)

static const sc_deconv_config deconv_dwconv = {
    .inner = &sc_f32_dwconv_nhwc__neon,
    .transpose = &sc_f32_igemm_8x8__neon,
    .nchw_row = dwt_nchw_row__neon,
    .constraints = "transposed depthwise (groups == C, any channel "
                   "multiplier), at most 64 kernel rows per output phase",
};

const sc_conv_kernel sc_f32_deconv_dwconv__neon = SC_DECONV_DW_KERNEL(
    "f32_deconv_dwconv__neon", SIMDCONV_ISA_NEON, deconv_dwconv);
