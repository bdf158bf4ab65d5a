/*
 * q8_igemm_vnni_8x16__avx512: the int8 indirect GEMM (driver:
 * src/q8_igemm.c) with an 8-pixel x 16-channel VPDPBUSD micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h) for groups of at most 16 output
 * channels (MobileNet's projections to 16), which the 7x32 tile would run
 * half idle: 8 accumulators, per 4 input channels 1 weight load, 8
 * broadcasts, 8 VPDPBUSD. Needs AVX-512 VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_8x16_u8__avx512vnni
#define SC_Q8_UK_MR 8
#define SC_Q8_UK_NV 1
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_8x16_s8__avx512vnni
#define SC_Q8_UK_MR 8
#define SC_Q8_UK_NV 1
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_vnni_8x16 = {
    .mr = 8,
    .nr = 16,
    .ukernel = {q8_igemm_ukernel_8x16_u8__avx512vnni,
                q8_igemm_ukernel_8x16_s8__avx512vnni},
    .op_signed = {false, false},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .max_k = 16,
    .constraints = "int8, K/g <= 16 (AVX-512 VNNI)",
};

const sc_conv_kernel sc_q8_igemm_vnni_8x16__avx512 =
    SC_Q8_IGEMM_KERNEL("q8_igemm_vnni_8x16__avx512", SIMDCONV_ISA_AVX512,
                       q8_igemm_vnni_8x16, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
