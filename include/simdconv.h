/*
 * simdconv - SIMD-optimised CPU 2D convolution (fp32) with PyTorch semantics.
 *
 * This is the library's one public header. Everything here is stable API;
 * every other symbol of the library is hidden.
 *
 * Semantics
 * ---------
 * simdconv computes exactly what torch.nn.functional.conv2d computes (a
 * cross-correlation), including stride, per-side padding, 'same' / 'valid',
 * padding modes zeros / reflect / replicate / circular, dilation, groups and
 * depthwise convolution with any channel multiplier, optional bias, followed by
 * an optional fused activation. Optionally the kernel is flipped, giving the
 * true convolution of scipy.signal.convolve2d.
 *
 *   input   N x C x H x W       laid out NCHW or NHWC (simdconv_desc.layout)
 *   weights K x C/groups x R x S laid out OIHW (PyTorch) or OHWI (TFLite)
 *   bias    K                   optional
 *   output  N x K x OH x OW     in the same layout as the input
 *
 *   OH = floor((H + pad_top + pad_bottom - dilation_h*(R-1) - 1) / stride_h) + 1
 *   OW = floor((W + pad_left + pad_right - dilation_w*(S-1) - 1) / stride_w) + 1
 *
 * Transposed convolution
 * ----------------------
 * With simdconv_desc.transposed set, the same object life cycle computes
 * torch.nn.functional.conv_transpose2d (ConvTranspose2d, ONNX ConvTranspose,
 * TFLite TRANSPOSE_CONV): every input pixel (ih, iw) of channel c spreads
 * x * w over output (ih*stride_h + r*dilation_h - pad_top,
 * iw*stride_w + s*dilation_w - pad_left) of each output channel of c's group.
 *
 *   weights C x K/groups x R x S laid out IOHW (PyTorch, ONNX), or
 *           K x C/groups x R x S (OIHW, oneDNN) / K x R x S x C/groups (OHWI)
 *   OH = (H-1)*stride_h - pad_top - pad_bottom + dilation_h*(R-1)
 *        + output_padding_h + 1                       (OW likewise)
 *
 * The pads crop the full output (PyTorch's padding=p is pad_top =
 * pad_bottom = p); output_padding adds rows at the bottom (columns at the
 * right). Zero padding mode only. padding 'valid' is no cropping; 'same' is
 * ONNX's auto_pad SAME_UPPER (OH = H * stride_h); other output sizes come
 * from simdconv_transposed_padding(). Each output is computed in its own
 * canonical order (docs/numerics.md): no scatter-add, no split reduction.
 *
 * Numerics and reproducibility
 * ----------------------------
 * Each output starts from bias + 0.0f and accumulates fmaf(x, w, acc) over
 * every tap, padded ones included, in (kernel row, kernel column, input
 * channel) order, in fp32. Every kernel on every ISA and at every thread
 * count follows this order, so the same inputs give the same bits everywhere
 * (NaN payloads excepted). See docs/numerics.md for the order, the error
 * bound and the activation bounds.
 *
 * Floating-point environment
 * --------------------------
 * Whatever the caller's floating-point environment (a directed rounding mode,
 * flush-to-zero or denormals-are-zero as torch.set_flush_denormal() sets,
 * unmasked exceptions), every thread that computes for a call -- the caller
 * and each pool worker -- computes in the canonical one: round to nearest
 * even, no FTZ/DAZ (FZ on AArch64), all exceptions masked. Each thread's own
 * control state (MXCSR, FPCR) is restored before the call returns; sticky
 * exception flags may be raised. So the results, the oracle's included, are
 * the same bits in any environment.
 *
 * Threads
 * -------
 * A simdconv_conv is immutable after creation; any number of threads may run
 * the same object at once. The library keeps no mutable global state apart
 * from the ISA choice, made once at load time. It leaves every thread's FP
 * control state as it found it, never touches signal handlers, the signal
 * mask or the environment, and never prints.
 *
 * Errors
 * ------
 * Each function lists the statuses it can return, and returns no other. A
 * status depends only on the arguments (descriptor, sizes, pointers,
 * options) and, for OUT_OF_MEMORY, on the allocator's answer: never on the
 * ISA or the kernel chosen. Pointers to float must be aligned for float
 * (4 bytes) and pointers to double for double; otherwise MISALIGNED.
 */
#ifndef SIMDCONV_H
#define SIMDCONV_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(SIMDCONV_STATIC_DEFINE) || !defined(__GNUC__)
#define SIMDCONV_API
#else
#define SIMDCONV_API __attribute__((visibility("default")))
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define SIMDCONV_VERSION_MAJOR 0
#define SIMDCONV_VERSION_MINOR 1
#define SIMDCONV_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH of this header. */
#define SIMDCONV_VERSION                                                    \
  (SIMDCONV_VERSION_MAJOR * 10000 + SIMDCONV_VERSION_MINOR * 100 +          \
   SIMDCONV_VERSION_PATCH)

/** The version of the library actually linked, encoded like SIMDCONV_VERSION. */
SIMDCONV_API int simdconv_version(void);
/** The linked version as "MAJOR.MINOR.PATCH"; a static string. */
SIMDCONV_API const char *simdconv_version_string(void);

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/** Every fallible call returns one of these. The values are stable. */
typedef enum simdconv_status {
  SIMDCONV_OK = 0,
  /** A required pointer argument is NULL. */
  SIMDCONV_ERR_NULL_POINTER = 1,
  /** A size is zero (channels, kernel, stride, dilation, groups, batch,
   *  height, width) or larger than SIMDCONV_MAX_DIM. */
  SIMDCONV_ERR_INVALID_SIZE = 2,
  /** groups does not divide in_channels or out_channels. */
  SIMDCONV_ERR_INVALID_GROUPS = 3,
  /** An enum field holds a value this version does not know. */
  SIMDCONV_ERR_INVALID_ENUM = 4,
  /** padding = SIMDCONV_PADDING_SAME with a stride other than 1 (as in
   *  PyTorch, 'same' is only defined for stride 1). */
  SIMDCONV_ERR_SAME_PADDING_STRIDE = 5,
  /** Reflect padding needs pad < size and circular padding pad <= size on
   *  that axis (PyTorch's constraints). */
  SIMDCONV_ERR_PADDING_TOO_LARGE = 6,
  /** The dilated kernel is larger than the padded input: OH or OW < 1. */
  SIMDCONV_ERR_EMPTY_OUTPUT = 7,
  /** Clamp bounds are invalid: min > max or a NaN bound (checked only when
   *  the activation is SIMDCONV_ACT_CLAMP; other activations ignore them). */
  SIMDCONV_ERR_INVALID_ACTIVATION = 8,
  /** A tensor, workspace or packed size overflows size_t. */
  SIMDCONV_ERR_SIZE_OVERFLOW = 9,
  /** The allocator returned NULL. */
  SIMDCONV_ERR_OUT_OF_MEMORY = 10,
  /** The caller's workspace is smaller than simdconv_workspace_size(). */
  SIMDCONV_ERR_WORKSPACE_TOO_SMALL = 11,
  /** The output buffer overlaps the input buffer. */
  SIMDCONV_ERR_BUFFER_OVERLAP = 12,
  /** The requested ISA is not compiled into this build of the library. */
  SIMDCONV_ERR_ISA_NOT_BUILT = 13,
  /** The requested ISA is built but this CPU (or its OS) lacks it. */
  SIMDCONV_ERR_ISA_NOT_SUPPORTED = 14,
  /** The requested ISA is above the cap set by the SIMDCONV_ISA variable. */
  SIMDCONV_ERR_ISA_DISABLED = 15,
  /** The allocator given in simdconv_options is incomplete (one of alloc and
   *  free is NULL). */
  SIMDCONV_ERR_INVALID_ALLOCATOR = 16,
  /** No kernel of this build has that name (simdconv_options.kernel,
   *  simdconv_kernel_find), or the kernel index is out of range. */
  SIMDCONV_ERR_UNKNOWN_KERNEL = 17,
  /** The kernel named in simdconv_options.kernel cannot compute this layer
   *  (its constraints, simdconv_kernel_info.constraints, exclude it), or it
   *  belongs to another ISA than simdconv_options.isa. */
  SIMDCONV_ERR_KERNEL_UNSUITABLE = 18,
  /* The transposed convolution's statuses (19-23 are reserved): */
  /** output_padding_h/w is not smaller than max(stride, dilation) on that
   *  axis (PyTorch's rule), or is non-zero for a forward convolution. */
  SIMDCONV_ERR_OUTPUT_PADDING = 24,
  /** A transposed convolution with a padding mode other than zeros (PyTorch's
   *  ConvTranspose2d supports zeros only). */
  SIMDCONV_ERR_PADDING_MODE = 25,
  /** The requested output size of a transposed convolution (padding 'same',
   *  or simdconv_transposed_padding()) would need negative padding: it is
   *  larger than the full output plus output_padding. */
  SIMDCONV_ERR_OUTPUT_SHAPE = 26,
  /** A float pointer is not aligned for float (4 bytes), or a double
   *  pointer (simdconv_reference(), simdconv_compare()) not for double;
   *  for int8, an int32_t pointer (bias, quantize_bias's out) not aligned
   *  for int32_t, an int64_t one (reference_q8's acc) not for int64_t, or
   *  qparams.weight_scales not for float. Byte tensors (int8 inputs,
   *  outputs, weights) have no alignment rule.
   *  (Codes 19-23 and 27-31 are reserved.) */
  SIMDCONV_ERR_MISALIGNED = 32,
  /* 40-49: quantized (int8) convolution and per-kernel CPU features. */
  /** simdconv_qparams is invalid: a scale that is not finite and positive,
   *  a zero point outside its type, a weight scale count other than 1 or
   *  out_channels, an unknown type, an output clamp outside the output type
   *  or empty, or a requantization multiplier (input_scale * weight_scale /
   *  output_scale, rounded to float) that is not a positive normal float. */
  SIMDCONV_ERR_INVALID_QPARAMS = 40,
  /** The run function does not match the object's data type:
   *  simdconv_run() / simdconv_run_residual() on an int8 object, or
   *  simdconv_run_q8() on an fp32 object. */
  SIMDCONV_ERR_DTYPE_MISMATCH = 41,
  /** An int8 accumulator could overflow int32: (C/groups)*R*S*255*128
   *  exceeds 2^31-1, or |bias[k]| + 255 * sum |w[k]| does for some output
   *  channel k. */
  SIMDCONV_ERR_ACCUMULATOR_OVERFLOW = 42,
  /** An int8 descriptor asks for an activation other than
   *  SIMDCONV_ACT_NONE or SIMDCONV_ACT_CLAMP. */
  SIMDCONV_ERR_UNSUPPORTED_ACTIVATION = 43,
  /** The kernel named in simdconv_options.kernel needs a CPU feature this
   *  CPU lacks beyond its ISA (simdconv_kernel_info.cpu_features, e.g.
   *  AVX-512 VNNI or the AArch64 dot product). */
  SIMDCONV_ERR_KERNEL_NOT_SUPPORTED = 44,
  /** simdconv_create_q8(), simdconv_desc_validate_q8() or
   *  simdconv_reference_q8() got a transposed descriptor: the int8
   *  convolution is forward only. */
  SIMDCONV_ERR_TRANSPOSED_INT8 = 45,
} simdconv_status;

/** A static, human-readable name for a status ("SIMDCONV_ERR_INVALID_SIZE:
 *  a size is zero or too large"); unknown values get a generic string. */
SIMDCONV_API const char *simdconv_status_string(simdconv_status status);

/** The largest accepted value of any single size (channels, kernel, stride,
 *  dilation, padding, batch, height, width). Larger values are rejected with
 *  SIMDCONV_ERR_INVALID_SIZE, so a negative int cast to an unsigned type is
 *  never taken for a size. */
#define SIMDCONV_MAX_DIM ((size_t)0x7fffffff)

/* ------------------------------------------------------------------------ */
/* Instruction sets                                                         */
/* ------------------------------------------------------------------------ */

typedef enum simdconv_isa {
  /** Let the library choose: the best ISA available (the active ISA). */
  SIMDCONV_ISA_AUTO = 0,
  SIMDCONV_ISA_SCALAR = 1,
  SIMDCONV_ISA_AVX2 = 2,   /**< x86-64 AVX2 + FMA; as a SIMDCONV_ISA cap it
                                means "first SIMD level" (NEON on AArch64) */
  SIMDCONV_ISA_AVX512 = 3, /**< x86-64 AVX-512 F/BW/DQ/VL */
  SIMDCONV_ISA_NEON = 4,   /**< AArch64 Advanced SIMD */
} simdconv_isa;

/** Number of simdconv_isa values, for iterating 1 .. SIMDCONV_ISA_COUNT-1. */
#define SIMDCONV_ISA_COUNT 5

/** "auto", "scalar", "avx2", "avx512", "neon"; NULL for unknown values. */
SIMDCONV_API const char *simdconv_isa_name(simdconv_isa isa);
/** Parses a name as printed by simdconv_isa_name(); returns
 *  SIMDCONV_ERR_INVALID_ENUM for anything else. */
SIMDCONV_API simdconv_status simdconv_isa_from_name(const char *name,
                                                    simdconv_isa *isa);

/** Bit (1u << isa) is set for every ISA compiled into this library. */
SIMDCONV_API uint32_t simdconv_isas_built(void);
/** Bit (1u << isa) is set for every ISA this CPU and OS support. */
SIMDCONV_API uint32_t simdconv_isas_supported(void);
/** The cap read once at load time from the environment variable SIMDCONV_ISA
 *  (one of the names above); SIMDCONV_ISA_AUTO when unset or unparseable. */
SIMDCONV_API simdconv_isa simdconv_isa_cap(void);
/** The ISA new objects use by default: the best ISA that is built, supported
 *  and not above the cap. Decided once, at load time. */
SIMDCONV_API simdconv_isa simdconv_active_isa(void);
/** Whether an object could be created with this ISA: SIMDCONV_OK, or
 *  SIMDCONV_ERR_ISA_NOT_BUILT / _NOT_SUPPORTED / _DISABLED / _INVALID_ENUM. */
SIMDCONV_API simdconv_status simdconv_isa_check(simdconv_isa isa);

/* ------------------------------------------------------------------------ */
/* The convolution descriptor                                               */
/* ------------------------------------------------------------------------ */

typedef enum simdconv_layout {
  SIMDCONV_LAYOUT_NCHW = 0, /**< PyTorch's default */
  SIMDCONV_LAYOUT_NHWC = 1, /**< channels last (TFLite, XNNPACK) */
} simdconv_layout;

/** Weight layouts. K is out_channels, C in_channels, g groups; every layout
 *  stores, for output channel k and input channel c of the same group, the
 *  R x S kernel that connects them. The same names serve both directions. */
typedef enum simdconv_weight_layout {
  /** K x C/g x R x S: PyTorch's Conv2d.weight; oneDNN's deconvolution
   *  weights (oihw / goihw) for a transposed convolution. */
  SIMDCONV_WEIGHTS_OIHW = 0,
  /** K x R x S x C/g: TFLite / XNNPACK, forward and transposed
   *  (TRANSPOSE_CONV, xnn_create_deconvolution2d_nhwc_f32). */
  SIMDCONV_WEIGHTS_OHWI = 1,
  /** C x K/g x R x S: PyTorch's ConvTranspose2d.weight and ONNX's
   *  ConvTranspose W. Transposed convolutions only: a forward convolution
   *  rejects it with SIMDCONV_ERR_INVALID_ENUM. */
  SIMDCONV_WEIGHTS_IOHW = 2,
} simdconv_weight_layout;

typedef enum simdconv_padding {
  /** pad_top, pad_bottom, pad_left, pad_right as given. */
  SIMDCONV_PADDING_EXPLICIT = 0,
  /** PyTorch's padding='valid': no padding; the pad_* fields are ignored. */
  SIMDCONV_PADDING_VALID = 1,
  /** PyTorch's padding='same' (stride 1 only): per axis the total padding is
   *  dilation*(kernel-1), total/2 before and the rest after; the pad_* fields
   *  are ignored. */
  SIMDCONV_PADDING_SAME = 2,
} simdconv_padding;

typedef enum simdconv_padding_mode {
  SIMDCONV_PAD_ZEROS = 0,     /**< padded taps read 0.0 */
  SIMDCONV_PAD_REFLECT = 1,   /**< mirror without repeating the edge */
  SIMDCONV_PAD_REPLICATE = 2, /**< repeat the edge */
  SIMDCONV_PAD_CIRCULAR = 3,  /**< wrap around */
} simdconv_padding_mode;

typedef enum simdconv_activation {
  SIMDCONV_ACT_NONE = 0,
  /** min(max(y, act_min), act_max); NaN propagates. ReLU is clamp(0, +inf),
   *  ReLU6 is clamp(0, 6). */
  SIMDCONV_ACT_CLAMP = 1,
  SIMDCONV_ACT_SIGMOID = 2,
  SIMDCONV_ACT_TANH = 3,
  SIMDCONV_ACT_SILU = 4,      /**< y * sigmoid(y) */
  SIMDCONV_ACT_GELU_ERF = 5,  /**< 0.5 y (1 + erf(y / sqrt 2)) */
  SIMDCONV_ACT_GELU_TANH = 6, /**< PyTorch's approximate='tanh' */
} simdconv_activation;

/** Number of simdconv_activation values. */
#define SIMDCONV_ACT_COUNT 7

/** "none", "clamp", "sigmoid", "tanh", "silu", "gelu_erf", "gelu_tanh";
 *  NULL for unknown values. */
SIMDCONV_API const char *simdconv_activation_name(simdconv_activation act);
/** Parses a name as printed by simdconv_activation_name(); returns
 *  SIMDCONV_ERR_INVALID_ENUM for anything else, NULL_POINTER for NULL. */
SIMDCONV_API simdconv_status simdconv_activation_from_name(
    const char *name, simdconv_activation *act);

/** Describes one convolution layer. Initialise with simdconv_desc_init(),
 *  which sets PyTorch's Conv2d defaults, then set what differs. */
typedef struct simdconv_desc {
  size_t in_channels;  /**< C */
  size_t out_channels; /**< K */
  size_t kernel_h;     /**< R */
  size_t kernel_w;     /**< S */
  size_t stride_h, stride_w;     /**< default 1 */
  size_t dilation_h, dilation_w; /**< default 1 */
  size_t groups; /**< default 1; divides C and K; groups == C is depthwise */
  simdconv_padding padding; /**< default SIMDCONV_PADDING_EXPLICIT */
  size_t pad_top, pad_bottom, pad_left, pad_right; /**< default 0 */
  simdconv_padding_mode padding_mode; /**< default SIMDCONV_PAD_ZEROS */
  simdconv_layout layout;             /**< default NCHW */
  simdconv_weight_layout weight_layout; /**< default OIHW */
  /** Non-zero: flip the kernel in both axes (true convolution, as
   *  scipy.signal.convolve2d computes). Default 0 (cross-correlation). */
  int flip_kernel;
  simdconv_activation activation; /**< default SIMDCONV_ACT_NONE */
  float act_min, act_max; /**< clamp bounds, default -inf and +inf */
  /** Non-zero: a transposed convolution (PyTorch's ConvTranspose2d /
   *  F.conv_transpose2d, ONNX ConvTranspose); see "Transposed convolution"
   *  below. Default 0. */
  int transposed;
  /** Transposed only (PyTorch's output_padding): rows added at the bottom
   *  and columns at the right of the output; each must be smaller than
   *  max(stride, dilation) of its axis. Must be 0 for a forward convolution.
   *  Default 0. */
  size_t output_padding_h, output_padding_w;
} simdconv_desc;

/** Fills *desc for a convolution with the given channel counts and kernel
 *  size and all other fields at PyTorch's defaults (the sizes are checked
 *  later, by simdconv_desc_validate() and simdconv_create()).
 *  Errors: NULL_POINTER (desc NULL; nothing is written). */
SIMDCONV_API simdconv_status simdconv_desc_init(simdconv_desc *desc,
                                                size_t in_channels,
                                                size_t out_channels,
                                                size_t kernel_h,
                                                size_t kernel_w);

/** Validates the descriptor alone (everything that does not depend on the
 *  input size). Returns SIMDCONV_OK or the first problem found:
 *  NULL_POINTER, INVALID_ENUM, INVALID_SIZE, INVALID_ACTIVATION,
 *  INVALID_GROUPS, SAME_PADDING_STRIDE, OUTPUT_PADDING, PADDING_MODE or
 *  OUTPUT_SHAPE (the last three: transposed convolutions; OUTPUT_PADDING
 *  also for output padding set on a forward one). */
SIMDCONV_API simdconv_status simdconv_desc_validate(const simdconv_desc *desc);

/** Computes the output height and width for an input of in_h x in_w
 *  (either direction; see the formulas at the top of this header).
 *  Errors: everything simdconv_desc_validate() reports, plus INVALID_SIZE
 *  (in_h or in_w), PADDING_TOO_LARGE, EMPTY_OUTPUT and SIZE_OVERFLOW (the
 *  bytes of one input or output image overflow size_t). */
SIMDCONV_API simdconv_status simdconv_output_shape(const simdconv_desc *desc,
                                                   size_t in_h, size_t in_w,
                                                   size_t *out_h,
                                                   size_t *out_w);

/** The padding actually applied on each side (resolves 'same' and 'valid').
 *  pads receives top, bottom, left, right.
 *  Errors: everything simdconv_desc_validate() reports (NULL_POINTER also
 *  for pads). */
SIMDCONV_API simdconv_status simdconv_resolved_padding(
    const simdconv_desc *desc, size_t pads[4]);

/** Where the odd row (column) of padding goes when a transposed
 *  convolution's total padding is odd (ONNX ConvTranspose's auto_pad). */
typedef enum simdconv_auto_pad {
  /** ONNX SAME_UPPER: total/2 at the top (left), the rest at the bottom. */
  SIMDCONV_AUTO_PAD_SAME_UPPER = 0,
  /** ONNX SAME_LOWER, and ONNX's rule for an explicit output_shape: the
   *  rest at the top (left), total/2 at the bottom. */
  SIMDCONV_AUTO_PAD_SAME_LOWER = 1,
} simdconv_auto_pad;

/** ONNX ConvTranspose's output_shape rule: the pads that give a transposed
 *  convolution an out_h x out_w output from an in_h x in_w input. Per axis
 *    total = stride*(in-1) + output_padding + dilation*(kernel-1) + 1 - out
 *  split by `split`. ONNX's auto_pad SAME_UPPER / SAME_LOWER ask for
 *  out = in * stride. desc must have transposed set; its padding and pad_*
 *  fields are ignored. pads receives top, bottom, left, right, for
 *  padding = SIMDCONV_PADDING_EXPLICIT.
 *  Errors: everything simdconv_desc_validate() reports (except
 *  SAME_PADDING_STRIDE: the descriptor's padding is ignored), NULL_POINTER,
 *  INVALID_SIZE (an input or output size of 0 or above SIMDCONV_MAX_DIM),
 *  INVALID_ENUM (desc not transposed, or an unknown split), OUTPUT_SHAPE
 *  (total < 0 on an axis: raise output_padding instead). */
SIMDCONV_API simdconv_status simdconv_transposed_padding(
    const simdconv_desc *desc, size_t in_h, size_t in_w, size_t out_h,
    size_t out_w, simdconv_auto_pad split, size_t pads[4]);

/* ------------------------------------------------------------------------ */
/* Convolution objects                                                      */
/* ------------------------------------------------------------------------ */

/** A custom allocator. alloc must return memory aligned to `alignment` (a
 *  power of two, at most 4096) or NULL; free receives only pointers alloc
 *  returned. Both are called with the user's ctx. */
typedef struct simdconv_allocator {
  void *(*alloc)(void *ctx, size_t size, size_t alignment);
  void (*free)(void *ctx, void *ptr);
  void *ctx;
} simdconv_allocator;

/** What the pool's worker threads do once a run's last parallel loop is
 *  done (pthreadpool's choice between PTHREADPOOL_FLAG_YIELD_WORKERS and
 *  its default). Within a run the workers always spin between its loops. */
typedef enum simdconv_pool_wait {
  /** Sleep at once (the default): a run leaves the caller's cores idle when
   *  it returns, and the next run on the pool wakes its workers, which
   *  costs a few to tens of microseconds (more under virtualisation):
   *  as much as a small layer's whole run at two threads. */
  SIMDCONV_POOL_YIELD = 0,
  /** Spin for a while before sleeping (pthreadpool's default, what XNNPACK's
   *  operators and OpenMP runtimes do): a run that follows closely on the
   *  same pool starts at once, but the workers keep their cores busy for up
   *  to tens of milliseconds after the run returns. For a runtime that runs
   *  layers back to back: spin on every layer but the last (as XNNPACK's
   *  runtime yields after its last operator). */
  SIMDCONV_POOL_SPIN = 1,
} simdconv_pool_wait;

/** Creation options; a NULL options pointer means all defaults. */
typedef struct simdconv_options {
  /** SIMDCONV_ISA_AUTO (default) uses the active ISA; any other value forces
   *  that ISA for this object, so one process can compare all of them. */
  simdconv_isa isa;
  /** NULL (default): the C library's aligned allocation. The object keeps a
   *  copy of the allocator and uses it for its own memory and for run
   *  workspaces the caller does not supply. */
  const simdconv_allocator *allocator;
  /** NULL (default): the planner chooses the kernel (see the registry
   *  below). Otherwise the name of a registered kernel, which the object
   *  must run (to time or test one kernel alone): creation fails with
   *  SIMDCONV_ERR_UNKNOWN_KERNEL for a name the build lacks, with
   *  SIMDCONV_ERR_KERNEL_UNSUITABLE when the kernel cannot compute the layer
   *  or isa is neither SIMDCONV_ISA_AUTO nor the kernel's ISA, and with
   *  the ISA errors of simdconv_isa_check() for the kernel's ISA. Every
   *  kernel gives the same bits. */
  const char *kernel;
  /** What the pool's workers do after this object's runs (default
   *  SIMDCONV_POOL_YIELD); any other value than the two is
   *  SIMDCONV_ERR_INVALID_ENUM at creation. Results are the same bits
   *  either way. */
  simdconv_pool_wait pool_wait;
} simdconv_options;

/** An immutable, prepacked convolution. */
typedef struct simdconv_conv simdconv_conv;

/** Validates the descriptor, chooses the kernels for the ISA and prepacks the
 *  weights (and bias). The caller keeps ownership of weights and bias and may
 *  free them once this returns. bias may be NULL (no bias).
 *  On success *conv receives an object to release with simdconv_destroy();
 *  on error *conv is set to NULL (when conv is not NULL).
 *
 *  The packed weights (simdconv_conv_info.packed_bytes) take at most
 *    4 * (K + 64 * groups) * (C/groups * R * S + 2) bytes
 *  (transposed: 4 * (K + 64 * groups) * (C/groups * R * S + 2 * R * S + 2),
 *  each output phase keeping its own bias rows);
 *  SIZE_OVERFLOW when this bound overflows size_t, on every ISA.
 *  Errors: NULL_POINTER, MISALIGNED (weights or bias), everything
 *  simdconv_desc_validate() reports, INVALID_ALLOCATOR, INVALID_ENUM
 *  (options.pool_wait), the ISA errors of
 *  simdconv_isa_check() (INVALID_ENUM, ISA_NOT_BUILT, ISA_NOT_SUPPORTED,
 *  ISA_DISABLED), with options.kernel UNKNOWN_KERNEL, KERNEL_NOT_SUPPORTED
 *  and KERNEL_UNSUITABLE (and the ISA errors of the kernel's ISA),
 *  SIZE_OVERFLOW and OUT_OF_MEMORY, in that order. */
SIMDCONV_API simdconv_status simdconv_create(const simdconv_desc *desc,
                                             const float *weights,
                                             const float *bias,
                                             const simdconv_options *options,
                                             simdconv_conv **conv);

/** Releases an object; NULL is accepted. */
SIMDCONV_API void simdconv_destroy(simdconv_conv *conv);

/** Bytes of workspace a run with this batch and input size needs (0 is
 *  possible). Passing at least this many bytes to simdconv_run() makes the
 *  run allocate nothing. The workspace may have any alignment.
 *
 *  The size is bounded by the work of the run, never by padding, stride or
 *  dilation alone: with N x C x H x W input, an R x S kernel and OH x OW
 *  output images,
 *    bytes <= 16 * N*C*H*W + 24 * (OH*OW + 16) * R*S + 4 * C/groups * S + 1024
 *  (four times the input, 24 bytes per output pixel of one image and kernel
 *  tap); transposed:
 *    bytes <= 16 * N*C*H*W + 4 * K*OH*OW + 64 * (OH*OW*R*S + OH + OW)
 *             + 4 * C/groups + 1024
 *  (an NHWC copy of an output image, and pixel tiles padded per output row
 *  and phase); int8 objects: the bound of simdconv_create_q8().
 *  SIZE_OVERFLOW when this bound overflows size_t, on every ISA.
 *  Errors: NULL_POINTER, INVALID_SIZE, PADDING_TOO_LARGE, EMPTY_OUTPUT,
 *  SIZE_OVERFLOW. */
SIMDCONV_API simdconv_status simdconv_workspace_size(const simdconv_conv *conv,
                                                     size_t batch, size_t in_h,
                                                     size_t in_w,
                                                     size_t *bytes);

/** Runs the convolution on batch x C x in_h x in_w input (the object's
 *  layout) into batch x K x OH x OW output.
 *  input and output must be aligned for float (4 bytes) and must not
 *  overlap.
 *  workspace: NULL (the run allocates through the object's allocator and
 *  frees before returning) or at least simdconv_workspace_size() bytes.
 *  pool: NULL runs on the calling thread; otherwise the work is split over
 *  the pool's threads. Results are bitwise the same either way.
 *  Errors: NULL_POINTER, DTYPE_MISMATCH (an int8 object: simdconv_run_q8()),
 *  MISALIGNED, INVALID_SIZE, PADDING_TOO_LARGE, EMPTY_OUTPUT,
 *  SIZE_OVERFLOW, BUFFER_OVERLAP, WORKSPACE_TOO_SMALL, OUT_OF_MEMORY, in
 *  that order. On error the output is untouched. */
SIMDCONV_API simdconv_status simdconv_run(const simdconv_conv *conv,
                                          size_t batch, size_t in_h,
                                          size_t in_w, const float *input,
                                          float *output, void *workspace,
                                          size_t workspace_size,
                                          pthreadpool_t pool);

/** simdconv_run() with a fused residual add, as in the last convolution of
 *  a residual block (relu(conv(x) + identity)) or MLAS's Beta = 1:
 *    y = act(fmaf(alpha, r, acc))
 *  where acc is the canonical sum (bias + 0.0f, then the taps) and act the
 *  object's activation, so the residual is added before the activation,
 *  with one rounding (alpha == 1 gives exactly acc + r). residual has the
 *  output's shape and layout (batch x K x OH x OW); it may be the output
 *  buffer itself (accumulate in place) but must not otherwise overlap the
 *  output or the input (SIMDCONV_ERR_BUFFER_OVERLAP). A NULL residual is
 *  simdconv_run(). The error bound grows by one rounding (docs/numerics.md,
 *  simdconv_reference_residual). Transposed objects too: acc is then the
 *  transposed canonical sum, and an output without taps is
 *  act(fmaf(alpha, r, bias + 0.0f)). Statuses as simdconv_run(). */
SIMDCONV_API simdconv_status simdconv_run_residual(
    const simdconv_conv *conv, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *residual, float alpha, float *output,
    void *workspace, size_t workspace_size, pthreadpool_t pool);

/** Describes the choices made for an object. Strings are static. */
typedef struct simdconv_conv_info {
  simdconv_isa isa;        /**< the ISA the object runs on */
  const char *kernel;      /**< e.g. "f32_conv_direct__scalar" */
  size_t packed_bytes;     /**< bytes of packed weights and bias */
  simdconv_pool_wait pool_wait; /**< what the pool's workers do after a run */
} simdconv_conv_info;

/** Errors: NULL_POINTER. */
SIMDCONV_API simdconv_status simdconv_get_info(const simdconv_conv *conv,
                                               simdconv_conv_info *info);

/** One-shot convenience: create (default options), run once without a
 *  workspace, destroy.
 *  Errors: those of simdconv_create() and simdconv_run() that default
 *  options and a NULL workspace can give: NULL_POINTER, MISALIGNED,
 *  everything simdconv_desc_validate() reports, SIZE_OVERFLOW,
 *  OUT_OF_MEMORY, INVALID_SIZE, PADDING_TOO_LARGE, EMPTY_OUTPUT,
 *  BUFFER_OVERLAP. */
SIMDCONV_API simdconv_status simdconv_conv2d(
    const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *weights, const float *bias,
    float *output, pthreadpool_t pool);

/* ------------------------------------------------------------------------ */
/* The kernel registry                                                      */
/* ------------------------------------------------------------------------ */

/* Every kernel compiled into the library, in dispatch order: ISAs best first
 * (AVX-512, AVX2, NEON, scalar) and, within an ISA, the order in which the
 * planner tries them (the first whose constraints accept a layer runs it;
 * when none does, the planner tries the next lower ISA, down to the scalar
 * direct kernel, which computes everything). Indexes are stable for the
 * life of the process. The environment variable SIMDCONV_KERNEL=<name>,
 * read once at load time (an unknown name is ignored), makes objects run
 * that kernel where it applies: their options name no kernel, ask for
 * SIMDCONV_ISA_AUTO or the kernel's ISA, and their layer is one the kernel
 * computes; other objects choose as usual. */

/** A registered kernel. Strings are static. */
typedef struct simdconv_kernel_info {
  /** <dtype>_<operation>_<tile>__<isa>, e.g. "f32_igemm_7x32__avx512";
   *  dtype f32 (fp32 objects) or q8 (int8 objects, simdconv_create_q8). */
  const char *name;
  simdconv_isa isa;     /**< the ISA whose table lists it */
  /** The driver it plugs into: "direct", "igemm" (indirect GEMM over NHWC
   *  pixels), "gemm_nchw" (NCHW 1x1 GEMM), "dwconv" (depthwise), and for
   *  transposed convolutions "deconv_igemm" (each output phase on an igemm
   *  kernel's micro-kernels) or "deconv_dwconv" (depthwise, on the
   *  depthwise row micro-kernels); for int8 "q8_direct", "q8_igemm" or
   *  "q8_dwconv". The fp32 direct kernel computes both directions; every
   *  other family only its own. */
  const char *family;
  /** The micro-tile: igemm and deconv_igemm tile_m output pixels x tile_n
   *  output channels; gemm_nchw tile_m output channels x tile_n pixels;
   *  dwconv and deconv_dwconv 1 x the vector width in channels; direct
   *  1 x 1. */
  size_t tile_m, tile_n;
  /** Bit (1u << layout) for each simdconv_layout the kernel computes. */
  uint32_t layouts;
  /** The layers it accepts, in words ("ungrouped, K <= 16"). */
  const char *constraints;
  /** Its position in its ISA's dispatch order (0: tried first). */
  size_t rank;
  /** CPU features it needs beyond its ISA's, space-separated
   *  ("avx512vnni", "asimddp"); "" for none. */
  const char *cpu_features;
  /** Non-zero when this process can run it: its ISA passes
   *  simdconv_isa_check() and the CPU has its cpu_features. */
  int usable;
} simdconv_kernel_info;

/** Number of registered kernels. */
SIMDCONV_API size_t simdconv_kernel_count(void);
/** Describes kernel `index` (< simdconv_kernel_count()); UNKNOWN_KERNEL for
 *  an index out of range, NULL_POINTER for a NULL info. */
SIMDCONV_API simdconv_status simdconv_kernel_get(size_t index,
                                                 simdconv_kernel_info *info);
/** The index of the kernel with this name, or UNKNOWN_KERNEL. */
SIMDCONV_API simdconv_status simdconv_kernel_find(const char *name,
                                                  size_t *index);
/** NULL when every kernel table keeps its family's rules (checked once at
 *  load: names, ISAs, driver functions, tile configurations, a scalar
 *  fallback for everything); otherwise a static description of the first
 *  violation, a bug in this build. */
SIMDCONV_API const char *simdconv_registry_check(void);

/** Calls fn(name, isa, ctx) for every registered kernel, in the order
 *  above. */
SIMDCONV_API void simdconv_list_kernels(
    void (*fn)(const char *name, simdconv_isa isa, void *ctx), void *ctx);

/* ------------------------------------------------------------------------ */
/* The reference oracle                                                     */
/* ------------------------------------------------------------------------ */

/** An independent fp64 implementation, written straight from PyTorch's
 *  formula (explicit padding of the input, then the sum over taps), that
 *  shares no code with the kernels.
 *
 *  ref[i] receives the exact-as-double result (activation included) in the
 *  same layout as simdconv_run()'s output. If bound is not NULL, bound[i]
 *  receives the largest |y - ref[i]| an fp32 implementation following
 *  docs/numerics.md may show:
 *    n = (C/groups)*R*S, gamma_n = n*u/(1-n*u), u = 2^-24,
 *    sum bound  d = gamma_n * (sum |x*w| + |b|) + n * 2^-150
 *  pushed through the activation as documented there. The bound is 0 where
 *  ref[i] is not finite (the result must match exactly: NaN as NaN) and
 *  +inf where fp32 overflow is possible.
 *  A transposed descriptor is computed from its own definition (the sum over
 *  the taps (r, s) whose input position is on the stride lattice, padded
 *  ones included) with n = (C/groups) * (such r) * (such s) per output.
 *
 *  It accepts exactly what simdconv_conv2d() accepts and checks in the same
 *  order (the size bounds of simdconv_create() and
 *  simdconv_workspace_size() included), allocates nothing, and computes in
 *  the canonical FP environment whatever the caller's.
 *  Errors: NULL_POINTER (desc, input, weights or ref), MISALIGNED (a float
 *  pointer not aligned for float, ref or bound not for double), everything
 *  simdconv_desc_validate() reports, INVALID_SIZE, PADDING_TOO_LARGE,
 *  EMPTY_OUTPUT, SIZE_OVERFLOW. */
SIMDCONV_API simdconv_status simdconv_reference(
    const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *weights, const float *bias, double *ref,
    double *bound);

/** simdconv_reference() of simdconv_run_residual(): the exact
 *  act(s + alpha * r) and, if bound is not NULL, its bound: the sum's bound
 *  d, plus one rounding of the add, d + u (|s + alpha r| + d) + 2^-150,
 *  pushed through the activation. residual NULL is simdconv_reference().
 *  Transposed descriptors as in simdconv_reference(). */
SIMDCONV_API simdconv_status simdconv_reference_residual(
    const simdconv_desc *desc, size_t batch, size_t in_h, size_t in_w,
    const float *input, const float *weights, const float *bias,
    const float *residual, float alpha, double *ref, double *bound);

/** Statistics of a comparison against the oracle. */
typedef struct simdconv_compare_stats {
  size_t count;          /**< elements compared */
  size_t violations;     /**< elements outside their bound (or class) */
  size_t first_violation; /**< index of the first; count when none */
  double max_err_over_bound; /**< max |y-ref|/bound over finite elements
                                  with bound > 0; 0 if exact */
  double max_ulp;        /**< max |y-ref| in ULPs of fp32(ref) */
  double max_abs_err;    /**< max |y-ref| */
} simdconv_compare_stats;

/** Compares y against ref within bound (both from simdconv_reference()).
 *  An element with bound +inf accepts any y. Otherwise a non-finite
 *  reference must be matched exactly (NaN matches any NaN) and a finite one
 *  within its bound. y, ref and bound may be NULL when n is 0.
 *  Returns SIMDCONV_OK (stats filled whatever the verdict), NULL_POINTER or
 *  MISALIGNED (y not aligned for float, ref or bound not for double). */
SIMDCONV_API simdconv_status simdconv_compare(const float *y,
                                              const double *ref,
                                              const double *bound, size_t n,
                                              simdconv_compare_stats *stats);

/* ------------------------------------------------------------------------ */
/* Quantized int8 convolution                                               */
/* ------------------------------------------------------------------------ */

/* ONNX QLinearConv / PyTorch quantized Conv2d / TFLite int8 CONV_2D on the
 * same descriptor and object life cycle as fp32: every geometry, layout,
 * padding mode, group count and the flip of simdconv_desc; its activation
 * is NONE or CLAMP (SIMDCONV_ERR_UNSUPPORTED_ACTIVATION otherwise).
 *
 *   input   uint8 or int8, real value input_scale * (x - input_zero_point)
 *   weights int8, zero point 0, scale weight_scales[k] (per output channel)
 *           or weight_scales[0] (per tensor); layout as desc.weight_layout
 *   bias    int32 in the scale input_scale * weight_scale[k] (ONNX); NULL
 *           for none. simdconv_quantize_bias() converts a float bias.
 *   output  uint8 or int8, scale output_scale, zero point output_zero_point
 *
 * Zero padding pads with input_zero_point (the real value 0); the other
 * padding modes copy quantized values. Each output is
 *
 *   acc = bias[k] + sum over taps and channels of (x - x_zp) * w  (int32,
 *         exact: creation rejects layers that could overflow it)
 *   m_k = (float)((double)input_scale * weight_scale[k] / output_scale)
 *   y   = clamp(round_half_even((float)acc * m_k) + output_zero_point,
 *               lo, hi)
 *
 * with (float)acc and the product rounded to nearest even (fp32), and
 * [lo, hi] the output type's range, narrowed by output_min/output_max
 * (clamp set) and by a SIMDCONV_ACT_CLAMP of the descriptor, whose real
 * bounds a become output_zero_point + round_half_even(a / output_scale)
 * (double; -inf and +inf leave the range). Every kernel on every ISA and
 * thread count computes exactly this (docs/numerics.md, part IV), so the
 * same inputs give the same bytes everywhere, equal to
 * simdconv_reference_q8(). */

/** The 8-bit types of input and output. */
typedef enum simdconv_qtype {
  SIMDCONV_QTYPE_U8 = 0, /**< uint8, 0 .. 255 */
  SIMDCONV_QTYPE_S8 = 1, /**< int8, -128 .. 127 */
} simdconv_qtype;

/** Quantization parameters of an int8 convolution. Fill with
 *  simdconv_qparams_init(), then set the clamp if wanted. The weight scales
 *  are copied at creation; the caller keeps ownership. */
typedef struct simdconv_qparams {
  simdconv_qtype input_type;
  float input_scale;          /**< finite, > 0 */
  int32_t input_zero_point;   /**< within input_type */
  const float *weight_scales; /**< weight_scale_count values, finite, > 0 */
  size_t weight_scale_count;  /**< 1 (per tensor) or out_channels */
  simdconv_qtype output_type;
  float output_scale;         /**< finite, > 0 */
  int32_t output_zero_point;  /**< within output_type */
  /** Non-zero: clamp the output to [output_min, output_max] (quantized
   *  values within output_type, min <= max): a fused ReLU is output_min =
   *  output_zero_point. Default 0: the output type's range. */
  int clamp;
  int32_t output_min, output_max;
} simdconv_qparams;

/** Fills *q with the given parameters and no clamp. */
SIMDCONV_API void simdconv_qparams_init(
    simdconv_qparams *q, simdconv_qtype input_type, float input_scale,
    int32_t input_zero_point, const float *weight_scales,
    size_t weight_scale_count, simdconv_qtype output_type, float output_scale,
    int32_t output_zero_point);

/** Validates an int8 descriptor and its parameters without weights.
 *  Errors: NULL_POINTER (desc or qparams), TRANSPOSED_INT8 (the int8
 *  convolution is forward only: any descriptor with transposed set), every
 *  status of simdconv_desc_validate() and OUTPUT_PADDING (an output
 *  padding on this forward descriptor), UNSUPPORTED_ACTIVATION,
 *  NULL_POINTER (qparams.weight_scales), MISALIGNED (weight_scales not
 *  aligned for float), INVALID_QPARAMS, ACCUMULATOR_OVERFLOW (the reduction
 *  length; the per-channel bound needs the weights and is checked at
 *  creation), in that order. The scales are checked and the multipliers
 *  computed in the canonical floating-point environment, whatever the
 *  caller's. */
SIMDCONV_API simdconv_status simdconv_desc_validate_q8(
    const simdconv_desc *desc, const simdconv_qparams *qparams);

/** Creates an int8 object: validates, chooses the kernel (options as for
 *  simdconv_create(), options.kernel naming a q8_ kernel) and prepacks the
 *  weights, the bias and the zero-point compensation. weights: K x C/g x R
 *  x S (or OHWI) int8, any alignment; bias: K int32 (aligned for int32_t)
 *  or NULL. The caller keeps ownership of both.
 *
 *  The packed weights take at most
 *    2 * (K + 64 * groups) * (R * S * (C/groups + 3) + 4) bytes
 *  (channels padded to 4 per tap, AVX2's int16 copies, a bias and a
 *  multiplier per channel). The reduction-length rule of
 *  ACCUMULATOR_OVERFLOW keeps it below 2^57: no SIZE_OVERFLOW here.
 *  Errors: NULL_POINTER, MISALIGNED (bias), those of
 *  simdconv_desc_validate_q8(), INVALID_ALLOCATOR, INVALID_ENUM
 *  (options.pool_wait), the ISA errors of simdconv_isa_check(), with
 *  options.kernel UNKNOWN_KERNEL, KERNEL_NOT_SUPPORTED and
 *  KERNEL_UNSUITABLE, OUT_OF_MEMORY and
 *  ACCUMULATOR_OVERFLOW (per output channel, from the
 *  weights and bias). The object is destroyed with simdconv_destroy() and
 *  described by simdconv_get_info() / simdconv_workspace_size(), whose
 *  bound for int8 objects is
 *    bytes <= 16 * N*C*H*W + K*OH*OW + 24 * (OH*OW + 16) * R*S
 *             + 4 * (C/groups * S + K) + 1024
 *  plus 2 * C * (H + 16) * (W + 16) when groups == 1, dilation_w == 1,
 *  S > 1, C is not a multiple of 4 and at most 16 and no pad exceeds 8
 *  (the igemm kernels then copy the padded image): bounded by the work,
 *  never by padding, stride or dilation alone, as for fp32. */
SIMDCONV_API simdconv_status simdconv_create_q8(
    const simdconv_desc *desc, const simdconv_qparams *qparams,
    const int8_t *weights, const int32_t *bias,
    const simdconv_options *options, simdconv_conv **conv);

/** Runs an int8 object: input batch x C x in_h x in_w bytes (uint8_t or
 *  int8_t as qparams.input_type, the object's layout), output batch x K x
 *  OH x OW bytes, both of any alignment. Workspace, pool, overlap and size
 *  rules as simdconv_run(); it computes in the canonical floating-point
 *  environment on every thread, as simdconv_run() does.
 *  Errors: NULL_POINTER, DTYPE_MISMATCH (an fp32 object), INVALID_SIZE,
 *  PADDING_TOO_LARGE, EMPTY_OUTPUT, SIZE_OVERFLOW, BUFFER_OVERLAP,
 *  WORKSPACE_TOO_SMALL, OUT_OF_MEMORY, in that order. On error the output
 *  is untouched. */
SIMDCONV_API simdconv_status simdconv_run_q8(
    const simdconv_conv *conv, size_t batch, size_t in_h, size_t in_w,
    const void *input, void *output, void *workspace, size_t workspace_size,
    pthreadpool_t pool);

/** Quantizes a float bias into the accumulator's scale:
 *  out[k] = round_half_even((double)bias[k] / ((double)input_scale *
 *  weight_scale[k])) saturated to int32 (weight_scale[k] is weight_scales[0]
 *  when weight_scale_count is 1), in the canonical floating-point
 *  environment. Errors: NULL_POINTER, MISALIGNED (bias or weight_scales
 *  not aligned for float, out not for int32_t), INVALID_QPARAMS (scales not
 *  finite and positive, a count other than 1 or out_channels, a NaN
 *  bias). */
SIMDCONV_API simdconv_status simdconv_quantize_bias(
    const float *bias, size_t out_channels, float input_scale,
    const float *weight_scales, size_t weight_scale_count, int32_t *out);

/** The exact oracle of simdconv_run_q8(): int64 sums written straight from
 *  the definition above (its own padding and indexing, no kernel code),
 *  then the requantization. output receives the bytes (as the run does);
 *  acc, if not NULL, the batch x K x OH x OW exact sums (bias included) in
 *  the output's layout. input and output are bytes (any alignment); bias
 *  must be aligned for int32_t and acc for int64_t. Computes in the
 *  canonical floating-point environment and allocates nothing.
 *  Errors: NULL_POINTER, MISALIGNED (bias, acc), those of
 *  simdconv_desc_validate_q8(), INVALID_SIZE, PADDING_TOO_LARGE,
 *  EMPTY_OUTPUT, SIZE_OVERFLOW (as simdconv_output_shape()) and
 *  ACCUMULATOR_OVERFLOW (per output channel). */
SIMDCONV_API simdconv_status simdconv_reference_q8(
    const simdconv_desc *desc, const simdconv_qparams *qparams, size_t batch,
    size_t in_h, size_t in_w, const void *input, const int8_t *weights,
    const int32_t *bias, void *output, int64_t *acc);

#ifdef __cplusplus
}
#endif

#endif /* SIMDCONV_H */
