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
#include <stdint.h>

#include "simdconv.h"

/* The pool is reached only through sc_parallelize_* (src/parallel.h), which
 * runs every task in the canonical FP environment; the pthreadpool functions
 * are poisoned from here on. */
#include "parallel.h"

/* Token pasting for the micro-kernel templates' helper names (the
 * arguments expanded first). */
#define SC_UK_CAT_(a, b) a##b
#define SC_UK_CAT(a, b) SC_UK_CAT_(a, b)

/* pthreadpool flags. A run's earlier parallel phases pass SC_POOL_PHASE
 * and keep the hand-off between phases fast (the workers spin); its last
 * phase passes sc_run_args.pool_final: PTHREADPOOL_FLAG_YIELD_WORKERS (the
 * workers sleep at once, the run leaves the caller's cores idle) or 0 (they
 * spin on, ready for the next run), as the object's options.pool_wait
 * says. Never DISABLE_DENORMALS: denormals are computed (src/fpenv.h sets
 * the canonical environment instead). */
#define SC_POOL_PHASE 0

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

/* The data type of an object: its kernels' families and run function. */
typedef enum sc_dtype {
  SC_DTYPE_F32 = 0, /* simdconv_create / simdconv_run */
  SC_DTYPE_Q8,      /* simdconv_create_q8 / simdconv_run_q8 (src/q8.h) */
} sc_dtype;

/* What an int8 kernel needs of the quantization (src/problem_q8.c); the
 * per-channel multipliers go to its pack_q8 function. */
typedef struct sc_q8_info {
  simdconv_qtype in_type, out_type;
  int32_t x_zp, y_zp;
  int32_t lo, hi; /* the output range: type, clamp and activation */
} sc_q8_info;

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
  /* Every weight finite (set by create, after validation): then the
   * kernels may skip zero-padding taps (docs/numerics.md, section 1,
   * "Skipping zero-padding taps"). */
  bool weights_finite;
  /* A transposed convolution (src/deconv.h): the pads crop the full output
   * and out_pad_h/w extend it at the bottom/right. Only the deconv families
   * and the fp32 direct kernel accept one (the other fits() reject it; the
   * int8 path is forward only: sc_q8_problem_init rejects it). */
  bool transposed;
  size_t out_pad_h, out_pad_w;
  /* F32 unless created by simdconv_create_q8; each family's fits() rejects
   * the other type, so the planner never mixes them. */
  sc_dtype dtype;
  sc_q8_info q8; /* SC_DTYPE_Q8 only */
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
  uint32_t pool_final;  /* the flags of the run's last parallel loop */
  /* The fused residual: output element i is act(fmaf(alpha, residual[i],
   * acc)); NULL for none. May equal output (in place): each element's
   * residual is read before that element is written, and nothing else. */
  const float *residual;
  float alpha;
  /* SC_DTYPE_Q8: the byte tensors (input and output above are NULL). */
  const uint8_t *q8_input;
  uint8_t *q8_output;
} sc_run_args;

/* The flags of a parallel loop of a run: the run's pool_final when it is
 * the run's last loop (the last image's, in the per-image loops of the
 * NCHW drivers), else SC_POOL_PHASE (the workers spin on to the next). */
static inline uint32_t sc_pool_flags(const sc_run_args *args, bool last) {
  return last ? args->pool_final : SC_POOL_PHASE;
}

/* Kernel families: one portable driver each, with per-ISA micro-kernels. */
typedef enum sc_family {
  SC_FAMILY_DIRECT = 0,  /* the scalar direct kernel (src/scalar) */
  SC_FAMILY_IGEMM,       /* indirect GEMM (src/igemm.c) */
  SC_FAMILY_GEMM_NCHW,   /* NCHW 1x1 GEMM (src/gemm_nchw.c) */
  SC_FAMILY_DWCONV,      /* depthwise (src/dwconv.c) */
  SC_FAMILY_DECONV_IGEMM,  /* transposed, on igemm micro-kernels (src/deconv.c) */
  SC_FAMILY_DECONV_DWCONV, /* transposed depthwise (src/deconv_dw.c) */
  /* int8 families last: sc_family_dtype() compares with the first. */
  SC_FAMILY_Q8_DIRECT,   /* int8: the scalar direct kernel (src/scalar) */
  SC_FAMILY_Q8_IGEMM,    /* int8 indirect GEMM (src/q8_igemm.c) */
  SC_FAMILY_Q8_DWCONV,   /* int8 depthwise (src/q8_dwconv.c) */
  SC_FAMILY_COUNT
} sc_family;

/* What the registry says about a kernel (simdconv_kernel_info). */
typedef struct sc_kernel_desc {
  size_t tile_m, tile_n; /* see simdconv_kernel_info */
  uint32_t layouts;      /* bit (1u << simdconv_layout) per layout computed */
  const char *constraints; /* static text: the layers fits() accepts */
} sc_kernel_desc;

/* The data type of a family's kernels. */
static inline sc_dtype sc_family_dtype(sc_family f) {
  return f >= SC_FAMILY_Q8_DIRECT ? SC_DTYPE_Q8 : SC_DTYPE_F32;
}

/* One convolution kernel (a micro-kernel family's driver with one ISA's
 * micro-kernels). Names follow <dtype>_<op>_<tile>__<isa> (dtype f32 or
 * q8, as its family's); the registry lists
 * each in its ISA's src/<isa>/kernels.def, and its source is <name>.c. */
struct sc_conv_kernel {
  const char *name;
  simdconv_isa isa;
  sc_family family;
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
  /* The registry's description (tile, layouts, constraints). */
  void (*describe)(const sc_conv_kernel *k, sc_kernel_desc *d);
  /* NULL when the kernel's config keeps its family's rules, else what it
   * breaks (a static string); checked once at load (src/registry.c). */
  const char *(*check)(const sc_conv_kernel *k);
  /* SC_CPU_* bits the kernel needs beyond its ISA's (src/isas.def), e.g.
   * SC_CPU_AVX512VNNI: the planner skips it on a CPU without them, a
   * forced kernel fails with SIMDCONV_ERR_KERNEL_NOT_SUPPORTED. */
  uint32_t cpu;
  /* Int8 families, instead of pack: packs canonical int8 weights
   * w[K][R][S][Cg] (flip applied), the int32 bias (NULL: zeros) and the
   * per-channel requantization multipliers mult[K] into `packed`. */
  void (*pack_q8)(const sc_conv_kernel *k, const sc_problem *p,
                  const int8_t *w_krsc, const int32_t *bias,
                  const float *mult, void *packed);
};

/* The kernels of one ISA, best first: the planner takes the first whose
 * fits() accepts the problem, then tries the ISA's fallback's table. Made
 * from src/<isa>/kernels.def by src/isa_table.c. */
typedef struct sc_isa_table {
  simdconv_isa isa;
  const sc_conv_kernel *const *kernels;
  size_t count;
} sc_isa_table;

/* CPU features an ISA may require (sc_cpu_features.has). */
enum {
  SC_CPU_FMA = 1u << 0,
  SC_CPU_AVX2 = 1u << 1,
  SC_CPU_AVX512F = 1u << 2,
  SC_CPU_AVX512BW = 1u << 3,
  SC_CPU_AVX512DQ = 1u << 4,
  SC_CPU_AVX512VL = 1u << 5,
  SC_CPU_OS_YMM = 1u << 6, /* the OS saves YMM state (XCR0) */
  SC_CPU_OS_ZMM = 1u << 7, /* the OS saves opmask and ZMM state */
  SC_CPU_NEON = 1u << 8,
  SC_CPU_AVX512VNNI = 1u << 9, /* CPUID.(7,0):ECX[11] */
  SC_CPU_ASIMDDP = 1u << 10,   /* AArch64 HWCAP_ASIMDDP: SDOT / UDOT */
  /* CPUID vendor AuthenticAMD: a tuning hint (read through sc_host_amd),
   * never a kernel's requirement. */
  SC_CPU_AMD = 1u << 11,
};

/* True when the CPU has every SC_CPU_* bit the kernel adds to its ISA's. */
bool sc_kernel_cpu_ok(const sc_conv_kernel *k);

/* One instruction set, from src/isas.def. */
typedef struct sc_isa_desc {
  simdconv_isa isa;
  const char *name;      /* as simdconv_isa_name() prints it */
  int rank;              /* for the SIMDCONV_ISA cap: allowed when <= cap's */
  simdconv_isa fallback; /* the next table tried; itself for scalar */
  uint32_t cpu;          /* SC_CPU_* bits the CPU and OS must have */
  const sc_isa_table *table; /* NULL: not built */
} sc_isa_desc;

/* The descriptor of a valid ISA other than AUTO, else NULL (src/dispatch.c). */
const sc_isa_desc *sc_isa_desc_get(simdconv_isa isa);
/* The table of an ISA, or NULL when not built. */
const sc_isa_table *sc_isa_table_get(simdconv_isa isa);

/* The registry (src/registry.c): every kernel of every built ISA, in ISA
 * preference order and each ISA's dispatch order. */
size_t sc_registry_count(void);
const sc_conv_kernel *sc_registry_kernel(size_t index);
/* The kernel named by SIMDCONV_KERNEL at load time, or NULL (src/dispatch.c). */
const sc_conv_kernel *sc_env_kernel(void);
/* NULL when every table keeps its rules (see check above), else the first
 * violation, "<kernel>: <what>", in a static buffer filled once at load. */
const char *sc_registry_violation(void);

/* CPU facts, probed once at load time (src/cpu.c). */
typedef struct sc_cpu_features {
  uint32_t has; /* SC_CPU_* bits */
  /* Bytes of one core's L1 data and L2 caches, 0 when the C library
   * cannot tell. */
  size_t l1d_bytes, l2_bytes;
  /* SIMDCONV_WPREFETCH at load time: 0 or 1 overrides the host's choice of
   * weight prefetching in the igemm micro-kernels (sc_wprefetch: the
   * same bits either way; the tests run both); -1: unset. */
  int wprefetch;
  /* SIMDCONV_GSHUFFLE at load time: 0 or 1 overrides the host's choice of
   * grouped micro-kernel (sc_gshuffle: the same bits either way; the tests
   * run both); -1: unset. */
  int gshuffle;
} sc_cpu_features;
/* Reads the CPU's features (src/cpu.c); called once by the dispatcher. */
void sc_cpu_probe(sc_cpu_features *features);
/* The features probed at load time (src/dispatch.c). */
const sc_cpu_features *sc_cpu(void);

/* Whether the host's CPUID vendor is AMD: the one reader of the SC_CPU_AMD
 * tuning hint (sc_wprefetch, sc_gshuffle, the igemm input prefetch's
 * bound). */
static inline bool sc_host_amd(void) {
  return (sc_cpu()->has & SC_CPU_AMD) != 0;
}

/* A tuning switch: its environment override (0 or 1, read at load time)
 * when set, else the host's choice. */
static inline bool sc_tuning(int override, bool host_choice) {
  return override >= 0 ? override != 0 : host_choice;
}

/* Whether GEMM micro-kernels ask for their packed weights ahead of their
 * loads on this host: SIMDCONV_WPREFETCH when set, else on every host but
 * AMD, and there too when amd_too (the kernel config says: on Zen 4 the
 * AVX-512 tiles ran faster without it, the AVX2 ones slower; the fp32 and
 * int8 igemm templates document the figures). */
static inline bool sc_wprefetch(bool amd_too) {
  return sc_tuning(sc_cpu()->wprefetch, amd_too || !sc_host_amd());
}

/* Whether grouped layers of 4 channels per group run the channel-order
 * tiles with an in-lane shuffle per FMA (igemm_grouped_ukernel.h,
 * SC_UK_SHUFFLE) rather than the broadcast tiles: SIMDCONV_GSHUFFLE when
 * set, else on AMD hosts, whose shuffles leave the FMA pipes alone (Zen 4);
 * on Intel the shuffle takes the second FMA port. */
static inline bool sc_gshuffle(void) {
  return sc_tuning(sc_cpu()->gshuffle, sc_host_amd());
}

#endif /* SIMDCONV_CONV_INTERNAL_H */
