/*
 * f32_dwconv_nchw__neon: depthwise convolution, NCHW, AArch64 Advanced SIMD
 * (4 outputs of a row per q register). Micro-kernels from the portable
 * template src/x86/dwconv_nchw.h over src/neon/dwconv_neon.h: 4 output rows
 * per call for 3x3 / 5x5 at stride 1 and 3x3 at stride 2, 2 for 5x5 at
 * stride 2 (stride 2 deinterleaves with UZP1/UZP2; the R*S broadcast weights
 * + MR accumulators stay in the 32 registers), a generic row at a time path
 * otherwise. Driver: src/dwconv.c. Scalar twin: f32_conv_direct__scalar.
 */
#include "dwconv.h"
#include "neon/dwconv_neon.h"
#include "neon/neon_kernels.h"
#include "x86/dwconv_nchw.h"

DW_NCHW_ROWS(dw_nchw_3x3s1, 4, 3, 3, 1, 1, 1, 1)
DW_NCHW_ROWS(dw_nchw_3x3s2, 4, 3, 3, 2, 2, 1, 1)
DW_NCHW_ROWS(dw_nchw_5x5s1, 4, 5, 5, 1, 1, 1, 1)
DW_NCHW_ROWS(dw_nchw_5x5s2, 2, 5, 5, 2, 2, 1, 1)
DW_NCHW_ROWS(dw_nchw_any, 0, 0, 0, 0, 0, 0, 0)

static const sc_dw_nchw_entry dw_nchw_entries[] = {
    {3, 3, 1, 1, 1, 1, 4, dw_nchw_3x3s1},
    {3, 3, 2, 2, 1, 1, 4, dw_nchw_3x3s2},
    {5, 5, 1, 1, 1, 1, 4, dw_nchw_5x5s1},
    {5, 5, 2, 2, 1, 1, 2, dw_nchw_5x5s2},
    {0, 0, 0, 0, 0, 0, 1, dw_nchw_any},
};

static const sc_dw_config dw_nchw_config = {
    .vw = DW_VW,
    .nchw = dw_nchw_entries,
    .n_nchw = sizeof dw_nchw_entries / sizeof *dw_nchw_entries,
};

const sc_conv_kernel sc_f32_dwconv_nchw__neon = {
    .name = "f32_dwconv_nchw__neon",
    .isa = SIMDCONV_ISA_NEON,
    .config = &dw_nchw_config,
    .fits = sc_dw_fits_nchw,
    .packed_size = sc_dw_packed_size,
    .pack = sc_dw_pack,
    .workspace_size = sc_dw_workspace_size,
    .run = sc_dw_run,
};
