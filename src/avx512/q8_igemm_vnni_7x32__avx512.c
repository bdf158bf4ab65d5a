/*
 * q8_igemm_vnni_7x32__avx512: the int8 indirect GEMM (driver:
 * src/q8_igemm.c) with a 7-pixel x 32-channel VPDPBUSD micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h): 14 zmm accumulators, per 4 input
 * channels 2 weight loads, 7 broadcasts, 14 VPDPBUSD (64 multiply-adds
 * each). Needs AVX-512 VNNI (CPUID); without it the planner falls through
 * to the AVX2 int8 kernels. 7 divides the ResNet spatial sizes.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_7x32_u8__avx512vnni
#define SC_Q8_UK_MR 7
#define SC_Q8_UK_NV 2
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_7x32_s8__avx512vnni
#define SC_Q8_UK_MR 7
#define SC_Q8_UK_NV 2
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_vnni_7x32 = {
    .mr = 7,
    .nr = 32,
    .ukernel = {q8_igemm_ukernel_7x32_u8__avx512vnni,
                q8_igemm_ukernel_7x32_s8__avx512vnni},
    .op_signed = {false, false},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .constraints = "every int8 layer (AVX-512 VNNI)",
};

const sc_conv_kernel sc_q8_igemm_vnni_7x32__avx512 =
    SC_Q8_IGEMM_KERNEL("q8_igemm_vnni_7x32__avx512", SIMDCONV_ISA_AVX512,
                       q8_igemm_vnni_7x32, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
