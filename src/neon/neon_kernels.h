/* The NEON kernels, registered in neon_table.c. */
#ifndef SIMDCONV_NEON_KERNELS_H
#define SIMDCONV_NEON_KERNELS_H

#include "conv_internal.h"

extern const sc_conv_kernel sc_f32_igemm_8x8__neon;
extern const sc_conv_kernel sc_f32_igemm_6x8__neon;
extern const sc_conv_kernel sc_f32_gemm_nchw_8x12__neon;
extern const sc_conv_kernel sc_f32_gemm_nchw_8x8__neon;

#endif
