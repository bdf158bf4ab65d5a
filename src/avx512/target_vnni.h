/*
 * Included first by the AVX-512 sources that use VNNI (VPDPBUSD): enables
 * AVX-512 VNNI for every function of that source only (GCC: the target
 * pragma; clang: the target attribute on every function, popped by
 * SC_TARGET_VNNI_END at the end of the source), so the ISA's other sources
 * never contain a VNNI instruction. The planner runs these kernels only
 * where CPUID reports VNNI (sc_conv_kernel.cpu = SC_CPU_AVX512VNNI).
 * Defines SC_AVX512_VNNI, which exposes vec_avx512.h's VNNI API.
 */
#ifndef SIMDCONV_TARGET_VNNI_H
#define SIMDCONV_TARGET_VNNI_H

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vnni"))), \
                             apply_to = function)
#define SC_TARGET_VNNI_END _Pragma("clang attribute pop")
#else
#pragma GCC target("avx512vnni")
#define SC_TARGET_VNNI_END
#endif

#define SC_AVX512_VNNI 1

#endif
