/* The fused residual benchmarks (simdconv-bench --residual): see
 * residual.c. */
#ifndef SIMDCONV_BENCH_RESIDUAL_H
#define SIMDCONV_BENCH_RESIDUAL_H

#include <stddef.h>

#include "backend.h"

/* Registers residual/<layer>/tT/<variant> for every layer, thread count and
 * variant whose name matches filter (POSIX ERE; NULL: all); layers and
 * threads must outlive the run. Cold caches: sets filling rotate_bytes. A
 * benchmark that fails validation increments *failures. Returns the count
 * registered (0 also for a bad regex). */
size_t bench_residual_register(const bench_layer *layers, size_t nlayers,
                               const bench_threads *threads, size_t nthreads,
                               size_t rotate_bytes, const char *filter,
                               size_t *failures);
/* Releases the buffers of the last benchmark run; returns the number of
 * benchmarks that passed validation. */
size_t bench_residual_finish(void);

#endif
