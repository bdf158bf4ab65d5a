/*
 * q8_igemm_vnni_8x48__avx512: the int8 indirect GEMM (driver:
 * src/q8_igemm.c) with an 8-pixel x 48-channel VPDPBUSD micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h) for groups of 33 to 48 output
 * channels, which the 6x64 tile would run a quarter idle (and store
 * through its partial-tile buffer): 24 zmm accumulators, per 4 input
 * channels 3 weight loads, 8 broadcasts, 24 VPDPBUSD. Needs AVX-512 VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_8x48_u8__avx512vnni
#define SC_Q8_UK_MR 8
#define SC_Q8_UK_NV 3
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_8x48_s8__avx512vnni
#define SC_Q8_UK_MR 8
#define SC_Q8_UK_NV 3
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_vnni_8x48 = {
    .mr = 8,
    .nr = 48,
    .ukernel = {q8_igemm_ukernel_8x48_u8__avx512vnni,
                q8_igemm_ukernel_8x48_s8__avx512vnni},
    .op_signed = {false, false},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .max_k = 48,
    .pad_vs_nr = 32,
    .constraints = "int8, K/g 33-48 (AVX-512 VNNI)",
};

const sc_conv_kernel sc_q8_igemm_vnni_8x48__avx512 =
    SC_Q8_IGEMM_KERNEL("q8_igemm_vnni_8x48__avx512", SIMDCONV_ISA_AVX512,
                       q8_igemm_vnni_8x48, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
