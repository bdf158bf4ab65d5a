/*
 * q8_igemm_6x16__avx2: the int8 indirect GEMM (driver: src/q8_igemm.c) with
 * a 6-pixel x 16-channel micro-kernel (src/ukernels/q8_igemm_ukernel.h) on
 * VPMADDWD: the driver widens the input to int16 in the workspace, so per
 * 2 input channels a micro-kernel step is 2 weight loads, 6 broadcasts from
 * memory, 12 VPMADDWD and 12 VPADDD into 12 ymm accumulators (2 * 16 * 6
 * exact multiply-adds). The int8 kernel of AVX2 machines and of AVX-512
 * machines without VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx2/vec_avx2.h"
#include "q8_igemm.h"

#define SC_Q8_UK_NAME q8_igemm_ukernel_6x16__avx2
#define SC_Q8_UK_MR 6
#define SC_Q8_UK_NV 2
#define SC_Q8_UK_S8 0 /* the copy widened either type */
#include "ukernels/q8_igemm_ukernel.h"

static const sc_q8_igemm_config q8_igemm_6x16 = {
    .mr = 6,
    .wprefetch_amd = true,
    .nr = 16,
    .ukernel = {q8_igemm_ukernel_6x16__avx2, q8_igemm_ukernel_6x16__avx2},
    /* The widened values themselves: uint8 unsigned, int8 signed. */
    .op_signed = {false, true},
    .kr = 2,
    .wbytes = 2,
    .xbytes = 2,
    .constraints = "every int8 layer",
};

const sc_conv_kernel sc_q8_igemm_6x16__avx2 = SC_Q8_IGEMM_KERNEL(
    "q8_igemm_6x16__avx2", SIMDCONV_ISA_AVX2, q8_igemm_6x16, 0);
