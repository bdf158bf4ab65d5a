/*
 * f32_dwconv_nhwc__neon: depthwise convolution, NHWC, AArch64 Advanced SIMD
 * (4 channels per q register). Row micro-kernels from the portable template
 * src/ukernels/dwconv_nhwc_ukernel.h over src/neon/dwconv_neon.h, with the register
 * budgets of the AVX-512 instances (32 vector registers on both):
 * sliding-window groups of 7 outputs x 2 output rows for 3x3 at stride 1
 * and 2 (14 accumulators + 9 weights + 1 input; 7 divides every MobileNet
 * width), groups of 8 for 5x5 (stride 1, 2) and 7x7 (stride 1), a generic
 * path for every other shape and for channel multipliers > 1 (TBL picks the
 * input lane of each output channel). Driver: src/dwconv.c. Scalar twin:
 * f32_conv_direct__scalar.
 */
#include "neon/dwconv_neon.h"
#include "neon/neon_kernels.h"
#include "ukernels/dwconv_nhwc_ukernel.h"

/* name, Kg == 1, MR, R, S, SH, SW, DH, DW, P */
DW_NHWC_ROWS(dw_nhwc_3x3s1, true, 2, 3, 3, 1, 1, 1, 1, 7)
DW_NHWC_ROWS(dw_nhwc_3x3s2, true, 2, 3, 3, 2, 2, 1, 1, 7)
DW_NHWC_ROWS(dw_nhwc_5x5s1, true, 1, 5, 5, 0, 1, 0, 1, 8)
DW_NHWC_ROWS(dw_nhwc_5x5s2, true, 1, 5, 5, 0, 2, 0, 1, 8)
DW_NHWC_ROWS(dw_nhwc_7x7s1, true, 1, 7, 7, 0, 1, 0, 1, 8)
DW_NHWC_ROWS(dw_nhwc_any_kg1, true, 1, 0, 0, 0, 0, 0, 0, 8)
DW_NHWC_ROWS(dw_nhwc_any, false, 1, 0, 0, 0, 0, 0, 0, 8)

/* R, S, SH, SW, DH, DW (0: any), Kg == 1 only, MR, function */
const sc_dw_nhwc_entry sc_dw_nhwc_entries__neon[] = {
    {3, 3, 1, 1, 1, 1, 1, 2, dw_nhwc_3x3s1},
    {3, 3, 2, 2, 1, 1, 1, 2, dw_nhwc_3x3s2},
    {5, 5, 0, 1, 0, 1, 1, 1, dw_nhwc_5x5s1},
    {5, 5, 0, 2, 0, 1, 1, 1, dw_nhwc_5x5s2},
    {7, 7, 0, 1, 0, 1, 1, 1, dw_nhwc_7x7s1},
    {0, 0, 0, 0, 0, 0, 1, 1, dw_nhwc_any_kg1},
    {0, 0, 0, 0, 0, 0, 0, 1, dw_nhwc_any},
};

static const sc_dw_config dw_nhwc_config = {
    .vw = DW_VW,
    .nhwc = sc_dw_nhwc_entries__neon,
};

const sc_conv_kernel sc_f32_dwconv_nhwc__neon =
    SC_DW_KERNEL("f32_dwconv_nhwc__neon", SIMDCONV_ISA_NEON,
                 dw_nhwc_config, sc_dw_fits_nhwc);
