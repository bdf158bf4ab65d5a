/*
 * f32_deconv_dwconv__avx2: depthwise transposed convolutions (driver:
 * src/deconv_dw.c), each output phase a stride-1 depthwise convolution on the
 * NHWC row micro-kernels of f32_dwconv_nhwc__avx2; NCHW rows on the row
 * micro-kernel of src/ukernels/deconv_dw_nchw_ukernel.h, or through the
 * transpose of f32_igemm_6x16__avx2.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx2/vec_avx2.h"
#include "ukernels/deconv_dw_nchw_ukernel.h"

extern const sc_conv_kernel sc_f32_dwconv_nhwc__avx2;
extern const sc_conv_kernel sc_f32_igemm_6x16__avx2;

DWT_NCHW_ROW(dwt_nchw_row)

static const sc_deconv_config deconv_dwconv = {
    .inner = &sc_f32_dwconv_nhwc__avx2,
    .transpose = &sc_f32_igemm_6x16__avx2,
    .nchw_row = dwt_nchw_row__avx2,
    .constraints = "transposed depthwise (groups == C, any channel "
                   "multiplier), at most 64 kernel rows per output phase",
};

const sc_conv_kernel sc_f32_deconv_dwconv__avx2 = SC_DECONV_DW_KERNEL(
    "f32_deconv_dwconv__avx2", SIMDCONV_ISA_AVX2, deconv_dwconv);
