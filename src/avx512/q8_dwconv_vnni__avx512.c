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
#include "ukernels/q8_dwconv_ukernel.h"

SC_Q8D_DEFINE(q8_dwconv_vnni__avx512, SIMDCONV_ISA_AVX512, SC_CPU_AVX512VNNI);

SC_TARGET_VNNI_END
