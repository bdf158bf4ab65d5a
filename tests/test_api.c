/* Each public function returns exactly the statuses it documents.
 *
 * api::documented_statuses drives every status each function lists in
 * include/simdconv.h (tests/api_statuses.h) and checks that the set reached
 * equals the documented set. Two depend on the machine: ISA_NOT_SUPPORTED
 * needs a built ISA the CPU lacks (reached by test_errors_qemu under
 * emulated CPUs, tools/cross-test.sh) and ISA_DISABLED a SIMDCONV_ISA cap
 * (the api_cap_scalar run); the test says when it cannot reach them. The
 * converse, that no call returns a status outside its set, is checked by
 * the fuzz target on every call it makes.
 *
 * api::misaligned: every float pointer 1 to 3 bytes off its alignment, and
 * every double pointer 1 to 7 bytes off, gives MISALIGNED from every
 * function that takes it, before anything is read or written.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api_statuses.h"
#include "test_util.h"

/* The one-shot call's OUT_OF_MEMORY comes from the default allocator
 * refusing 4 EiB: under AddressSanitizer it must return NULL, not abort.
 * (Visible: the project builds with -fvisibility=hidden, and the sanitizer
 * runtime looks the hook up dynamically.) */
__attribute__((visibility("default"))) const char *
__asan_default_options(void);
__attribute__((visibility("default"))) const char *
__asan_default_options(void) {
  return "allocator_may_return_null=1";
}

#define M SIMDCONV_MAX_DIM
#define NBUF 1024

static float g_x[NBUF], g_y[NBUF], g_w[NBUF], g_b[64];
static double g_ref[NBUF], g_bound[NBUF];

/* A 4 -> 6 channel 3x3 convolution with padding 1 on 5x5 inputs. */
static simdconv_desc good(void) {
  simdconv_desc d;
  simdconv_desc_init(&d, 4, 6, 3, 3);
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  return d;
}

/* One descriptor per status of simdconv_desc_validate(); [0] is valid. */
#define N_DESCS 9
static simdconv_desc desc_variant(int i) {
  simdconv_desc d = good();
  switch (i) {
  case 1: d.layout = (simdconv_layout)7; break;
  case 2: d.in_channels = 0; break;
  case 3: d.activation = SIMDCONV_ACT_CLAMP; d.act_min = NAN; break;
  case 4: d.groups = 3; break;
  case 5: d.padding = SIMDCONV_PADDING_SAME; d.stride_h = 2; break;
  case 6: d.output_padding_h = 1; break; /* on a forward convolution */
  case 7: d.transposed = true; d.padding_mode = SIMDCONV_PAD_REFLECT; break;
  case 8: /* transposed 'same' at stride 2: out = 2 * in, but a 1x1 kernel
           * reaches only 2 * in - 1 */
    d.transposed = true;
    d.kernel_h = d.kernel_w = 1;
    d.padding = SIMDCONV_PADDING_SAME;
    d.stride_h = d.stride_w = 2;
    break;
  default: break;
  }
  return d;
}

/* Run-time shapes, one per status of the shape checks; [0] is valid. The
 * descriptor they go with is shape_desc(i). */
#define N_SHAPES 5
static const size_t shapes[N_SHAPES][3] = {
    {1, 5, 5}, {1, 0, 5}, {1, 1, 5}, {1, 1, 5}, {M, M, M}};

static simdconv_desc shape_desc(int i) {
  simdconv_desc d = good();
  if (i == 2)
    d.padding_mode = SIMDCONV_PAD_REFLECT; /* pad 1 on height 1 */
  if (i == 3)
    d.pad_top = d.pad_bottom = 0; /* 3 rows on height 1: empty */
  return d;
}

static void seen(uint64_t *set, simdconv_status st) {
  *set |= UINT64_C(1) << (unsigned)st;
}

/* ---- the functions without an object ---------------------------------- */

static void drive_descriptor_functions(uint64_t sets[4]) {
  size_t oh, ow, pads[4];
  seen(&sets[0], simdconv_desc_init(NULL, 1, 1, 1, 1));
  simdconv_desc d;
  seen(&sets[0], simdconv_desc_init(&d, 1, 1, 1, 1));
  seen(&sets[1], simdconv_desc_validate(NULL));
  seen(&sets[2], simdconv_resolved_padding(NULL, pads));
  d = good();
  seen(&sets[2], simdconv_resolved_padding(&d, NULL));
  seen(&sets[3], simdconv_output_shape(NULL, 5, 5, &oh, &ow));
  for (int i = 0; i < N_DESCS; i++) {
    d = desc_variant(i);
    seen(&sets[1], simdconv_desc_validate(&d));
    seen(&sets[2], simdconv_resolved_padding(&d, pads));
    seen(&sets[3], simdconv_output_shape(&d, 5, 5, &oh, &ow));
  }
  for (int i = 1; i < N_SHAPES; i++) {
    d = shape_desc(i);
    seen(&sets[3], simdconv_output_shape(&d, shapes[i][1], shapes[i][2],
                                         &oh, &ow));
  }
}

/* simdconv_transposed_padding: each descriptor variant made transposed
 * (its own padding is ignored), then the sizes, the split and the output
 * it cannot reach (a 3x3 stride-1 layer on 5 rows reaches at most 7). */
static void drive_transposed_padding(uint64_t *set) {
  size_t pads[4];
  simdconv_desc d = good();
  seen(set, simdconv_transposed_padding(&d, 5, 5, 5, 5,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER, pads));
  d.transposed = true;
  seen(set, simdconv_transposed_padding(NULL, 5, 5, 5, 5,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER, pads));
  seen(set, simdconv_transposed_padding(&d, 5, 5, 5, 5,
                                        SIMDCONV_AUTO_PAD_SAME_UPPER, NULL));
  seen(set, simdconv_transposed_padding(&d, 5, 5, 5, 5,
                                        (simdconv_auto_pad)5, pads));
  seen(set, simdconv_transposed_padding(&d, 0, 5, 5, 5,
                                        SIMDCONV_AUTO_PAD_SAME_LOWER, pads));
  seen(set, simdconv_transposed_padding(&d, 5, 5, 9, 5,
                                        SIMDCONV_AUTO_PAD_SAME_LOWER, pads));
  for (int i = 0; i < N_DESCS; i++) {
    d = desc_variant(i);
    d.transposed = true;
    seen(set, simdconv_transposed_padding(
                  &d, 5, 5, 5, 5, SIMDCONV_AUTO_PAD_SAME_UPPER, pads));
  }
}

static void drive_isa_functions(uint64_t *check, uint64_t *from_name) {
  simdconv_isa isa;
  seen(from_name, simdconv_isa_from_name("avx2", &isa));
  seen(from_name, simdconv_isa_from_name(NULL, &isa));
  seen(from_name, simdconv_isa_from_name("avx", &isa));
  seen(check, simdconv_isa_check((simdconv_isa)99));
  for (int i = 0; i < SIMDCONV_ISA_COUNT; i++)
    seen(check, simdconv_isa_check((simdconv_isa)i));
}

/* ---- create ------------------------------------------------------------ */

/* An allocator that fails while *ctx (a bool) is true. */
static void *switch_alloc(void *ctx, size_t size, size_t alignment) {
  void *p = NULL;
  if (*(const bool *)ctx || posix_memalign(&p, alignment, size ? size : 1))
    return NULL;
  return p;
}

static void plain_free(void *ctx, void *p) {
  (void)ctx;
  free(p);
}

static void create_seen(uint64_t *set, const simdconv_desc *d,
                        const float *w, const simdconv_options *o) {
  simdconv_conv *conv = NULL;
  seen(set, simdconv_create(d, w, g_b, o, &conv));
  simdconv_destroy(conv);
}

static void drive_create(uint64_t *set) {
  const simdconv_desc d = good();
  seen(set, simdconv_create(&d, g_w, g_b, NULL, NULL));
  create_seen(set, NULL, g_w, NULL);
  create_seen(set, &d, (const float *)(const void *)((const char *)g_w + 1),
              NULL);
  for (int i = 0; i < N_DESCS; i++) {
    const simdconv_desc v = desc_variant(i);
    create_seen(set, &v, g_w, NULL);
  }
  bool fail = true;
  const simdconv_allocator incomplete = {NULL, plain_free, NULL};
  const simdconv_allocator failing = {switch_alloc, plain_free, &fail};
  simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = &incomplete};
  create_seen(set, &d, g_w, &o);
  o.allocator = &failing;
  create_seen(set, &d, g_w, &o);
  o.allocator = NULL;
  for (int i = 0; i <= SIMDCONV_ISA_COUNT; i++) {
    o.isa = i == SIMDCONV_ISA_COUNT ? (simdconv_isa)99 : (simdconv_isa)i;
    create_seen(set, &d, g_w, &o);
  }
  simdconv_desc huge; /* the packed bound overflows size_t */
  simdconv_desc_init(&huge, M, M, 1, 1);
  create_seen(set, &huge, g_w, NULL);
  /* Forced kernels: unknown; the scalar kernel asked for another ISA. */
  o = (simdconv_options){.kernel = "f32_no_such__kernel"};
  create_seen(set, &d, g_w, &o);
  o.kernel = "f32_conv_direct__scalar";
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    o.isa = (simdconv_isa)i;
    if (simdconv_isa_check(o.isa) == SIMDCONV_OK)
      create_seen(set, &d, g_w, &o);
  }
}

/* The registry's lookups and the activation names. */
static void drive_names(uint64_t *kernels, uint64_t *activations) {
  size_t index;
  simdconv_kernel_info info;
  simdconv_activation act;
  seen(kernels, simdconv_kernel_find("f32_conv_direct__scalar", &index));
  seen(kernels, simdconv_kernel_find("f32_no_such__kernel", &index));
  seen(kernels, simdconv_kernel_find(NULL, &index));
  seen(kernels, simdconv_kernel_get(0, &info));
  seen(kernels, simdconv_kernel_get(simdconv_kernel_count(), &info));
  seen(kernels, simdconv_kernel_get(0, NULL));
  seen(activations, simdconv_activation_from_name("gelu_erf", &act));
  seen(activations, simdconv_activation_from_name("gelu", &act));
  seen(activations, simdconv_activation_from_name(NULL, &act));
}

/* ---- an object: workspace_size, run, get_info ------------------------- */

/* simdconv_run, or simdconv_run_residual without a residual: the same
 * statuses by contract, each driven on its own. */
typedef simdconv_status (*run_fn)(const simdconv_conv *, size_t, size_t,
                                  size_t, const float *, float *, void *,
                                  size_t, pthreadpool_t);
static run_fn g_run = simdconv_run;

static simdconv_status run_residual_null(const simdconv_conv *conv, size_t n,
                                         size_t h, size_t w, const float *x,
                                         float *y, void *ws, size_t wsz,
                                         pthreadpool_t pool) {
  return simdconv_run_residual(conv, n, h, w, x, NULL, 1.0f, y, ws, wsz,
                               pool);
}

/* An object of d whose allocator fails while *fail: on the best usable ISA
 * whose kernel needs a workspace for 5x5 inputs, else on scalar. */
static simdconv_conv *object(const simdconv_desc *d, bool *fail) {
  static simdconv_allocator a = {switch_alloc, plain_free, NULL};
  a.ctx = fail;
  *fail = false;
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  for (size_t i = tu_isas(isas); i-- > 0;) {
    simdconv_conv *conv = NULL;
    const simdconv_options o = {.isa = isas[i], .allocator = &a};
    cr_assert(simdconv_create(d, g_w, g_b, &o, &conv) == SIMDCONV_OK);
    size_t ws = 0;
    if (i == 0 || (simdconv_workspace_size(conv, 1, 5, 5, &ws) == SIMDCONV_OK &&
                   ws > 0))
      return conv;
    simdconv_destroy(conv);
  }
  return NULL;
}

/* Calls that need a valid object and the valid 5x5 shape. */
static void drive_valid_object(simdconv_conv *conv, bool *fail,
                               uint64_t *ws_set, uint64_t *run_set,
                               uint64_t *info_set) {
  size_t bytes = 0;
  seen(ws_set, simdconv_workspace_size(conv, 1, 5, 5, NULL));
  seen(info_set, simdconv_get_info(conv, NULL));
  seen(run_set, g_run(conv, 1, 5, 5, NULL, g_y, NULL, 0, NULL));
  seen(run_set,
       g_run(conv, 1, 5, 5,
                    (const float *)(const void *)((char *)g_x + 2), g_y, NULL,
                    0, NULL));
  seen(run_set, g_run(conv, 1, 5, 5, g_x + 1, g_x, NULL, 0, NULL));
  if (simdconv_workspace_size(conv, 1, 5, 5, &bytes) == SIMDCONV_OK &&
      bytes > 0) {
    char small[1];
    seen(run_set, g_run(conv, 1, 5, 5, g_x, g_y, small, 1, NULL));
    *fail = true; /* the run's own workspace allocation fails */
    seen(run_set, g_run(conv, 1, 5, 5, g_x, g_y, NULL, 0, NULL));
    *fail = false;
  }
}

/* Returns whether an object needing a workspace was found (without one,
 * WORKSPACE_TOO_SMALL and the run's OUT_OF_MEMORY cannot happen). */
static bool drive_object(uint64_t *ws_set, uint64_t *run_set,
                         uint64_t *info_set) {
  size_t bytes;
  simdconv_conv_info info;
  seen(ws_set, simdconv_workspace_size(NULL, 1, 5, 5, &bytes));
  seen(run_set, g_run(NULL, 1, 5, 5, g_x, g_y, NULL, 0, NULL));
  seen(info_set, simdconv_get_info(NULL, &info));
  for (int i = 0; i < N_SHAPES; i++) {
    const simdconv_desc d = shape_desc(i);
    bool fail;
    simdconv_conv *conv = object(&d, &fail);
    const size_t *sh = shapes[i];
    seen(ws_set, simdconv_workspace_size(conv, sh[0], sh[1], sh[2], &bytes));
    seen(run_set, g_run(conv, sh[0], sh[1], sh[2], g_x, g_y, NULL, 0,
                               NULL));
    seen(info_set, simdconv_get_info(conv, &info));
    if (i == 0)
      drive_valid_object(conv, &fail, ws_set, run_set, info_set);
    simdconv_destroy(conv);
  }
  return (*run_set & ST(ERR_WORKSPACE_TOO_SMALL)) != 0;
}

/* ---- one-shot, oracle, compare ---------------------------------------- */

/* conv2d (set[0]) and the reference (set[1]) on the same arguments. */
static void both_seen(uint64_t set[2], const simdconv_desc *d,
                      const size_t sh[3], const float *x, const float *w,
                      float *y) {
  seen(&set[0], simdconv_conv2d(d, sh[0], sh[1], sh[2], x, w, g_b, y, NULL));
  seen(&set[1], simdconv_reference(d, sh[0], sh[1], sh[2], x, w, g_b,
                                   y ? g_ref : NULL, g_bound));
}

static void drive_oneshot(uint64_t set[2], uint64_t *compare_set) {
  const simdconv_desc d = good();
  const size_t *ok = shapes[0];
  const float *odd = (const float *)(const void *)((char *)g_x + 1);
  both_seen(set, NULL, ok, g_x, g_w, g_y);
  both_seen(set, &d, ok, g_x, g_w, NULL);
  both_seen(set, &d, ok, odd, g_w, g_y);
  seen(&set[1], simdconv_reference(&d, 1, 5, 5, g_x, g_w, g_b, g_ref,
                                   (double *)(void *)((char *)g_bound + 4)));
  for (int i = 0; i < N_DESCS; i++) {
    const simdconv_desc v = desc_variant(i);
    both_seen(set, &v, ok, g_x, g_w, g_y);
  }
  for (int i = 1; i < N_SHAPES; i++) {
    const simdconv_desc v = shape_desc(i);
    both_seen(set, &v, shapes[i], g_x, g_w, g_y);
  }
  seen(&set[0], simdconv_conv2d(&d, 1, 5, 5, g_x, g_w, g_b, g_x + 3, NULL));
  simdconv_desc huge; /* 4 EiB of weights: the allocation fails */
  simdconv_desc_init(&huge, (size_t)1 << 30, (size_t)1 << 30, 1, 1);
  seen(&set[0], simdconv_conv2d(&huge, 1, 1, 1, g_x, g_w, NULL, g_y, NULL));
  simdconv_compare_stats st;
  seen(compare_set, simdconv_compare(g_y, g_ref, g_bound, 4, &st));
  seen(compare_set, simdconv_compare(g_y, g_ref, g_bound, 4, NULL));
  seen(compare_set, simdconv_compare(odd, g_ref, g_bound, 4, &st));
}

/* ---- int8 -------------------------------------------------------------- */

static uint8_t g_x8[NBUF], g_y8[NBUF];
static int8_t g_w8[NBUF];
static int32_t g_b32[64];
static float g_ws[64];
static int64_t g_acc[NBUF];

/* Per-tensor quantization of good()'s layer; small weights and scales. */
static simdconv_qparams qgood(void) {
  for (size_t i = 0; i < 64; i++)
    g_ws[i] = 0.01f;
  simdconv_qparams q;
  simdconv_qparams_init(&q, SIMDCONV_QTYPE_U8, 0.5f, 128, g_ws, 1,
                        SIMDCONV_QTYPE_U8, 1.0f, 128);
  return q;
}

/* One int8 descriptor or qparams per status of desc_validate_q8 beyond
 * desc_validate's; [0] is valid. */
#define N_QVARIANTS 7
static void q_variant(int i, simdconv_desc *d, simdconv_qparams *q) {
  *d = good();
  *q = qgood();
  switch (i) {
  case 1: d->transposed = 1; break;
  case 2: d->output_padding_h = 1; break;
  case 3: d->activation = SIMDCONV_ACT_SIGMOID; break;
  case 4: q->weight_scales = (const float *)(const void *)((char *)g_ws + 1);
          break;
  case 5: q->input_scale = 0.0f; break;
  case 6: simdconv_desc_init(d, 65794, 1, 1, 1); break; /* the length */
  default: break;
  }
}

/* validate_q8 (sets[0]), create_q8 (sets[1]) and reference_q8 (sets[2])
 * on every descriptor and parameter variant. */
static void drive_q8_descriptors(uint64_t sets[3]) {
  const simdconv_qparams q = qgood();
  const simdconv_desc d = good();
  simdconv_conv *conv = NULL;
  seen(&sets[0], simdconv_desc_validate_q8(NULL, &q));
  seen(&sets[0], simdconv_desc_validate_q8(&d, NULL));
  simdconv_qparams nows = q;
  nows.weight_scales = NULL;
  seen(&sets[0], simdconv_desc_validate_q8(&d, &nows));
  for (int pass = 0; pass < 2; pass++)
    for (int i = 0; i < N_DESCS + N_QVARIANTS; i++) {
      simdconv_desc v;
      simdconv_qparams qv;
      if (i < N_DESCS) {
        v = desc_variant(i);
        qv = qgood();
      } else {
        q_variant(i - N_DESCS, &v, &qv);
      }
      if (pass == 0) {
        seen(&sets[0], simdconv_desc_validate_q8(&v, &qv));
        seen(&sets[1], simdconv_create_q8(&v, &qv, g_w8, g_b32, NULL, &conv));
        simdconv_destroy(conv);
        conv = NULL;
      } else {
        seen(&sets[2], simdconv_reference_q8(&v, &qv, 1, 5, 5, g_x8, g_w8,
                                             g_b32, g_y8, g_acc));
      }
    }
  /* The per-channel rule, from the data. */
  g_b32[0] = INT32_MAX;
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, NULL, &conv));
  simdconv_destroy(conv);
  conv = NULL;
  seen(&sets[2], simdconv_reference_q8(&d, &q, 1, 5, 5, g_x8, g_w8, g_b32,
                                       g_y8, NULL));
  g_b32[0] = 0;
  /* NULL pointers and misaligned int32 / int64 pointers. */
  const int32_t *odd_b = (const int32_t *)(const void *)((char *)g_b32 + 2);
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, NULL, NULL));
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, odd_b, NULL, &conv));
  seen(&sets[2], simdconv_reference_q8(&d, &q, 1, 5, 5, NULL, g_w8, g_b32,
                                       g_y8, NULL));
  seen(&sets[2], simdconv_reference_q8(&d, &q, 1, 5, 5, g_x8, g_w8, odd_b,
                                       g_y8, NULL));
  seen(&sets[2], simdconv_reference_q8(
                     &d, &q, 1, 5, 5, g_x8, g_w8, g_b32, g_y8,
                     (int64_t *)(void *)((char *)g_acc + 4)));
  /* The shapes. */
  for (int i = 1; i < N_SHAPES; i++) {
    const simdconv_desc v = shape_desc(i);
    seen(&sets[2], simdconv_reference_q8(&v, &q, shapes[i][0], shapes[i][1],
                                         shapes[i][2], g_x8, g_w8, g_b32,
                                         g_y8, NULL));
  }
  /* The options, as for create. */
  bool fail = true;
  const simdconv_allocator incomplete = {NULL, plain_free, NULL};
  const simdconv_allocator failing = {switch_alloc, plain_free, &fail};
  simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = &incomplete};
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
  o.allocator = &failing;
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
  o.allocator = NULL;
  for (int i = 0; i <= SIMDCONV_ISA_COUNT; i++) {
    o.isa = i == SIMDCONV_ISA_COUNT ? (simdconv_isa)99 : (simdconv_isa)i;
    seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
    simdconv_destroy(conv);
    conv = NULL;
  }
  o = (simdconv_options){.kernel = "q8_no_such__kernel"};
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
  o.kernel = "f32_conv_direct__scalar"; /* an fp32 kernel: unsuitable */
  seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
  /* Every kernel by name: KERNEL_NOT_SUPPORTED where a CPU feature is
   * missing (an AVX-512 CPU without VNNI, AArch64 without the dot
   * product). */
  for (size_t i = 0; i < simdconv_kernel_count(); i++) {
    simdconv_kernel_info k;
    simdconv_kernel_get(i, &k);
    o = (simdconv_options){.kernel = k.name};
    seen(&sets[1], simdconv_create_q8(&d, &q, g_w8, g_b32, &o, &conv));
    simdconv_destroy(conv);
    conv = NULL;
  }
}

/* An int8 object of d (allocator failing while *fail) on the best usable
 * ISA whose kernel needs a workspace for 5x5 inputs, else on scalar. */
static simdconv_conv *q8_object(const simdconv_desc *d, bool *fail) {
  static simdconv_allocator a = {switch_alloc, plain_free, NULL};
  a.ctx = fail;
  *fail = false;
  const simdconv_qparams q = qgood();
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  for (size_t i = tu_isas(isas); i-- > 0;) {
    simdconv_conv *conv = NULL;
    const simdconv_options o = {.isa = isas[i], .allocator = &a};
    cr_assert(simdconv_create_q8(d, &q, g_w8, g_b32, &o, &conv) ==
              SIMDCONV_OK);
    size_t ws = 0;
    if (i == 0 || (simdconv_workspace_size(conv, 1, 5, 5, &ws) == SIMDCONV_OK &&
                   ws > 0))
      return conv;
    simdconv_destroy(conv);
  }
  return NULL;
}

/* run_q8 (*run_set) on int8 objects; the fp32 runs (f32_runs[0], [1]:
 * run, run_residual) and workspace_size / get_info (ws_set, info_set) on
 * them too. */
static void drive_q8_object(uint64_t *run_set, uint64_t f32_runs[2],
                            uint64_t *ws_set, uint64_t *info_set) {
  size_t bytes;
  simdconv_conv_info info;
  seen(run_set, simdconv_run_q8(NULL, 1, 5, 5, g_x8, g_y8, NULL, 0, NULL));
  const simdconv_desc d = good();
  simdconv_conv *f32 = NULL;
  cr_assert(simdconv_create(&d, g_w, g_b, NULL, &f32) == SIMDCONV_OK);
  seen(run_set, simdconv_run_q8(f32, 1, 5, 5, g_x8, g_y8, NULL, 0, NULL));
  simdconv_destroy(f32);
  for (int i = 0; i < N_SHAPES; i++) {
    const simdconv_desc v = shape_desc(i);
    bool fail;
    simdconv_conv *conv = q8_object(&v, &fail);
    const size_t *sh = shapes[i];
    seen(ws_set, simdconv_workspace_size(conv, sh[0], sh[1], sh[2], &bytes));
    seen(run_set, simdconv_run_q8(conv, sh[0], sh[1], sh[2], g_x8, g_y8,
                                  NULL, 0, NULL));
    seen(info_set, simdconv_get_info(conv, &info));
    if (i == 0) {
      seen(&f32_runs[0], simdconv_run(conv, 1, 5, 5, g_x, g_y, NULL, 0, NULL));
      seen(&f32_runs[1], simdconv_run_residual(conv, 1, 5, 5, g_x, g_y, 1.0f,
                                               g_y, NULL, 0, NULL));
      seen(run_set, simdconv_run_q8(conv, 1, 5, 5, g_x8, g_x8 + 1, NULL, 0,
                                    NULL));
      if (simdconv_workspace_size(conv, 1, 5, 5, &bytes) == SIMDCONV_OK &&
          bytes > 0) {
        char small[1];
        seen(run_set, simdconv_run_q8(conv, 1, 5, 5, g_x8, g_y8, small, 1,
                                      NULL));
        fail = true;
        seen(run_set, simdconv_run_q8(conv, 1, 5, 5, g_x8, g_y8, NULL, 0,
                                      NULL));
        fail = false;
      }
    }
    simdconv_destroy(conv);
  }
}

static void drive_quantize_bias(uint64_t *set) {
  const float fb[2] = {1.0f, -2.0f}, ws[2] = {0.5f, 0.25f};
  int32_t out[3];
  seen(set, simdconv_quantize_bias(fb, 2, 0.5f, ws, 2, out));
  seen(set, simdconv_quantize_bias(NULL, 2, 0.5f, ws, 2, out));
  seen(set, simdconv_quantize_bias(fb, 2, 0.5f, ws, 2,
                                   (int32_t *)(void *)((char *)out + 1)));
  seen(set, simdconv_quantize_bias(fb, 2, 0.0f, ws, 2, out));
}

/* KERNEL_NOT_SUPPORTED needs a kernel of a usable ISA that the CPU cannot
 * run for a missing feature. */
static uint64_t feature_skip(void) {
  for (size_t i = 0; i < simdconv_kernel_count(); i++) {
    simdconv_kernel_info k;
    simdconv_kernel_get(i, &k);
    if (simdconv_isa_check(k.isa) == SIMDCONV_OK && !k.usable)
      return 0;
  }
  return ST(ERR_KERNEL_NOT_SUPPORTED);
}

/* ---- the test ---------------------------------------------------------- */

/* Statuses this machine cannot give: ISA_NOT_SUPPORTED when the CPU has
 * every built ISA, ISA_DISABLED without a SIMDCONV_ISA cap below it. */
static uint64_t unreachable_here(void) {
  uint64_t out = 0;
  const uint32_t built = simdconv_isas_built();
  if ((built & simdconv_isas_supported()) == built)
    out |= ST(ERR_ISA_NOT_SUPPORTED);
  bool disabled = false;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    disabled |= simdconv_isa_check((simdconv_isa)i) ==
                SIMDCONV_ERR_ISA_DISABLED;
  if (!disabled)
    out |= ST(ERR_ISA_DISABLED);
  return out;
}

/* KERNEL_UNSUITABLE needs a usable ISA besides scalar (the scalar kernel
 * asked for it); under a scalar cap there is none. */
static uint64_t kernel_skip(void) {
  for (int i = SIMDCONV_ISA_SCALAR + 1; i < SIMDCONV_ISA_COUNT; i++)
    if (simdconv_isa_check((simdconv_isa)i) == SIMDCONV_OK)
      return 0;
  return ST(ERR_KERNEL_UNSUITABLE);
}

static void names_of(uint64_t set, char *buf, size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (unsigned s = 0; s < 64 && n < size; s++)
    if (set >> s & 1u)
      n += (size_t)snprintf(buf + n, size - n, " %u", s);
}

Test(api, documented_statuses) {
  enum { DESC_INIT, VALIDATE, RESOLVED, SHAPE, ISA_CHECK, FROM_NAME, CREATE,
         WS, RUN, INFO, CONV2D, REFERENCE, COMPARE, RUN_RESIDUAL, KERNELS,
         ACT_NAMES, TR_PADDING, VALIDATE_Q8, CREATE_Q8, REFERENCE_Q8, RUN_Q8,
         QBIAS, NFN };
  static const char *const names[NFN] = {
      "desc_init", "desc_validate", "resolved_padding", "output_shape",
      "isa_check", "isa_from_name", "create", "workspace_size", "run",
      "get_info", "conv2d", "reference", "compare", "run_residual",
      "kernel_get/find", "activation_from_name", "transposed_padding",
      "desc_validate_q8", "create_q8", "reference_q8", "run_q8",
      "quantize_bias"};
  const uint64_t documented[NFN] = {
      ST_DESC_INIT, ST_VALIDATE,  ST_RESOLVED_PADDING, ST_OUTPUT_SHAPE,
      ST_ISA_CHECK, ST_ISA_FROM_NAME, ST_CREATE,     ST_WORKSPACE_SIZE,
      ST_RUN,       ST_GET_INFO,  ST_CONV2D,           ST_REFERENCE,
      ST_COMPARE,   ST_RUN,       ST_KERNEL_LOOKUP,    ST_ACTIVATION_FROM_NAME,
      ST_TRANSPOSED_PADDING, ST_VALIDATE_Q8, ST_CREATE_Q8, ST_REFERENCE_Q8,
      ST_RUN_Q8, ST_QUANTIZE_BIAS};
  uint64_t got[NFN] = {0}, ignored_ws = 0, ignored_info = 0;
  drive_descriptor_functions(&got[DESC_INIT]);
  drive_transposed_padding(&got[TR_PADDING]);
  drive_isa_functions(&got[ISA_CHECK], &got[FROM_NAME]);
  drive_create(&got[CREATE]);
  const bool workspace = drive_object(&got[WS], &got[RUN], &got[INFO]);
  g_run = run_residual_null;
  drive_object(&ignored_ws, &got[RUN_RESIDUAL], &ignored_info);
  g_run = simdconv_run;
  drive_names(&got[KERNELS], &got[ACT_NAMES]);
  drive_oneshot(&got[CONV2D], &got[COMPARE]);
  drive_q8_descriptors(&got[VALIDATE_Q8]);
  uint64_t f32_on_q8[2] = {0, 0};
  drive_q8_object(&got[RUN_Q8], f32_on_q8, &got[WS], &got[INFO]);
  got[RUN] |= f32_on_q8[0];
  got[RUN_RESIDUAL] |= f32_on_q8[1];
  drive_quantize_bias(&got[QBIAS]);
  uint64_t skip = unreachable_here() | feature_skip();
  size_t total = 0;
  const uint64_t run_skip =
      workspace ? 0 : ST(ERR_WORKSPACE_TOO_SMALL) | ST(ERR_OUT_OF_MEMORY);
  for (int f = 0; f < NFN; f++) {
    const uint64_t want =
        documented[f] & ~skip &
        ~(f == RUN || f == RUN_RESIDUAL || f == RUN_Q8 ? run_skip : 0) &
        ~(f == CREATE ? kernel_skip() : 0);
    char want_s[256], got_s[256];
    names_of(want, want_s, sizeof want_s);
    names_of(got[f], got_s, sizeof got_s);
    cr_assert(got[f] == want,
              "simdconv_%s: reached statuses {%s }, documented {%s }",
              names[f], got_s, want_s);
    total += (size_t)__builtin_popcountll(got[f]);
  }
  char skip_s[64];
  names_of(skip, skip_s, sizeof skip_s);
  if (!workspace)
    fprintf(stderr, "[simdconv-tests] NOTE api::documented_statuses: no "
            "usable kernel needs a workspace: run's WORKSPACE_TOO_SMALL and "
            "OUT_OF_MEMORY not reachable\n");
  fprintf(stderr,
          "[simdconv-tests] api::documented_statuses: %zu (function, "
          "status) pairs over %d functions, each function exactly its "
          "documented set; not reachable on this machine: {%s }\n",
          total, NFN, skip_s);
}

/* ---- misaligned pointers ---------------------------------------------- */

/* p moved by `bytes` (not a multiple of its alignment). */
static const float *off_f(const float *p, size_t bytes) {
  return (const float *)(const void *)((const char *)p + bytes);
}

static double *off_d(double *p, size_t bytes) {
  return (double *)(void *)((char *)p + bytes);
}

#define EXPECT_MIS(call, what, off)                                          \
  do {                                                                       \
    const simdconv_status st_ = (call);                                      \
    cr_assert(st_ == SIMDCONV_ERR_MISALIGNED,                                \
              "%s %zu bytes off: got %d (%s), expected MISALIGNED", what,    \
              off, (int)st_, simdconv_status_string(st_));                   \
  } while (0)

/* The output was not written (it holds the sentinel 7). */
static void expect_untouched(const char *what, size_t off) {
  for (size_t i = 0; i < NBUF; i++)
    cr_assert(g_y[i] == 7.0f, "%s %zu bytes off: output written", what, off);
}

Test(api, misaligned) {
  const simdconv_desc d = good();
  simdconv_conv *conv = NULL;
  cr_assert(simdconv_create(&d, g_w, g_b, NULL, &conv) == SIMDCONV_OK);
  size_t checks = 0;
  for (size_t off = 1; off < _Alignof(float); off++, checks += 9) {
    for (size_t i = 0; i < NBUF; i++)
      g_y[i] = 7.0f;
    simdconv_conv *c2 = (simdconv_conv *)&c2;
    EXPECT_MIS(simdconv_create(&d, off_f(g_w, off), g_b, NULL, &c2),
               "create weights", off);
    cr_assert(c2 == NULL, "failed create left *conv set");
    EXPECT_MIS(simdconv_create(&d, g_w, off_f(g_b, off), NULL, &c2),
               "create bias", off);
    EXPECT_MIS(simdconv_run(conv, 1, 5, 5, off_f(g_x, off), g_y, NULL, 0,
                            NULL),
               "run input", off);
    EXPECT_MIS(simdconv_run(conv, 1, 5, 5, g_x, (float *)off_f(g_y, off),
                            NULL, 0, NULL),
               "run output", off);
    EXPECT_MIS(simdconv_conv2d(&d, 1, 5, 5, off_f(g_x, off), g_w, g_b, g_y,
                               NULL),
               "conv2d input", off);
    EXPECT_MIS(simdconv_conv2d(&d, 1, 5, 5, g_x, g_w, g_b,
                               (float *)off_f(g_y, off), NULL),
               "conv2d output", off);
    expect_untouched("float pointer", off);
    EXPECT_MIS(simdconv_reference(&d, 1, 5, 5, off_f(g_x, off), g_w, g_b,
                                  g_ref, g_bound),
               "reference input", off);
    EXPECT_MIS(simdconv_reference(&d, 1, 5, 5, g_x, g_w, off_f(g_b, off),
                                  g_ref, g_bound),
               "reference bias", off);
    simdconv_compare_stats st;
    EXPECT_MIS(simdconv_compare(off_f(g_y, off), g_ref, g_bound, 4, &st),
               "compare y", off);
  }
  for (size_t off = 1; off < _Alignof(double); off++, checks += 4) {
    EXPECT_MIS(simdconv_reference(&d, 1, 5, 5, g_x, g_w, g_b,
                                  off_d(g_ref, off), g_bound),
               "reference ref", off);
    EXPECT_MIS(simdconv_reference(&d, 1, 5, 5, g_x, g_w, g_b, g_ref,
                                  off_d(g_bound, off)),
               "reference bound", off);
    simdconv_compare_stats st;
    EXPECT_MIS(simdconv_compare(g_y, off_d(g_ref, off), g_bound, 4, &st),
               "compare ref", off);
    EXPECT_MIS(simdconv_compare(g_y, g_ref, off_d(g_bound, off), 4, &st),
               "compare bound", off);
  }
  simdconv_destroy(conv);
  fprintf(stderr,
          "[simdconv-tests] api::misaligned: %zu misaligned pointers, each "
          "MISALIGNED with nothing written\n",
          checks);
}
