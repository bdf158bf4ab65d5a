/*
 * f32_dwconv_nchw__avx2: depthwise convolution, NCHW, AVX2 + FMA (8 outputs
 * of a row per ymm).
 * From src/ukernels/dwconv_nchw_ukernel.h, chosen by src/dwconv.c:
 *  - stride 2 with zero padding (3x3, 5x5): straight from the input rows,
 *    even/odd deinterleaves of masked loads, 2 output rows per block;
 *  - other wide rows (>= 6 vectors): prepared rows (padded, split into
 *    stride phases, on the stack), 4 output rows per block for 3x3 / 5x5;
 *  - narrow rows, stride 1, zero padding, same width: flat planes (a vector
 *    spans rows of the flattened plane, masked loads from the input);
 *  - other narrow rows: tiles of one vector of channels transposed to NHWC
 *    and computed by this ISA's NHWC row functions;
 *  - a generic prepared-rows path for every other shape.
 * Scalar twin: f32_conv_direct__scalar.
 */
#include "avx2/vec_avx2.h"
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
  X(ROWS, dw_nchw_5x5s1, 2, 5, 5, 1, 1, 1, 1) \
  X(ROWS, dw_nchw_5x5s2, 2, 5, 5, 2, 2, 1, 1) \
  X(ROWS, dw_nchw_any, 0, 0, 0, 0, 0, 0, 0)
DW_NCHW_LIST(DW_NCHW_SHAPES)
DW_NCHW_BAND(dw_nchw_band)
/* Flat planes: name, vectors per block, R, S (0, 0: any kernel, last). */
#define DW_FLAT_SHAPES(X) \
  X(dw_flat_3x3, 4, 3, 3) \
  X(dw_flat_5x5, 4, 5, 5) \
  X(dw_flat_any, 0, 0, 0)
DW_FLAT_LIST(DW_FLAT_SHAPES)

static const sc_dw_config dw_nchw_config = {
    .vw = DW_VW,
    .nhwc = &sc_dw_nhwc_list__avx2,
    .nchw = &dw_nchw_list,
    .nchw_band = dw_nchw_band,
    .flat = &dw_flat_list,
};

const sc_conv_kernel sc_f32_dwconv_nchw__avx2 =
    SC_DW_KERNEL("f32_dwconv_nchw__avx2", SIMDCONV_ISA_AVX2,
                 dw_nchw_config, nchw);
