/*
 * The public object API: create (validate, choose a kernel, pack), run,
 * destroy, and the small informational calls.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bounds.h"
#include "conv_internal.h"
#include "fpenv.h"
#include "object.h"
#include "problem.h"

/* ---- memory -------------------------------------------------------------- */

static void *sc_default_alloc(void *ctx, size_t size, size_t alignment) {
  (void)ctx;
  void *p = NULL;
  return posix_memalign(&p, alignment, size ? size : 1) == 0 ? p : NULL;
}

static void sc_default_free(void *ctx, void *ptr) {
  (void)ctx;
  free(ptr);
}

static const simdconv_allocator sc_default_allocator = {
    sc_default_alloc, sc_default_free, NULL};

static void *sc_alloc(const simdconv_allocator *a, size_t size) {
  return a->alloc(a->ctx, size, SC_ALIGNMENT);
}

static void sc_free(const simdconv_allocator *a, void *ptr) {
  if (ptr != NULL)
    a->free(a->ctx, ptr);
}

void *sc_object_alloc(const simdconv_conv *conv, size_t bytes) {
  return sc_alloc(&conv->allocator, bytes);
}

void sc_object_free(const simdconv_conv *conv, void *ptr) {
  sc_free(&conv->allocator, ptr);
}

/* ---- kernel choice -------------------------------------------------------- */

/* The ISA's own table first, then its fallbacks' (src/isas.def) down to
 * scalar, whose direct kernels fit every problem; kernels that need a CPU
 * feature this CPU lacks are skipped (AVX-512 without VNNI: the next
 * kernel of the family that fits, in the same table or below). */
static const sc_conv_kernel *sc_choose_kernel(simdconv_isa isa,
                                              const sc_problem *p) {
  for (const sc_isa_desc *d = sc_isa_desc_get(isa); d != NULL;
       d = d->isa == d->fallback ? NULL : sc_isa_desc_get(d->fallback)) {
    const sc_isa_table *t = d->table;
    for (size_t j = 0; t != NULL && j < t->count; j++)
      if (sc_kernel_cpu_ok(t->kernels[j]) &&
          t->kernels[j]->fits(t->kernels[j], p))
        return t->kernels[j];
  }
  return NULL; /* unreachable: the registry check ensures the direct kernel */
}

/* The kernel named by options.kernel, checked against the problem and the
 * requested ISA (AUTO: the kernel's own). */
static simdconv_status sc_named_kernel(const char *name, simdconv_isa isa,
                                       const sc_problem *p,
                                       const sc_conv_kernel **out) {
  size_t index;
  simdconv_status st = simdconv_kernel_find(name, &index);
  if (st != SIMDCONV_OK)
    return st;
  const sc_conv_kernel *k = sc_registry_kernel(index);
  if ((st = simdconv_isa_check(k->isa)) != SIMDCONV_OK)
    return st;
  if (!sc_kernel_cpu_ok(k))
    return SIMDCONV_ERR_KERNEL_NOT_SUPPORTED;
  if ((isa != SIMDCONV_ISA_AUTO && isa != k->isa) || !k->fits(k, p))
    return SIMDCONV_ERR_KERNEL_UNSUITABLE;
  *out = k;
  return SIMDCONV_OK;
}

/* Decides the object's kernel and ISA: the named kernel, else the one of
 * SIMDCONV_KERNEL where it applies, else the planner's choice for the
 * requested (or active) ISA. */
static simdconv_status sc_plan_kernel(const char *name, simdconv_isa isa,
                                      const sc_problem *p,
                                      const sc_conv_kernel **kernel,
                                      simdconv_isa *object_isa) {
  const sc_conv_kernel *env = sc_env_kernel();
  simdconv_status st = SIMDCONV_OK;
  if (name != NULL)
    st = sc_named_kernel(name, isa, p, kernel);
  else if (env == NULL ||
           sc_named_kernel(env->name, isa, p, kernel) != SIMDCONV_OK)
    *kernel = sc_choose_kernel(
        isa == SIMDCONV_ISA_AUTO ? simdconv_active_isa() : isa, p);
  if (st == SIMDCONV_OK)
    *object_isa = isa != SIMDCONV_ISA_AUTO ? isa
                  : name != NULL || *kernel == env ? (*kernel)->isa
                                                   : simdconv_active_isa();
  return st;
}

/* ---- weights -------------------------------------------------------------- */

/* Index of weight (k, r, s, c) in the user's layout, flip applied. */
static size_t sc_user_weight_index(const simdconv_desc *d, const sc_problem *p,
                                   size_t k, size_t r, size_t s, size_t c) {
  if (d->flip_kernel) {
    r = p->R - 1 - r;
    s = p->S - 1 - s;
  }
  if (d->weight_layout == SIMDCONV_WEIGHTS_OHWI)
    return ((k * p->R + r) * p->S + s) * p->Cg + c;
  if (d->weight_layout == SIMDCONV_WEIGHTS_IOHW) /* C x K/g x R x S */
    return (((k / p->Kg) * p->Cg + c) * p->Kg + k % p->Kg) * p->R * p->S +
           r * p->S + s;
  return ((k * p->Cg + c) * p->R + r) * p->S + s;
}

void sc_canonical_weights(const simdconv_desc *d, const sc_problem *p,
                          const void *w, void *krsc, size_t elem) {
  const unsigned char *in = w;
  unsigned char *out = krsc;
  for (size_t k = 0; k < p->K; k++)
    for (size_t r = 0; r < p->R; r++)
      for (size_t s = 0; s < p->S; s++)
        for (size_t c = 0; c < p->Cg; c++, out += elem)
          memcpy(out, in + sc_user_weight_index(d, p, k, r, s, c) * elem,
                 elem);
}

/* Whether every one of the n floats is finite (an integer test: the
 * caller's FP environment may trap on a comparison with NaN). */
static bool sc_all_finite(const float *x, size_t n) {
  uint32_t all = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t bits;
    memcpy(&bits, &x[i], sizeof bits);
    /* Exponent field all ones: infinite or NaN. */
    all |= (uint32_t)((bits & 0x7f800000u) == 0x7f800000u);
  }
  return all == 0;
}

/* Packing computes bias + 0.0f: in the canonical FP environment (the
 * allocator, the caller's code, runs in the caller's). */
static void sc_guarded_pack(const sc_conv_kernel *k, const sc_problem *p,
                            const float *krsc, const float *bias,
                            void *packed) {
  sc_fpenv env;
  sc_fpenv_enter(&env);
  k->pack(k, p, krsc, bias, packed);
  sc_fpenv_leave(&env);
}

/* The weights and the packed weights are within sc_packed_bound(), which
 * create checked: no size here overflows. */
static simdconv_status sc_pack(simdconv_conv *conv, const simdconv_desc *d,
                               const float *weights, const float *bias) {
  const sc_problem *p = &conv->problem;
  float *krsc =
      sc_alloc(&conv->allocator, p->K * p->R * p->S * p->Cg * sizeof(float));
  if (krsc == NULL)
    return SIMDCONV_ERR_OUT_OF_MEMORY;
  sc_canonical_weights(d, p, weights, krsc, sizeof(float));
  conv->problem.weights_finite = sc_all_finite(krsc, p->K * p->R * p->S * p->Cg);
  conv->packed_bytes = conv->kernel->packed_size(conv->kernel, p);
  simdconv_status st = SIMDCONV_OK;
  if ((conv->packed = sc_alloc(&conv->allocator, conv->packed_bytes)) == NULL)
    st = SIMDCONV_ERR_OUT_OF_MEMORY;
  else
    sc_guarded_pack(conv->kernel, p, krsc, bias, conv->packed);
  sc_free(&conv->allocator, krsc);
  return st;
}

/* ---- create / destroy ----------------------------------------------------- */

/* The allocator, the object's ISA and its kernel, from the options. */
static simdconv_status sc_options_resolve(const simdconv_options *o,
                                          const sc_problem *p,
                                          simdconv_allocator *alloc,
                                          simdconv_isa *isa,
                                          const sc_conv_kernel **kernel) {
  *alloc = sc_default_allocator;
  if (o && o->allocator) {
    if (o->allocator->alloc == NULL || o->allocator->free == NULL)
      return SIMDCONV_ERR_INVALID_ALLOCATOR;
    *alloc = *o->allocator;
  }
  if (o && o->pool_wait != SIMDCONV_POOL_YIELD &&
      o->pool_wait != SIMDCONV_POOL_SPIN)
    return SIMDCONV_ERR_INVALID_ENUM;
  const simdconv_isa want = o ? o->isa : SIMDCONV_ISA_AUTO;
  const simdconv_status st = simdconv_isa_check(want);
  if (st != SIMDCONV_OK)
    return st;
  return sc_plan_kernel(o ? o->kernel : NULL, want, p, kernel, isa);
}

simdconv_status sc_object_new(const sc_problem *problem,
                              const simdconv_options *options,
                              simdconv_conv **out) {
  simdconv_isa isa;
  simdconv_allocator alloc;
  const sc_conv_kernel *kernel;
  size_t packed_bound;
  *out = NULL;
  simdconv_status st =
      sc_options_resolve(options, problem, &alloc, &isa, &kernel);
  if (st != SIMDCONV_OK)
    return st;
  /* SIZE_OVERFLOW from the documented bound alone, whatever the kernel;
   * within it no kernel's packed size overflows. */
  if (!sc_packed_bound(problem, &packed_bound))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  simdconv_conv *conv = sc_alloc(&alloc, sizeof *conv);
  if (conv == NULL)
    return SIMDCONV_ERR_OUT_OF_MEMORY;
  *conv = (simdconv_conv){.problem = *problem,
                          .kernel = kernel,
                          .isa = isa,
                          .allocator = alloc,
                          .pool_wait = options ? options->pool_wait
                                               : SIMDCONV_POOL_YIELD};
  *out = conv;
  return SIMDCONV_OK;
}

/* Float pointers must be aligned for float: reading a float through a
 * misaligned pointer is undefined behaviour in C. */
static bool sc_float_aligned(const float *p) {
  return sc_ptr_aligned(p, _Alignof(float));
}

simdconv_status simdconv_create(const simdconv_desc *desc,
                                const float *weights, const float *bias,
                                const simdconv_options *options,
                                simdconv_conv **conv_out) {
  if (conv_out == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  *conv_out = NULL;
  if (desc == NULL || weights == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if (!sc_float_aligned(weights) || !sc_float_aligned(bias))
    return SIMDCONV_ERR_MISALIGNED;
  sc_problem problem;
  simdconv_conv *conv = NULL;
  simdconv_status st = sc_problem_init(desc, &problem);
  problem.has_bias = bias != NULL;
  if (st == SIMDCONV_OK)
    st = sc_object_new(&problem, options, &conv);
  if (st == SIMDCONV_OK)
    st = sc_pack(conv, desc, weights, bias);
  return sc_object_publish(conv, st, conv_out);
}

simdconv_status sc_object_publish(simdconv_conv *conv, simdconv_status st,
                                  simdconv_conv **out) {
  if (st != SIMDCONV_OK)
    simdconv_destroy(conv);
  else
    *out = conv;
  return st;
}

void simdconv_destroy(simdconv_conv *conv) {
  if (conv == NULL)
    return;
  const simdconv_allocator alloc = conv->allocator;
  sc_free(&alloc, conv->packed);
  sc_free(&alloc, conv);
}

/* ---- run ------------------------------------------------------------------ */

/* The kernel's bytes plus room to align a caller's buffer of any alignment.
 * SIZE_OVERFLOW comes from the documented bound alone, whatever the kernel;
 * within it the kernel's size cannot overflow. */
static simdconv_status sc_workspace_bytes(const simdconv_conv *conv,
                                          const sc_shape *s, size_t *bytes) {
  const sc_conv_kernel *k = conv->kernel;
  size_t bound;
  if (!sc_workspace_bound(&conv->problem, s, &bound))
    return SIMDCONV_ERR_SIZE_OVERFLOW;
  const size_t need = k->workspace_size ? k->workspace_size(k, &conv->problem, s) : 0;
  *bytes = need ? need + SC_ALIGNMENT - 1 : 0;
  return SIMDCONV_OK;
}

simdconv_status simdconv_workspace_size(const simdconv_conv *conv,
                                        size_t batch, size_t in_h, size_t in_w,
                                        size_t *bytes) {
  if (conv == NULL || bytes == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  sc_shape s;
  const simdconv_status st = sc_shape_init(&conv->problem, batch, in_h, in_w, &s);
  return st != SIMDCONV_OK ? st : sc_workspace_bytes(conv, &s, bytes);
}

static bool sc_ranges_overlap(const void *a, size_t a_bytes, const void *b,
                              size_t b_bytes) {
  const uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
  return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

static void *sc_align_up(void *p) {
  const uintptr_t v = ((uintptr_t)p + SC_ALIGNMENT - 1) & ~(uintptr_t)(SC_ALIGNMENT - 1);
  return (void *)v;
}

/* The residual may be the output itself, else it overlaps neither. */
static bool sc_residual_overlaps(const float *residual, const void *input,
                                 size_t in_elems, const void *output,
                                 size_t out_elems) {
  const size_t bytes = out_elems * sizeof(float);
  return residual != NULL && (const void *)residual != output &&
         (sc_ranges_overlap(residual, bytes, output, bytes) ||
          sc_ranges_overlap(residual, bytes, input, in_elems * sizeof(float)));
}

simdconv_status simdconv_run_residual(const simdconv_conv *conv, size_t batch,
                                      size_t in_h, size_t in_w,
                                      const float *input,
                                      const float *residual, float alpha,
                                      float *output, void *workspace,
                                      size_t workspace_size,
                                      pthreadpool_t pool) {
  if (conv == NULL || input == NULL || output == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  /* The object's type first: an int8 object's tensors are bytes, and
   * what alignment means depends on the type. */
  if (conv->problem.dtype != SC_DTYPE_F32)
    return SIMDCONV_ERR_DTYPE_MISMATCH;
  if (!sc_float_aligned(input) || !sc_float_aligned(output) ||
      !sc_float_aligned(residual))
    return SIMDCONV_ERR_MISALIGNED;
  return sc_object_run(conv, batch, in_h, in_w, input, residual, alpha,
                       output, workspace, workspace_size, pool);
}

simdconv_status sc_object_run(const simdconv_conv *conv, size_t batch,
                              size_t in_h, size_t in_w, const void *input,
                              const float *residual, float alpha,
                              void *output, void *workspace,
                              size_t workspace_size, pthreadpool_t pool) {
  const bool q8 = conv->problem.dtype == SC_DTYPE_Q8;
  const size_t esize = q8 ? 1 : sizeof(float);
  sc_shape s;
  size_t in_elems, out_elems, ws_bytes;
  simdconv_status st = sc_shape_init(&conv->problem, batch, in_h, in_w, &s);
  if (st == SIMDCONV_OK)
    st = sc_workspace_bytes(conv, &s, &ws_bytes);
  if (st != SIMDCONV_OK)
    return st;
  sc_shape_elements(&conv->problem, &s, &in_elems, &out_elems);
  if (sc_ranges_overlap(input, in_elems * esize, output, out_elems * esize) ||
      sc_residual_overlaps(residual, input, in_elems, output, out_elems))
    return SIMDCONV_ERR_BUFFER_OVERLAP;
  void *owned = NULL;
  if (ws_bytes > 0 && workspace != NULL && workspace_size < ws_bytes)
    return SIMDCONV_ERR_WORKSPACE_TOO_SMALL;
  if (ws_bytes > 0 && workspace == NULL) {
    /* Our own allocation is already aligned: no slack needed. */
    owned = sc_alloc(&conv->allocator, ws_bytes - (SC_ALIGNMENT - 1));
    if (owned == NULL)
      return SIMDCONV_ERR_OUT_OF_MEMORY;
    workspace = owned;
  }
  const sc_run_args args = {
      .kernel = conv->kernel,
      .problem = &conv->problem,
      .shape = &s,
      .packed = conv->packed,
      .input = q8 ? NULL : input,
      .output = q8 ? NULL : output,
      .q8_input = q8 ? input : NULL,
      .q8_output = q8 ? output : NULL,
      .workspace = ws_bytes > 0 ? sc_align_up(workspace) : NULL,
      .pool = pool,
      .pool_final = conv->pool_wait == SIMDCONV_POOL_SPIN
                        ? 0
                        : PTHREADPOOL_FLAG_YIELD_WORKERS,
      .residual = residual,
      .alpha = alpha,
  };
  /* The calling thread computes in the canonical environment; the pool's
   * workers enter it per task (sc_parallelize_*). */
  sc_fpenv env;
  sc_fpenv_enter(&env);
  conv->kernel->run(&args);
  sc_fpenv_leave(&env);
  sc_free(&conv->allocator, owned);
  return SIMDCONV_OK;
}

simdconv_status simdconv_run(const simdconv_conv *conv, size_t batch,
                             size_t in_h, size_t in_w, const float *input,
                             float *output, void *workspace,
                             size_t workspace_size, pthreadpool_t pool) {
  return simdconv_run_residual(conv, batch, in_h, in_w, input, NULL, 1.0f,
                               output, workspace, workspace_size, pool);
}

simdconv_status simdconv_conv2d(const simdconv_desc *desc, size_t batch,
                                size_t in_h, size_t in_w, const float *input,
                                const float *weights, const float *bias,
                                float *output, pthreadpool_t pool) {
  simdconv_conv *conv = NULL;
  simdconv_status st = simdconv_create(desc, weights, bias, NULL, &conv);
  if (st == SIMDCONV_OK)
    st = simdconv_run(conv, batch, in_h, in_w, input, output, NULL, 0, pool);
  simdconv_destroy(conv);
  return st;
}

simdconv_status simdconv_get_info(const simdconv_conv *conv,
                                  simdconv_conv_info *info) {
  if (conv == NULL || info == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  *info = (simdconv_conv_info){.isa = conv->isa,
                               .kernel = conv->kernel->name,
                               .packed_bytes = conv->packed_bytes,
                               .pool_wait = conv->pool_wait};
  return SIMDCONV_OK;
}

/* ---- descriptors, names, versions ----------------------------------------- */

simdconv_status simdconv_desc_init(simdconv_desc *d, size_t in_channels,
                                   size_t out_channels, size_t kernel_h,
                                   size_t kernel_w) {
  if (d == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  *d = (simdconv_desc){
      .in_channels = in_channels,
      .out_channels = out_channels,
      .kernel_h = kernel_h,
      .kernel_w = kernel_w,
      .stride_h = 1,
      .stride_w = 1,
      .dilation_h = 1,
      .dilation_w = 1,
      .groups = 1,
      .padding = SIMDCONV_PADDING_EXPLICIT,
      .padding_mode = SIMDCONV_PAD_ZEROS,
      .layout = SIMDCONV_LAYOUT_NCHW,
      .weight_layout = SIMDCONV_WEIGHTS_OIHW,
      .activation = SIMDCONV_ACT_NONE,
      .act_min = -INFINITY,
      .act_max = INFINITY,
  };
  return SIMDCONV_OK;
}

const char *simdconv_status_string(simdconv_status status) {
  switch (status) {
  case SIMDCONV_OK: return "SIMDCONV_OK: success";
  case SIMDCONV_ERR_NULL_POINTER: return "SIMDCONV_ERR_NULL_POINTER: a required pointer is NULL";
  case SIMDCONV_ERR_INVALID_SIZE: return "SIMDCONV_ERR_INVALID_SIZE: a size is zero or larger than SIMDCONV_MAX_DIM";
  case SIMDCONV_ERR_INVALID_GROUPS: return "SIMDCONV_ERR_INVALID_GROUPS: groups does not divide the input and output channels";
  case SIMDCONV_ERR_INVALID_ENUM: return "SIMDCONV_ERR_INVALID_ENUM: an enum field holds an unknown value";
  case SIMDCONV_ERR_SAME_PADDING_STRIDE: return "SIMDCONV_ERR_SAME_PADDING_STRIDE: padding 'same' needs stride 1";
  case SIMDCONV_ERR_PADDING_TOO_LARGE: return "SIMDCONV_ERR_PADDING_TOO_LARGE: reflect needs pad < size, circular pad <= size";
  case SIMDCONV_ERR_EMPTY_OUTPUT: return "SIMDCONV_ERR_EMPTY_OUTPUT: the dilated kernel is larger than the padded input";
  case SIMDCONV_ERR_INVALID_ACTIVATION: return "SIMDCONV_ERR_INVALID_ACTIVATION: clamp bounds are NaN or min > max";
  case SIMDCONV_ERR_SIZE_OVERFLOW: return "SIMDCONV_ERR_SIZE_OVERFLOW: a tensor or buffer size overflows size_t";
  case SIMDCONV_ERR_OUT_OF_MEMORY: return "SIMDCONV_ERR_OUT_OF_MEMORY: an allocation failed";
  case SIMDCONV_ERR_WORKSPACE_TOO_SMALL: return "SIMDCONV_ERR_WORKSPACE_TOO_SMALL: the workspace is smaller than simdconv_workspace_size()";
  case SIMDCONV_ERR_BUFFER_OVERLAP: return "SIMDCONV_ERR_BUFFER_OVERLAP: the output overlaps the input";
  case SIMDCONV_ERR_ISA_NOT_BUILT: return "SIMDCONV_ERR_ISA_NOT_BUILT: the ISA is not compiled into this library";
  case SIMDCONV_ERR_ISA_NOT_SUPPORTED: return "SIMDCONV_ERR_ISA_NOT_SUPPORTED: this CPU or OS lacks the ISA";
  case SIMDCONV_ERR_ISA_DISABLED: return "SIMDCONV_ERR_ISA_DISABLED: the ISA is above the SIMDCONV_ISA cap";
  case SIMDCONV_ERR_INVALID_ALLOCATOR: return "SIMDCONV_ERR_INVALID_ALLOCATOR: the allocator lacks alloc or free";
  case SIMDCONV_ERR_UNKNOWN_KERNEL: return "SIMDCONV_ERR_UNKNOWN_KERNEL: no kernel of this build has that name or index";
  case SIMDCONV_ERR_KERNEL_UNSUITABLE: return "SIMDCONV_ERR_KERNEL_UNSUITABLE: the named kernel cannot compute this layer with these options";
  case SIMDCONV_ERR_OUTPUT_PADDING: return "SIMDCONV_ERR_OUTPUT_PADDING: output padding not below max(stride, dilation), or set on a forward convolution";
  case SIMDCONV_ERR_PADDING_MODE: return "SIMDCONV_ERR_PADDING_MODE: a transposed convolution pads with zeros only";
  case SIMDCONV_ERR_OUTPUT_SHAPE: return "SIMDCONV_ERR_OUTPUT_SHAPE: the requested transposed output needs negative padding";
  case SIMDCONV_ERR_MISALIGNED: return "SIMDCONV_ERR_MISALIGNED: a float, int32, int64 or double pointer is not aligned for its type";
  case SIMDCONV_ERR_INVALID_QPARAMS: return "SIMDCONV_ERR_INVALID_QPARAMS: a scale, zero point, type, clamp or requantization multiplier is invalid";
  case SIMDCONV_ERR_DTYPE_MISMATCH: return "SIMDCONV_ERR_DTYPE_MISMATCH: the run function does not match the object's data type (fp32 or int8)";
  case SIMDCONV_ERR_ACCUMULATOR_OVERFLOW: return "SIMDCONV_ERR_ACCUMULATOR_OVERFLOW: an int8 accumulator could overflow int32";
  case SIMDCONV_ERR_UNSUPPORTED_ACTIVATION: return "SIMDCONV_ERR_UNSUPPORTED_ACTIVATION: int8 convolutions take no activation but clamp";
  case SIMDCONV_ERR_KERNEL_NOT_SUPPORTED: return "SIMDCONV_ERR_KERNEL_NOT_SUPPORTED: this CPU lacks a feature the named kernel needs";
  case SIMDCONV_ERR_TRANSPOSED_INT8: return "SIMDCONV_ERR_TRANSPOSED_INT8: int8 convolutions are forward only (desc.transposed is set)";
  }
  return "SIMDCONV_ERR_UNKNOWN: unknown status code";
}

static const char *const sc_activation_names[SIMDCONV_ACT_COUNT] = {
    [SIMDCONV_ACT_NONE] = "none",         [SIMDCONV_ACT_CLAMP] = "clamp",
    [SIMDCONV_ACT_SIGMOID] = "sigmoid",   [SIMDCONV_ACT_TANH] = "tanh",
    [SIMDCONV_ACT_SILU] = "silu",         [SIMDCONV_ACT_GELU_ERF] = "gelu_erf",
    [SIMDCONV_ACT_GELU_TANH] = "gelu_tanh",
};

const char *simdconv_activation_name(simdconv_activation act) {
  return (unsigned)act < SIMDCONV_ACT_COUNT ? sc_activation_names[act] : NULL;
}

simdconv_status simdconv_activation_from_name(const char *name,
                                              simdconv_activation *act) {
  if (name == NULL || act == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  for (int i = 0; i < SIMDCONV_ACT_COUNT; i++)
    if (strcmp(name, sc_activation_names[i]) == 0) {
      *act = (simdconv_activation)i;
      return SIMDCONV_OK;
    }
  return SIMDCONV_ERR_INVALID_ENUM;
}

int simdconv_version(void) { return SIMDCONV_VERSION; }

const char *simdconv_version_string(void) {
#define SC_STR2(x) #x
#define SC_STR(x) SC_STR2(x)
  return SC_STR(SIMDCONV_VERSION_MAJOR) "." SC_STR(SIMDCONV_VERSION_MINOR) "." SC_STR(SIMDCONV_VERSION_PATCH);
}
