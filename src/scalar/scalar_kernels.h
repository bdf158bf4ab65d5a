/* The scalar kernels, registered in scalar_table.c. */
#ifndef SIMDCONV_SCALAR_KERNELS_H
#define SIMDCONV_SCALAR_KERNELS_H

#include "conv_internal.h"

extern const sc_conv_kernel sc_f32_conv_direct__scalar;

#endif
