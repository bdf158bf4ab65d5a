/*
 * q8_igemm_4x8__avx2: the int8 indirect GEMM (driver: src/q8_igemm.c) with
 * a 4-pixel x 8-channel micro-kernel (src/ukernels/q8_igemm_ukernel.h) on
 * VPMADDWD: per 4 input channels 2 weight loads (int16), 4 broadcasts
 * widened to int16, 8 VPMADDWD and 8 VPADDD into 8 ymm accumulators. The
 * int8 kernel of AVX2 machines and of AVX-512 machines without VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx2/vec_avx2.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_4x8_u8__avx2
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 1
#define SC_Q8_UK_S8 0
#include "ukernels/q8_igemm_ukernel.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_4x8_s8__avx2
#define SC_Q8_UK_MR 4
#define SC_Q8_UK_NV 1
#define SC_Q8_UK_S8 1
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_4x8 = {
    .mr = 4,
    .nr = 8,
    .ukernel = {q8_igemm_ukernel_4x8_u8__avx2, q8_igemm_ukernel_4x8_s8__avx2},
    /* uint8 zero-extended (unsigned), int8 sign-extended (signed). */
    .op_signed = {false, true},
    .wbytes = 2,
    .constraints = "every int8 layer",
};

const sc_conv_kernel sc_q8_igemm_4x8__avx2 = SC_Q8_IGEMM_KERNEL(
    "q8_igemm_4x8__avx2", SIMDCONV_ISA_AVX2, q8_igemm_4x8, 0);
