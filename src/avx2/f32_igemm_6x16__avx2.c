/*
 * f32_igemm_6x16__avx2: the indirect-GEMM convolution (driver: src/igemm.c)
 * with a 6-pixel x 16-channel micro-kernel (src/ukernels/igemm_ukernel.h): 12 ymm
 * accumulators + 2 weight vectors + 1 broadcast of the 16 registers; per
 * input channel 2 weight loads, 6 broadcasts, 12 FMAs (2 FMA pipes x
 * latency 4 need >= 8 chains). Measured best of 4x24 / 5x16 / 6x16 on Zen 4.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include <stdint.h>

#include "avx2/vec_avx2.h"

#define SC_UK_NAME f32_igemm_ukernel_6x16__avx2
#define SC_UK_STRIDED_NAME f32_igemm_strided_6x16__avx2
#define SC_UK_MR 6
#define SC_UK_NV 2
#include "ukernels/igemm_ukernel.h"

/* The half tile: 6 pixels x the first 8 channels of a 16-channel block,
 * for a last block of at most 8 (K = 24: 12 FMAs per step where 6 do). */
#define SC_UK_NAME f32_igemm_ukernel_6x16_half__avx2
#define SC_UK_STRIDED_NAME f32_igemm_strided_6x16_half__avx2
#define SC_UK_MR 6
#define SC_UK_NV 1
#define SC_UK_WSTRIDE 16
#include "ukernels/igemm_ukernel.h"

/* Grouped layers with few channels per group: 6 pixels x 16 lanes
 * interleaving 16/Kg groups (src/ukernels/igemm_grouped_ukernel.h): 12
 * accumulators, per input channel 2 weight loads, 12 broadcast loads, 12
 * FMAs, no shuffle (the lane-permuting kernel it replaces held its inputs
 * in registers and fit only 2 pixels). */
#define SC_UK_NAME f32_igemm_grouped_ukernel_6x16__avx2
#define SC_UK_MR 6
#define SC_UK_NV 2
#include "ukernels/igemm_grouped_ukernel.h"

static const sc_igemm_config igemm_6x16 = {
    .mr = 6,
    .nr = 16,
    .ukernel = f32_igemm_ukernel_6x16__avx2,
    .strided = f32_igemm_strided_6x16__avx2,
    .strided_rows = f32_igemm_strided_6x16__avx2_rows,
    .half = {f32_igemm_ukernel_6x16_half__avx2,
             f32_igemm_strided_6x16_half__avx2,
             f32_igemm_strided_6x16_half__avx2_rows},
    .transpose = sc_transpose_avx,
    .gukernel = f32_igemm_grouped_ukernel_6x16__avx2,
    .greorder = f32_igemm_grouped_ukernel_6x16__avx2_reorder,
    .gmr = 6,
    .wprefetch_amd = true,
    .vl = 8,
    .constraints = "any layer but depthwise; grouped layers with 2 <= C/g "
                   "<= K/g < 16, K/g dividing 8, at least 8/(K/g) groups, in "
                   "6x16 group-interleaved tiles",
};

const sc_conv_kernel sc_f32_igemm_6x16__avx2 =
    SC_IGEMM_KERNEL("f32_igemm_6x16__avx2", SIMDCONV_ISA_AVX2, igemm_6x16);
