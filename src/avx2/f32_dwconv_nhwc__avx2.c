/*
 * f32_dwconv_nhwc__avx2: depthwise convolution, NHWC, AVX2 + FMA (8 channels
 * per ymm). Row micro-kernels from src/ukernels/dwconv_nhwc_ukernel.h: sliding-window
 * groups of 7 outputs for 3x3 at stride 1 and 2, of 8 for 5x5 (stride 1, 2)
 * and of 6 for 7x7 (stride 1), within the 16 ymm registers; a generic path
 * for every other shape and for channel multipliers > 1. The NCHW kernel
 * runs these rows on its tiles too. Driver: src/dwconv.c. Scalar twin:
 * f32_conv_direct__scalar.
 */
#include "avx2/vec_avx2.h"
#include "ukernels/dwconv_nhwc_ukernel.h"

/* One row per NHWC row function: name, Kg == 1 only, MR (output rows per
 * call), R, S, SH, SW, DH, DW (0: any value), P (outputs per sliding-window
 * group). The first match runs a layer; the last row matches every shape. */
#define DW_NHWC_SHAPES(X) \
  X(dw_nhwc_3x3s1, true, 1, 3, 3, 0, 1, 0, 1, 7) \
  X(dw_nhwc_3x3s2, true, 1, 3, 3, 0, 2, 0, 1, 7) \
  X(dw_nhwc_5x5s1, true, 1, 5, 5, 0, 1, 0, 1, 8) \
  X(dw_nhwc_5x5s2, true, 1, 5, 5, 0, 2, 0, 1, 8) \
  X(dw_nhwc_7x7s1, true, 1, 7, 7, 0, 1, 0, 1, 6) \
  X(dw_nhwc_any_kg1, true, 1, 0, 0, 0, 0, 0, 0, 8) \
  X(dw_nhwc_any, false, 1, 0, 0, 0, 0, 0, 0, 8)
DW_NHWC_LIST(DW_NHWC_SHAPES)

static const sc_dw_config dw_nhwc_config = {
    .vw = DW_VW,
    .nhwc = &sc_dw_nhwc_list__avx2,
};

const sc_conv_kernel sc_f32_dwconv_nhwc__avx2 =
    SC_DW_KERNEL("f32_dwconv_nhwc__avx2", SIMDCONV_ISA_AVX2,
                 dw_nhwc_config, nhwc);
