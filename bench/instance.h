/*
 * A runnable convolution: one variant on one layer at one thread count,
 * with its rotating buffer sets. Shared by the timed benchmarks and the
 * validation, so both exercise exactly the same setup.
 *
 * Buffer rotation: a set is {input, output, plan (packed weights)}; the
 * timed loop runs set 0, 1, ..., nsets-1, 0, ... Enough sets are made for
 * their total size to reach `rotate_bytes` (twice the last-level cache by
 * default), so every run finds its tensors and weights evicted by the
 * previous runs, as in a network where a layer runs once per inference. A
 * layer whose set alone is that large gets one set. The workspace is shared
 * (as a caller would share it). XNNPACK binds each operator to its buffers,
 * which is why plans rotate with the buffers.
 */
#ifndef SIMDCONV_BENCH_INSTANCE_H
#define SIMDCONV_BENCH_INSTANCE_H

#include <stddef.h>

#include "backend.h"

/* At most this many sets, whatever the layer size. */
#define BENCH_MAX_SETS 256

typedef struct bench_instance {
  const bench_variant *variant;
  bench_threads threads;
  bench_layer layer;
  size_t nsets;
  /* The set the next timed run uses. It carries over from one call of the
   * benchmark body to the next (Google Benchmark calls it several times),
   * so short calls do not keep reusing the first, still cached, sets. */
  size_t next_set;
  void *plans[BENCH_MAX_SETS];
  void *binds[BENCH_MAX_SETS];
  float *in[BENCH_MAX_SETS];  /* plain, the variant's layout */
  float *out[BENCH_MAX_SETS]; /* plain, the variant's layout */
  void *ws;
  size_t ws_bytes;
  size_t packed_bytes; /* of one plan (0: the backend cannot tell) */
  size_t set_bytes;    /* input + output + packed weights of one set */
} bench_instance;

/* Builds an instance for tensors t. rotate_bytes == 0: a single set.
 * Outputs start as NaN, so an element a backend never writes shows up in
 * validation. Returns 0, or -1 with a message in err (nothing to destroy). */
int instance_create(bench_instance *inst, const bench_variant *v,
                    const bench_tensors *t, const bench_threads *th,
                    size_t rotate_bytes, char *err);
void instance_destroy(bench_instance *inst);

/* Runs set `set` once. Returns 0 or -1 (err filled). */
int instance_run(bench_instance *inst, size_t set, char *err);

/* Copies the result of set `set`'s last run into dst (NCHW). */
int instance_output_nchw(bench_instance *inst, size_t set, float *dst,
                         char *err);

/* The implementation the first plan uses (kernel or oneDNN impl). */
const char *instance_impl(const bench_instance *inst);

#endif /* SIMDCONV_BENCH_INSTANCE_H */
