/*
 * f32_dwconv_nchw__neon: depthwise convolution, NCHW, AArch64 Advanced SIMD
 * (4 outputs of a row per q register).
 * From the portable template src/ukernels/dwconv_nchw_ukernel.h over
 * src/neon/dwconv_neon.h, chosen by src/dwconv.c:
 *  - stride 2 with zero padding (3x3, 5x5): straight from the input rows,
 *    UZP1/UZP2 deinterleaves of (lane-masked at the borders) loads, 2 output
 *    rows per block;
 *  - every other shape: prepared rows (padded, split into stride phases, on
 *    the stack), 4 output rows per block for 3x3 / 5x5 at stride 1 and 3x3
 *    at stride 2, 2 for 5x5 at stride 2 (the R*S broadcast weights + MR
 *    accumulators stay in the 32 registers), a generic row at a time path
 *    otherwise.
 * No tiles (nchw_band): the template's tile path is x86-only, so narrow
 * planes run prepared rows too.
 * Scalar twin: f32_conv_direct__scalar.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwconv.h"
#include "neon/vec_neon.h"
#include "padding.h"

#include "ukernels/dwconv_nchw_ukernel.h"

/* One row per NCHW row function: kind (ROWS: prepared rows; S2: stride 2
 * straight from the input, zero padding only), name, MR (output rows per
 * block; 0: any shape), R, S, SH, SW, DH, DW (0: any value). The first match
 * runs a layer; the last row matches every shape. */
#define DW_NCHW_SHAPES(X) \
  X(S2, dw_nchw_3x3s2_direct, 2, 3, 3, 2, 2, 1, 1) \
  X(S2, dw_nchw_5x5s2_direct, 2, 5, 5, 2, 2, 1, 1) \
  X(ROWS, dw_nchw_3x3s1, 4, 3, 3, 1, 1, 1, 1) \
  X(ROWS, dw_nchw_3x3s2, 4, 3, 3, 2, 2, 1, 1) \
  X(ROWS, dw_nchw_5x5s1, 4, 5, 5, 1, 1, 1, 1) \
  X(ROWS, dw_nchw_5x5s2, 2, 5, 5, 2, 2, 1, 1) \
  X(ROWS, dw_nchw_any, 0, 0, 0, 0, 0, 0, 0)
DW_NCHW_LIST(DW_NCHW_SHAPES)

static const sc_dw_config dw_nchw_config = {
    .vw = DW_VW,
    .nhwc = &sc_dw_nhwc_list__neon,
    .nchw = &dw_nchw_list,
    .nchw_band = NULL, /* no NEON tile path (see above) */
};

const sc_conv_kernel sc_f32_dwconv_nchw__neon =
    SC_DW_KERNEL("f32_dwconv_nchw__neon", SIMDCONV_ISA_NEON,
                 dw_nchw_config, nchw);
