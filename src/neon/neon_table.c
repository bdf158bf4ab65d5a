/* The NEON ISA's kernels, best first (the first whose fits() accepts a
 * problem runs it); the planner falls back to scalar. */
#include "dwconv.h"
#include "neon/neon_kernels.h"

static const sc_conv_kernel *const neon_kernels[] = {
    &sc_f32_dwconv_nhwc__neon, &sc_f32_dwconv_nchw__neon, /* depthwise */
    &sc_f32_gemm_nchw_8x12__neon, /* NCHW 1x1 without padding only */
    &sc_f32_igemm_8x8__neon,      /* everything but depthwise */
};

const sc_isa_table sc_neon_table = {
    .isa = SIMDCONV_ISA_NEON,
    .kernels = neon_kernels,
    .count = sizeof neon_kernels / sizeof *neon_kernels,
};
