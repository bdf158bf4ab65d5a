/*
 * q8_igemm_vnni_6x64__avx512: the int8 indirect GEMM (driver:
 * src/q8_igemm.c) with a 6-pixel x 64-channel VPDPBUSD micro-kernel
 * (src/ukernels/q8_igemm_ukernel.h): 24 zmm accumulators, per 4 input
 * channels 4 weight loads, 6 broadcasts and 24 VPDPBUSD, so each input is
 * broadcast once for 64 outputs (the 7x32 tile broadcasts it twice for the
 * 64-channel layers of ResNet). Taken where it pads K/g no further than
 * the 7x32 tile would. Needs AVX-512 VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_6x64_u8__avx512vnni
#define SC_Q8_UK_MR 6
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_6x64_s8__avx512vnni
#define SC_Q8_UK_MR 6
#define SC_Q8_UK_NV 4
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_vnni_6x64 = {
    .mr = 6,
    .nr = 64,
    .ukernel = {q8_igemm_ukernel_6x64_u8__avx512vnni,
                q8_igemm_ukernel_6x64_s8__avx512vnni},
    .op_signed = {false, false},
    .kr = 4,
    .wbytes = 1,
    .xbytes = 1,
    .pad_vs_nr = 32,
    .constraints = "int8, K/g padded to 64 no further than to 32 (K/g a "
                   "multiple of 64, or 33-64) (AVX-512 VNNI)",
};

const sc_conv_kernel sc_q8_igemm_vnni_6x64__avx512 =
    SC_Q8_IGEMM_KERNEL("q8_igemm_vnni_6x64__avx512", SIMDCONV_ISA_AVX512,
                       q8_igemm_vnni_6x64, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
