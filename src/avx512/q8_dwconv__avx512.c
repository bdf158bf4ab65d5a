/*
 * q8_dwconv__avx512: int8 depthwise convolution (channel multiplier 1),
 * NHWC, and NCHW through NHWC copies (driver: src/q8_dwconv.c), from the
 * template src/ukernels/q8_dwconv_ukernel.h, 16 channels per zmm:
 * VPMOVZXBD/VPMOVSXBD, VPMADDWD by (w, 0) pairs, VPADDD.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/vec_avx512.h"
#include "q8_dwconv.h"
#include "ukernels/q8_dwconv_ukernel.h"

SC_Q8D_DEFINE(q8_dwconv__avx512, SIMDCONV_ISA_AVX512, 0);
