/* Every status code path of the public API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

#define EXPECT(call, want)                                                  \
  do {                                                                      \
    const simdconv_status got_ = (call);                                    \
    const simdconv_status want_ = (want);                                   \
    cr_assert(got_ == want_, "%s: got %d (%s), expected %d (%s)", #call,    \
              (int)got_, simdconv_status_string(got_), (int)want_,          \
              simdconv_status_string(want_));                               \
  } while (0)

/* A 4 -> 6 channel 3x3 convolution with padding 1. */
static simdconv_desc good_desc(void) {
  simdconv_desc d;
  simdconv_desc_init(&d, 4, 6, 3, 3);
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  return d;
}

/* Large enough for every descriptor a one-shot call below creates. */
static float g_w[1 << 17], g_b[1 << 17];

static void init_data(void) {
  tu_rng r;
  tu_rng_seed(&r, 42);
  tu_fill(&r, g_w, sizeof g_w / sizeof g_w[0], TU_DATA_UNIFORM);
  tu_fill(&r, g_b, sizeof g_b / sizeof g_b[0], TU_DATA_UNIFORM);
}

/* Creates d (expecting want); checks that *conv is NULL on failure. */
static simdconv_conv *create_expect(const simdconv_desc *d,
                                    const simdconv_options *o,
                                    simdconv_status want, const char *what) {
  simdconv_conv *conv = (simdconv_conv *)&conv; /* garbage */
  const simdconv_status st = simdconv_create(d, g_w, g_b, o, &conv);
  cr_assert(st == want, "create (%s): got %d (%s), expected %d (%s)", what,
            (int)st, simdconv_status_string(st), (int)want,
            simdconv_status_string(want));
  if (want != SIMDCONV_OK)
    cr_assert(conv == NULL, "create (%s) failed but left *conv non-NULL",
              what);
  else
    cr_assert(conv != NULL, "create (%s) succeeded with *conv NULL", what);
  return conv;
}

#define NBUF 4096
static float g_x[NBUF], g_y[NBUF];

static void fill_sentinel(float *y, size_t n) {
  for (size_t i = 0; i < n; i++)
    y[i] = -7777.0f;
}

static void check_sentinel(const float *y, size_t n, const char *what) {
  for (size_t i = 0; i < n; i++)
    cr_assert(y[i] == -7777.0f,
              "%s: failed but wrote the output (element %zu = %g)", what, i,
              (double)y[i]);
}

/* Runs and expects want; on failure the output must be untouched. */
static void run_expect(const simdconv_conv *conv, size_t N, size_t H,
                       size_t W, void *ws, size_t wsz, pthreadpool_t pool,
                       simdconv_status want, const char *what) {
  fill_sentinel(g_y, NBUF);
  const simdconv_status st =
      simdconv_run(conv, N, H, W, g_x, g_y, ws, wsz, pool);
  cr_assert(st == want, "run (%s) N=%zu H=%zu W=%zu: got %d (%s), expected "
            "%d (%s)",
            what, N, H, W, (int)st, simdconv_status_string(st), (int)want,
            simdconv_status_string(want));
  if (want != SIMDCONV_OK)
    check_sentinel(g_y, NBUF, what);
}

/* Runs the one-shot API and the oracle on d, both expecting want. */
static void oneshot_expect(const simdconv_desc *d, size_t N, size_t H,
                           size_t W, simdconv_status want, const char *what) {
  fill_sentinel(g_y, NBUF);
  simdconv_status st =
      simdconv_conv2d(d, N, H, W, g_x, g_w, g_b, g_y, NULL);
  cr_assert(st == want, "conv2d (%s): got %d (%s), expected %d (%s)", what,
            (int)st, simdconv_status_string(st), (int)want,
            simdconv_status_string(want));
  if (want != SIMDCONV_OK)
    check_sentinel(g_y, NBUF, what);
  static double ref[NBUF], bound[NBUF];
  st = simdconv_reference(d, N, H, W, g_x, g_w, g_b, ref, bound);
  cr_assert(st == want, "reference (%s): got %d (%s), expected %d (%s)",
            what, (int)st, simdconv_status_string(st), (int)want,
            simdconv_status_string(want));
}

/* ------------------------------------------------------------------------ */

Test(errors, null_pointers, .init = init_data) {
  const simdconv_desc d = good_desc();
  size_t oh = 0, ow = 0, pads[4], bytes = 0;
  simdconv_isa isa = SIMDCONV_ISA_AUTO;

  EXPECT(simdconv_desc_validate(NULL), SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_output_shape(NULL, 5, 5, &oh, &ow),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_output_shape(&d, 5, 5, NULL, &ow),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_output_shape(&d, 5, 5, &oh, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_resolved_padding(NULL, pads), SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_resolved_padding(&d, NULL), SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_isa_from_name(NULL, &isa), SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_isa_from_name("scalar", NULL), SIMDCONV_ERR_NULL_POINTER);

  /* create */
  simdconv_conv *conv = (simdconv_conv *)&conv;
  EXPECT(simdconv_create(NULL, g_w, g_b, NULL, &conv),
         SIMDCONV_ERR_NULL_POINTER);
  cr_assert(conv == NULL, "create(NULL desc) left *conv set");
  conv = (simdconv_conv *)&conv;
  EXPECT(simdconv_create(&d, NULL, g_b, NULL, &conv),
         SIMDCONV_ERR_NULL_POINTER);
  cr_assert(conv == NULL, "create(NULL weights) left *conv set");
  EXPECT(simdconv_create(&d, g_w, g_b, NULL, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  /* bias and options may be NULL */
  EXPECT(simdconv_create(&d, g_w, NULL, NULL, &conv), SIMDCONV_OK);
  cr_assert(conv != NULL);

  /* workspace_size, run, get_info */
  EXPECT(simdconv_workspace_size(NULL, 1, 5, 5, &bytes),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_workspace_size(conv, 1, 5, 5, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  fill_sentinel(g_y, NBUF);
  EXPECT(simdconv_run(NULL, 1, 5, 5, g_x, g_y, NULL, 0, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  check_sentinel(g_y, NBUF, "run(NULL conv)");
  EXPECT(simdconv_run(conv, 1, 5, 5, NULL, g_y, NULL, 0, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  check_sentinel(g_y, NBUF, "run(NULL input)");
  EXPECT(simdconv_run(conv, 1, 5, 5, g_x, NULL, NULL, 0, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  simdconv_conv_info info;
  EXPECT(simdconv_get_info(NULL, &info), SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_get_info(conv, NULL), SIMDCONV_ERR_NULL_POINTER);
  run_expect(conv, 1, 5, 5, NULL, 0, NULL, SIMDCONV_OK, "valid run");
  simdconv_destroy(conv);
  simdconv_destroy(NULL);

  /* one-shot */
  fill_sentinel(g_y, NBUF);
  EXPECT(simdconv_conv2d(NULL, 1, 5, 5, g_x, g_w, g_b, g_y, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_conv2d(&d, 1, 5, 5, NULL, g_w, g_b, g_y, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_conv2d(&d, 1, 5, 5, g_x, NULL, g_b, g_y, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  check_sentinel(g_y, NBUF, "conv2d with a NULL pointer");
  EXPECT(simdconv_conv2d(&d, 1, 5, 5, g_x, g_w, g_b, NULL, NULL),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_conv2d(&d, 1, 5, 5, g_x, g_w, NULL, g_y, NULL),
         SIMDCONV_OK);

  /* oracle and compare */
  static double ref[NBUF], bound[NBUF];
  EXPECT(simdconv_reference(NULL, 1, 5, 5, g_x, g_w, g_b, ref, bound),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_reference(&d, 1, 5, 5, NULL, g_w, g_b, ref, bound),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_reference(&d, 1, 5, 5, g_x, NULL, g_b, ref, bound),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_reference(&d, 1, 5, 5, g_x, g_w, g_b, NULL, bound),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_reference(&d, 1, 5, 5, g_x, g_w, NULL, ref, NULL),
         SIMDCONV_OK);
  EXPECT(simdconv_reference(&d, 1, 5, 5, g_x, g_w, g_b, ref, bound),
         SIMDCONV_OK);
  simdconv_compare_stats stats;
  EXPECT(simdconv_compare(NULL, ref, bound, 4, &stats),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_compare(g_y, NULL, bound, 4, &stats),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_compare(g_y, ref, NULL, 4, &stats),
         SIMDCONV_ERR_NULL_POINTER);
  EXPECT(simdconv_compare(g_y, ref, bound, 4, NULL),
         SIMDCONV_ERR_NULL_POINTER);
}

/* Zero and > SIMDCONV_MAX_DIM in every size of the descriptor. */
Test(errors, descriptor_sizes, .init = init_data) {
  static const struct {
    const char *name;
    size_t offset;
  } fields[] = {
#define F(f) {#f, offsetof(simdconv_desc, f)}
      F(in_channels), F(out_channels), F(kernel_h),   F(kernel_w),
      F(stride_h),    F(stride_w),     F(dilation_h), F(dilation_w),
      F(groups),
#undef F
  };
  static const size_t bad[] = {0, SIMDCONV_MAX_DIM + 1, (size_t)-1,
                               (size_t)0x80000000u};
  for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
      simdconv_desc d = good_desc();
      memcpy((char *)&d + fields[f].offset, &bad[b], sizeof(size_t));
      char what[96];
      snprintf(what, sizeof what, "%s = %zu", fields[f].name, bad[b]);
      const simdconv_status st = simdconv_desc_validate(&d);
      bool ok = st == SIMDCONV_ERR_INVALID_SIZE;
      /* A huge groups also fails to divide the channels. */
      if (fields[f].offset == offsetof(simdconv_desc, groups) && bad[b] != 0)
        ok = ok || st == SIMDCONV_ERR_INVALID_GROUPS;
      cr_assert(ok, "validate(%s): got %d (%s), expected INVALID_SIZE", what,
                (int)st, simdconv_status_string(st));
      simdconv_conv *conv = (simdconv_conv *)&conv;
      cr_assert(simdconv_create(&d, g_w, g_b, NULL, &conv) == st &&
                    conv == NULL,
                "create(%s) must fail as validate does", what);
      size_t oh, ow;
      cr_assert(simdconv_output_shape(&d, 5, 5, &oh, &ow) == st,
                "output_shape(%s) must fail as validate does", what);
    }
  }

  /* Explicit padding is a size too; 'valid' and 'same' ignore it. */
  for (int side = 0; side < 4; side++) {
    simdconv_desc d = good_desc();
    size_t *p = side == 0   ? &d.pad_top
                : side == 1 ? &d.pad_bottom
                : side == 2 ? &d.pad_left
                            : &d.pad_right;
    *p = SIMDCONV_MAX_DIM + 1;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_ERR_INVALID_SIZE);
    *p = (size_t)-1;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_ERR_INVALID_SIZE);
    d.padding = SIMDCONV_PADDING_VALID;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
    d.padding = SIMDCONV_PADDING_SAME;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
  }

  /* SIMDCONV_MAX_DIM itself is accepted. */
  simdconv_desc d = good_desc();
  d.stride_h = d.dilation_w = SIMDCONV_MAX_DIM;
  d.pad_top = SIMDCONV_MAX_DIM;
  EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
  d = good_desc();
  d.in_channels = d.out_channels = d.groups = SIMDCONV_MAX_DIM;
  EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
}

/* Zero and > SIMDCONV_MAX_DIM batch, height and width at run time. */
Test(errors, run_sizes, .init = init_data) {
  const simdconv_desc d = good_desc();
  simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, "good");
  static const size_t bad[] = {0, SIMDCONV_MAX_DIM + 1, (size_t)-1};
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
    const size_t v = bad[b];
    size_t oh, ow, bytes;
    char what[64];
    snprintf(what, sizeof what, "size %zu", v);
    EXPECT(simdconv_output_shape(&d, v, 5, &oh, &ow),
           SIMDCONV_ERR_INVALID_SIZE);
    EXPECT(simdconv_output_shape(&d, 5, v, &oh, &ow),
           SIMDCONV_ERR_INVALID_SIZE);
    EXPECT(simdconv_workspace_size(conv, v, 5, 5, &bytes),
           SIMDCONV_ERR_INVALID_SIZE);
    EXPECT(simdconv_workspace_size(conv, 1, v, 5, &bytes),
           SIMDCONV_ERR_INVALID_SIZE);
    EXPECT(simdconv_workspace_size(conv, 1, 5, v, &bytes),
           SIMDCONV_ERR_INVALID_SIZE);
    run_expect(conv, v, 5, 5, NULL, 0, NULL, SIMDCONV_ERR_INVALID_SIZE,
               what);
    run_expect(conv, 1, v, 5, NULL, 0, NULL, SIMDCONV_ERR_INVALID_SIZE,
               what);
    run_expect(conv, 1, 5, v, NULL, 0, NULL, SIMDCONV_ERR_INVALID_SIZE,
               what);
    oneshot_expect(&d, v, 5, 5, SIMDCONV_ERR_INVALID_SIZE, what);
    oneshot_expect(&d, 1, v, 5, SIMDCONV_ERR_INVALID_SIZE, what);
    oneshot_expect(&d, 1, 5, v, SIMDCONV_ERR_INVALID_SIZE, what);
  }
  run_expect(conv, 2, 5, 5, NULL, 0, NULL, SIMDCONV_OK, "2x5x5");
  simdconv_destroy(conv);
}

Test(errors, groups, .init = init_data) {
  static const size_t cases[][3] = {
      /* C, K, groups */
      {6, 4, 4}, {4, 6, 4}, {4, 4, 8}, {3, 6, 2}, {6, 3, 2}, {5, 5, 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    simdconv_desc d;
    simdconv_desc_init(&d, cases[i][0], cases[i][1], 3, 3);
    d.groups = cases[i][2];
    char what[64];
    snprintf(what, sizeof what, "C=%zu K=%zu groups=%zu", cases[i][0],
             cases[i][1], cases[i][2]);
    cr_assert(simdconv_desc_validate(&d) == SIMDCONV_ERR_INVALID_GROUPS,
              "validate(%s) must be INVALID_GROUPS", what);
    create_expect(&d, NULL, SIMDCONV_ERR_INVALID_GROUPS, what);
  }
  simdconv_desc d;
  simdconv_desc_init(&d, 6, 9, 3, 3);
  d.groups = 3;
  simdconv_destroy(create_expect(&d, NULL, SIMDCONV_OK, "C=6 K=9 groups=3"));
}

Test(errors, unknown_enums, .init = init_data) {
  static const int bad[] = {99, -1, 7};
  for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
    for (int field = 0; field < 5; field++) {
      simdconv_desc d = good_desc();
      const char *name = "?";
      switch (field) {
      case 0:
        d.layout = (simdconv_layout)bad[b];
        name = "layout";
        break;
      case 1:
        d.weight_layout = (simdconv_weight_layout)bad[b];
        name = "weight_layout";
        break;
      case 2:
        d.padding = (simdconv_padding)bad[b];
        name = "padding";
        break;
      case 3:
        d.padding_mode = (simdconv_padding_mode)bad[b];
        name = "padding_mode";
        break;
      default:
        d.activation = (simdconv_activation)bad[b];
        name = "activation";
        break;
      }
      char what[64];
      snprintf(what, sizeof what, "%s = %d", name, bad[b]);
      const simdconv_status st = simdconv_desc_validate(&d);
      cr_assert(st == SIMDCONV_ERR_INVALID_ENUM,
                "validate(%s): got %d (%s), expected INVALID_ENUM", what,
                (int)st, simdconv_status_string(st));
      create_expect(&d, NULL, SIMDCONV_ERR_INVALID_ENUM, what);
      size_t oh, ow;
      cr_assert(simdconv_output_shape(&d, 5, 5, &oh, &ow) ==
                    SIMDCONV_ERR_INVALID_ENUM,
                "output_shape(%s)", what);
      oneshot_expect(&d, 1, 5, 5, SIMDCONV_ERR_INVALID_ENUM, what);
    }
    const simdconv_desc d = good_desc();
    const simdconv_options o = {.isa = (simdconv_isa)bad[b]};
    char what[64];
    snprintf(what, sizeof what, "options.isa = %d", bad[b]);
    create_expect(&d, &o, SIMDCONV_ERR_INVALID_ENUM, what);
    EXPECT(simdconv_isa_check((simdconv_isa)bad[b]),
           SIMDCONV_ERR_INVALID_ENUM);
    const simdconv_options w = {.pool_wait = (simdconv_pool_wait)bad[b]};
    snprintf(what, sizeof what, "options.pool_wait = %d", bad[b]);
    create_expect(&d, &w, SIMDCONV_ERR_INVALID_ENUM, what);
  }
  /* Every known value of every enum is accepted. */
  for (int v = 0; v < SIMDCONV_ACT_COUNT; v++) {
    simdconv_desc d = good_desc();
    d.activation = (simdconv_activation)v;
    cr_assert(simdconv_desc_validate(&d) == SIMDCONV_OK, "activation %d", v);
  }
  for (int v = 0; v < 4; v++) {
    simdconv_desc d = good_desc();
    d.padding_mode = (simdconv_padding_mode)v;
    cr_assert(simdconv_desc_validate(&d) == SIMDCONV_OK, "mode %d", v);
  }
}

Test(errors, same_padding_with_stride, .init = init_data) {
  static const size_t strides[][2] = {{2, 1}, {1, 2}, {3, 3}};
  for (size_t i = 0; i < 3; i++) {
    simdconv_desc d = good_desc();
    d.padding = SIMDCONV_PADDING_SAME;
    d.stride_h = strides[i][0];
    d.stride_w = strides[i][1];
    char what[64];
    snprintf(what, sizeof what, "same with stride %zux%zu", d.stride_h,
             d.stride_w);
    cr_assert(simdconv_desc_validate(&d) == SIMDCONV_ERR_SAME_PADDING_STRIDE,
              "validate(%s)", what);
    create_expect(&d, NULL, SIMDCONV_ERR_SAME_PADDING_STRIDE, what);
    size_t oh, ow;
    cr_assert(simdconv_output_shape(&d, 9, 9, &oh, &ow) ==
                  SIMDCONV_ERR_SAME_PADDING_STRIDE,
              "output_shape(%s)", what);
    size_t pads[4];
    cr_assert(simdconv_resolved_padding(&d, pads) ==
                  SIMDCONV_ERR_SAME_PADDING_STRIDE,
              "resolved_padding(%s)", what);
    oneshot_expect(&d, 1, 9, 9, SIMDCONV_ERR_SAME_PADDING_STRIDE, what);
    /* The same strides are fine with 'valid' and explicit padding. */
    d.padding = SIMDCONV_PADDING_VALID;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
    d.padding = SIMDCONV_PADDING_EXPLICIT;
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
  }
}

/* Reflect needs pad < size, circular pad <= size: checked at run time. */
Test(errors, padding_too_large, .init = init_data) {
  const size_t H = 4, W = 5;
  for (int mode = 0; mode < 4; mode++) {
    for (int side = 0; side < 4; side++) {
      const size_t size = side < 2 ? H : W;
      /* The largest legal pad on this side, and one more. */
      const size_t limit = mode == SIMDCONV_PAD_REFLECT ? size - 1 : size;
      for (size_t pad = limit; pad <= limit + 1; pad++) {
        simdconv_desc d;
        simdconv_desc_init(&d, 2, 3, 1, 1);
        d.padding_mode = (simdconv_padding_mode)mode;
        size_t *p = side == 0   ? &d.pad_top
                    : side == 1 ? &d.pad_bottom
                    : side == 2 ? &d.pad_left
                                : &d.pad_right;
        *p = pad;
        const bool legal = pad == limit ||
                           mode == SIMDCONV_PAD_ZEROS ||
                           mode == SIMDCONV_PAD_REPLICATE;
        const simdconv_status want =
            legal ? SIMDCONV_OK : SIMDCONV_ERR_PADDING_TOO_LARGE;
        char what[96];
        snprintf(what, sizeof what, "mode %s side %d pad %zu on %zux%zu",
                 tu_mode_str(d.padding_mode), side, pad, H, W);
        EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
        size_t oh, ow;
        const simdconv_status st = simdconv_output_shape(&d, H, W, &oh, &ow);
        cr_assert(st == want, "output_shape(%s): got %d (%s)", what,
                  (int)st, simdconv_status_string(st));
        simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, what);
        size_t bytes;
        const simdconv_status ws =
            simdconv_workspace_size(conv, 1, H, W, &bytes);
        cr_assert(legal ? ws == SIMDCONV_OK : ws != SIMDCONV_OK,
                  "workspace_size(%s): got %d (%s)", what, (int)ws,
                  simdconv_status_string(ws));
        run_expect(conv, 1, H, W, NULL, 0, NULL, want, what);
        oneshot_expect(&d, 1, H, W, want, what);
        simdconv_destroy(conv);
      }
    }
  }
  /* 'same' resolves to a padding that is too large for reflect. */
  simdconv_desc d;
  simdconv_desc_init(&d, 2, 2, 5, 1);
  d.padding = SIMDCONV_PADDING_SAME;
  d.padding_mode = SIMDCONV_PAD_REFLECT; /* pads 2, 2 */
  simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, "same reflect");
  run_expect(conv, 1, 2, 4, NULL, 0, NULL, SIMDCONV_ERR_PADDING_TOO_LARGE,
             "same 5x1 reflect on height 2");
  run_expect(conv, 1, 3, 4, NULL, 0, NULL, SIMDCONV_OK,
             "same 5x1 reflect on height 3");
  simdconv_destroy(conv);
}

Test(errors, empty_output, .init = init_data) {
  simdconv_desc d;
  simdconv_desc_init(&d, 2, 3, 5, 3);
  d.dilation_w = 2;
  simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, "5x3 dil 1x2");
  size_t oh, ow, bytes;
  EXPECT(simdconv_output_shape(&d, 4, 9, &oh, &ow),
         SIMDCONV_ERR_EMPTY_OUTPUT);
  EXPECT(simdconv_output_shape(&d, 9, 4, &oh, &ow),
         SIMDCONV_ERR_EMPTY_OUTPUT);
  cr_assert(simdconv_workspace_size(conv, 1, 4, 9, &bytes) != SIMDCONV_OK,
            "workspace_size on an empty output must fail");
  run_expect(conv, 1, 4, 9, NULL, 0, NULL, SIMDCONV_ERR_EMPTY_OUTPUT,
             "height 4 < 5");
  run_expect(conv, 1, 9, 4, NULL, 0, NULL, SIMDCONV_ERR_EMPTY_OUTPUT,
             "width 4 < 5");
  run_expect(conv, 1, 5, 5, NULL, 0, NULL, SIMDCONV_OK, "5x5 is 1x1 out");
  oneshot_expect(&d, 1, 4, 9, SIMDCONV_ERR_EMPTY_OUTPUT, "height 4 < 5");
  simdconv_destroy(conv);
}

Test(errors, activation_parameters, .init = init_data) {
  static const float bad[][2] = {
      {1.0f, 0.0f}, {0.0f, -0.5f}, {NAN, 1.0f}, {0.0f, NAN}, {NAN, NAN},
      {INFINITY, -INFINITY}, {INFINITY, 6.0f},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    simdconv_desc d = good_desc();
    d.activation = SIMDCONV_ACT_CLAMP;
    d.act_min = bad[i][0];
    d.act_max = bad[i][1];
    char what[64];
    snprintf(what, sizeof what, "clamp(%g, %g)", (double)bad[i][0],
             (double)bad[i][1]);
    cr_assert(simdconv_desc_validate(&d) ==
                  SIMDCONV_ERR_INVALID_ACTIVATION,
              "validate(%s) must be INVALID_ACTIVATION", what);
    create_expect(&d, NULL, SIMDCONV_ERR_INVALID_ACTIVATION, what);
    oneshot_expect(&d, 1, 5, 5, SIMDCONV_ERR_INVALID_ACTIVATION, what);
  }
  static const float good[][2] = {
      {0.0f, 0.0f},          {0.0f, INFINITY},   {-INFINITY, INFINITY},
      {-INFINITY, -INFINITY}, {INFINITY, INFINITY}, {-0.0f, 0.0f},
      {0.0f, -0.0f},
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    simdconv_desc d = good_desc();
    d.activation = SIMDCONV_ACT_CLAMP;
    d.act_min = good[i][0];
    d.act_max = good[i][1];
    char what[64];
    snprintf(what, sizeof what, "clamp(%g, %g)", (double)good[i][0],
             (double)good[i][1]);
    cr_assert(simdconv_desc_validate(&d) == SIMDCONV_OK,
              "validate(%s) must be OK", what);
    simdconv_destroy(create_expect(&d, NULL, SIMDCONV_OK, what));
  }
}

/* Products of sizes that overflow size_t, each size itself legal. The
 * library must detect them before touching any memory. */
Test(errors, size_overflow, .init = init_data) {
  const size_t M = SIMDCONV_MAX_DIM;
  simdconv_desc d;
  simdconv_desc_init(&d, 1, 1, 1, 1);
  simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, "1x1");
  static const size_t shapes[][3] = {
      {M, M, M},  /* ~2^93 elements */
      {M, M, 2},  /* ~2^63 elements: fits, but the bytes do not */
      {4, M, M},  /* ~2^64 elements */
      {M, 4, M},
      /* ~2^61 elements: input and output bytes fit, the workspace bound
       * (16 bytes per input element) does not, on every ISA */
      {1, M, (size_t)1 << 30},
  };
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    const size_t N = shapes[i][0], H = shapes[i][1], W = shapes[i][2];
    char what[96];
    snprintf(what, sizeof what, "N=%zu H=%zu W=%zu", N, H, W);
    size_t bytes = 0;
    EXPECT(simdconv_workspace_size(conv, N, H, W, &bytes),
           SIMDCONV_ERR_SIZE_OVERFLOW);
    run_expect(conv, N, H, W, NULL, 0, NULL, SIMDCONV_ERR_SIZE_OVERFLOW,
               what);
    oneshot_expect(&d, N, H, W, SIMDCONV_ERR_SIZE_OVERFLOW, what);
  }
  simdconv_destroy(conv);

  /* Channels: C*H*W overflows with a batch of 1. */
  simdconv_desc_init(&d, 65536, 1, 1, 1);
  d.groups = 65536; /* depthwise, so the weights stay small */
  d.out_channels = 65536;
  oneshot_expect(&d, 1, M, M, SIMDCONV_ERR_SIZE_OVERFLOW,
                 "C=65536 H=W=MAX_DIM");

  /* Packed weights: K*C/g*R*S floats overflow size_t. */
  static const size_t weights[][4] = {
      /* K, C, R, S */
      {M, M, 4, 4},
      {M, M, 2, 1}, /* ~2^63 floats: the bytes overflow */
      {1, M, M, M},
      {M, 1, M, 8},
  };
  for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++) {
    simdconv_desc_init(&d, weights[i][1], weights[i][0], weights[i][2],
                       weights[i][3]);
    char what[128];
    snprintf(what, sizeof what, "weights K=%zu C=%zu R=%zu S=%zu",
             weights[i][0], weights[i][1], weights[i][2], weights[i][3]);
    EXPECT(simdconv_desc_validate(&d), SIMDCONV_OK);
    create_expect(&d, NULL, SIMDCONV_ERR_SIZE_OVERFLOW, what);
  }
}

Test(errors, buffer_overlap, .init = init_data) {
  simdconv_desc d;
  simdconv_desc_init(&d, 2, 2, 3, 3);
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
  const size_t n = 2 * 4 * 4; /* input and output elements */
  simdconv_conv *conv = create_expect(&d, NULL, SIMDCONV_OK, "2->2 3x3");
  static float buf[256];
  static float copy[256];
  static const struct {
    size_t in, out;
    bool overlap;
  } cases[] = {
      {0, 0, true},       {0, 1, true},        {0, 31, true},
      {16, 0, true},      {31, 0, true},       {0, 32, false},
      {32, 0, false},     {100, 10, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    for (size_t j = 0; j < 256; j++)
      buf[j] = (float)j;
    memcpy(copy, buf, sizeof buf);
    char what[96];
    snprintf(what, sizeof what, "input at +%zu, output at +%zu, %zu floats",
             cases[i].in, cases[i].out, n);
    const simdconv_status want =
        cases[i].overlap ? SIMDCONV_ERR_BUFFER_OVERLAP : SIMDCONV_OK;
    simdconv_status st = simdconv_run(conv, 1, 4, 4, buf + cases[i].in,
                                      buf + cases[i].out, NULL, 0, NULL);
    cr_assert(st == want, "run(%s): got %d (%s), expected %d (%s)", what,
              (int)st, simdconv_status_string(st), (int)want,
              simdconv_status_string(want));
    if (cases[i].overlap)
      cr_assert(memcmp(buf, copy, sizeof buf) == 0,
                "run(%s) failed but modified memory", what);
    memcpy(buf, copy, sizeof buf);
    st = simdconv_conv2d(&d, 1, 4, 4, buf + cases[i].in, g_w, g_b,
                         buf + cases[i].out, NULL);
    cr_assert(st == want, "conv2d(%s): got %d (%s)", what, (int)st,
              simdconv_status_string(st));
  }
  simdconv_destroy(conv);
}

/* ------------------------------------------------------------------------ */
/* Workspace and allocators, on every ISA                                   */
/* ------------------------------------------------------------------------ */

/* Configurations likely to need a workspace on some kernel. */
static const tu_tcfg ws_cfgs[] = {
    {.name = "3x3 pad 1", .C = 4, .K = 6, .H = 8, .W = 8, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "reflect", .C = 3, .K = 5, .H = 9, .W = 7, .R = 3, .S = 3,
     .pt = 2, .pb = 2, .pl = 2, .pr = 2, .mode = SIMDCONV_PAD_REFLECT},
    {.name = "circular stride 2", .C = 8, .K = 8, .H = 10, .W = 10, .R = 3,
     .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .mode = SIMDCONV_PAD_CIRCULAR},
    {.name = "depthwise replicate", .C = 8, .K = 8, .H = 9, .W = 9, .R = 3,
     .S = 3, .groups = 8, .padding = SIMDCONV_PADDING_SAME,
     .mode = SIMDCONV_PAD_REPLICATE},
    {.name = "1x1", .C = 16, .K = 16, .H = 6, .W = 6, .R = 1, .S = 1},
    {.name = "big", .C = 32, .K = 32, .H = 16, .W = 16, .R = 3, .S = 3,
     .padding = SIMDCONV_PADDING_SAME, .bias = true},
};
#define N_WS_CFGS (sizeof ws_cfgs / sizeof ws_cfgs[0])

static void ws_case(tu_case *c, size_t i, simdconv_layout layout) {
  tu_spec s;
  tu_spec_from_tcfg(&s, &ws_cfgs[i], layout, SIMDCONV_WEIGHTS_OIHW, 0,
                    0x3000 + i);
  tu_case_init(c, &s);
}

TU_ISA_PARAMS(errors, workspace_too_small)
ParameterizedTest(simdconv_isa *isa, errors, workspace_too_small) {
  size_t exercised = 0;
  for (size_t i = 0; i < N_WS_CFGS; i++) {
    for (int l = 0; l < 2; l++) {
      tu_case c;
      ws_case(&c, i, (simdconv_layout)l);
      simdconv_conv *conv = tu_create(&c, *isa);
      const tu_spec *s = &c.spec;
      size_t ws = 0;
      EXPECT(simdconv_workspace_size(conv, s->N, s->H, s->W, &ws),
             SIMDCONV_OK);
      unsigned char *buf = tu_alloc(ws + 1);
      float *x = tu_alloc(c.nx * sizeof(float));
      float *y = tu_alloc(c.ny * sizeof(float));
      memcpy(x, c.x, c.nx * sizeof(float));
      if (ws > 0) {
        exercised++;
        const size_t sizes[] = {0, ws / 2, ws - 1};
        for (size_t k = 0; k < 3; k++) {
          for (size_t j = 0; j < c.ny; j++)
            y[j] = -7777.0f;
          const simdconv_status st = simdconv_run(
              conv, s->N, s->H, s->W, x, y, buf, sizes[k], NULL);
          cr_assert(st == SIMDCONV_ERR_WORKSPACE_TOO_SMALL,
                    "%s: run with %zu of %zu workspace bytes: got %d (%s) "
                    "for %s",
                    tu_isa_str(*isa), sizes[k], ws, (int)st,
                    simdconv_status_string(st), tu_case_str(&c));
          check_sentinel(y, c.ny, "run with a small workspace");
        }
      }
      /* Exactly enough, and more than enough, both work. */
      EXPECT(simdconv_run(conv, s->N, s->H, s->W, x, y, buf, ws, NULL),
             SIMDCONV_OK);
      EXPECT(simdconv_run(conv, s->N, s->H, s->W, x, y, buf + 1, ws, NULL),
             SIMDCONV_OK);
      free(buf);
      free(x);
      free(y);
      simdconv_destroy(conv);
      tu_case_free(&c);
    }
  }
  if (exercised == 0)
    fprintf(stderr,
            "[simdconv-tests] NOTE errors::workspace_too_small on %s: no "
            "configuration needs a workspace, WORKSPACE_TOO_SMALL not "
            "reachable\n",
            tu_isa_str(*isa));
  else
    fprintf(stderr,
            "[simdconv-tests] errors::workspace_too_small on %s: %zu "
            "configurations with a workspace\n",
            tu_isa_str(*isa), exercised);
}

/* A tracking allocator that can fail from a given allocation on. */
typedef struct tracker {
  long fail_from; /* index of the first failing allocation; -1: never */
  bool fail_one;  /* only allocation fail_from fails, the later ones not */
  long allocs;    /* allocation calls */
  long frees;     /* free calls with a non-NULL pointer */
  size_t live;
  void *ptrs[256];
  bool bad_alignment, bad_free, too_many;
  size_t max_alignment;
  size_t max_size; /* larger requests fail; 0: no limit */
} tracker;

static void *tr_alloc(void *ctx, size_t size, size_t alignment) {
  tracker *t = ctx;
  const long idx = t->allocs++;
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 ||
      alignment > 4096) {
    t->bad_alignment = true;
    alignment = 64;
  }
  if (alignment > t->max_alignment)
    t->max_alignment = alignment;
  if (t->fail_from >= 0 &&
      (t->fail_one ? idx == t->fail_from : idx >= t->fail_from))
    return NULL;
  if (t->max_size != 0 && size > t->max_size)
    return NULL;
  if (alignment < sizeof(void *))
    alignment = sizeof(void *);
  const size_t rounded = (size + alignment - 1) / alignment * alignment;
  void *p = aligned_alloc(alignment, rounded ? rounded : alignment);
  if (p == NULL)
    return NULL;
  for (size_t i = 0; i < 256; i++) {
    if (t->ptrs[i] == NULL) {
      t->ptrs[i] = p;
      t->live++;
      return p;
    }
  }
  t->too_many = true;
  free(p);
  return NULL;
}

static void tr_free(void *ctx, void *p) {
  tracker *t = ctx;
  if (p == NULL)
    return;
  t->frees++;
  for (size_t i = 0; i < 256; i++) {
    if (t->ptrs[i] == p) {
      t->ptrs[i] = NULL;
      t->live--;
      free(p);
      return;
    }
  }
  t->bad_free = true;
}

static void tracker_check(const tracker *t, const char *what) {
  cr_assert(!t->bad_alignment,
            "%s: the allocator got an alignment that is not a power of two "
            "<= 4096", what);
  cr_assert(!t->bad_free,
            "%s: the allocator's free got a pointer alloc did not return",
            what);
  cr_assert(!t->too_many, "%s: over 256 live allocations", what);
}

Test(errors, incomplete_allocator, .init = init_data) {
  const simdconv_desc d = good_desc();
  tracker t;
  memset(&t, 0, sizeof t);
  t.fail_from = -1;
  simdconv_allocator a = {.alloc = NULL, .free = tr_free, .ctx = &t};
  simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = &a};
  create_expect(&d, &o, SIMDCONV_ERR_INVALID_ALLOCATOR, "alloc NULL");
  a.alloc = tr_alloc;
  a.free = NULL;
  create_expect(&d, &o, SIMDCONV_ERR_INVALID_ALLOCATOR, "free NULL");
  cr_assert(t.allocs == 0 && t.live == 0,
            "an incomplete allocator must not be used");
  a.free = tr_free;
  simdconv_conv *conv = create_expect(&d, &o, SIMDCONV_OK, "complete");
  simdconv_destroy(conv);
  cr_assert(t.live == 0, "%zu allocations leaked", t.live);
  tracker_check(&t, "complete allocator");
}

/* 2^60 floats of weights are 4 EiB, and the packed bound
 * 4 (2^30 + 64) (2^30 + 2) bytes fits in size_t: no overflow, so the
 * allocator is asked and says no. (Through a capped allocator: a sanitizer's
 * malloc would abort on such a request.) */
Test(errors, huge_allocation, .init = init_data) {
  const size_t M = (size_t)1 << 30;
  tracker t;
  memset(&t, 0, sizeof t);
  t.fail_from = -1;
  t.max_size = (size_t)1 << 30;
  const simdconv_allocator a = {.alloc = tr_alloc, .free = tr_free,
                                .ctx = &t};
  const simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = &a};
  simdconv_desc d;
  simdconv_desc_init(&d, M, M, 1, 1);
  create_expect(&d, &o, SIMDCONV_ERR_OUT_OF_MEMORY, "4 EiB of weights");
  cr_assert(t.live == 0, "failed create leaked %zu blocks", t.live);
  tracker_check(&t, "huge allocation");
}

/* Creates c's object with allocation n failing (alone when fail_one, else
 * with every later one) for n = 0, 1, ... until create succeeds; each
 * failure must be OUT_OF_MEMORY with *conv NULL and nothing leaked. */
static simdconv_conv *create_failing_each(const tu_case *c,
                                          const simdconv_options *o,
                                          tracker *t, bool fail_one,
                                          const char *what) {
  for (long n = 0;; n++) {
    cr_assert(n < 64, "create keeps allocating: %s", what);
    t->fail_from = n;
    t->fail_one = fail_one;
    t->allocs = 0;
    simdconv_conv *conv = (simdconv_conv *)&conv;
    const simdconv_status st =
        simdconv_create(&c->spec.desc, c->w, c->b, o, &conv);
    tracker_check(t, what);
    if (st == SIMDCONV_OK) {
      cr_assert(n >= 1 && conv != NULL,
                "create made no allocation through the custom allocator: %s",
                what);
      return conv;
    }
    cr_assert(st == SIMDCONV_ERR_OUT_OF_MEMORY,
              "create with allocation %ld failing%s: got %d (%s), expected "
              "OUT_OF_MEMORY: %s",
              n, fail_one ? " alone" : " and the later ones", (int)st,
              simdconv_status_string(st), what);
    cr_assert(conv == NULL, "failed create left *conv set: %s", what);
    cr_assert(t->live == 0,
              "create with allocation %ld failing leaked %zu blocks: %s", n,
              t->live, what);
  }
}

TU_ISA_PARAMS(errors, failing_allocator)
ParameterizedTest(simdconv_isa *isa, errors, failing_allocator) {
  size_t run_oom = 0;
  for (size_t i = 0; i < N_WS_CFGS; i++) {
    for (int l = 0; l < 2; l++) {
      tu_case c;
      ws_case(&c, i, (simdconv_layout)l);
      const tu_spec *s = &c.spec;
      char what[640];
      snprintf(what, sizeof what, "%s on %s", tu_case_str(&c),
               tu_isa_str(*isa));
      tracker t;
      memset(&t, 0, sizeof t);
      simdconv_allocator *a = tu_alloc(sizeof *a);
      a->alloc = tr_alloc;
      a->free = tr_free;
      a->ctx = &t;
      const simdconv_options o = {.isa = *isa, .allocator = a};

      /* Fail at every allocation of create in turn: that one alone, then
       * that one and every later one. */
      simdconv_destroy(create_failing_each(&c, &o, &t, true, what));
      cr_assert(t.live == 0, "destroy leaked %zu blocks: %s", t.live, what);
      simdconv_conv *conv = create_failing_each(&c, &o, &t, false, what);
      const size_t live_after_create = t.live;

      /* The object keeps a copy of the allocator. */
      memset(a, 0, sizeof *a);
      free(a);

      size_t ws = 0;
      EXPECT(simdconv_workspace_size(conv, s->N, s->H, s->W, &ws),
             SIMDCONV_OK);
      float *y = tu_alloc(c.ny * sizeof(float));
      t.fail_from = t.allocs; /* everything from now on fails */
      for (size_t j = 0; j < c.ny; j++)
        y[j] = -7777.0f;
      simdconv_status st =
          simdconv_run(conv, s->N, s->H, s->W, c.x, y, NULL, 0, NULL);
      if (ws > 0) {
        run_oom++;
        cr_assert(st == SIMDCONV_ERR_OUT_OF_MEMORY,
                  "run without workspace (%zu bytes needed) and a failing "
                  "allocator: got %d (%s): %s",
                  ws, (int)st, simdconv_status_string(st), what);
        check_sentinel(y, c.ny, "run with a failing allocator");
      } else {
        cr_assert(st == SIMDCONV_OK,
                  "run that needs no workspace: got %d (%s): %s", (int)st,
                  simdconv_status_string(st), what);
      }
      cr_assert(t.live == live_after_create, "run leaked: %s", what);
      /* With a caller workspace nothing is allocated. */
      unsigned char *wsb = tu_alloc(ws + 1);
      st = simdconv_run(conv, s->N, s->H, s->W, c.x, y, wsb, ws, NULL);
      cr_assert(st == SIMDCONV_OK,
                "run with a caller workspace and a failing allocator: got %d "
                "(%s): %s",
                (int)st, simdconv_status_string(st), what);
      free(wsb);
      /* And with a working allocator the run allocates and frees. */
      t.fail_from = -1;
      st = simdconv_run(conv, s->N, s->H, s->W, c.x, y, NULL, 0, tu_pool());
      cr_assert(st == SIMDCONV_OK, "run: got %d (%s): %s", (int)st,
                simdconv_status_string(st), what);
      cr_assert(t.live == live_after_create, "run leaked: %s", what);
      simdconv_destroy(conv);
      cr_assert(t.live == 0, "destroy leaked %zu blocks: %s", t.live, what);
      tracker_check(&t, what);
      free(y);
      tu_case_free(&c);
    }
  }
  fprintf(stderr,
          "[simdconv-tests] errors::failing_allocator on %s: %zu runs "
          "reached OUT_OF_MEMORY\n",
          tu_isa_str(*isa), run_oom);
}

/* ------------------------------------------------------------------------ */
/* ISAs, names, versions                                                    */
/* ------------------------------------------------------------------------ */

Test(errors, isa_availability, .init = init_data) {
  const uint32_t built = simdconv_isas_built();
  const uint32_t supported = simdconv_isas_supported();
  const simdconv_isa cap = simdconv_isa_cap();
  const simdconv_desc d = good_desc();
  cr_assert(built & (1u << SIMDCONV_ISA_SCALAR), "scalar is always built");
  cr_assert(supported & (1u << SIMDCONV_ISA_SCALAR),
            "scalar is always supported");
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    const simdconv_isa isa = (simdconv_isa)i;
    simdconv_status want;
    if (!(built & (1u << i)))
      want = SIMDCONV_ERR_ISA_NOT_BUILT;
    else if (!(supported & (1u << i)))
      want = SIMDCONV_ERR_ISA_NOT_SUPPORTED;
    else if (cap != SIMDCONV_ISA_AUTO && i > (int)cap)
      want = SIMDCONV_ERR_ISA_DISABLED;
    else
      want = SIMDCONV_OK;
    char what[64];
    snprintf(what, sizeof what, "isa %s", tu_isa_str(isa));
    const simdconv_status st = simdconv_isa_check(isa);
    cr_assert(st == want, "isa_check(%s): got %d (%s), expected %d (%s)",
              tu_isa_str(isa), (int)st, simdconv_status_string(st),
              (int)want, simdconv_status_string(want));
    const simdconv_options o = {.isa = isa};
    simdconv_destroy(create_expect(&d, &o, want, what));
  }
  EXPECT(simdconv_isa_check(SIMDCONV_ISA_AUTO), SIMDCONV_OK);
#if defined(__x86_64__)
  cr_assert(!(built & (1u << SIMDCONV_ISA_NEON)), "NEON built on x86-64");
  EXPECT(simdconv_isa_check(SIMDCONV_ISA_NEON), SIMDCONV_ERR_ISA_NOT_BUILT);
#elif defined(__aarch64__)
  cr_assert(!(built & (1u << SIMDCONV_ISA_AVX2)), "AVX2 built on AArch64");
  EXPECT(simdconv_isa_check(SIMDCONV_ISA_AVX2), SIMDCONV_ERR_ISA_NOT_BUILT);
  EXPECT(simdconv_isa_check(SIMDCONV_ISA_AVX512),
         SIMDCONV_ERR_ISA_NOT_BUILT);
#endif
  cr_assert((built & ~((1u << SIMDCONV_ISA_COUNT) - 1u)) == 0 &&
                (built & 1u) == 0,
            "isas_built has bits outside 1..COUNT-1: 0x%x", built);
}

Test(errors, status_strings) {
  static const struct {
    int code;
    const char *name;
  } codes[] = {
      {0, "SIMDCONV_OK"},
      {1, "SIMDCONV_ERR_NULL_POINTER"},
      {2, "SIMDCONV_ERR_INVALID_SIZE"},
      {3, "SIMDCONV_ERR_INVALID_GROUPS"},
      {4, "SIMDCONV_ERR_INVALID_ENUM"},
      {5, "SIMDCONV_ERR_SAME_PADDING_STRIDE"},
      {6, "SIMDCONV_ERR_PADDING_TOO_LARGE"},
      {7, "SIMDCONV_ERR_EMPTY_OUTPUT"},
      {8, "SIMDCONV_ERR_INVALID_ACTIVATION"},
      {9, "SIMDCONV_ERR_SIZE_OVERFLOW"},
      {10, "SIMDCONV_ERR_OUT_OF_MEMORY"},
      {11, "SIMDCONV_ERR_WORKSPACE_TOO_SMALL"},
      {12, "SIMDCONV_ERR_BUFFER_OVERLAP"},
      {13, "SIMDCONV_ERR_ISA_NOT_BUILT"},
      {14, "SIMDCONV_ERR_ISA_NOT_SUPPORTED"},
      {15, "SIMDCONV_ERR_ISA_DISABLED"},
      {16, "SIMDCONV_ERR_INVALID_ALLOCATOR"},
      {32, "SIMDCONV_ERR_MISALIGNED"},
  };
  const size_t n = sizeof codes / sizeof codes[0];
  cr_assert(SIMDCONV_ERR_INVALID_ALLOCATOR == 16 &&
            SIMDCONV_ERR_MISALIGNED == 32);
  const char *got[sizeof codes / sizeof codes[0]];
  for (size_t i = 0; i < n; i++) {
    got[i] = simdconv_status_string((simdconv_status)codes[i].code);
    cr_assert(got[i] != NULL && got[i][0] != '\0',
              "status_string(%d) is empty", codes[i].code);
    cr_assert(strncmp(got[i], codes[i].name, strlen(codes[i].name)) == 0,
              "status_string(%d) = \"%s\" does not start with %s",
              codes[i].code, got[i], codes[i].name);
    for (size_t j = 0; j < i; j++)
      cr_assert(strcmp(got[i], got[j]) != 0,
                "status_string(%d) == status_string(%d) = \"%s\"",
                codes[i].code, codes[j].code, got[i]);
  }
  static const int unknown[] = {17, 31, 33, 99, -1, 1000};
  for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
    const char *s = simdconv_status_string((simdconv_status)unknown[i]);
    cr_assert(s != NULL && s[0] != '\0', "status_string(%d) is empty",
              unknown[i]);
    for (size_t j = 0; j < n; j++)
      cr_assert(strcmp(s, got[j]) != 0,
                "status_string(%d) equals that of a known code", unknown[i]);
  }
}

Test(errors, isa_names) {
  static const char *const names[SIMDCONV_ISA_COUNT] = {
      "auto", "scalar", "avx2", "avx512", "neon"};
  for (int i = 0; i < SIMDCONV_ISA_COUNT; i++) {
    const char *s = simdconv_isa_name((simdconv_isa)i);
    cr_assert(s != NULL && strcmp(s, names[i]) == 0,
              "isa_name(%d) = %s, expected %s", i, s ? s : "(null)",
              names[i]);
    simdconv_isa isa = (simdconv_isa)77;
    EXPECT(simdconv_isa_from_name(s, &isa), SIMDCONV_OK);
    cr_assert(isa == (simdconv_isa)i, "isa_from_name(%s) = %d, expected %d",
              s, (int)isa, i);
  }
  static const int unknown[] = {SIMDCONV_ISA_COUNT, 99, -1};
  for (size_t i = 0; i < 3; i++)
    cr_assert(simdconv_isa_name((simdconv_isa)unknown[i]) == NULL,
              "isa_name(%d) must be NULL", unknown[i]);
  static const char *const bad[] = {"", "bogus", "avx", "avx5120", "sse2",
                                    " avx2", "scalar "};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    simdconv_isa isa = SIMDCONV_ISA_SCALAR;
    const simdconv_status st = simdconv_isa_from_name(bad[i], &isa);
    cr_assert(st == SIMDCONV_ERR_INVALID_ENUM,
              "isa_from_name(\"%s\"): got %d (%s), expected INVALID_ENUM",
              bad[i], (int)st, simdconv_status_string(st));
  }
}

Test(errors, version) {
  cr_assert(simdconv_version() == SIMDCONV_VERSION,
            "simdconv_version() = %d, header says %d", simdconv_version(),
            SIMDCONV_VERSION);
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", SIMDCONV_VERSION_MAJOR,
           SIMDCONV_VERSION_MINOR, SIMDCONV_VERSION_PATCH);
  const char *got = simdconv_version_string();
  cr_assert(got != NULL && strcmp(got, want) == 0,
            "simdconv_version_string() = %s, expected %s",
            got ? got : "(null)", want);
  cr_assert(SIMDCONV_VERSION ==
            SIMDCONV_VERSION_MAJOR * 10000 + SIMDCONV_VERSION_MINOR * 100 +
                SIMDCONV_VERSION_PATCH);
}
