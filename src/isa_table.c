/*
 * One ISA's kernel table, made from its list src/<isa>/kernels.def: compiled
 * once per built ISA (src/meson.build) with
 *   SC_TABLE_NAME  the ISA's name (avx512), naming the table sc_table_<name>
 *   SC_TABLE_ISA   its simdconv_isa value (SIMDCONV_ISA_AVX512)
 *   SC_TABLE_DEF   the list's path ("avx512/kernels.def")
 * The list's order is the dispatch order: best first.
 */
#include "conv_internal.h"

#define SC_KERNEL(name) extern const sc_conv_kernel sc_##name;
#include SC_TABLE_DEF
#undef SC_KERNEL

static const sc_conv_kernel *const sc_table_kernels[] = {
#define SC_KERNEL(name) &sc_##name,
#include SC_TABLE_DEF
#undef SC_KERNEL
};

#define SC_TABLE_SYMBOL(name) SC_TABLE_SYMBOL_(name)
#define SC_TABLE_SYMBOL_(name) sc_table_##name

extern const sc_isa_table SC_TABLE_SYMBOL(SC_TABLE_NAME);
const sc_isa_table SC_TABLE_SYMBOL(SC_TABLE_NAME) = {
    .isa = SC_TABLE_ISA,
    .kernels = sc_table_kernels,
    .count = sizeof sc_table_kernels / sizeof *sc_table_kernels,
};
