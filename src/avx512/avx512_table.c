/* The AVX-512 ISA's kernels, best first (the first whose fits() accepts a
 * problem runs it); the planner falls back to AVX2 and then scalar. */
#include "avx512/avx512_kernels.h"
#include "dwconv.h"

static const sc_conv_kernel *const avx512_kernels[] = {
    &sc_f32_dwconv_nhwc__avx512, &sc_f32_dwconv_nchw__avx512, /* depthwise */
    &sc_f32_gemm_nchw_16x16__avx512, /* NCHW 1x1, no padding */
    &sc_f32_igemm_8x16__avx512, /* K <= 16, ungrouped */
    &sc_f32_igemm_6x64__avx512, /* 32 < K <= 64, ungrouped */
    &sc_f32_igemm_7x32__avx512, /* everything but depthwise */
};

const sc_isa_table sc_avx512_table = {
    .isa = SIMDCONV_ISA_AVX512,
    .kernels = avx512_kernels,
    .count = sizeof avx512_kernels / sizeof *avx512_kernels,
};
