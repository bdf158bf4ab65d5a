/*
 * f32_gemm_nchw_8x12__neon: NCHW 1x1 convolutions (no padding, any stride)
 * as a GEMM on the NCHW planes (driver: src/gemm_nchw.c) on AArch64
 * Advanced SIMD, with an 8-channel x 12-pixel micro-kernel
 * (src/neon/gemm_nchw_lane_neon.h): 128-bit loads by lane in input-channel
 * order. Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
/* GCC 12's generic AArch64 tuning leaves vector register copies on the back
 * edge of the igemm 8x8 hot loop (10 MOVs per 64 FMLAs, ~86% of the FMA
 * throughput of Neoverse N1 by llvm-mca); with its Cortex-A72 scheduling
 * model the loop keeps 0-2 MOVs (97-100% on N1 and A72). Tuning only: the
 * code stays plain ARMv8.0-A. tools/neon-mca.sh measures it. */
#pragma GCC target("tune=cortex-a72")

#include "neon/vec_neon.h"

#define SC_NGK_NAME f32_gemm_nchw_ukernel_8x12__neon
#define SC_NGK_MQ 2
#define SC_NGK_NV 3
#include "neon/gemm_nchw_lane_neon.h"

static const sc_gemm_nchw_config gemm_nchw_8x12 = {
    .mr = 8, .nr = 12, .ukernel = f32_gemm_nchw_ukernel_8x12__neon};

const sc_conv_kernel sc_f32_gemm_nchw_8x12__neon = SC_GEMM_NCHW_KERNEL(
    "f32_gemm_nchw_8x12__neon", SIMDCONV_ISA_NEON, gemm_nchw_8x12);
