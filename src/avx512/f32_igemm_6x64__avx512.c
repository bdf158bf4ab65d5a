/*
 * f32_igemm_6x64__avx512: the indirect-GEMM convolution (driver: src/igemm.c)
 * with a 6-pixel x 64-channel micro-kernel (src/ukernels/igemm_ukernel.h): 24 zmm
 * accumulators, per input channel 4 weight loads, 6 broadcasts, 24 FMAs
 * (7x32: 2 loads, 7 broadcasts, 14 FMAs): a layer with 33-64 output
 * channels reads its input once instead of twice, with fewer loads per FMA.
 * Tiles of 1-5 rows (7x7 images leave one) run tail kernels of as many rows
 * instead of all six.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx512/vec_avx512.h"

#define SC_UK_NAME f32_igemm_ukernel_6x64__avx512
#define SC_UK_STRIDED_NAME f32_igemm_strided_6x64__avx512
#define SC_UK_MR 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"

/* The tails: r rows of a 6-row tile's indirection. */
#define SC_UK_NAME f32_igemm_ukernel_6x64_tail1__avx512
#define SC_UK_MR 1
#define SC_UK_ASTRIDE 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME f32_igemm_ukernel_6x64_tail2__avx512
#define SC_UK_MR 2
#define SC_UK_ASTRIDE 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME f32_igemm_ukernel_6x64_tail3__avx512
#define SC_UK_MR 3
#define SC_UK_ASTRIDE 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME f32_igemm_ukernel_6x64_tail4__avx512
#define SC_UK_MR 4
#define SC_UK_ASTRIDE 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"
#define SC_UK_NAME f32_igemm_ukernel_6x64_tail5__avx512
#define SC_UK_MR 5
#define SC_UK_ASTRIDE 6
#define SC_UK_NV 4
#include "ukernels/igemm_ukernel.h"

static const sc_igemm_ukernel_fn igemm_6x64_tails[6] = {
    NULL,
    f32_igemm_ukernel_6x64_tail1__avx512,
    f32_igemm_ukernel_6x64_tail2__avx512,
    f32_igemm_ukernel_6x64_tail3__avx512,
    f32_igemm_ukernel_6x64_tail4__avx512,
    f32_igemm_ukernel_6x64_tail5__avx512,
};

/* Ungrouped layers whose K it pads no more than 7x32 would (K = 33..64 and
 * multiples of 64 and their near misses). Once the driver ran the taps of
 * blocks larger than half the L2 budget in runs (3x3 layers of 512
 * channels), the wider tile won on layers of more channels too: Sapphire
 * Rapids-class host, the suite's dense layers, old and new library
 * alternating in one process, NHWC, 1 thread: geomean 1.07x (res3 1.17-1.27x,
 * vgg16/conv4_2 1.07x, res5 1.03-1.11x, none below 0.99x), NCHW 1.07x,
 * 2 threads 1.08x. Earlier, without the runs, K > 64 measured 0.93-1.09x
 * (geomean 1.00) on Zen 4 and 0.87-1.25x on this host. */
static const sc_igemm_config igemm_6x64 = {
    .mr = 6,
    .nr = 64,
    .ukernel = f32_igemm_ukernel_6x64__avx512,
    .strided = f32_igemm_strided_6x64__avx512,
    .strided_rows = f32_igemm_strided_6x64__avx512_rows,
    .transpose = sc_transpose_avx,
    .prefer_merged = true,
    .pad_vs_nr = 32,
    .tails = igemm_6x64_tails,
    .constraints = "ungrouped, K padded to 64 no further than to 32; tails "
                   "of 1-5 rows",
};

const sc_conv_kernel sc_f32_igemm_6x64__avx512 = SC_IGEMM_KERNEL(
    "f32_igemm_6x64__avx512", SIMDCONV_ISA_AVX512, igemm_6x64);
