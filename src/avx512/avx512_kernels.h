/* The AVX-512 kernels, registered in avx512_table.c. */
#ifndef SIMDCONV_AVX512_KERNELS_H
#define SIMDCONV_AVX512_KERNELS_H

#include "conv_internal.h"

extern const sc_conv_kernel sc_f32_gemm_nchw_16x16__avx512;
extern const sc_conv_kernel sc_f32_igemm_7x32__avx512;
extern const sc_conv_kernel sc_f32_igemm_8x16__avx512;
extern const sc_conv_kernel sc_f32_igemm_6x64__avx512;

#endif
