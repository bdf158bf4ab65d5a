/*
 * Memory and tensor helpers shared by every benchmark body: aligned
 * allocation, deterministic test data, layout conversion, cache size.
 */
#ifndef SIMDCONV_BENCH_DATA_H
#define SIMDCONV_BENCH_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layers.h"

/* Extra bytes every buffer gets past its end, zeroed: XNNPACK may read up
 * to XNN_EXTRA_BYTES (16) past its input. */
#define BENCH_BUFFER_SLACK 64

/* 64-byte aligned, zeroed allocation of bytes + BENCH_BUFFER_SLACK; exits
 * the process with a message when memory runs out (a benchmark cannot go on
 * without its buffers). */
void *bench_alloc(size_t bytes);
float *bench_alloc_floats(size_t count);
void bench_free(void *p);

/* The tensors of a layer: input NCHW, weights OIHW, bias K, uniformly
 * random in [-1, 1) from a seed derived from the layer's name and shape, so
 * every run and every backend sees the same data. */
typedef struct bench_tensors {
  bench_layer layer;
  float *input;
  float *weights;
  float *bias;
} bench_tensors;

void tensors_make(bench_tensors *t, const bench_layer *l);
/* n floats uniformly random in [-1, 1) from the generator state *state. */
void bench_fill_uniform(float *p, size_t n, uint64_t *state);
/* n uniformly random bytes from the generator state *state. */
void bench_fill_bytes(void *p, size_t n, uint64_t *state);
void tensors_free(bench_tensors *t);

/* The quantizations of the int8 benchmarks. */
typedef enum bench_q8_quant {
  BENCH_Q8_U8_CHANNEL = 0, /* uint8, a weight scale per output channel */
  BENCH_Q8_U8_TENSOR,      /* uint8, one weight scale (XNNPACK qu8) */
  BENCH_Q8_S8_CHANNEL,     /* int8, per channel (XNNPACK qc8) */
  BENCH_Q8_QUANTS
} bench_q8_quant;

/* A layer's int8 data for one quantization: input NCHW, weights OIHW,
 * bias K, the weight scales q.weight_scales points to. */
typedef struct bench_q8_tensors {
  uint8_t *x;
  int8_t *w;
  int32_t *bias;
  float *w_scales; /* K (one used when per tensor) */
  simdconv_qparams q;
} bench_q8_tensors;

/* Uniform bytes and weights from a seed derived from the layer's shape, a
 * bias the size of the sums, input zero point 128 (uint8) or 0 (int8), an
 * output scale that spreads the outputs; the same bytes for every
 * quantization (read as int8 for BENCH_Q8_S8_CHANNEL). */
void bench_q8_tensors_make(bench_q8_tensors *d, const bench_layer *l,
                           bench_q8_quant qt);
void bench_q8_tensors_free(bench_q8_tensors *d);

/* Layout conversions of activations (N x C x H x W) and weights. */
void nchw_to_nhwc(const float *src, float *dst, size_t N, size_t C, size_t H,
                  size_t W);
void nhwc_to_nchw(const float *src, float *dst, size_t N, size_t C, size_t H,
                  size_t W);
/* K x Cg x R x S -> K x R x S x Cg */
void oihw_to_ohwi(const float *src, float *dst, size_t K, size_t Cg, size_t R,
                  size_t S);

/* Number of elements that differ bitwise (NaN equals any NaN); *first
 * receives the index of the first difference. */
size_t bitwise_diff(const float *a, const float *b, size_t n, size_t *first);
/* Number of bytes that differ; *first receives the index of the first. */
size_t bytewise_diff(const void *a, const void *b, size_t n, size_t *first);

/* Size of the last-level cache in bytes (sysfs, then sysconf), or 32 MiB
 * when unknown. */
size_t bench_llc_bytes(void);

/* What the pool's workers do after each simdconv run of the benchmarks
 * (--pool-wait; default SIMDCONV_POOL_SPIN: the peers' behaviour, XNNPACK's
 * operators on the same pthreadpool and oneDNN's OpenMP threads both spin
 * between calls). */
extern simdconv_pool_wait bench_pool_wait;

/* "spin" or "yield" (the --pool-wait argument of simdconv-bench and
 * simdconv-ab) into *out; false for anything else. */
bool bench_pool_wait_parse(const char *name, simdconv_pool_wait *out);

/* Monotonic wall clock in seconds. */
double bench_now(void);

#endif /* SIMDCONV_BENCH_DATA_H */
