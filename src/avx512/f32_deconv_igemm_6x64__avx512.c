/*
 * f32_deconv_igemm_6x64__avx512: transposed convolutions (driver:
 * src/deconv.c), each output phase a stride-1 convolution of C/g -> K/g
 * channels on the micro-kernels of f32_igemm_6x64__avx512, whose fits() judges
 * that per-group problem.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "deconv.h"
#include "deconv_pix.h"

extern const sc_conv_kernel sc_f32_igemm_6x64__avx512;
extern const sc_dpair_config sc_f32_dpair__avx512;

static const sc_deconv_config deconv_6x64 = {
    .inner = &sc_f32_igemm_6x64__avx512,
    .pair = &sc_f32_dpair__avx512,
    .constraints = "transposed, not depthwise, K/g padded to 64 no further "
                   "than to 32 (per group, any groups)",
};

const sc_conv_kernel sc_f32_deconv_igemm_6x64__avx512 = SC_DECONV_IGEMM_KERNEL(
    "f32_deconv_igemm_6x64__avx512", SIMDCONV_ISA_AVX512, deconv_6x64);
