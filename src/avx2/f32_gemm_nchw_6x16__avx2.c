/*
 * f32_gemm_nchw_6x16__avx2: NCHW 1x1 convolutions (no padding, any stride)
 * as a GEMM straight on the NCHW planes (driver: src/igemm.c) with a
 * 6-channel x 16-pixel micro-kernel (src/ukernels/gemm_nchw_ukernel.h): 12 ymm
 * accumulators, per input channel 2 pixel-vector loads, 6 weight broadcasts,
 * 12 FMAs. Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx2/vec_avx2.h"

#define SC_UK_NAME f32_gemm_nchw_ukernel_6x16__avx2
#define SC_UK_MR 6
#define SC_UK_NV 2
#include "ukernels/gemm_nchw_ukernel.h"

static const sc_gemm_nchw_config gemm_nchw_6x16 = {
    6, 16, f32_gemm_nchw_ukernel_6x16__avx2};

const sc_conv_kernel sc_f32_gemm_nchw_6x16__avx2 = SC_GEMM_NCHW_KERNEL(
    "f32_gemm_nchw_6x16__avx2", SIMDCONV_ISA_AVX2, gemm_nchw_6x16);
