/* The int8 convolution: statuses, the requantization's definition on
 * hand-made cases, and random configurations on every ISA, layout and
 * thread count, each output byte equal to the exact oracle's
 * (simdconv_reference_q8), which makes every ISA's bytes identical.
 *
 * The per-kernel tile edges are in tests/test_kernels_q8.c. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "fp_modes.h"
#include "test_util_q8.h"

/* ---- helpers --------------------------------------------------------------- */

/* A 1x1 single-channel layer: acc = bias + (x - x_zp) * w exactly. */
static void one_tap_case(tq_case *c, simdconv_qtype in, simdconv_qtype out,
                         int32_t y_zp) {
  tq_spec s;
  memset(&s, 0, sizeof s);
  simdconv_desc_init(&s.geo.desc, 1, 1, 1, 1);
  s.geo.N = 1;
  s.geo.H = 1;
  s.geo.W = 1;
  s.geo.bias = true;
  s.in_type = in;
  s.out_type = out;
  s.y_zp = y_zp;
  tq_case_init(c, &s);
}

/* Runs the one-tap case on every usable ISA with x, w, bias and the scales
 * given, and requires `want` from each and from the oracle. */
static void expect_one_tap(tq_case *c, uint8_t x, int8_t w, int32_t bias,
                           float xs, float ws, float ys, int want) {
  c->x[0] = x;
  c->w[0] = w;
  c->b[0] = bias;
  c->q.input_scale = xs;
  c->w_scales[0] = ws;
  c->q.output_scale = ys;
  tq_case_refresh(c);
  cr_assert(c->ref[0] == (uint8_t)want,
            "oracle: acc %lld, multiplier (float)(%a * %a / %a): got %u, "
            "want %d",
            (long long)c->acc[0], (double)xs, (double)ws, (double)ys,
            c->ref[0], want);
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = tu_isas(isas);
  for (size_t i = 0; i < n; i++)
    tq_check_isa(c, isas[i], &tu_variants[0]);
}

/* ---- the definition ------------------------------------------------------ */

Test(q8, requantization_definition) {
  tq_case c;
  one_tap_case(&c, SIMDCONV_QTYPE_U8, SIMDCONV_QTYPE_U8, 100);
  /* m = 0.5: halves round to even. acc = bias (x = x_zp = 0 ... x 0). */
  const int32_t accs[] = {1, 3, 5, -1, -3, -5, 0, 7};
  const int wants[] = {100, 102, 102, 100, 98, 98, 100, 104};
  for (size_t i = 0; i < sizeof accs / sizeof *accs; i++)
    expect_one_tap(&c, 0, 0, accs[i], 1.0f, 1.0f, 2.0f, wants[i]);
  /* (float)acc rounds first: 2^24 + 2^16 + 1 is a tie between 2^24 + 2^16
   * (even) and 2^24 + 2^16 + 2; times 2^-17 that is 128.5, which rounds to
   * 128, where the exact product 128.5000076 would round to 129. */
  expect_one_tap(&c, 0, 0, (1 << 24) + (1 << 16) + 1, 1.0f, 0x1p-17f, 1.0f,
                 100 + 128 > 255 ? 255 : 228);
  /* The multiplier is (float) of the double quotient: 0.1 * 0.3 / 0.7. */
  const float m = (float)((double)0.1f * (double)0.3f / (double)0.7f);
  const float v = (float)1000 * m;
  expect_one_tap(&c, 0, 0, 1000, 0.1f, 0.3f, 0.7f,
                 100 + (int)nearbyintf(v));
  /* Saturation at both ends and the product of the zero-point difference. */
  expect_one_tap(&c, 255, 127, 0, 1.0f, 1.0f, 1.0f, 255);
  expect_one_tap(&c, 255, -128, 0, 1.0f, 1.0f, 1.0f, 0);
  expect_one_tap(&c, 3, -2, 10, 1.0f, 1.0f, 1.0f, 104);
  tq_case_free(&c);

  /* int8 in and out: the same rules, zero points signed. */
  one_tap_case(&c, SIMDCONV_QTYPE_S8, SIMDCONV_QTYPE_S8, -5);
  c.spec.x_zp = 0;
  expect_one_tap(&c, (uint8_t)-128, -128, 0, 1.0f, 1.0f, 1.0f, 127);
  expect_one_tap(&c, (uint8_t)-128, 127, 0, 1.0f, 1.0f, 1.0f, -128 & 0xff);
  expect_one_tap(&c, (uint8_t)-7, 1, 0, 1.0f, 1.0f, 2.0f,
                 (-4 - 5) & 0xff); /* -3.5 -> -4 */
  tq_case_free(&c);
}

/* ---- statuses -------------------------------------------------------------- */

/* A small valid layer whose qparams the test then breaks. */
static void status_case(tq_case *c) {
  tq_spec s;
  memset(&s, 0, sizeof s);
  simdconv_desc_init(&s.geo.desc, 4, 6, 3, 3);
  s.geo.desc.pad_top = s.geo.desc.pad_bottom = 1;
  s.geo.desc.pad_left = s.geo.desc.pad_right = 1;
  s.geo.N = 1;
  s.geo.H = 5;
  s.geo.W = 5;
  s.geo.bias = true;
  s.per_channel = true;
  tq_case_init(c, &s);
}

static simdconv_status create_status(const tq_case *c) {
  simdconv_conv *conv;
  const simdconv_status st = tq_try_create(c, NULL, &conv);
  simdconv_destroy(conv);
  return st;
}

/* Each invalid parameter alone gives INVALID_QPARAMS from create, from
 * simdconv_desc_validate_q8 and from the oracle. */
static void expect_qparams_status(tq_case *c, simdconv_status want,
                                  const char *what) {
  const simdconv_desc *d = &c->spec.geo.desc;
  cr_assert(create_status(c) == want, "%s: create gave %d", what,
            (int)create_status(c));
  cr_assert(simdconv_desc_validate_q8(d, &c->q) == want, "%s: validate",
            what);
  const tu_spec *g = &c->spec.geo;
  cr_assert(simdconv_reference_q8(d, &c->q, g->N, g->H, g->W, c->x, c->w,
                                  c->b, c->ref, NULL) == want,
            "%s: oracle", what);
}

Test(q8, invalid_qparams) {
  tq_case c;
  status_case(&c);
  const simdconv_qparams good = c.q;
  const float bad_scales[] = {0.0f, -1.0f, NAN, INFINITY, -0.0f};
  for (size_t i = 0; i < 5; i++) {
    c.q = good;
    c.q.input_scale = bad_scales[i];
    expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "input scale");
    c.q = good;
    c.q.output_scale = bad_scales[i];
    expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "output scale");
    c.q = good;
    const float keep = c.w_scales[3];
    c.w_scales[3] = bad_scales[i]; /* a negative multiplier among others */
    expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "weight scale");
    c.w_scales[3] = keep;
  }
  struct {
    simdconv_qtype in, out;
    int32_t x_zp, y_zp;
  } zps[] = {{SIMDCONV_QTYPE_U8, SIMDCONV_QTYPE_U8, -1, 0},
             {SIMDCONV_QTYPE_U8, SIMDCONV_QTYPE_U8, 256, 0},
             {SIMDCONV_QTYPE_S8, SIMDCONV_QTYPE_U8, 128, 0},
             {SIMDCONV_QTYPE_S8, SIMDCONV_QTYPE_U8, -129, 0},
             {SIMDCONV_QTYPE_U8, SIMDCONV_QTYPE_S8, 0, 128},
             {SIMDCONV_QTYPE_U8, SIMDCONV_QTYPE_U8, 0, -1},
             {(simdconv_qtype)2, SIMDCONV_QTYPE_U8, 0, 0},
             {SIMDCONV_QTYPE_U8, (simdconv_qtype)-1, 0, 0}};
  for (size_t i = 0; i < sizeof zps / sizeof *zps; i++) {
    c.q = good;
    c.q.input_type = zps[i].in;
    c.q.output_type = zps[i].out;
    c.q.input_zero_point = zps[i].x_zp;
    c.q.output_zero_point = zps[i].y_zp;
    expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "zero point");
  }
  /* Counts: 1 and K are valid, nothing else. */
  const size_t counts[] = {0, 2, 5, 7};
  for (size_t i = 0; i < 4; i++) {
    c.q = good;
    c.q.weight_scale_count = counts[i];
    expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "scale count");
  }
  c.q = good;
  c.q.weight_scale_count = 1;
  expect_qparams_status(&c, SIMDCONV_OK, "per-tensor scale");
  /* Multipliers that are not positive normal floats. */
  c.q = good;
  c.q.input_scale = 1e-30f;
  c.q.output_scale = 1e30f;
  expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "tiny multiplier");
  c.q = good;
  c.q.input_scale = 1e30f;
  c.q.output_scale = 1e-30f;
  expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "huge multiplier");
  /* Clamps: within the type and not empty; with a descriptor clamp the
   * intersection must not be empty. */
  c.q = good;
  c.q.clamp = 1;
  c.q.output_min = 10;
  c.q.output_max = 9;
  expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "empty clamp");
  c.q.output_min = -1;
  c.q.output_max = 9;
  expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "clamp range");
  c.q.output_min = 200;
  c.q.output_max = 255;
  c.spec.geo.desc.activation = SIMDCONV_ACT_CLAMP;
  c.spec.geo.desc.act_min = -INFINITY;
  c.spec.geo.desc.act_max = -1000.0f; /* quantized: 0 */
  expect_qparams_status(&c, SIMDCONV_ERR_INVALID_QPARAMS, "disjoint clamps");
  c.q = good;
  expect_qparams_status(&c, SIMDCONV_OK, "descriptor clamp");
  /* NULL scales. */
  c.q = good;
  c.q.weight_scales = NULL;
  expect_qparams_status(&c, SIMDCONV_ERR_NULL_POINTER, "NULL scales");
  tq_case_free(&c);
}

Test(q8, activation_overflow_and_dtype) {
  tq_case c;
  status_case(&c);
  const simdconv_qparams good = c.q;
  simdconv_desc *d = &c.spec.geo.desc;
  for (int a = SIMDCONV_ACT_SIGMOID; a < SIMDCONV_ACT_COUNT; a++) {
    d->activation = (simdconv_activation)a;
    expect_qparams_status(&c, SIMDCONV_ERR_UNSUPPORTED_ACTIVATION,
                          "activation");
  }
  d->activation = SIMDCONV_ACT_NONE;
  /* The reduction length: 65793 * 255 * 128 < 2^31 <= 65794 * 255 * 128. */
  simdconv_qparams per_tensor = good;
  per_tensor.weight_scale_count = 1;
  simdconv_desc big;
  simdconv_desc_init(&big, 65793, 1, 1, 1);
  cr_assert(simdconv_desc_validate_q8(&big, &per_tensor) == SIMDCONV_OK);
  big.in_channels = 65794;
  cr_assert(simdconv_desc_validate_q8(&big, &per_tensor) ==
            SIMDCONV_ERR_ACCUMULATOR_OVERFLOW);
  simdconv_desc_init(&big, 2, 2, 65535, 65535);
  big.groups = 2;
  cr_assert(simdconv_desc_validate_q8(&big, &per_tensor) ==
            SIMDCONV_ERR_ACCUMULATOR_OVERFLOW);
  /* Per channel: |bias| + 255 * sum |w| <= 2^31 - 1, from the data. */
  int64_t wsum = 0;
  for (size_t i = 0; i < 36; i++)
    wsum += abs(c.w[2 * 36 + i]);
  c.b[2] = (int32_t)(INT32_MAX - 255 * wsum);
  cr_assert(create_status(&c) == SIMDCONV_OK);
  c.b[2] = -c.b[2];
  cr_assert(create_status(&c) == SIMDCONV_OK);
  c.b[2] = -c.b[2] + 1;
  cr_assert(create_status(&c) == SIMDCONV_ERR_ACCUMULATOR_OVERFLOW);
  c.b[2] = INT32_MIN;
  cr_assert(create_status(&c) == SIMDCONV_ERR_ACCUMULATOR_OVERFLOW);
  const tu_spec *g = &c.spec.geo;
  cr_assert(simdconv_reference_q8(d, &c.q, g->N, g->H, g->W, c.x, c.w, c.b,
                                  c.ref, NULL) ==
            SIMDCONV_ERR_ACCUMULATOR_OVERFLOW);
  c.b[2] = 0;
  tq_case_refresh(&c);

  /* Data types: int8 objects refuse the fp32 runs and the other way. */
  simdconv_conv *q8 = tq_create(&c, SIMDCONV_ISA_AUTO);
  float fx[100] = {0}, fy[200];
  uint8_t by[200];
  cr_assert(simdconv_run(q8, 1, 5, 5, fx, fy, NULL, 0, NULL) ==
            SIMDCONV_ERR_DTYPE_MISMATCH);
  cr_assert(simdconv_run_residual(q8, 1, 5, 5, fx, NULL, 1.0f, fy, NULL, 0,
                                  NULL) == SIMDCONV_ERR_DTYPE_MISMATCH);
  simdconv_destroy(q8);
  simdconv_conv *f32;
  float fw[6 * 4 * 9] = {0};
  cr_assert(simdconv_create(d, fw, NULL, NULL, &f32) == SIMDCONV_OK);
  cr_assert(simdconv_run_q8(f32, 1, 5, 5, c.x, by, NULL, 0, NULL) ==
            SIMDCONV_ERR_DTYPE_MISMATCH);
  simdconv_destroy(f32);
  /* NULL pointers. */
  simdconv_conv *conv = NULL;
  cr_assert(simdconv_create_q8(d, NULL, c.w, NULL, NULL, &conv) ==
            SIMDCONV_ERR_NULL_POINTER && conv == NULL);
  cr_assert(simdconv_create_q8(d, &c.q, NULL, NULL, NULL, &conv) ==
            SIMDCONV_ERR_NULL_POINTER);
  cr_assert(simdconv_create_q8(NULL, &c.q, c.w, NULL, NULL, &conv) ==
            SIMDCONV_ERR_NULL_POINTER);
  cr_assert(simdconv_create_q8(d, &c.q, c.w, NULL, NULL, NULL) ==
            SIMDCONV_ERR_NULL_POINTER);
  cr_assert(simdconv_run_q8(NULL, 1, 5, 5, c.x, by, NULL, 0, NULL) ==
            SIMDCONV_ERR_NULL_POINTER);
  tq_case_free(&c);
}

/* The int8 convolution is forward only: a transposed descriptor gets
 * TRANSPOSED_INT8 from create, validate and the oracle, whatever else it
 * holds (a padding mode or output padding the transposed rules reject);
 * an output padding on a forward one is OUTPUT_PADDING as in fp32. The
 * residual add is fp32 only, with or without a residual. */
Test(q8, transposed) {
  tq_case c;
  status_case(&c);
  simdconv_desc *d = &c.spec.geo.desc;
  const simdconv_desc forward = *d;
  d->transposed = 1;
  expect_qparams_status(&c, SIMDCONV_ERR_TRANSPOSED_INT8, "transposed");
  d->padding_mode = SIMDCONV_PAD_REFLECT;
  d->output_padding_h = 7;
  expect_qparams_status(&c, SIMDCONV_ERR_TRANSPOSED_INT8,
                        "transposed, reflect, output padding 7");
  d->weight_layout = SIMDCONV_WEIGHTS_IOHW;
  expect_qparams_status(&c, SIMDCONV_ERR_TRANSPOSED_INT8, "transposed iohw");
  *d = forward;
  d->output_padding_w = 1;
  expect_qparams_status(&c, SIMDCONV_ERR_OUTPUT_PADDING,
                        "forward with output padding");
  *d = forward;
  simdconv_conv *q8 = tq_create(&c, SIMDCONV_ISA_AUTO);
  float fx[100] = {0}, fy[200] = {0}, fr[200] = {0};
  cr_assert(simdconv_run_residual(q8, 1, 5, 5, fx, fr, 1.0f, fy, NULL, 0,
                                  NULL) == SIMDCONV_ERR_DTYPE_MISMATCH);
  cr_assert(simdconv_run_residual(q8, 1, 5, 5, fx, fy, 0.5f, fy, NULL, 0,
                                  NULL) == SIMDCONV_ERR_DTYPE_MISMATCH);
  /* The type is checked before the float alignment. */
  cr_assert(simdconv_run(q8, 1, 5, 5,
                         (const float *)(const void *)((char *)fx + 1), fy,
                         NULL, 0, NULL) == SIMDCONV_ERR_DTYPE_MISMATCH);
  simdconv_destroy(q8);
  tq_case_free(&c);
}

/* Pointers to int32 (bias, quantize_bias's out), int64 (the oracle's
 * sums) and float (weight scales, quantize_bias's bias) must be aligned
 * for their type: MISALIGNED, nothing written. Byte tensors may lie
 * anywhere (tq_check runs them misaligned too). */
Test(q8, misaligned) {
  tq_case c;
  status_case(&c);
  const simdconv_desc *d = &c.spec.geo.desc;
  const tu_spec *g = &c.spec.geo;
  int32_t b32[8];
  int64_t acc[6 * 25 + 1];
  float ws[8];
  memcpy(b32, c.b, 6 * sizeof *b32);
  memcpy(ws, c.w_scales, 6 * sizeof *ws);
  size_t checks = 0;
  for (size_t off = 1; off < 8; off++) {
    const int32_t *bias = (const int32_t *)(const void *)((char *)b32 + off);
    int64_t *a = (int64_t *)(void *)((char *)acc + off);
    simdconv_conv *conv = (simdconv_conv *)&conv;
    if (off < 4) {
      cr_assert(simdconv_create_q8(d, &c.q, c.w, bias, NULL, &conv) ==
                    SIMDCONV_ERR_MISALIGNED && conv == NULL,
                "create_q8 bias %zu off", off);
      cr_assert(simdconv_reference_q8(d, &c.q, g->N, g->H, g->W, c.x, c.w,
                                      bias, c.ref, NULL) ==
                    SIMDCONV_ERR_MISALIGNED,
                "reference_q8 bias %zu off", off);
      simdconv_qparams q = c.q;
      q.weight_scales = (const float *)(const void *)((char *)ws + off);
      cr_assert(simdconv_desc_validate_q8(d, &q) == SIMDCONV_ERR_MISALIGNED);
      cr_assert(simdconv_create_q8(d, &q, c.w, c.b, NULL, &conv) ==
                SIMDCONV_ERR_MISALIGNED);
      cr_assert(simdconv_reference_q8(d, &q, g->N, g->H, g->W, c.x, c.w,
                                      c.b, c.ref, NULL) ==
                SIMDCONV_ERR_MISALIGNED);
      const float fb[2] = {1.0f, 2.0f};
      int32_t out[3] = {7, 7, 7};
      cr_assert(simdconv_quantize_bias(
                    (const float *)(const void *)((const char *)fb + off), 1,
                    1.0f, ws, 1, out) == SIMDCONV_ERR_MISALIGNED);
      cr_assert(simdconv_quantize_bias(fb, 1, 1.0f, q.weight_scales, 1,
                                       out) == SIMDCONV_ERR_MISALIGNED);
      cr_assert(simdconv_quantize_bias(
                    fb, 1, 1.0f, ws, 1,
                    (int32_t *)(void *)((char *)out + off)) ==
                SIMDCONV_ERR_MISALIGNED);
      cr_assert(out[0] == 7 && out[1] == 7 && out[2] == 7);
      checks += 8;
    }
    cr_assert(simdconv_reference_q8(d, &c.q, g->N, g->H, g->W, c.x, c.w, c.b,
                                    c.ref, a) == SIMDCONV_ERR_MISALIGNED,
              "reference_q8 acc %zu off", off);
    checks++;
  }
  tq_case_free(&c);
  fprintf(stderr, "[simdconv-tests] q8::misaligned: %zu misaligned pointers, "
          "each MISALIGNED\n", checks);
}

/* The caller's floating-point environment changes nothing: creation (the
 * multipliers, computed in double), the run on 1 and 2 threads, the oracle
 * and quantize_bias give the default environment's bytes in every mode,
 * and every thread's control state is left as it was. */
Test(q8, fp_environment, .timeout = 600) {
  tq_case c;
  tq_spec s;
  memset(&s, 0, sizeof s);
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x66706571));
  tq_random_spec(&r, &tu_small_limits, &s);
  s.per_channel = true;
  tq_case_init(&c, &s);
  const tu_spec *g = &c.spec.geo;
  const float fb[3] = {0.3f, -1.7e-3f, 2.5e4f};
  int32_t qb0[3];
  cr_assert(simdconv_quantize_bias(fb, 3, 0.37f, c.w_scales, 1, qb0) ==
            SIMDCONV_OK);
  fpm_mode modes[FPM_COUNT];
  const size_t nm = fpm_modes(modes);
  uint8_t *y = tu_alloc(c.ny);
  uint64_t after[4];
  for (size_t i = 0; i < nm; i++) {
    for (int threaded = 0; threaded < 2; threaded++) {
      pthreadpool_t pool = threaded ? tu_pool() : NULL;
      (void)fpm_pool_exchange(pool, modes[i], NULL, 0);
      const uint64_t mine = fpm_state(); /* the caller's, in mode i */
      simdconv_conv *conv = NULL;
      const simdconv_status st = simdconv_create_q8(
          &g->desc, &c.q, c.w, c.b, NULL, &conv);
      memset(y, 0xa5, c.ny);
      const simdconv_status rs =
          st == SIMDCONV_OK ? simdconv_run_q8(conv, g->N, g->H, g->W, c.x, y,
                                              NULL, 0, pool)
                            : st;
      simdconv_destroy(conv);
      uint8_t *yr = tu_alloc(c.ny);
      const simdconv_status ro = simdconv_reference_q8(
          &g->desc, &c.q, g->N, g->H, g->W, c.x, c.w, c.b, yr, NULL);
      int32_t qb[3];
      const simdconv_status qs =
          simdconv_quantize_bias(fb, 3, 0.37f, c.w_scales, 1, qb);
      const size_t m = fpm_pool_exchange(pool, FPM_DEFAULT, after, 4);
      cr_assert(st == SIMDCONV_OK && rs == SIMDCONV_OK && ro == SIMDCONV_OK &&
                    qs == SIMDCONV_OK,
                "%s: statuses %d %d %d %d", fpm_name(modes[i]), (int)st,
                (int)rs, (int)ro, (int)qs);
      cr_assert(memcmp(y, c.ref, c.ny) == 0 && memcmp(yr, c.ref, c.ny) == 0,
                "%s, %d threads: the bytes differ from the default "
                "environment's for %s", fpm_name(modes[i]), threaded + 1,
                c.name);
      cr_assert(memcmp(qb, qb0, sizeof qb) == 0, "%s: quantize_bias",
                fpm_name(modes[i]));
      cr_assert(m >= 1 && after[0] == mine,
                "%s: the caller's FP state changed", fpm_name(modes[i]));
      free(yr);
    }
  }
  free(y);
  tq_case_free(&c);
}

/* Every int8 kernel refuses fp32 layers and every fp32 kernel int8 ones;
 * a kernel the CPU lacks a feature for says so. */
Test(q8, forced_kernels) {
  tq_case c;
  status_case(&c);
  for (size_t i = 0; i < simdconv_kernel_count(); i++) {
    simdconv_kernel_info k;
    cr_assert(simdconv_kernel_get(i, &k) == SIMDCONV_OK);
    const simdconv_options o = {.kernel = k.name};
    simdconv_conv *conv;
    const simdconv_status st = tq_try_create(&c, &o, &conv);
    simdconv_destroy(conv);
    const bool q8 = strncmp(k.name, "q8_", 3) == 0;
    if (simdconv_isa_check(k.isa) != SIMDCONV_OK)
      cr_assert(st == simdconv_isa_check(k.isa), "%s: %d", k.name, (int)st);
    else if (!k.usable)
      cr_assert(st == SIMDCONV_ERR_KERNEL_NOT_SUPPORTED, "%s: %d", k.name,
                (int)st);
    else if (!q8)
      cr_assert(st == SIMDCONV_ERR_KERNEL_UNSUITABLE, "%s: %d", k.name,
                (int)st);
    else
      cr_assert(st == SIMDCONV_OK || st == SIMDCONV_ERR_KERNEL_UNSUITABLE,
                "%s: %d", k.name, (int)st);
    fprintf(stderr, "[simdconv-tests] q8 layer forced onto %-28s: %s\n",
            k.name, simdconv_status_string(st));
  }
  tq_case_free(&c);
}

/* Sums up to 255 * 128 * 65536 (2^31 - 2^23, the largest creation
 * accepts) times multipliers 2^-4 .. 2^3: |v| from 2^20 to 2^34, of both
 * signs beyond 2^31, so every conversion guard (the float clamp, the 2^30
 * bound of the packing epilogues) and every saturation runs, on each
 * usable int8 kernel that takes the layer, for input and output types and
 * zero points at both ends. Channel k sums 65536 >> (k % 8) products of
 * one sign, times 2^((3k + k/8) % 8 - 4). */
static void huge_case(tq_case *c, int v) {
  /* 64 channels: the 64-wide tiles take it too; 80: a partial block; 16:
   * the narrow tiles. */
  static const size_t Ks[4] = {64, 80, 64, 16};
  const tu_tcfg t = {.name = "huge sums", .N = 1, .C = 65536, .K = Ks[v],
                     .H = 2, .W = 5, .R = 1, .S = 1, .bias = true};
  tq_spec s;
  tq_spec_from_tcfg(&s, &t, (simdconv_layout)(v % 2), 0x68756765 + v);
  s.in_type = (simdconv_qtype)(v % 2);
  s.out_type = (simdconv_qtype)(v / 2 % 2);
  s.x_zp = v % 2 ? (v < 2 ? -128 : 127) : (v < 2 ? 0 : 255);
  s.y_zp = s.out_type ? (v % 3 ? 127 : -128) : (v % 3 ? 0 : 255);
  s.per_channel = true;
  tq_case_init(c, &s);
  const uint8_t far = (uint8_t)(s.x_zp + (s.x_zp < (v % 2 ? 0 : 128)
                                              ? 255 : -255));
  memset(c->x, far, c->nx);
  for (size_t k = 0; k < t.K; k++) {
    const size_t n = (size_t)t.C >> (k % 8);
    for (size_t ch = 0; ch < t.C; ch++)
      c->w[k * t.C + ch] = ch < n ? (int8_t)((k + k / 3) % 2 ? 127 : -128)
                                  : 0;
    c->b[k] = (int32_t)(k * 977) - 40000;
    c->w_scales[k] = ldexpf(1.0f, (int)((3 * k + k / 8) % 8) - 4);
  }
  c->q.input_scale = 1.0f;
  c->q.output_scale = 1.0f;
  tq_case_refresh(c);
}

Test(q8, huge_sums, .timeout = 600) {
  for (int v = 0; v < 4; v++) {
    tq_case c;
    huge_case(&c, v);
    size_t ran = 0;
    for (size_t i = 0; i < simdconv_kernel_count(); i++) {
      simdconv_kernel_info k;
      cr_assert(simdconv_kernel_get(i, &k) == SIMDCONV_OK);
      if (strncmp(k.name, "q8_", 3) != 0 || !k.usable ||
          simdconv_isa_check(k.isa) != SIMDCONV_OK)
        continue;
      simdconv_conv *conv = tq_create_kernel(&c, k.name);
      if (conv != NULL)
        tq_check(&c, conv, k.name, &tu_variants[v % 2]);
      ran += conv != NULL;
      simdconv_destroy(conv);
      if (conv != NULL)
        fprintf(stderr, "[simdconv-tests] huge sums on %s: %s\n", k.name,
                c.name);
    }
    cr_assert(ran >= 1, "no kernel took %s", c.name);
    tq_case_free(&c);
  }
}

Test(q8, quantize_bias) {
  const float bias[4] = {1.0f, -5.0f, 1e30f, -1e30f};
  const float ws[4] = {0.5f, 1.0f, 1.0f, 1.0f};
  int32_t out[4];
  cr_assert(simdconv_quantize_bias(bias, 4, 2.0f, ws, 4, out) == SIMDCONV_OK);
  cr_assert(out[0] == 1 && out[1] == -2 && out[2] == INT32_MAX &&
                out[3] == INT32_MIN,
            "%d %d %d %d", out[0], out[1], out[2], out[3]);
  /* Ties: 3 / 2 = 1.5 -> 2, 5 / 2 = 2.5 -> 2 (and -5 / 2 above -> -2). */
  const float ties[2] = {3.0f, 5.0f};
  cr_assert(simdconv_quantize_bias(ties, 2, 2.0f, ws + 1, 1, out) ==
            SIMDCONV_OK);
  cr_assert(out[0] == 2 && out[1] == 2);
  const float nan_bias[1] = {NAN};
  cr_assert(simdconv_quantize_bias(nan_bias, 1, 1.0f, ws, 1, out) ==
            SIMDCONV_ERR_INVALID_QPARAMS);
  cr_assert(simdconv_quantize_bias(bias, 4, 0.0f, ws, 4, out) ==
            SIMDCONV_ERR_INVALID_QPARAMS);
  cr_assert(simdconv_quantize_bias(bias, 4, 1.0f, ws, 3, out) ==
            SIMDCONV_ERR_INVALID_QPARAMS);
  cr_assert(simdconv_quantize_bias(NULL, 4, 1.0f, ws, 4, out) ==
            SIMDCONV_ERR_NULL_POINTER);
}

/* ---- random configurations ------------------------------------------------ */

static const tu_limits q8_limits = {
    .max_groups = 3,
    .max_cg = 9,
    .max_kg = 40,
    .max_depthwise_c = 40,
    .max_n = 3,
    .max_hw = 12,
    .max_rs = 5,
    .max_stride = 3,
    .max_dil = 3,
    .max_pad = 4,
    .acts = TU_ACTS_EXACT,
};

#define Q8_RANDOM_CASES 150

TU_ISA_PARAMS(q8, random)
ParameterizedTest(simdconv_isa *isa, q8, random, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x71386f72) + (uint64_t)*isa);
  for (size_t i = 0; i < Q8_RANDOM_CASES; i++) {
    tq_spec s;
    tq_random_spec(&r, &q8_limits, &s);
    tq_case c;
    tq_case_init(&c, &s);
    simdconv_conv *conv = tq_create(&c, *isa);
    tq_check(&c, conv, tu_isa_str(*isa), &tu_variants[i % 2]);
    if (i % 4 == 3)
      tq_check(&c, conv, tu_isa_str(*isa), &tu_variants[2 + i / 4 % 2]);
    simdconv_destroy(conv);
    tq_case_free(&c);
  }
  tq_report(tu_isa_str(*isa));
}

/* Taps that are zero padding for whole tiles, which the igemm kernels skip,
 * adding the tap's correction (zp_op * sum w, q8_igemm.h) instead: atrous
 * layers padded as wide as their dilation (DeepLab's ASPP, scaled down),
 * odd channel counts (a padded copy, the zero row of its kc), every input
 * zero point kind, both layouts, 1 and 2 threads: the bytes of the oracle
 * on every ISA. */
TU_ISA_PARAMS(q8, padded_taps)
ParameterizedTest(simdconv_isa *isa, q8, padded_taps, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x70616454) + (uint64_t)*isa);
  static const tu_tcfg cfgs[] = {
      {.name = "aspp", .C = 24, .K = 40, .H = 27, .W = 27, .R = 3, .S = 3,
       .dh = 9, .dw = 9, .pt = 9, .pb = 9, .pl = 9, .pr = 9, .bias = true},
      {.name = "aspp_odd", .C = 13, .K = 70, .H = 19, .W = 23, .R = 3,
       .S = 3, .dh = 6, .dw = 5, .pt = 6, .pb = 6, .pl = 5, .pr = 5},
      {.name = "res5", .N = 2, .C = 64, .K = 96, .H = 7, .W = 7, .R = 3,
       .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
      {.name = "asym", .C = 20, .K = 17, .H = 9, .W = 30, .R = 5, .S = 3,
       .sh = 2, .dh = 2, .pt = 7, .pb = 2, .pl = 0, .pr = 3},
  };
  size_t n = 0;
  for (size_t ci = 0; ci < sizeof cfgs / sizeof cfgs[0]; ci++)
    for (int in = 0; in < 2; in++)
      for (int zi = 0; zi < 3; zi++, n++) {
        tq_spec s;
        tq_spec_from_tcfg(&s, &cfgs[ci], (simdconv_layout)(n % 2),
                          tu_rng_u64(&r));
        s.in_type = (simdconv_qtype)in;
        s.out_type = (simdconv_qtype)(n / 2 % 2);
        s.x_zp = (in ? -128 : 0) + (zi == 0 ? 0 : zi == 1 ? 131 : 255);
        s.y_zp = (s.out_type ? -128 : 0) + (int32_t)((n * 61) % 256);
        s.per_channel = n % 3 != 0;
        tq_case c;
        tq_case_init(&c, &s);
        tq_check_isa(&c, *isa, &tu_variants[n % 4]);
        tq_case_free(&c);
      }
}

/* The igemm's row pointers per tile (layers whose weights stay small, in
 * NHWC) and per image (an indirection buffer), both made per tap from the
 * first pixel of a tile in the interior of an output row: tiles across
 * rows, at the interior's edges, in every padding mode, strided, dilated,
 * 1x1 strided, 5x5, the merged copy of 8-32 channels and of 37 (not a
 * multiple of 4; 36 is not merged), weights beyond a tile-by-tile task's
 * (the buffer), both layouts, every run variant (1 and 2 threads): the
 * oracle's bytes. */
TU_ISA_PARAMS(q8, tile_rows)
ParameterizedTest(simdconv_isa *isa, q8, tile_rows, .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x74726f77) + (uint64_t)*isa);
  static const tu_tcfg cfgs[] = {
      {.name = "c36", .C = 36, .K = 24, .H = 7, .W = 30, .R = 3, .S = 3,
       .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
      {.name = "c32_s2", .C = 32, .K = 20, .H = 9, .W = 33, .R = 3, .S = 3,
       .sh = 2, .sw = 2, .pt = 1, .pb = 0, .pl = 1, .pr = 2},
      {.name = "c16_merged", .C = 16, .K = 70, .H = 6, .W = 27, .R = 3,
       .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
      {.name = "c32_merged", .N = 2, .C = 32, .K = 33, .H = 5, .W = 19,
       .R = 3, .S = 3, .pt = 2, .pb = 0, .pl = 1, .pr = 1},
      {.name = "c24_s2_merged", .C = 24, .K = 48, .H = 8, .W = 25, .R = 3,
       .S = 3, .sh = 2, .sw = 2, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
      {.name = "c37_merged", .C = 37, .K = 61, .H = 6, .W = 23, .R = 3,
       .S = 3, .pt = 1, .pb = 2, .pl = 2, .pr = 1, .bias = true},
      {.name = "c37_7x7_s2_merged", .C = 37, .K = 20, .H = 11, .W = 17,
       .R = 7, .S = 7, .sh = 2, .sw = 2, .pt = 3, .pb = 3, .pl = 3, .pr = 3},
      {.name = "1x1_s2", .C = 40, .K = 17, .H = 6, .W = 29, .R = 1, .S = 1,
       .sh = 2, .sw = 2, .bias = true},
      {.name = "dil", .C = 8, .K = 12, .H = 7, .W = 26, .R = 3, .S = 5,
       .dh = 2, .dw = 2, .pt = 2, .pb = 1, .pl = 3, .pr = 4},
      {.name = "5x5", .C = 48, .K = 64, .H = 6, .W = 20, .R = 5, .S = 5,
       .pt = 2, .pb = 2, .pl = 2, .pr = 2, .bias = true},
      {.name = "buffer", .C = 64, .K = 160, .H = 4, .W = 17, .R = 3, .S = 3,
       .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
  };
  static const simdconv_padding_mode modes[] = {
      SIMDCONV_PAD_ZEROS, SIMDCONV_PAD_REFLECT, SIMDCONV_PAD_REPLICATE,
      SIMDCONV_PAD_CIRCULAR};
  size_t n = 0;
  for (size_t ci = 0; ci < sizeof cfgs / sizeof cfgs[0]; ci++)
    for (size_t mi = 0; mi < 4; mi++)
      for (int layout = 0; layout < 2; layout++, n++) {
        tu_tcfg t = cfgs[ci];
        t.mode = modes[mi];
        tq_spec s;
        tq_spec_from_tcfg(&s, &t, (simdconv_layout)layout, tu_rng_u64(&r));
        tq_random_quant(&r, &s);
        tq_case c;
        tq_case_init(&c, &s);
        for (size_t v = 0; v < TU_VARIANTS; v++)
          tq_check_isa(&c, *isa, &tu_variants[v]);
        tq_case_free(&c);
      }
  tq_report(tu_isa_str(*isa));
}

/* Zero points 0, 128, 255 (u8) and -128, 0, 127 (s8) for input and output,
 * every scale kind, saturating data, both layouts, per ISA. */
TU_ISA_PARAMS(q8, zero_points_and_saturation)
ParameterizedTest(simdconv_isa *isa, q8, zero_points_and_saturation,
                  .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x7a70) + (uint64_t)*isa);
  size_t n = 0;
  for (int in = 0; in < 2; in++)
    for (int zi = 0; zi < 3; zi++)
      for (int out = 0; out < 2; out++)
        for (int sc = 0; sc < TQ_SCALES_KINDS; sc++, n++) {
          const tu_tcfg t = {.name = "zp", .N = 1, .C = 19, .K = 35, .H = 6,
                             .W = 7, .R = 3, .S = 3, .pt = 1, .pb = 1,
                             .pl = 1, .pr = 1, .bias = true,
                             .groups = n % 5 == 4 ? 19 : 1};
          tq_spec s;
          tq_spec_from_tcfg(&s, &t, (simdconv_layout)(n % 2), tu_rng_u64(&r));
          if (t.groups == 19)
            s.geo.desc.out_channels = 38;
          s.in_type = (simdconv_qtype)in;
          s.out_type = (simdconv_qtype)out;
          s.x_zp = (in ? -128 : 0) + (zi == 0 ? 0 : zi == 1 ? 128 : 255);
          s.y_zp = (out ? -128 : 0) + (int32_t)((n * 97) % 256);
          s.per_channel = true;
          s.scales = (tq_scales)sc;
          s.xdata = n % 3 == 0 ? TQ_DATA_EXTREME : TQ_DATA_UNIFORM;
          s.wdata = n % 4 == 1 ? TQ_DATA_EXTREME : TQ_DATA_UNIFORM;
          tq_case c;
          tq_case_init(&c, &s);
          size_t lo = 0, hi = 0;
          const uint8_t tmin = out ? 0x80 : 0, tmax = out ? 0x7f : 0xff;
          for (size_t i = 0; i < c.ny; i++) {
            lo += c.ref[i] == tmin;
            hi += c.ref[i] == tmax;
          }
          tq_check_isa(&c, *isa, &tu_variants[n % 2]);
          if (sc == TQ_SCALES_WIDE)
            cr_assert(lo + hi > 0, "wide scales saturated nothing: %s",
                      c.name);
          tq_case_free(&c);
        }
  tq_report(tu_isa_str(*isa));
}

/* Depthwise 3x3 at strides 1 and 2 on every row width from 1 to 40: every
 * split of a row into sliding windows (8 and 4 pixels), single interior
 * pixels and borders, in both layouts, with 40 channels (full vectors and
 * a partial one on every ISA). */
TU_ISA_PARAMS(q8, depthwise_row_widths)
ParameterizedTest(simdconv_isa *isa, q8, depthwise_row_widths,
                  .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x64777769) + (uint64_t)*isa);
  for (size_t W = 1; W <= 40; W++)
    for (size_t st = 1; st <= 2; st++) {
      const tu_tcfg t = {.name = "dw widths", .C = 40, .K = 40, .H = 3,
                         .W = W, .R = 3, .S = 3, .sh = st, .sw = st,
                         .groups = 40, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
                         .bias = true,
                         .mode = W % 3 == 0 ? SIMDCONV_PAD_REFLECT
                                            : SIMDCONV_PAD_ZEROS};
      if (t.mode == SIMDCONV_PAD_REFLECT && W < 2)
        continue;
      tq_spec s;
      tq_spec_from_tcfg(&s, &t, (simdconv_layout)(W % 2), tu_rng_u64(&r));
      tq_random_quant(&r, &s);
      tq_case c;
      tq_case_init(&c, &s);
      tq_check_isa(&c, *isa, &tu_variants[W % 2]);
      tq_case_free(&c);
    }
  tq_report(tu_isa_str(*isa));
}

/* Grouped layers with few channels per group (ResNeXt's, RegNet's, odd
 * sizes) on each ISA: uint8 and int8 inputs with zero points 0, 128, 255
 * (-128, 0, 127), both layouts, 1x1 and 3x3, strides 1 and 2; every byte
 * equal to the oracle's and to the scalar kernel's. Where the CPU runs the
 * grouped int8 kernel (AVX-512 VNNI), the planner must choose it for
 * C/g = K/g of 2, 4 and 8: this fails if the kernel is no longer reached. */
#define Q8_GROUPED_KERNEL "q8_igemm_grouped_vnni_6x64__avx512"

static bool grouped_kernel_expected(simdconv_isa isa, size_t cg, size_t kg) {
  size_t idx;
  simdconv_kernel_info k;
  return cg == kg && (kg == 2 || kg == 4 || kg == 8) &&
         simdconv_kernel_find(Q8_GROUPED_KERNEL, &idx) == SIMDCONV_OK &&
         simdconv_kernel_get(idx, &k) == SIMDCONV_OK && k.usable &&
         isa == k.isa;
}

TU_ISA_PARAMS(q8, grouped)
ParameterizedTest(simdconv_isa *isa, q8, grouped, .timeout = 600) {
  /* C/g, K/g, groups, kernel size, stride */
  static const size_t shapes[][5] = {
      {2, 2, 32, 3, 1}, {4, 4, 32, 3, 1},  {8, 8, 16, 3, 2}, {16, 16, 5, 3, 1},
      {4, 4, 24, 1, 1}, {8, 8, 9, 1, 2},   {3, 3, 23, 3, 1}, {6, 6, 11, 3, 2},
      {2, 8, 9, 3, 1},  {1, 4, 17, 3, 1},  {12, 12, 7, 1, 1}};
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x67727070) + (uint64_t)*isa);
  size_t n = 0, chosen = 0;
  for (size_t j = 0; j < sizeof shapes / sizeof *shapes; j++)
    for (int in = 0; in < 2; in++)
      for (int zi = 0; zi < 3; zi++, n++) {
        const size_t *g = shapes[j];
        const tu_tcfg t = {.name = "grouped", .N = 1 + n % 7 / 6,
                           .C = g[2] * g[0], .K = g[2] * g[1], .H = 9,
                           .W = 11, .R = g[3], .S = g[3], .sh = g[4],
                           .sw = g[4], .groups = g[2], .pt = g[3] / 2,
                           .pb = g[3] / 2, .pl = g[3] / 2, .pr = g[3] / 2,
                           .bias = n % 5 != 2};
        tq_spec s;
        tq_spec_from_tcfg(&s, &t, (simdconv_layout)(n % 2), tu_rng_u64(&r));
        tq_random_quant(&r, &s);
        s.in_type = (simdconv_qtype)in;
        s.x_zp = (in ? -128 : 0) + (zi == 0 ? 0 : zi == 1 ? 128 : 255);
        tq_case c;
        tq_case_init(&c, &s);
        simdconv_conv *conv = tq_create(&c, *isa);
        simdconv_conv *ref = tq_create(&c, SIMDCONV_ISA_SCALAR);
        tq_check(&c, conv, tu_isa_str(*isa), &tu_variants[n % 2]);
        uint8_t *y = tu_alloc(c.ny), *ys = tu_alloc(c.ny);
        tq_run(&c, conv, &tu_variants[0], y);
        tq_run(&c, ref, &tu_variants[0], ys);
        cr_assert(memcmp(y, ys, c.ny) == 0, "%s differs from scalar: %s",
                  tu_isa_str(*isa), c.name);
        simdconv_conv_info info;
        cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
        if (grouped_kernel_expected(info.isa, g[0], g[1])) {
          cr_assert(strcmp(info.kernel, Q8_GROUPED_KERNEL) == 0,
                    "%s ran %s, not %s", c.name, info.kernel,
                    Q8_GROUPED_KERNEL);
          chosen++;
        }
        free(y);
        free(ys);
        simdconv_destroy(conv);
        simdconv_destroy(ref);
        tq_case_free(&c);
      }
  fprintf(stderr, "[simdconv-tests] q8 grouped on %s: %zu layers, %zu on "
          "%s\n", tu_isa_str(*isa), n, chosen, Q8_GROUPED_KERNEL);
  tq_report(tu_isa_str(*isa));
}
