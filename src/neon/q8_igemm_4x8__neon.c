/*
 * q8_igemm_4x8__neon: the int8 indirect GEMM (driver: src/q8_igemm.c) on
 * baseline Advanced SIMD with a 4-pixel x 8-channel micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h): per 4 input channels 2 weight loads,
 * 4 broadcasts, 8 SMULL/SMULL2 pairs accumulated with SADALP into 16 q
 * accumulators. uint8 inputs get their top bit flipped (signed operands),
 * the packed bias the compensation. The int8 kernel of CPUs without the
 * dot product.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "neon/vec_neon.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_4x8_u8__neon
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 2
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_4x8_s8__neon
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 2
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_4x8 = {
    .mr = 4,
    .nr = 8,
    .ukernel = {q8_igemm_ukernel_4x8_u8__neon, q8_igemm_ukernel_4x8_s8__neon},
    .op_signed = {true, true},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .constraints = "every int8 layer",
};

const sc_conv_kernel sc_q8_igemm_4x8__neon = SC_Q8_IGEMM_KERNEL(
    "q8_igemm_4x8__neon", SIMDCONV_ISA_NEON, q8_igemm_4x8, 0);
