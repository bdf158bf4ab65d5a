/* The AVX2 kernels, registered in avx2_table.c. */
#ifndef SIMDCONV_AVX2_KERNELS_H
#define SIMDCONV_AVX2_KERNELS_H

#include "conv_internal.h"

extern const sc_conv_kernel sc_f32_gemm_nchw_6x16__avx2;
extern const sc_conv_kernel sc_f32_igemm_6x16__avx2;

#endif
