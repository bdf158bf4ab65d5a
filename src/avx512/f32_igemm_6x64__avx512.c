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

/* Ungrouped layers with K = 33..64 (pads K no more than 7x32 would); the
 * suite's layers, cold, old and new library alternating in one process:
 * K = 64 1.04-1.26x (vgg16/conv1_2 1.26x, 384->64 1.07x); with K > 64 the
 * input is re-read from L2 by either tile and 6x64 measured 0.93-1.09x
 * (geomean 1.00), so those stay with 7x32. */
static const sc_igemm_config igemm_6x64 = {
    .mr = 6,
    .nr = 64,
    .ukernel = f32_igemm_ukernel_6x64__avx512,
    .transpose = sc_transpose_avx,
    .max_k = 64,
    .pad_vs_nr = 32,
    .tails = igemm_6x64_tails,
    .constraints = "ungrouped, 32 < K <= 64; tails of 1-5 rows",
};

const sc_conv_kernel sc_f32_igemm_6x64__avx512 = SC_IGEMM_KERNEL(
    "f32_igemm_6x64__avx512", SIMDCONV_ISA_AVX512, igemm_6x64);
