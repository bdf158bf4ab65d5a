/*
 * f32_igemm_8x48__avx512: the indirect-GEMM convolution (driver: src/igemm.c)
 * with an 8-pixel x 48-channel micro-kernel (src/ukernels/igemm_ukernel.h):
 * 24 zmm accumulators, per input channel 3 weight loads, 8 broadcasts, 24
 * FMAs (6x64: 4 and 6): a layer of 48 output channels (RGBA stems) or 40
 * (odd 5x5 layers) fills lanes that 6x64 and 7x32 would leave idle (a
 * third of them at K = 48). Tiles of 1-7 rows (14x14 and 7x7 images leave
 * some) run tail kernels of as many rows.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx512/vec_avx512.h"

#define SC_UK_NAME f32_igemm_ukernel_8x48__avx512
#define SC_UK_STRIDED_NAME f32_igemm_strided_8x48__avx512
#define SC_UK_MR 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"

/* The tails: r rows of an 8-row tile's indirection. */
#define SC_UK_8X48_TAIL(R)                                                     \
  SC_UK_CAT(f32_igemm_ukernel_8x48_tail, SC_UK_CAT(R, __avx512))
#define SC_UK_NAME SC_UK_8X48_TAIL(1)
#define SC_UK_MR 1
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(2)
#define SC_UK_MR 2
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(3)
#define SC_UK_MR 3
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(4)
#define SC_UK_MR 4
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(5)
#define SC_UK_MR 5
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(6)
#define SC_UK_MR 6
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME SC_UK_8X48_TAIL(7)
#define SC_UK_MR 7
#define SC_UK_ASTRIDE 8
#define SC_UK_NV 3
#include "ukernels/igemm_ukernel.h"

static const sc_igemm_ukernel_fn igemm_8x48_tails[8] = {
    NULL,
    SC_UK_8X48_TAIL(1),
    SC_UK_8X48_TAIL(2),
    SC_UK_8X48_TAIL(3),
    SC_UK_8X48_TAIL(4),
    SC_UK_8X48_TAIL(5),
    SC_UK_8X48_TAIL(6),
    SC_UK_8X48_TAIL(7),
};

/* Ungrouped layers of 33-48 output channels, which 6x64 and 7x32 pad to
 * 64 lanes. Zen 4, old and new library in one process, cold caches, 21-31
 * rounds, NHWC: the RGBA 5x5 stem 1.29-1.33x, the 5x5 stride-3 layer of
 * 40 1.29-1.30x, 3x3 layers of 40 and 48 channels 1.27-1.28x (NCHW
 * alike). Wider K stays with the others even where this tile pads less:
 * MobileNetV2's 24->144 at 56x56 measured 0.96-0.97x (a 576->144 1x1 at
 * 14x14 1.18x), K = 96 0.84-0.99x. */
static const sc_igemm_config igemm_8x48 = {
    .mr = 8,
    .nr = 48,
    .ukernel = f32_igemm_ukernel_8x48__avx512,
    .strided = f32_igemm_strided_8x48__avx512,
    .strided_rows = f32_igemm_strided_8x48__avx512_rows,
    .transpose = sc_transpose_avx,
    .prefer_merged = true,
    .max_k = 48,
    .pad_vs_nr = 32,
    .tails = igemm_8x48_tails,
    .constraints = "ungrouped, K = 33..48; tails of 1-7 rows",
};

const sc_conv_kernel sc_f32_igemm_8x48__avx512 = SC_IGEMM_KERNEL(
    "f32_igemm_8x48__avx512", SIMDCONV_ISA_AVX512, igemm_8x48);
