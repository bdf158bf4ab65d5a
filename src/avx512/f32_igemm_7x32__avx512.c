/*
 * f32_igemm_7x32__avx512: the indirect-GEMM convolution (driver: src/igemm.c)
 * with a 7-pixel x 32-channel micro-kernel (src/ukernels/igemm_ukernel.h): 14 zmm
 * accumulators, per input channel 2 weight loads, 7 broadcasts, 14 FMAs.
 * On Zen 4 (1 zmm FMA per cycle, latency 4) it runs at ~97% of peak on
 * compute-bound layers; 7 divides the ResNet spatial sizes (56, 28, 14, 7).
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include <stdint.h>

#include "avx512/vec_avx512.h"

#define SC_UK_NAME f32_igemm_ukernel_7x32__avx512
#define SC_UK_STRIDED_NAME f32_igemm_strided_7x32__avx512
#define SC_UK_MR 7
#define SC_UK_NV 2
#include "ukernels/igemm_ukernel.h"

/* The half tile: 7 pixels x the first 16 channels of a 32-channel block,
 * for a last block of at most 16 (K = 144: 14 FMAs per step where 7 do). */
#define SC_UK_NAME f32_igemm_ukernel_7x32_half__avx512
#define SC_UK_STRIDED_NAME f32_igemm_strided_7x32_half__avx512
#define SC_UK_MR 7
#define SC_UK_NV 1
#define SC_UK_WSTRIDE 32
#include "ukernels/igemm_ukernel.h"

/* Grouped layers with few channels per group: 8 pixels x 32 lanes
 * interleaving 32/Kg groups (src/ukernels/igemm_grouped_ukernel.h): 16
 * accumulators, per input channel 2 weight loads, 16 broadcast loads
 * (vbroadcastss/sd/f32x4/f64x4 by K/g), 16 FMAs, no shuffle. */
#define SC_UK_NAME f32_igemm_grouped_ukernel_8x32__avx512
#define SC_UK_MR 8
#define SC_UK_NV 2
#include "ukernels/igemm_grouped_ukernel.h"

/* The same layers with C/g == K/g = 4, lanes in channel order, on hosts
 * whose in-lane shuffles leave the FMAs alone (sc_gshuffle): 6 x 32 lanes,
 * 12 accumulators and 12 input vectors held over a tap's 4 input channels;
 * per input channel 2 weight loads, 12 vpermilps, 12 FMAs. */
#define SC_UK_NAME f32_igemm_grouped_shuffle_ukernel_6x32__avx512
#define SC_UK_MR 6
#define SC_UK_NV 2
#define SC_UK_SHUFFLE
#include "ukernels/igemm_grouped_ukernel.h"

static const sc_igemm_config igemm_7x32 = {
    .mr = 7,
    .nr = 32,
    .ukernel = f32_igemm_ukernel_7x32__avx512,
    .strided = f32_igemm_strided_7x32__avx512,
    .strided_rows = f32_igemm_strided_7x32__avx512_rows,
    .half = {f32_igemm_ukernel_7x32_half__avx512,
             f32_igemm_strided_7x32_half__avx512,
             f32_igemm_strided_7x32_half__avx512_rows},
    .transpose = sc_transpose_avx,
    .prefer_merged = true,
    .gukernel = f32_igemm_grouped_ukernel_8x32__avx512,
    .greorder = f32_igemm_grouped_ukernel_8x32__avx512_reorder,
    .gmr = 8,
    .vl = 16,
    .gsukernel = f32_igemm_grouped_shuffle_ukernel_6x32__avx512,
    .gsmr = 6,
    .constraints = "any layer but depthwise; grouped layers with 2 <= C/g "
                   "<= K/g < 32, K/g dividing 16, at least 16/(K/g) groups, "
                   "in 8x32 group-interleaved tiles, or with C/g == K/g = 4 "
                   "on AMD hosts in 6x32 channel-order tiles",
};

const sc_conv_kernel sc_f32_igemm_7x32__avx512 =
    SC_IGEMM_KERNEL("f32_igemm_7x32__avx512", SIMDCONV_ISA_AVX512, igemm_7x32);
