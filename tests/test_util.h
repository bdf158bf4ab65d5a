/*
 * Shared helpers of the simdconv test suite.
 *
 * - a small deterministic PRNG (xorshift64*), seeded per case so every
 *   failure message carries the seed that reproduces it;
 * - test cases (descriptor + batch/input size + random tensors of various
 *   kinds) built from a table entry or drawn at random;
 * - tu_check_oracle(): THE function that runs a case on one ISA and compares
 *   it with the fp64 oracle (simdconv_reference + simdconv_compare). Every
 *   test file goes through it;
 * - bitwise comparison (any NaN equals any NaN), pretty-printing.
 *
 * Assertion failures inside these helpers abort the current Criterion test
 * with a message that names the configuration, the ISA, the run options and
 * the seed.
 *
 * The environment variable SIMDCONV_TEST_SEED (decimal or 0x-hex) replaces
 * the base seed of the random configuration generators.
 */
#ifndef SIMDCONV_TEST_UTIL_H
#define SIMDCONV_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <simdconv.h>

/* ------------------------------------------------------------------------ */
/* PRNG                                                                     */
/* ------------------------------------------------------------------------ */

typedef struct tu_rng {
  uint64_t s;
} tu_rng;

void tu_rng_seed(tu_rng *r, uint64_t seed);
uint64_t tu_rng_u64(tu_rng *r);
/* Uniform in [0, n); n > 0. */
size_t tu_rng_below(tu_rng *r, size_t n);
/* Uniform in [lo, hi]. */
size_t tu_rng_range(tu_rng *r, size_t lo, size_t hi);
/* Uniform in [lo, hi). */
float tu_rng_float(tu_rng *r, float lo, float hi);
bool tu_rng_chance(tu_rng *r, unsigned percent);

/* The base seed: SIMDCONV_TEST_SEED if set, else def. */
uint64_t tu_base_seed(uint64_t def);

/* ------------------------------------------------------------------------ */
/* Tensor contents                                                          */
/* ------------------------------------------------------------------------ */

typedef enum tu_data {
  TU_DATA_UNIFORM = 0, /* uniform in [-1, 1) */
  TU_DATA_INT,         /* integers in [-8, 8] */
  TU_DATA_POSITIVE,    /* uniform in [0.5, 1.5) */
  TU_DATA_WIDE,        /* +-[1, 2) * 2^e, e in [-30, 30] */
  TU_DATA_SIGNED_ZERO, /* +0.0f and -0.0f */
  TU_DATA_DENORMAL,    /* subnormals of either sign */
  TU_DATA_HUGE,        /* +-[0.5, 1] * FLT_MAX */
  TU_DATA_UNDERFLOW,   /* +-k * 2^-75, k in 0..3 (half of them 0): products
                          are multiples of 2^-150, so sums underflow and
                          accumulators pass through -0.0 */
  TU_DATA_KINDS
} tu_data;

const char *tu_data_name(tu_data kind);
void tu_fill(tu_rng *r, float *p, size_t n, tu_data kind);

/* ------------------------------------------------------------------------ */
/* Activations                                                              */
/* ------------------------------------------------------------------------ */

typedef enum tu_act {
  TU_ACT_NONE = 0,
  TU_ACT_RELU,      /* clamp(0, +inf) */
  TU_ACT_RELU6,     /* clamp(0, 6) */
  TU_ACT_CLAMP,     /* clamp(-0.25, 0.5): a general clamp */
  TU_ACT_SIGMOID,
  TU_ACT_TANH,
  TU_ACT_SILU,
  TU_ACT_GELU_ERF,
  TU_ACT_GELU_TANH,
  TU_ACT_VARIANTS
} tu_act;

/* Sets activation, act_min and act_max of d. */
void tu_set_act(simdconv_desc *d, tu_act a);
const char *tu_act_name(tu_act a);
/* The clamp-like variants, which are exact operations. */
#define TU_ACTS_EXACT                                                       \
  ((1u << TU_ACT_NONE) | (1u << TU_ACT_RELU) | (1u << TU_ACT_RELU6) |       \
   (1u << TU_ACT_CLAMP))
#define TU_ACTS_ALL ((1u << TU_ACT_VARIANTS) - 1u)

/* ------------------------------------------------------------------------ */
/* Names and shapes, computed independently of the library                  */
/* ------------------------------------------------------------------------ */

/* simdconv_isa_name() and simdconv_activation_name(), "?" for unknown
 * values (never NULL). */
const char *tu_isa_str(simdconv_isa isa);
const char *tu_layout_str(simdconv_layout l);
const char *tu_wlayout_str(simdconv_weight_layout l);
const char *tu_padding_str(simdconv_padding p);
const char *tu_mode_str(simdconv_padding_mode m);
const char *tu_activation_str(simdconv_activation a);

/* PyTorch's rules, written here from the documentation: resolves the padding
 * into pads (top, bottom, left, right; may be NULL) and computes the output
 * size. Returns SIMDCONV_OK, _INVALID_SIZE (H or W zero),
 * _PADDING_TOO_LARGE (reflect pad >= size, circular pad > size) or
 * _EMPTY_OUTPUT. */
simdconv_status tu_expected_shape(const simdconv_desc *d, size_t H, size_t W,
                                  size_t pads[4], size_t *OH, size_t *OW);

/* Index of weight (k, c, r, s) (c within the group) in d's weight layout. */
size_t tu_widx(const simdconv_desc *d, size_t k, size_t c, size_t r,
               size_t s);
/* Index of element (n, c, h, w) of an N x C x H x W tensor in layout l. */
size_t tu_tidx(simdconv_layout l, size_t C, size_t H, size_t W, size_t n,
               size_t c, size_t h, size_t w);
/* The inverse of tu_tidx. */
void tu_tpos(simdconv_layout l, size_t C, size_t H, size_t W, size_t idx,
             size_t pos[4]);

/* The input row (or column) that padded coordinate i (relative to the
 * input's first row, may be negative) reads under mode m, or -1 for a zero
 * padding tap. Valid for pads within PyTorch's limits. */
long tu_map_coord(simdconv_padding_mode m, long i, long size);

/* ------------------------------------------------------------------------ */
/* Test cases                                                               */
/* ------------------------------------------------------------------------ */

typedef struct tu_spec {
  simdconv_desc desc;
  size_t N, H, W;
  bool bias;
  tu_data xdata, wdata, bdata;
  uint64_t seed;
} tu_spec;

/* A table entry. Zero in N, sh, sw, dh, dw, groups means 1. */
typedef struct tu_tcfg {
  const char *name;
  size_t N, C, K, H, W, R, S, sh, sw, dh, dw, groups;
  simdconv_padding padding;
  size_t pt, pb, pl, pr;
  simdconv_padding_mode mode;
  tu_act act;
  bool bias;
  /* A transposed convolution with this output padding (else 0). */
  bool transposed;
  size_t oph, opw;
  /* Input and weight data (default uniform); TU_DATA_UNDERFLOW biases
   * are signed zeros, so that accumulators can end at -0.0. */
  tu_data data;
} tu_tcfg;

/* The shared table of hand-written configurations. */
extern const tu_tcfg tu_table[];
extern const size_t tu_table_len;

/* A spec from a table entry, with uniform data. */
void tu_spec_from_tcfg(tu_spec *s, const tu_tcfg *t, simdconv_layout layout,
                       simdconv_weight_layout wlayout, int flip,
                       uint64_t seed);

/* Limits of the random configuration generator. */
typedef struct tu_limits {
  size_t max_groups, max_cg, max_kg; /* channels = groups * per-group */
  size_t max_depthwise_c;            /* 0: no depthwise draws */
  size_t max_n, max_hw, max_rs, max_stride, max_dil, max_pad;
  unsigned acts; /* bit set of tu_act variants to draw from */
} tu_limits;

extern const tu_limits tu_small_limits;

/* Draws a random valid configuration (the shape is checked with
 * tu_expected_shape()) with uniform data. */
void tu_random_spec(tu_rng *r, const tu_limits *lim, tu_spec *s);
/* The draws after the descriptor's geometry: activation, batch, input size,
 * bias, data, seed; returns whether the spec is valid. */
bool tu_random_run_fields(tu_rng *r, const tu_limits *lim, tu_spec *s);

/* ------------------------------------------------------------------------ */
/* Transposed convolutions (test_util_transposed.c)                         */
/* ------------------------------------------------------------------------ */

/* tu_expected_shape() of a transposed descriptor, from PyTorch's formula
 * OH = (H-1)*sh - pt - pb + dh*(R-1) + oph + 1 ('same': ONNX's SAME_UPPER,
 * 'valid': no padding). Also _OUTPUT_SHAPE ('same' that would need negative
 * padding). */
simdconv_status tu_expected_shape_transposed(const simdconv_desc *d, size_t H,
                                             size_t W, size_t pads[4],
                                             size_t *OH, size_t *OW);

/* Draws a random valid transposed configuration (zero padding, output
 * padding below max(stride, dilation), any weight layout) from lim; the
 * stride is up to lim->max_stride + 1. */
void tu_random_transposed_spec(tu_rng *r, const tu_limits *lim, tu_spec *s);

void tu_spec_str(const tu_spec *s, char *buf, size_t size);

typedef struct tu_case {
  tu_spec spec;
  size_t OH, OW;
  size_t nx, nw, nb, ny; /* element counts of input, weights, bias, output */
  float *x, *w, *b;      /* b is NULL without bias */
  double *ref, *bound;   /* the oracle for the current shape, or NULL */
  /* The fused residual (tu_case_set_residual): r has the output's shape
   * (NULL: runs use simdconv_run); in place, the run's output buffer
   * starts as r and is passed as the residual. */
  float *r;
  float alpha;
  bool in_place;
  tu_rng rng;            /* continues after the data were drawn */
  char name[512];
} tu_case;

/* Allocates and fills the tensors (asserts that the library's output shape
 * equals tu_expected_shape()). */
void tu_case_init(tu_case *c, const tu_spec *s);
/* Changes batch and input size; draws a new input (same kind). */
void tu_case_reshape(tu_case *c, size_t N, size_t H, size_t W);
/* After a test edited c->x / c->w / c->b: forget the cached oracle. */
void tu_case_touch(tu_case *c);
/* The index into c->x that window tap (r, s) (position in the window, after
 * any flip) of input channel ch (within the group) of output (n, k, oh, ow)
 * reads, or -1 for a zero-padding tap. Computed from PyTorch's definition,
 * independently of the library. */
long tu_tap_input(const tu_case *c, size_t n, size_t k, size_t ch, size_t oh,
                  size_t ow, size_t r, size_t s);
/* Gives the case a residual of uniform data (re-drawn by
 * tu_case_reshape), added with alpha, in place or from its own buffer;
 * the oracle becomes simdconv_reference_residual's. */
void tu_case_set_residual(tu_case *c, float alpha, bool in_place);
/* Computes the oracle for the current shape if not cached. */
void tu_case_oracle(tu_case *c);
void tu_case_free(tu_case *c);
const char *tu_case_str(const tu_case *c);

/* ------------------------------------------------------------------------ */
/* Running                                                                  */
/* ------------------------------------------------------------------------ */

/* The ISAs usable here: built, supported, and allowed by the cap; ascending.
 * Always contains SIMDCONV_ISA_SCALAR. Returns the count. */
size_t tu_isas(simdconv_isa out[SIMDCONV_ISA_COUNT]);

/* Parameter generator over tu_isas() for ParameterizedTest(simdconv_isa *). */
#define TU_ISA_PARAMS(suite, name)                                          \
  ParameterizedTestParameters(suite, name) {                                \
    static simdconv_isa tu_isas_[SIMDCONV_ISA_COUNT];                       \
    size_t tu_n_ = tu_isas(tu_isas_);                                       \
    return cr_make_param_array(simdconv_isa, tu_isas_, tu_n_);              \
  }

/* An ISA and a slice of a test's work, to spread long tests over jobs. */
typedef struct tu_isa_part {
  simdconv_isa isa;
  unsigned part, parts;
} tu_isa_part;

/* Every tu_isas() ISA times parts slices; out holds
 * SIMDCONV_ISA_COUNT * parts entries. Returns the count. */
size_t tu_isa_parts(tu_isa_part *out, unsigned parts);

#define TU_ISA_PART_PARAMS(suite, name, nparts)                             \
  ParameterizedTestParameters(suite, name) {                                \
    static tu_isa_part tu_p_[SIMDCONV_ISA_COUNT * (nparts)];                \
    size_t tu_n_ = tu_isa_parts(tu_p_, (nparts));                           \
    return cr_make_param_array(tu_isa_part, tu_p_, tu_n_);                  \
  }

typedef struct tu_run_opts {
  bool workspace; /* a caller workspace of exactly simdconv_workspace_size()
                     bytes at an odd address (else NULL) */
  bool threads;   /* the 2-thread pool of tu_pool() (else NULL) */
  size_t misalign; /* input and output start this many floats past a
                      64-byte boundary */
} tu_run_opts;

/* The run variants: workspace NULL / caller's, pool NULL / 2 threads, and
 * misaligned buffers: [0] no workspace, 1 thread; [1] workspace, 1 thread;
 * [2] workspace, 2 threads; [3] no workspace, 2 threads.
 *
 * Threaded runs are rationed: after each parallel job pthreadpool's workers
 * spin for ~1M pause instructions, which costs far more than the small runs
 * themselves (over 90% of the suite's CPU time when every case ran threaded,
 * worse under emulation or on a loaded machine). tu_check_variants() runs
 * [0] and [1] always and [2] when tu_threads_for() says so; the identity
 * tests run one threaded variant on every case and check it bitwise against
 * the single-threaded scalar result, which together with the oracle checks
 * of the single-threaded runs covers the threaded results. */
#define TU_VARIANTS 4
#define TU_ORACLE_VARIANTS 3
extern const tu_run_opts tu_variants[TU_VARIANTS];

/* A 2-thread pthreadpool, created on first use in the test process. */
pthreadpool_t tu_pool(void);

void tu_opts_str(const tu_run_opts *o, char *buf, size_t size);

/* Creates the object of a case on an ISA (SIMDCONV_ISA_AUTO: the active
 * one). The weights and bias passed are temporary copies, poisoned and
 * freed as soon as creation returns. Asserts success and sane info. */
simdconv_conv *tu_create(const tu_case *c, simdconv_isa isa);
/* Creates the object of a case forced onto a registered kernel; NULL when
 * the kernel cannot compute the case (SIMDCONV_ERR_KERNEL_UNSUITABLE).
 * Asserts every other outcome and that the object runs that kernel. */
simdconv_conv *tu_create_kernel(const tu_case *c, const char *kernel);
/* simdconv_create with the case's tensors (temporary copies, poisoned and
 * freed once creation returns) and opt; asserts that *conv is NULL exactly
 * when the status is not OK. */
simdconv_status tu_try_create(const tu_case *c, const simdconv_options *opt,
                              simdconv_conv **conv);

/* A copy of bytes at src in a fresh allocation (NULL for NULL src). */
void *tu_dup(const void *src, size_t bytes);
/* Poisons and frees a tu_dup copy (NULL: nothing). */
void tu_scrub_free(void *p, size_t bytes);
/* Asserts that a creation's *conv is NULL exactly when st is not OK. */
void tu_check_created(simdconv_status st, const simdconv_conv *conv,
                      const char *name);

/* tu_create / tu_create_kernel for any case type (the int8 ones too):
 * try_create is the type's tu_try_create; objects must run kernels named
 * prefix...__<isa>. */
typedef struct tu_creator {
  simdconv_status (*try_create)(const void *c, const simdconv_options *opt,
                                simdconv_conv **conv);
  const void *c;
  const char *name;
  const char *prefix;
} tu_creator;
simdconv_conv *tu_create_with(const tu_creator *cr, simdconv_isa isa);
simdconv_conv *tu_create_kernel_with(const tu_creator *cr,
                                     const char *kernel);

/* Runs conv on the case's input into y (c->ny floats). Asserts success, that
 * nothing outside the output (and the workspace) was written and that the
 * input is unchanged. */
void tu_run(const tu_case *c, const simdconv_conv *conv, simdconv_isa isa,
            const tu_run_opts *o, float *y);

/* THE check: runs the case on isa (with conv, or a fresh object if conv is
 * NULL) and compares with the oracle; asserts zero violations. y (may be
 * NULL) receives the output. Returns the comparison statistics. */
simdconv_compare_stats tu_check_oracle(tu_case *c, const simdconv_conv *conv,
                                       simdconv_isa isa,
                                       const tu_run_opts *o, float *y);

/* Whether a case gets the threaded oracle run: cases with enough work to
 * be split over threads (500k multiply-adds) always, other cases one in
 * twelve, and every case when SIMDCONV_TEST_THREADS=all. */
bool tu_threads_for(const tu_case *c);

/* tu_check_oracle() with one object under tu_variants[0], [1] and (if
 * tu_threads_for()) [2]; also
 * asserts that all variants give bitwise the same output. y (may be NULL)
 * receives it. */
void tu_check_variants(tu_case *c, simdconv_isa isa, float *y);

/* ------------------------------------------------------------------------ */
/* Comparison and reporting                                                 */
/* ------------------------------------------------------------------------ */

/* Bitwise equality, except that any NaN equals any NaN. */
bool tu_same(float a, float b);
/* The first index where a and b differ per tu_same(), or n. */
size_t tu_first_diff(const float *a, const float *b, size_t n);
uint32_t tu_bits(float f);

/* Describes output element idx of the case: "n=.. k=.. oh=.. ow=..". */
void tu_out_pos_str(const tu_case *c, size_t idx, char *buf, size_t size);

/* Largest max_err_over_bound seen by tu_check_oracle() in this process. */
double tu_max_ratio(void);
size_t tu_checks(void);
/* Prints the process's statistics to stderr, tagged with what. */
void tu_report(const char *what);

/* Allocation that asserts success; 64-byte aligned; free with free(). */
void *tu_alloc(size_t bytes);

#endif /* SIMDCONV_TEST_UTIL_H */
