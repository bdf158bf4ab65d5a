/*
 * Included first by the NEON sources that use the dot product (SDOT):
 * enables it for every function of that source only (GCC: the target
 * pragma; clang: the target attribute on every function, popped by
 * SC_TARGET_DOTPROD_END at the end of the source), so the ISA's other
 * sources stay plain ARMv8.0-A. The planner runs these kernels only where
 * HWCAP reports ASIMDDP (sc_conv_kernel.cpu = SC_CPU_ASIMDDP). Defines
 * SC_NEON_DOTPROD, which selects vec_neon.h's dot-product API.
 */
#ifndef SIMDCONV_TARGET_DOTPROD_H
#define SIMDCONV_TARGET_DOTPROD_H

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("dotprod"))), \
                             apply_to = function)
#define SC_TARGET_DOTPROD_END _Pragma("clang attribute pop")
#else
/* GCC's arm_neon.h defines vdotq_s32 for arch=armv8.2-a+dotprod: a caller
 * must have all of that to inline it (every CPU with ASIMDDP is v8.2+). */
#pragma GCC target("arch=armv8.2-a+dotprod")
#define SC_TARGET_DOTPROD_END
#endif

#define SC_NEON_DOTPROD 1

#endif
