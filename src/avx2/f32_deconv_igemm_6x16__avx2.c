/*
 * f32_deconv_igemm_6x16__avx2: transposed convolutions (driver: src/deconv.c),
 * each output phase a stride-1 convolution of C/g -> K/g channels on the
 * micro-kernels of f32_igemm_6x16__avx2, whose fits() judges that per-group
 * problem.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "deconv.h"
#include "deconv_pix.h"

extern const sc_conv_kernel sc_f32_igemm_6x16__avx2;
extern const sc_dpair_config sc_f32_dpair__avx2;

static const sc_deconv_config deconv_6x16 = {
    .inner = &sc_f32_igemm_6x16__avx2,
    .pair = &sc_f32_dpair__avx2,
    .constraints = "transposed, not depthwise (per group, any groups)",
};

const sc_conv_kernel sc_f32_deconv_igemm_6x16__avx2 = SC_DECONV_IGEMM_KERNEL(
    "f32_deconv_igemm_6x16__avx2", SIMDCONV_ISA_AVX2, deconv_6x16);
