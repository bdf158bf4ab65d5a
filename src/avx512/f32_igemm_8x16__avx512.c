/*
 * f32_igemm_8x16__avx512: the indirect-GEMM convolution (driver: src/igemm.c)
 * with an 8-pixel x 16-channel micro-kernel (src/ukernels/igemm_ukernel.h), for layers
 * with at most 16 output channels, where 7x32 would leave half of every FMA
 * idle (MobileNetV2's 32->16 pointwise layer). 8 zmm accumulators (two per
 * FMA latency of 4 on Zen 4), per input channel 1 weight load, 8 broadcasts,
 * 8 FMAs. For K = 144 (16-lane blocks fill, 32-lane ones 90%) it measured
 * slower than 7x32: twice the loads and stores per FMA.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx512/vec_avx512.h"

#define SC_UK_NAME f32_igemm_ukernel_8x16__avx512
#define SC_UK_STRIDED_NAME f32_igemm_strided_8x16__avx512
#define SC_UK_MR 8
#define SC_UK_NV 1
#include "ukernels/igemm_ukernel.h"

/* Ungrouped layers with K <= 16 only; grouped layers stay with 7x32, whose
 * grouped micro-kernel packs several groups into one 32-lane block. */
static const sc_igemm_config igemm_8x16 = {
    .mr = 8,
    .nr = 16,
    .ukernel = f32_igemm_ukernel_8x16__avx512,
    .strided = f32_igemm_strided_8x16__avx512,
    .strided_rows = f32_igemm_strided_8x16__avx512_rows,
    .transpose = sc_transpose_avx,
    .prefer_merged = true,
    .max_k = 16,
    .constraints = "ungrouped, K <= 16",
};

const sc_conv_kernel sc_f32_igemm_8x16__avx512 = SC_IGEMM_KERNEL(
    "f32_igemm_8x16__avx512", SIMDCONV_ISA_AVX512, igemm_8x16);
