/*
 * f32_igemm_8x8__neon: the indirect-GEMM convolution (driver: src/igemm.c)
 * on AArch64 Advanced SIMD with an 8-pixel x 8-channel micro-kernel
 * (src/neon/igemm_ld128_neon.h): 128-bit loads by lane (FMLA by element) in
 * input-channel order; zero-padding taps multiply the zero row in, as the
 * scalar kernel does. The NCHW path transposes with sc_transpose_neon.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
/* GCC 12's generic AArch64 tuning leaves vector register copies on the back
 * edge of the igemm 8x8 hot loop (10 MOVs per 64 FMLAs, ~86% of the FMA
 * throughput of Neoverse N1 by llvm-mca); with its Cortex-A72 scheduling
 * model the loop keeps 0-2 MOVs (97-100% on N1 and A72). Tuning only: the
 * code stays plain ARMv8.0-A. tools/neon-mca.sh measures it. */
#pragma GCC target("tune=cortex-a72")

#include "neon/vec_neon.h"

#define SC_NUK_NAME f32_igemm_ukernel_8x8__neon
#define SC_NUK_MR 8
#define SC_NUK_NV 2
#include "neon/igemm_ld128_neon.h"

static const sc_igemm_config igemm_8x8 = {
    .mr = 8,
    .nr = 8,
    .ukernel = f32_igemm_ukernel_8x8__neon,
    .transpose = sc_transpose_neon,
    .constraints = "any layer but depthwise",
    .skips_whole_taps = true,
};

const sc_conv_kernel sc_f32_igemm_8x8__neon =
    SC_IGEMM_KERNEL("f32_igemm_8x8__neon", SIMDCONV_ISA_NEON, igemm_8x8);
