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
#include "neon/vec_neon.h"
#include "ukernels/dwconv_nhwc_ukernel.h"

/* One row per NHWC row function: name, Kg == 1 only, MR (output rows per
 * call), R, S, SH, SW, DH, DW (0: any value), P (outputs per sliding-window
 * group). The first match runs a layer; the last row matches every shape. */
#define DW_NHWC_SHAPES(X) \
  X(dw_nhwc_3x3s1, true, 2, 3, 3, 1, 1, 1, 1, 7) \
  X(dw_nhwc_3x3s2, true, 2, 3, 3, 2, 2, 1, 1, 7) \
  X(dw_nhwc_5x5s1, true, 1, 5, 5, 0, 1, 0, 1, 8) \
  X(dw_nhwc_5x5s2, true, 1, 5, 5, 0, 2, 0, 1, 8) \
  X(dw_nhwc_7x7s1, true, 1, 7, 7, 0, 1, 0, 1, 8) \
  X(dw_nhwc_any_kg1, true, 1, 0, 0, 0, 0, 0, 0, 8) \
  X(dw_nhwc_any, false, 1, 0, 0, 0, 0, 0, 0, 8)
DW_NHWC_LIST(DW_NHWC_SHAPES)

static const sc_dw_config dw_nhwc_config = {
    .vw = DW_VW,
    .nhwc = &sc_dw_nhwc_list__neon,
};

const sc_conv_kernel sc_f32_dwconv_nhwc__neon =
    SC_DW_KERNEL("f32_dwconv_nhwc__neon", SIMDCONV_ISA_NEON,
                 dw_nhwc_config, nhwc);
