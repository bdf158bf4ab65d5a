/*
 * f32_deconv_igemm_8x8__neon: transposed convolutions (driver: src/deconv.c),
 * each output phase a stride-1 convolution of C/g -> K/g channels on the
 * micro-kernels of f32_igemm_8x8__neon, whose fits() judges that per-group
 * problem.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "deconv.h"
#include "deconv_pix.h"

extern const sc_conv_kernel sc_f32_igemm_8x8__neon;
extern const sc_dpair_config sc_f32_dpair__neon;

static const sc_deconv_config deconv_8x8 = {
    .inner = &sc_f32_igemm_8x8__neon,
    .pair = &sc_f32_dpair__neon,
    .constraints = "transposed, not depthwise (per group, any groups)",
};

const sc_conv_kernel sc_f32_deconv_igemm_8x8__neon = SC_DECONV_IGEMM_KERNEL(
    "f32_deconv_igemm_8x8__neon", SIMDCONV_ISA_NEON, deconv_8x8);
