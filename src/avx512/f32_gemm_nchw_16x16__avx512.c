/*
 * f32_gemm_nchw_16x16__avx512: NCHW 1x1 convolutions (no padding, any
 * stride) as a GEMM straight on the NCHW planes (driver: src/igemm.c) with a
 * 16-channel x 16-pixel micro-kernel (src/ukernels/gemm_nchw_ukernel.h): 16 zmm
 * accumulators, per input channel 1 pixel-vector load, 16 weight broadcasts,
 * 16 FMAs. 16-pixel panels keep the tail waste small on 14x14 and 28x28
 * images. Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx512/vec_avx512.h"

#define SC_UK_NAME f32_gemm_nchw_ukernel_16x16__avx512
#define SC_UK_MR 16
#define SC_UK_NV 1
#include "ukernels/gemm_nchw_ukernel.h"

static const sc_gemm_nchw_config gemm_nchw_16x16 = {
    16, 16, f32_gemm_nchw_ukernel_16x16__avx512};

const sc_conv_kernel sc_f32_gemm_nchw_16x16__avx512 = SC_GEMM_NCHW_KERNEL(
    "f32_gemm_nchw_16x16__avx512", SIMDCONV_ISA_AVX512, gemm_nchw_16x16);
