/* Per-kernel microbenchmarks (simdconv-bench --kernels): see kernels.c. */
#ifndef SIMDCONV_BENCH_KERNELS_H
#define SIMDCONV_BENCH_KERNELS_H

#include <stddef.h>

#include "simdconv.h"

/* Registers kernel/<kernel>/<shape>/<L1|L2> for every registered kernel
 * this CPU runs whose name matches filter (POSIX ERE; NULL: all).
 * peak_gflops: one core's peak per simdconv_isa. A benchmark whose kernel
 * refuses its shape or differs from the scalar kernel increments
 * *failures. Returns the number registered (0 also for a bad regex). */
size_t bench_kernels_register(const double *peak_gflops, const char *filter,
                              size_t *failures);

#endif
