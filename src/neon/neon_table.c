/* The NEON ISA's kernels, best first; the planner falls back to the scalar
 * table when none fits (depthwise, until a NEON depthwise kernel exists). */
#include "neon/neon_kernels.h"

static const sc_conv_kernel *const neon_kernels[] = {
    &sc_f32_gemm_nchw_8x12__neon, /* NCHW 1x1 without padding only */
    &sc_f32_igemm_8x8__neon,
};

const sc_isa_table sc_neon_table = {
    .isa = SIMDCONV_ISA_NEON,
    .kernels = neon_kernels,
    .count = sizeof neon_kernels / sizeof *neon_kernels,
};
