/* The scalar ISA's kernels, best first. The direct kernel fits every problem,
 * so this table is the complete fallback of every other ISA. */
#include "scalar/scalar_kernels.h"

static const sc_conv_kernel *const scalar_kernels[] = {
    &sc_f32_conv_direct__scalar,
};

const sc_isa_table sc_scalar_table = {
    .isa = SIMDCONV_ISA_SCALAR,
    .kernels = scalar_kernels,
    .count = sizeof scalar_kernels / sizeof *scalar_kernels,
};
