/* Output shapes and resolved padding against PyTorch's formula. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "test_util.h"

static simdconv_desc desc2(size_t C, size_t K, size_t R, size_t S) {
  simdconv_desc d;
  simdconv_desc_init(&d, C, K, R, S);
  return d;
}

static void expect_shape(const simdconv_desc *d, size_t H, size_t W,
                         size_t OH, size_t OW, const char *what) {
  size_t oh = 0, ow = 0;
  const simdconv_status st = simdconv_output_shape(d, H, W, &oh, &ow);
  cr_assert(st == SIMDCONV_OK, "%s: status %d (%s)", what, (int)st,
            simdconv_status_string(st));
  cr_assert(oh == OH && ow == OW, "%s: got %zux%zu, expected %zux%zu", what,
            oh, ow, OH, OW);
}

static void expect_pads(const simdconv_desc *d, size_t t, size_t b, size_t l,
                        size_t r, const char *what) {
  size_t p[4] = {99, 99, 99, 99};
  const simdconv_status st = simdconv_resolved_padding(d, p);
  cr_assert(st == SIMDCONV_OK, "%s: resolved_padding status %d", what,
            (int)st);
  cr_assert(p[0] == t && p[1] == b && p[2] == l && p[3] == r,
            "%s: resolved padding (t%zu b%zu l%zu r%zu), expected (t%zu b%zu "
            "l%zu r%zu)",
            what, p[0], p[1], p[2], p[3], t, b, l, r);
}

Test(shape, desc_init_defaults) {
  simdconv_desc d;
  memset(&d, 0x5a, sizeof d);
  simdconv_desc_init(&d, 16, 33, 3, 5);
  cr_assert(d.in_channels == 16 && d.out_channels == 33 && d.kernel_h == 3 &&
            d.kernel_w == 5);
  cr_assert(d.stride_h == 1 && d.stride_w == 1, "default stride 1");
  cr_assert(d.dilation_h == 1 && d.dilation_w == 1, "default dilation 1");
  cr_assert(d.groups == 1, "default groups 1");
  cr_assert(d.padding == SIMDCONV_PADDING_EXPLICIT && d.pad_top == 0 &&
                d.pad_bottom == 0 && d.pad_left == 0 && d.pad_right == 0,
            "default padding explicit 0");
  cr_assert(d.padding_mode == SIMDCONV_PAD_ZEROS, "default mode zeros");
  cr_assert(d.layout == SIMDCONV_LAYOUT_NCHW, "default layout NCHW");
  cr_assert(d.weight_layout == SIMDCONV_WEIGHTS_OIHW, "default OIHW");
  cr_assert(d.flip_kernel == 0, "default flip 0");
  cr_assert(d.activation == SIMDCONV_ACT_NONE, "default activation none");
  cr_assert(isinf(d.act_min) && d.act_min < 0 && isinf(d.act_max) &&
                d.act_max > 0,
            "default clamp bounds -inf, +inf: got %g, %g", (double)d.act_min,
            (double)d.act_max);
  cr_assert(simdconv_desc_validate(&d) == SIMDCONV_OK);
}

/* The examples of torch.nn.Conv2d's documentation, input 20x16x50x100. */
Test(shape, pytorch_docs_examples) {
  simdconv_desc d = desc2(16, 33, 3, 3);
  d.stride_h = d.stride_w = 2;
  expect_shape(&d, 50, 100, 24, 49, "nn.Conv2d(16, 33, 3, stride=2)");

  d = desc2(16, 33, 3, 5);
  d.stride_h = 2;
  d.stride_w = 1;
  d.pad_top = d.pad_bottom = 4;
  d.pad_left = d.pad_right = 2;
  expect_shape(&d, 50, 100, 28, 100,
               "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))");

  d.dilation_h = 3;
  d.dilation_w = 1;
  expect_shape(&d, 50, 100, 26, 100,
               "nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2), "
               "dilation=(3, 1))");
}

/* Every small combination, all four padding modes, against the formula. */
Test(shape, formula_sweep) {
  size_t checked = 0;
  for (int mode = 0; mode < 4; mode++)
    for (size_t R = 1; R <= 5; R++)
      for (size_t dil = 1; dil <= 3; dil++)
        for (size_t stride = 1; stride <= 3; stride++)
          for (size_t pa = 0; pa <= 4; pa++)
            for (size_t pb = 0; pb <= 4; pb += 2)
              for (size_t H = 1; H <= 9; H++) {
                /* Height gets the swept values, width a fixed other mix. */
                simdconv_desc d = desc2(2, 3, R, 2);
                d.padding_mode = (simdconv_padding_mode)mode;
                d.dilation_h = dil;
                d.stride_h = stride;
                d.pad_top = pa;
                d.pad_bottom = pb;
                d.pad_left = 1;
                d.pad_right = 0;
                const size_t W = 5;
                size_t eoh = 0, eow = 0, oh = 0, ow = 0;
                const simdconv_status es =
                    tu_expected_shape(&d, H, W, NULL, &eoh, &eow);
                const simdconv_status st =
                    simdconv_output_shape(&d, H, W, &oh, &ow);
                /* When the padding is too large and the output is empty
                 * too, either error is right. */
                const size_t ext = dil * (R - 1) + 1;
                const bool empty = H + pa + pb < ext;
                bool ok = st == es;
                if (es == SIMDCONV_ERR_PADDING_TOO_LARGE && empty)
                  ok = st == SIMDCONV_ERR_PADDING_TOO_LARGE ||
                       st == SIMDCONV_ERR_EMPTY_OUTPUT;
                cr_assert(ok,
                          "mode=%s R=%zu dil=%zu stride=%zu pads=(%zu,%zu) "
                          "H=%zu W=%zu: status %d (%s), expected %d (%s)",
                          tu_mode_str(d.padding_mode), R, dil, stride, pa, pb,
                          H, W, (int)st, simdconv_status_string(st), (int)es,
                          simdconv_status_string(es));
                if (es == SIMDCONV_OK)
                  cr_assert(oh == eoh && ow == eow,
                            "mode=%s R=%zu dil=%zu stride=%zu pads=(%zu,%zu) "
                            "H=%zu: got %zux%zu, expected %zux%zu",
                            tu_mode_str(d.padding_mode), R, dil, stride, pa,
                            pb, H, oh, ow, eoh, eow);
                checked++;
              }
  fprintf(stderr, "[simdconv-tests] shape::formula_sweep: %zu shapes\n",
          checked);
}

Test(shape, explicit_padding_resolved_as_given) {
  simdconv_desc d = desc2(3, 4, 3, 2);
  d.pad_top = 1;
  d.pad_bottom = 4;
  d.pad_left = 0;
  d.pad_right = 7;
  expect_pads(&d, 1, 4, 0, 7, "explicit (1,4,0,7)");
  /* OH = (6+5-3)/1+1 = 9, OW = (5+7-2)/1+1 = 11 */
  expect_shape(&d, 6, 5, 9, 11, "explicit asymmetric");
}

/* 'same': total = dilation*(kernel-1), total/2 before, the rest after. */
Test(shape, same_padding) {
  static const struct {
    size_t R, S, dh, dw, t, b, l, r;
  } cases[] = {
      {1, 1, 1, 1, 0, 0, 0, 0}, {3, 3, 1, 1, 1, 1, 1, 1},
      {4, 4, 1, 1, 1, 2, 1, 2}, {2, 2, 1, 1, 0, 1, 0, 1},
      {2, 6, 3, 1, 1, 2, 2, 3}, {4, 2, 3, 2, 4, 5, 1, 1},
      {3, 5, 2, 3, 2, 2, 6, 6}, {6, 1, 1, 5, 2, 3, 0, 0},
      {5, 4, 2, 2, 4, 4, 3, 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char what[160];
    snprintf(what, sizeof what, "same kernel %zux%zu dilation %zux%zu",
             cases[i].R, cases[i].S, cases[i].dh, cases[i].dw);
    simdconv_desc d = desc2(2, 2, cases[i].R, cases[i].S);
    d.padding = SIMDCONV_PADDING_SAME;
    d.dilation_h = cases[i].dh;
    d.dilation_w = cases[i].dw;
    /* The pad_* fields are ignored. */
    d.pad_top = 9;
    d.pad_bottom = 1;
    d.pad_left = 3;
    d.pad_right = 100;
    expect_pads(&d, cases[i].t, cases[i].b, cases[i].l, cases[i].r, what);
    for (int mode = 0; mode < 4; mode++) {
      d.padding_mode = (simdconv_padding_mode)mode;
      /* Sizes large enough for reflect; the output has the input's size. */
      expect_shape(&d, 17, 19, 17, 19, what);
    }
    d.padding_mode = SIMDCONV_PAD_ZEROS;
    /* With zero padding even a 1x1 input keeps its size. */
    expect_shape(&d, 1, 1, 1, 1, what);
  }
}

Test(shape, valid_padding) {
  simdconv_desc d = desc2(2, 2, 3, 4);
  d.padding = SIMDCONV_PADDING_VALID;
  d.pad_top = 5;
  d.pad_bottom = 6;
  d.pad_left = 7;
  d.pad_right = 8; /* ignored */
  d.dilation_h = 2;
  expect_pads(&d, 0, 0, 0, 0, "valid");
  /* OH = 10 - 2*2 = 6, OW = 9 - 3 = 6 */
  expect_shape(&d, 10, 9, 6, 6, "valid dilated");
  d.stride_h = 3;
  d.stride_w = 2;
  /* OH = (10-5)/3+1 = 2, OW = (9-4)/2+1 = 3 */
  expect_shape(&d, 10, 9, 2, 3, "valid strided");
  size_t oh = 0, ow = 0;
  cr_assert(simdconv_output_shape(&d, 4, 9, &oh, &ow) ==
                SIMDCONV_ERR_EMPTY_OUTPUT,
            "valid: dilated kernel 5 on height 4 is empty");
}

Test(shape, empty_output) {
  static const struct {
    size_t H, W, R, S, dh, dw, pt, pb, pl, pr;
  } cases[] = {
      {3, 3, 5, 1, 1, 1, 0, 0, 0, 0}, /* kernel taller than the input */
      {3, 3, 1, 5, 1, 1, 0, 0, 0, 0}, /* kernel wider */
      {4, 4, 3, 3, 2, 1, 0, 0, 0, 0}, /* dilated extent 5 > 4 */
      {4, 4, 3, 3, 1, 3, 0, 0, 0, 0}, /* dilated extent 7 > 4 */
      {3, 3, 6, 1, 1, 1, 1, 1, 0, 0}, /* 6 > 3 + 2 */
      {1, 1, 2, 2, 1, 1, 0, 0, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    simdconv_desc d = desc2(1, 1, cases[i].R, cases[i].S);
    d.dilation_h = cases[i].dh;
    d.dilation_w = cases[i].dw;
    d.pad_top = cases[i].pt;
    d.pad_bottom = cases[i].pb;
    d.pad_left = cases[i].pl;
    d.pad_right = cases[i].pr;
    size_t oh = 12345, ow = 12345;
    const simdconv_status st =
        simdconv_output_shape(&d, cases[i].H, cases[i].W, &oh, &ow);
    cr_assert(st == SIMDCONV_ERR_EMPTY_OUTPUT,
              "case %zu: %zux%zu input, kernel %zux%zu dil %zux%zu: status "
              "%d (%s), expected EMPTY_OUTPUT",
              i, cases[i].H, cases[i].W, cases[i].R, cases[i].S, cases[i].dh,
              cases[i].dw, (int)st, simdconv_status_string(st));
  }
  /* The boundary: the dilated kernel exactly as large as the padded input. */
  simdconv_desc d = desc2(1, 1, 3, 3);
  d.dilation_h = 2;
  d.pad_top = 1;
  expect_shape(&d, 4, 3, 1, 1, "dilated kernel 5 on padded height 5");
}

Test(shape, large_dims) {
  simdconv_desc d = desc2(1, 1, 3, 1);
  d.stride_h = 2;
  expect_shape(&d, SIMDCONV_MAX_DIM, 1, (SIMDCONV_MAX_DIM - 3) / 2 + 1, 1,
               "H = SIMDCONV_MAX_DIM, kernel 3 stride 2");
  d = desc2(1, 1, 1, 1);
  d.stride_w = SIMDCONV_MAX_DIM;
  expect_shape(&d, 1, SIMDCONV_MAX_DIM, 1, 1, "stride = SIMDCONV_MAX_DIM");
  d = desc2(1, 1, 1, SIMDCONV_MAX_DIM);
  expect_shape(&d, 1, SIMDCONV_MAX_DIM, 1, 1, "kernel = SIMDCONV_MAX_DIM");
}

/* The oracle writes exactly N*K*OH*OW values, and agrees on errors. */
Test(shape, oracle_output_size) {
  tu_rng rng;
  tu_rng_seed(&rng, tu_base_seed(0x5eed0001));
  for (int i = 0; i < 60; i++) {
    tu_spec s;
    tu_random_spec(&rng, &tu_small_limits, &s);
    tu_case c;
    tu_case_init(&c, &s);
    const size_t extra = 32;
    double *ref = tu_alloc((c.ny + extra) * sizeof(double));
    double *bound = tu_alloc((c.ny + extra) * sizeof(double));
    const double sentinel = -1234567.875;
    for (size_t j = 0; j < c.ny + extra; j++)
      ref[j] = bound[j] = sentinel;
    const simdconv_status st = simdconv_reference(
        &s.desc, s.N, s.H, s.W, c.x, c.w, c.b, ref, bound);
    cr_assert(st == SIMDCONV_OK, "reference: %d for %s", (int)st,
              tu_case_str(&c));
    for (size_t j = 0; j < c.ny; j++)
      cr_assert(ref[j] != sentinel && bound[j] != sentinel && bound[j] >= 0,
                "reference did not write element %zu of %zu (bound %g) for "
                "%s",
                j, c.ny, bound[j], tu_case_str(&c));
    for (size_t j = c.ny; j < c.ny + extra; j++)
      cr_assert(ref[j] == sentinel && bound[j] == sentinel,
                "reference wrote past its %zu outputs (element %zu) for %s",
                c.ny, j, tu_case_str(&c));
    /* A NULL bound is allowed and gives the same ref. */
    double *ref2 = tu_alloc(c.ny * sizeof(double));
    cr_assert(simdconv_reference(&s.desc, s.N, s.H, s.W, c.x, c.w, c.b, ref2,
                                 NULL) == SIMDCONV_OK);
    cr_assert(memcmp(ref, ref2, c.ny * sizeof(double)) == 0,
              "reference with bound NULL differs for %s", tu_case_str(&c));
    free(ref);
    free(bound);
    free(ref2);
    tu_case_free(&c);
  }

  /* Shape errors: the oracle reports what simdconv_output_shape reports. */
  float x[64] = {0}, w[64] = {0};
  double ref[64];
  simdconv_desc d = desc2(1, 1, 5, 5);
  size_t oh, ow;
  cr_assert(simdconv_output_shape(&d, 3, 3, &oh, &ow) ==
            SIMDCONV_ERR_EMPTY_OUTPUT);
  cr_assert(simdconv_reference(&d, 1, 3, 3, x, w, NULL, ref, NULL) ==
                SIMDCONV_ERR_EMPTY_OUTPUT,
            "reference on an empty output");
  d = desc2(1, 1, 3, 3);
  d.padding_mode = SIMDCONV_PAD_REFLECT;
  d.pad_top = d.pad_bottom = 3;
  cr_assert(simdconv_output_shape(&d, 3, 3, &oh, &ow) ==
            SIMDCONV_ERR_PADDING_TOO_LARGE);
  cr_assert(simdconv_reference(&d, 1, 3, 3, x, w, NULL, ref, NULL) ==
                SIMDCONV_ERR_PADDING_TOO_LARGE,
            "reference with reflect pad 3 on height 3");
}
