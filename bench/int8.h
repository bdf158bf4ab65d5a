/* The int8 benchmarks (simdconv-bench --int8): see int8.c. */
#ifndef SIMDCONV_BENCH_INT8_H
#define SIMDCONV_BENCH_INT8_H

#include <stddef.h>

#include "backend.h"

/* Registers int8/<layer>/tT/<variant> for every layer, thread count and
 * variant whose name matches filter (POSIX ERE; NULL: all); layers and
 * threads must outlive the run. Measures and prints the int8 peaks first.
 * Cold caches: sets filling rotate_bytes. A benchmark that fails
 * validation increments *failures. Returns the count registered (0 also
 * for a bad regex). */
size_t bench_int8_register(const bench_layer *layers, size_t nlayers,
                           const bench_threads *threads, size_t nthreads,
                           size_t rotate_bytes, const char *filter,
                           size_t *failures);
/* Releases the buffers of the last benchmark run; returns the number of
 * benchmarks that passed validation. */
size_t bench_int8_finish(void);

#endif
