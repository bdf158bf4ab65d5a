/*
 * Internal contract between the portable core and the per-ISA kernels.
 *
 * The core validates the descriptor into an sc_problem (shape-independent,
 * padding resolved), converts the user's weights to the canonical KRSC form
 * (flip applied) and hands that to the chosen kernel's pack function. At run
 * time it resolves an sc_shape and calls the kernel's run function.
 *
 * Every kernel must reproduce the canonical accumulation order bit for bit:
 * acc = bias[k] + 0.0f, then acc = fmaf(x, w, acc) over all taps, padded ones
 * included (a zero tap is fmaf(0, w, acc)), in (kernel row, kernel column,
 * input channel) order; see docs/numerics.md.
 */
#ifndef SIMDCONV_CONV_INTERNAL_H
#define SIMDCONV_CONV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "simdconv.h"

/* The pool is reached only through sc_parallelize_* (src/parallel.h), which
 * runs every task in the canonical FP environment; the pthreadpool functions
 * are poisoned from here on. */
#include "parallel.h"

/* pthreadpool flags. A run's last parallel phase lets the workers yield to
 * the OS instead of spinning for milliseconds, so a run leaves the caller's
 * cores idle when it returns; earlier phases of a run pass SC_POOL_PHASE and
 * keep the hand-off between phases fast. Never DISABLE_DENORMALS: denormals
 * are computed (src/fpenv.h sets the canonical environment instead). */
#define SC_POOL_PHASE 0
#define SC_POOL_FINAL PTHREADPOOL_FLAG_YIELD_WORKERS

/* Defined in sanitizer builds (ASan or UBSan, GCC or clang). */
#if defined(__SANITIZE_ADDRESS__)
#define SC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SC_SANITIZED 1
#endif
#endif

/* Alignment of packed weights and of the workspace handed to kernels. */
#define SC_ALIGNMENT 64

/* A validated convolution, independent of batch and input size. */
typedef struct sc_problem {
  simdconv_layout layout;
  size_t C, K;          /* total input / output channels */
  size_t R, S;          /* kernel height / width */
  size_t groups;
  size_t Cg, Kg;        /* channels per group: C / groups, K / groups */
  size_t stride_h, stride_w;
  size_t dil_h, dil_w;
  size_t pad_top, pad_bottom, pad_left, pad_right; /* resolved */
  simdconv_padding_mode padding_mode;
  simdconv_activation activation;
  float act_min, act_max;
  bool has_bias;
  /* All weights are finite. Informational only: zero-padding taps are never
   * skipped, since an underflowing fma can leave an accumulator at -0.0 and
   * fmaf(0, w, -0.0) is +0.0 (docs/numerics.md). */
  bool weights_finite;
} sc_problem;

/* The shape of one run. */
typedef struct sc_shape {
  size_t N, H, W;   /* batch, input height, input width */
  size_t OH, OW;    /* output height, output width */
} sc_shape;

/* Everything a kernel's run function needs. */
typedef struct sc_conv_kernel sc_conv_kernel;

typedef struct sc_run_args {
  const sc_conv_kernel *kernel;
  const sc_problem *problem;
  const sc_shape *shape;
  const void *packed;   /* the kernel's packed weights, SC_ALIGNMENT aligned */
  const float *input;   /* any alignment */
  float *output;        /* any alignment */
  void *workspace;      /* SC_ALIGNMENT aligned, workspace_size() bytes */
  pthreadpool_t pool;   /* may be NULL */
} sc_run_args;

/* One convolution kernel (a "micro-kernel family" with its driver). Names
 * follow f32_<op>_<tile>__<isa>. */
struct sc_conv_kernel {
  const char *name;
  simdconv_isa isa;
  /* Kernel-family data for a shared driver (tile sizes, micro-kernel
   * pointers); NULL when the kernel needs none. */
  const void *config;
  /* True when this kernel computes the problem (any batch and input size). */
  bool (*fits)(const sc_conv_kernel *k, const sc_problem *p);
  /* Bytes of packed weights + bias; SIZE_MAX signals overflow. */
  size_t (*packed_size)(const sc_conv_kernel *k, const sc_problem *p);
  /* Packs canonical weights w[K][R][S][Cg] (flip already applied) and the
   * bias (NULL: zeros) into `packed` (packed_size() bytes, aligned). */
  void (*pack)(const sc_conv_kernel *k, const sc_problem *p,
               const float *w_krsc, const float *bias, void *packed);
  /* Bytes of workspace for a shape; SIZE_MAX signals overflow. NULL for
   * kernels that need none. */
  size_t (*workspace_size)(const sc_conv_kernel *k, const sc_problem *p,
                           const sc_shape *s);
  void (*run)(const sc_run_args *args);
};

/* The kernels of one ISA, best first. A table registers only kernels that
 * exist; the planner falls back to lower ISAs' tables when none fits. */
typedef struct sc_isa_table {
  simdconv_isa isa;
  const sc_conv_kernel *const *kernels;
  size_t count;
} sc_isa_table;

/* Per-ISA tables, defined in src/<isa>/<isa>_table.c. */
extern const sc_isa_table sc_scalar_table;
#if SIMDCONV_HAVE_AVX2
extern const sc_isa_table sc_avx2_table;
#endif
#if SIMDCONV_HAVE_AVX512
extern const sc_isa_table sc_avx512_table;
#endif
#if SIMDCONV_HAVE_NEON
extern const sc_isa_table sc_neon_table;
#endif

/* The table of an ISA, or NULL when not built. */
const sc_isa_table *sc_isa_table_get(simdconv_isa isa);

/* CPU facts, probed once at load time (src/cpu.c). */
typedef struct sc_cpu_features {
  bool avx2, fma, avx512f, avx512bw, avx512dq, avx512vl, os_ymm, os_zmm;
  bool neon;
  /* Bytes of one core's L2 cache, 0 when the C library cannot tell. */
  size_t l2_bytes;
} sc_cpu_features;
/* Reads the CPU's features (src/cpu.c); called once by the dispatcher. */
void sc_cpu_probe(sc_cpu_features *features);
/* The features probed at load time (src/dispatch.c). */
const sc_cpu_features *sc_cpu(void);

#endif /* SIMDCONV_CONV_INTERNAL_H */
