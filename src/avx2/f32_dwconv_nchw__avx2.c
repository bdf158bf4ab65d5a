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
#include "avx2/dwconv_avx2.h"
#include "ukernels/dwconv_nchw_ukernel.h"

/* name, MR, R, S, SH, SW, DH, DW (MR 0: any shape) */
DW_NCHW_ROWS(dw_nchw_3x3s1, 4, 3, 3, 1, 1, 1, 1)
DW_NCHW_ROWS(dw_nchw_3x3s2, 4, 3, 3, 2, 2, 1, 1)
DW_NCHW_ROWS(dw_nchw_5x5s1, 2, 5, 5, 1, 1, 1, 1)
DW_NCHW_ROWS(dw_nchw_5x5s2, 2, 5, 5, 2, 2, 1, 1)
DW_NCHW_ROWS(dw_nchw_any, 0, 0, 0, 0, 0, 0, 0)
/* name, MR, R, S, SH, DH, DW (stride_w 2, zero padding) */
DW_NCHW_S2(dw_nchw_3x3s2_direct, 2, 3, 3, 2, 1, 1)
DW_NCHW_S2(dw_nchw_5x5s2_direct, 2, 5, 5, 2, 1, 1)
DW_NCHW_BAND(dw_nchw_band)
/* name, vectors per block, taps (0: any kernel) */
DW_NCHW_FLAT(dw_flat_3x3, 4, 9)
DW_NCHW_FLAT(dw_flat_5x5, 4, 25)
DW_NCHW_FLAT(dw_flat_any, 0, 0)

/* R, S, SH, SW, DH, DW (0: any), MR, function, zero padding only */
static const sc_dw_nchw_entry dw_nchw_entries[] = {
    {3, 3, 2, 2, 1, 1, 2, dw_nchw_3x3s2_direct, 1},
    {5, 5, 2, 2, 1, 1, 2, dw_nchw_5x5s2_direct, 1},
    {3, 3, 1, 1, 1, 1, 4, dw_nchw_3x3s1, 0},
    {3, 3, 2, 2, 1, 1, 4, dw_nchw_3x3s2, 0},
    {5, 5, 1, 1, 1, 1, 2, dw_nchw_5x5s1, 0},
    {5, 5, 2, 2, 1, 1, 2, dw_nchw_5x5s2, 0},
    {0, 0, 0, 0, 0, 0, 1, dw_nchw_any, 0},
};

/* R, S (0: any), function */
static const sc_dw_flat_entry dw_flat_entries[] = {
    {3, 3, dw_flat_3x3},
    {5, 5, dw_flat_5x5},
    {0, 0, dw_flat_any},
};

static const sc_dw_config dw_nchw_config = {
    .vw = DW_VW,
    .nhwc = sc_dw_nhwc_entries__avx2,
    .nchw = dw_nchw_entries,
    .nchw_band = dw_nchw_band,
    .flat = dw_flat_entries,
};

const sc_conv_kernel sc_f32_dwconv_nchw__avx2 =
    SC_DW_KERNEL("f32_dwconv_nchw__avx2", SIMDCONV_ISA_AVX2,
                 dw_nchw_config, sc_dw_fits_nchw);
