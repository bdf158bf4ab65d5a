/*
 * f32_deconv_dwconv__avx512: depthwise transposed convolutions (driver:
 * src/deconv_dw.c), each output phase a stride-1 depthwise convolution on the
 * NHWC row micro-kernels of f32_dwconv_nhwc__avx512; NCHW images through the
 * transpose of f32_igemm_7x32__avx512.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "deconv.h"

extern const sc_conv_kernel sc_f32_dwconv_nhwc__avx512;
extern const sc_conv_kernel sc_f32_igemm_7x32__avx512;

static const sc_deconv_config deconv_dwconv = {
    .inner = &sc_f32_dwconv_nhwc__avx512,
    .transpose = &sc_f32_igemm_7x32__avx512,
    .constraints = "transposed depthwise (groups == C, any channel "
                   "multiplier), at most 64 kernel rows per output phase",
};

const sc_conv_kernel sc_f32_deconv_dwconv__avx512 = SC_DECONV_DW_KERNEL(
    "f32_deconv_dwconv__avx512", SIMDCONV_ISA_AVX512, deconv_dwconv);
