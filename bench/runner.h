/*
 * The benchmark bodies (one for timed runs, one for plan creation), shared
 * by every backend, with the lazy preparation and validation of each case.
 *
 * Google Benchmark calls a body several times per benchmark (to size the
 * iteration count, then once per repetition) and runs the benchmarks in
 * registration order, so the runner keeps the current case's instance and
 * the current layer's data in one slot each, prepared on first use and
 * released when another case or layer comes up.
 */
#ifndef SIMDCONV_BENCH_RUNNER_H
#define SIMDCONV_BENCH_RUNNER_H

#include <stddef.h>

#include "backend.h"

typedef struct bench_config {
  const bench_layer *layers;
  size_t nlayers;
  /* Thread counts to run: [0] is one thread (no pool), [1] the pool. */
  const bench_threads *threads;
  size_t nthreads;
  /* simdconv variants: all must agree bitwise on every layer. */
  const bench_variant *const *simdconv_variants;
  size_t nsimdconv;
  /* Single-thread peak GFLOP/s per simdconv_isa; [SIMDCONV_ISA_AUTO] is the
   * best of them (the machine's peak, for baselines). */
  double peak_gflops[SIMDCONV_ISA_COUNT];
  size_t rotate_bytes;     /* see instance.h */
  size_t validate_max_out; /* see layer_reduced() */
} bench_config;

typedef enum bench_case_kind {
  BENCH_CASE_RUN,    /* simdconv_run and its counterparts: the timed loop */
  BENCH_CASE_CREATE, /* plan creation: weight packing, JIT, ... */
} bench_case_kind;

typedef struct bench_case {
  bench_case_kind kind;
  const bench_variant *variant;
  size_t layer_index;
  size_t thread_index; /* into bench_config.threads */
  char name[192];
  /* Set on first use. */
  int state; /* 0: not validated yet, 1: validated, -1: failed */
  char error[400];
} bench_case;

/* cfg must outlive the run. */
void runner_init(const bench_config *cfg);
/* Registers the case with Google Benchmark; c must outlive the run. */
void runner_register(bench_case *c);
/* Releases everything, prints the validation summary; returns the number
 * of failed checks and runs. */
size_t runner_finish(void);

#endif /* SIMDCONV_BENCH_RUNNER_H */
