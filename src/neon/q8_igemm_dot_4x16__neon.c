/*
 * q8_igemm_dot_4x16__neon: the int8 indirect GEMM (driver:
 * src/q8_igemm.c) with a 4-pixel x 16-channel SDOT micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h): 16 q accumulators, per 4 input
 * channels 4 weight loads, 4 broadcasts, 16 SDOT (16 multiply-adds each).
 * Needs the dot-product extension (HWCAP ASIMDDP); without it the planner
 * takes q8_igemm_4x8__neon. uint8 inputs get their top bit flipped (signed
 * operands), the packed bias the compensation.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "neon/target_dotprod.h"

#include "neon/vec_neon.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_dot_4x16_u8__neon
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_dot_4x16_s8__neon
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_dot_4x16 = {
    .mr = 4,
    .nr = 16,
    .ukernel = {q8_igemm_ukernel_dot_4x16_u8__neon,
                q8_igemm_ukernel_dot_4x16_s8__neon},
    .op_signed = {true, true},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .constraints = "every int8 layer (dot product)",
};

const sc_conv_kernel sc_q8_igemm_dot_4x16__neon =
    SC_Q8_IGEMM_KERNEL("q8_igemm_dot_4x16__neon", SIMDCONV_ISA_NEON,
                       q8_igemm_dot_4x16, SC_CPU_ASIMDDP);

SC_TARGET_DOTPROD_END
