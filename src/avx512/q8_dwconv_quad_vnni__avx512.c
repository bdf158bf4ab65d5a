/*
 * q8_dwconv_quad_vnni__avx512: int8 depthwise convolution (channel
 * multiplier 1; driver: src/q8_dwconv.c) on VPDPBUSD, from the template
 * src/ukernels/q8_dwconv_quad_ukernel.h: blocks of 64 channels, each lane
 * one channel's bytes of 4 kernel rows at one column (VPUNPCK of the rows,
 * once per input column), so a 3x3 tap column is one VPDPBUSD per 16
 * channels where q8_dwconv_vnni__avx512 widens and multiplies each tap
 * (VPMOVZXBD, VPDPWSSD). The last block of channels is masked. Needs
 * AVX-512 VNNI.
 * Scalar twin: q8_conv_direct__scalar (identical bytes).
 */
#include "avx512/target_vnni.h"

#include "avx512/vec_avx512.h"
#include "q8_dwconv.h"

/* clang's AddressSanitizer makes this file (14 row functions of fully
 * unrolled windows, over a thousand weight loads each) take more than 20
 * minutes to compile at -O3; gcc's takes about a minute. So under clang's
 * ASan (the fuzz build) the kernel's own functions are not instrumented;
 * the test suite runs them instrumented under gcc's ASan
 * (tools/reliability.sh), beside the guard-page tests. */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SC_Q8Q_ASAN_OFF 1
/* (and the instrumented build cannot honour the unroll pragmas of the
 * generic pixel-by-pixel path, which it then reports) */
#pragma clang diagnostic ignored "-Wpass-failed"
#pragma clang attribute push(__attribute__((no_sanitize("address"))),       \
                             apply_to = function)
#endif
#endif

#include "ukernels/q8_dwconv_quad_ukernel.h"

SC_Q8Q_DEFINE(q8_dwconv_quad_vnni__avx512, SIMDCONV_ISA_AVX512,
              SC_CPU_AVX512VNNI);

#ifdef SC_Q8Q_ASAN_OFF
#pragma clang attribute pop
#endif

SC_TARGET_VNNI_END
