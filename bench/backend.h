/*
 * What a convolution implementation (simdconv, oneDNN, XNNPACK) provides to
 * the benchmark. Everything else (layers, data, buffer rotation, validation,
 * timing, counters) is shared code in runner.c and validate.c, so the three
 * implementations are measured and checked the same way.
 *
 * Life cycle, for one layer, variant and thread count:
 *   plan  = plan_create(variant, tensors, threads)   weights packed
 *   ws    = one workspace of workspace_bytes(plan) for all bindings
 *   bind  = bind(plan, in, out, ws)                   per input/output pair
 *   run(bind)                                         the timed call
 *   fetch(bind)                                       out holds the result
 *   unbind(bind); plan_destroy(plan)
 * in and out are plain tensors in the variant's layout (NCHW or NHWC).
 */
#ifndef SIMDCONV_BENCH_BACKEND_H
#define SIMDCONV_BENCH_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include <pthreadpool.h>

#include "bench_data.h"
#include "simdconv.h"

typedef struct bench_backend bench_backend;

/* The threads a run may use. */
typedef struct bench_threads {
  size_t count;        /* 1, or the pool's thread count */
  pthreadpool_t pool;  /* NULL when count == 1 */
} bench_threads;

/* Puts the pool's workers to sleep after a benchmark's timed loop: simdconv
 * (--pool-wait spin) and XNNPACK leave them spinning for milliseconds, which
 * would take a core from the next benchmark (oneDNN's OpenMP threads, or
 * another pool's). Untimed; nothing without a pool. */
void bench_threads_quiesce(const bench_threads *th);

/* One way of running a convolution: an implementation plus its options. */
typedef struct bench_variant {
  const bench_backend *backend;
  char name[48];           /* "simdconv/avx512/nhwc", "onednn/any", ... */
  simdconv_layout layout;  /* layout of the plain input/output tensors */
  int option;              /* backend-specific (simdconv: the ISA) */
  simdconv_isa peak_isa;   /* the ISA whose peak "% of peak" refers to */
  bool bitwise;            /* must match simdconv's canonical result bits */
} bench_variant;

#define BENCH_ERR_LEN 256

struct bench_backend {
  const char *name;
  /* NULL if the variant computes this layer, else why not (the benchmark
   * is then not registered). May be NULL. */
  const char *(*unsupported)(const bench_variant *v, const bench_layer *l);
  /* Prepares everything that depends on the layer only (packs weights).
   * cold: do not reuse anything cached by an earlier call (for the
   * create/ benchmarks). Returns NULL with a message in err on failure. */
  void *(*plan_create)(const bench_variant *v, const bench_tensors *t,
                       const bench_threads *th, bool cold, char *err);
  void (*plan_destroy)(void *plan);
  /* Bytes of caller workspace (scratchpad) a run of the plan needs. */
  size_t (*workspace_bytes)(void *plan);
  /* Bytes of packed weights and bias held by the plan (0 if unknown). */
  size_t (*packed_bytes)(void *plan);
  /* What the implementation chose (kernel, oneDNN impl); a string owned by
   * the plan. */
  const char *(*impl_name)(void *plan);
  /* Binds a plan to one input/output pair and the shared workspace; may
   * reorder the input into a private format (not timed). */
  void *(*bind)(void *plan, const float *in, float *out, void *ws,
                size_t ws_bytes, const bench_threads *th, char *err);
  void (*unbind)(void *binding);
  /* One forward pass: the timed call. Returns 0 or -1 (err filled). */
  int (*run)(void *binding, const bench_threads *th, char *err);
  /* Leaves the plain result of the last run in `out` (a reorder for
   * private formats; may be NULL when out is written directly). */
  int (*fetch)(void *binding, char *err);
};

/* Backends compiled into this binary; each returns its variants for this
 * machine through add(). init/fini may be NULL. */
typedef struct bench_backend_entry {
  const bench_backend *backend;
  /* Called once before any other use; returns 0, or -1 with a reason in
   * err when the backend cannot run on this machine (it is skipped). */
  int (*init)(char *err);
  /* Lists the variants (without the thread count). */
  void (*variants)(void (*add)(const bench_variant *v, void *ctx), void *ctx);
  /* One line about the backend for the output header (version, threading);
   * may be NULL. */
  void (*describe)(char *out, size_t len);
} bench_backend_entry;

/* oneDNN variant options (bench_variant.option): the src/dst format, plus
 * post-ops for simdconv-bench --residual (a sum post-op accumulating the
 * convolution into dst, then ReLU). */
enum {
  BENCH_ONEDNN_ANY = 0,
  BENCH_ONEDNN_NCHW = 1,
  BENCH_ONEDNN_NHWC = 2,
  BENCH_ONEDNN_FORMAT_MASK = 0xf,
  BENCH_ONEDNN_SUM = 0x10,
  BENCH_ONEDNN_RELU = 0x20,
};

extern const bench_backend_entry bench_simdconv_entry;
#if BENCH_HAVE_ONEDNN
extern const bench_backend_entry bench_onednn_entry;
#endif
#if BENCH_HAVE_XNNPACK
extern const bench_backend_entry bench_xnnpack_entry;
#endif

#endif /* SIMDCONV_BENCH_BACKEND_H */
