/*
 * q8_dwconv_vnni__avx512: q8_dwconv__avx512 (int8 depthwise, channel
 * multiplier 1; driver: src/q8_dwconv.c) with VPDPWSSD, which does a tap's
 * VPMADDWD and VPADDD in one instruction (2 uops per tap and 16 channels
 * instead of 3). Needs AVX-512 VNNI; without it the planner takes
 * q8_dwconv__avx512.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_dwconv.h"

#define SC_Q8D_NAME q8_dw_row_u8__avx512vnni
#define SC_Q8D_S8 0
#include "ukernels/q8_dwconv_ukernel.h"

#define SC_Q8D_NAME q8_dw_row_s8__avx512vnni
#define SC_Q8D_S8 1
#include "ukernels/q8_dwconv_ukernel.h"

static const sc_q8_dw_config q8_dw_config = {
    .vw = SC_Q8D_VW,
    .wbytes = 4,
    .row = {q8_dw_row_u8__avx512vnni, q8_dw_row_s8__avx512vnni},
};

const sc_conv_kernel sc_q8_dwconv_vnni__avx512 =
    SC_Q8_DW_KERNEL("q8_dwconv_vnni__avx512", SIMDCONV_ISA_AVX512,
                    q8_dw_config, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
