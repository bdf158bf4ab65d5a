/* The AVX2 ISA's kernels, best first (the first whose fits() accepts a
 * problem runs it); the planner falls back to scalar. */
#include "avx2/avx2_kernels.h"
#include "dwconv.h"

static const sc_conv_kernel *const avx2_kernels[] = {
    &sc_f32_dwconv_nhwc__avx2, &sc_f32_dwconv_nchw__avx2, /* depthwise */
    &sc_f32_gemm_nchw_6x16__avx2, /* NCHW 1x1, no padding */
    &sc_f32_igemm_6x16__avx2,     /* everything but depthwise */
};

const sc_isa_table sc_avx2_table = {
    .isa = SIMDCONV_ISA_AVX2,
    .kernels = avx2_kernels,
    .count = sizeof avx2_kernels / sizeof *avx2_kernels,
};
