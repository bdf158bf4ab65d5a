/*
 * f32_dwconv_nhwc__avx2: depthwise convolution, NHWC, AVX2 + FMA (8 channels
 * per ymm). Row micro-kernels from src/ukernels/dwconv_nhwc_ukernel.h: sliding-window
 * groups of 7 outputs for 3x3 at stride 1 and 2, of 8 for 5x5 (stride 1, 2)
 * and of 6 for 7x7 (stride 1), within the 16 ymm registers; a generic path
 * for every other shape and for channel multipliers > 1. The NCHW kernel
 * runs these rows on its tiles too. Driver: src/dwconv.c. Scalar twin:
 * f32_conv_direct__scalar.
 */
#include "avx2/dwconv_avx2.h"
#include "ukernels/dwconv_nhwc_ukernel.h"

/* name, Kg == 1, MR, R, S, SH, SW, DH, DW, P */
DW_NHWC_ROWS(dw_nhwc_3x3s1, true, 1, 3, 3, 0, 1, 0, 1, 7)
DW_NHWC_ROWS(dw_nhwc_3x3s2, true, 1, 3, 3, 0, 2, 0, 1, 7)
DW_NHWC_ROWS(dw_nhwc_5x5s1, true, 1, 5, 5, 0, 1, 0, 1, 8)
DW_NHWC_ROWS(dw_nhwc_5x5s2, true, 1, 5, 5, 0, 2, 0, 1, 8)
DW_NHWC_ROWS(dw_nhwc_7x7s1, true, 1, 7, 7, 0, 1, 0, 1, 6)
DW_NHWC_ROWS(dw_nhwc_any_kg1, true, 1, 0, 0, 0, 0, 0, 0, 8)
DW_NHWC_ROWS(dw_nhwc_any, false, 1, 0, 0, 0, 0, 0, 0, 8)

/* R, S, SH, SW, DH, DW (0: any), Kg == 1 only, MR, function */
const sc_dw_nhwc_entry sc_dw_nhwc_entries__avx2[] = {
    {3, 3, 0, 1, 0, 1, 1, 1, dw_nhwc_3x3s1},
    {3, 3, 0, 2, 0, 1, 1, 1, dw_nhwc_3x3s2},
    {5, 5, 0, 1, 0, 1, 1, 1, dw_nhwc_5x5s1},
    {5, 5, 0, 2, 0, 1, 1, 1, dw_nhwc_5x5s2},
    {7, 7, 0, 1, 0, 1, 1, 1, dw_nhwc_7x7s1},
    {0, 0, 0, 0, 0, 0, 1, 1, dw_nhwc_any_kg1},
    {0, 0, 0, 0, 0, 0, 0, 1, dw_nhwc_any},
};

static const sc_dw_config dw_nhwc_config = {
    .vw = DW_VW,
    .nhwc = sc_dw_nhwc_entries__avx2,
};

const sc_conv_kernel sc_f32_dwconv_nhwc__avx2 =
    SC_DW_KERNEL("f32_dwconv_nhwc__avx2", SIMDCONV_ISA_AVX2,
                 dw_nhwc_config, sc_dw_fits_nhwc);
