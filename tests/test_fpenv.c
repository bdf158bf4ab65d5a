/* The caller's floating-point environment changes no result and is left as
 * it was (docs/reliability.md, "Floating-point environment").
 *
 * fpenv::outputs, on every ISA: one shape per kernel family and plan, NCHW
 * and NHWC, every epilogue, data that round (uniform), that flush (denormal
 * inputs without bias) and of wide range. Each case is run in the default
 * environment once (scalar, no pool); then, for every caller mode of
 * fp_modes.h (x86: round toward zero, up, down, FTZ, DAZ, FTZ+DAZ, FTZ with
 * round toward zero, exceptions unmasked, the x87 control word alone;
 * AArch64: the rounding modes, FZ, FZ with round toward zero), created and
 * run three ways: pool NULL; the 2-thread pool with its worker in the
 * default mode (a pool created before the caller changed its mode); the pool
 * with its worker in the caller's mode too (created after). Every output
 * must equal the default run's bit for bit, and the caller's and the
 * worker's control state must be what they were before the call.
 *
 * fpenv::reference: simdconv_reference() and simdconv_compare() under every
 * mode give the default mode's bits and statistics.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "fp_modes.h"
#include "test_util.h"

#define ZEROS SIMDCONV_PAD_ZEROS
#define REFLECT SIMDCONV_PAD_REFLECT

static const tu_tcfg fe_shapes[] = {
    {.name = "igemm im2col 3x3 (2 <= C <= 4)", .N = 2, .C = 3, .K = 17, .H = 6,
     .W = 7, .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "igemm merged 3x3 (C < 32)", .C = 6, .K = 17, .H = 5, .W = 7,
     .R = 3, .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "igemm unmerged, dilation 2, reflect", .C = 5, .K = 9, .H = 7,
     .W = 6, .R = 3, .S = 3, .dh = 2, .dw = 2, .pt = 2, .pb = 2, .pl = 2,
     .pr = 2, .mode = REFLECT},
    {.name = "igemm Cg >= 32", .C = 33, .K = 20, .H = 4, .W = 5, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "grouped micro-kernel", .C = 8, .K = 16, .H = 5, .W = 7, .R = 3,
     .S = 3, .groups = 4, .padding = SIMDCONV_PADDING_SAME},
    {.name = "1x1 (NCHW GEMM)", .N = 2, .C = 16, .K = 24, .H = 5, .W = 9,
     .R = 1, .S = 1},
    {.name = "1x1 stride 2 (NCHW gather)", .C = 9, .K = 10, .H = 7, .W = 8,
     .R = 1, .S = 1, .sh = 2, .sw = 2},
    {.name = "depthwise 3x3", .C = 16, .K = 16, .H = 9, .W = 20, .R = 3,
     .S = 3, .groups = 16, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
    {.name = "depthwise x2 5x5 s2 reflect", .C = 8, .K = 16, .H = 11,
     .W = 13, .R = 5, .S = 5, .sh = 2, .sw = 2, .groups = 8, .pt = 2,
     .pb = 2, .pl = 2, .pr = 2, .mode = REFLECT},
    {.name = "depthwise 3x3 wide rows", .C = 4, .K = 4, .H = 5, .W = 100,
     .R = 3, .S = 3, .groups = 4, .pt = 1, .pb = 1, .pl = 1, .pr = 1},
};
#define FE_NSHAPES (sizeof fe_shapes / sizeof fe_shapes[0])
#define FE_KINDS 3 /* uniform, denormal input without bias, wide */
#define FE_CASES (FE_NSHAPES * 2 * TU_ACT_VARIANTS)

/* Case i: shape, layout, epilogue and data kind. */
static void fe_case(tu_case *c, size_t i) {
  const size_t shape = i / (2 * TU_ACT_VARIANTS);
  const simdconv_layout layout = (simdconv_layout)(i / TU_ACT_VARIANTS % 2);
  tu_tcfg t = fe_shapes[shape];
  t.act = (tu_act)(i % TU_ACT_VARIANTS);
  static const tu_data kinds[FE_KINDS] = {TU_DATA_UNIFORM, TU_DATA_DENORMAL,
                                          TU_DATA_WIDE};
  const tu_data kind = kinds[i % FE_KINDS];
  t.bias = kind != TU_DATA_DENORMAL;
  tu_spec s;
  tu_spec_from_tcfg(&s, &t, layout, (simdconv_weight_layout)(i % 2),
                    (int)(i % 5 == 0), 0xfe00 + i);
  s.xdata = kind;
  s.wdata = kind == TU_DATA_DENORMAL ? TU_DATA_UNIFORM : kind;
  s.bdata = kind;
  tu_case_init(c, &s);
}

typedef enum fe_threads {
  FE_NO_POOL,      /* pool NULL */
  FE_POOL_DEFAULT, /* 2 threads, the worker in the default mode */
  FE_POOL_SAME,    /* 2 threads, the worker in the caller's mode */
  FE_THREADINGS
} fe_threads;

static const char *const fe_threading_names[FE_THREADINGS] = {
    "pool NULL", "2 threads, worker in the default mode",
    "2 threads, worker in the caller's mode"};

/* The control state of a thread in the default environment. */
static uint64_t fe_default_state(void) {
  fpm_set(FPM_DEFAULT);
  return fpm_state();
}

/* Creates and runs the case in mode m on the caller (and the worker, for
 * FE_POOL_SAME) into y; asserts that every thread's state is unchanged. */
static void fe_run_in_mode(const tu_case *c, simdconv_isa isa, fpm_mode m,
                           fe_threads th, float *y) {
  const tu_spec *s = &c->spec;
  pthreadpool_t pool = th == FE_NO_POOL ? NULL : tu_pool();
  const uint64_t dfl = fe_default_state();
  if (th == FE_POOL_SAME)
    fpm_pool_exchange(pool, m, NULL, 0);
  fpm_set(m);
  const uint64_t caller = fpm_state();
  const simdconv_options opt = {.isa = isa};
  simdconv_conv *conv = NULL;
  simdconv_status st = simdconv_create(&s->desc, c->w, c->b, &opt, &conv);
  if (st == SIMDCONV_OK)
    st = simdconv_run(conv, s->N, s->H, s->W, c->x, y, NULL, 0, pool);
  simdconv_destroy(conv);
  const uint64_t caller_after = fpm_state();
  fpm_set(FPM_DEFAULT);
  /* The worker's state, read as it is reset. */
  uint64_t after[2] = {0, 0};
  const uint64_t worker = th == FE_POOL_SAME ? caller : dfl;
  if (pool != NULL)
    cr_assert(fpm_pool_exchange(pool, FPM_DEFAULT, after, 2) == 2,
              "tu_pool() does not have 2 threads");
  cr_assert(st == SIMDCONV_OK, "%s in mode '%s': status %d (%s)", c->name,
            fpm_name(m), (int)st, simdconv_status_string(st));
  cr_assert(caller == caller_after,
            "%s on %s in mode '%s', %s: the caller's FP state changed "
            "0x%llx -> 0x%llx",
            c->name, tu_isa_str(isa), fpm_name(m), fe_threading_names[th],
            (unsigned long long)caller, (unsigned long long)caller_after);
  cr_assert(pool == NULL || after[1] == worker,
            "%s on %s in mode '%s', %s: the pool worker's FP state changed "
            "0x%llx -> 0x%llx",
            c->name, tu_isa_str(isa), fpm_name(m), fe_threading_names[th],
            (unsigned long long)worker, (unsigned long long)after[1]);
}

TU_ISA_PARAMS(fpenv, outputs)
ParameterizedTest(simdconv_isa *isa, fpenv, outputs, .timeout = 600) {
  fpm_mode modes[FPM_COUNT];
  const size_t nmodes = fpm_modes(modes);
  size_t runs = 0;
  for (size_t i = 0; i < FE_CASES; i++) {
    tu_case c;
    fe_case(&c, i);
    float *y0 = tu_alloc(c.ny * sizeof(float));
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_check_oracle(&c, NULL, SIMDCONV_ISA_SCALAR, &tu_variants[0], y0);
    for (size_t mi = 1; mi < nmodes; mi++)
      for (int pooled = 0; pooled < 2; pooled++, runs++) {
        /* The worker's mode alternates between the cases: every pool
         * hand-off costs a wake-up, far more than these small runs. */
        const fe_threads th = !pooled          ? FE_NO_POOL
                              : (i + mi) % 2 ? FE_POOL_SAME
                                               : FE_POOL_DEFAULT;
        fe_run_in_mode(&c, *isa, modes[mi], th, y);
        const size_t d = tu_first_diff(y0, y, c.ny);
        if (d == c.ny)
          continue;
        char pos[128];
        tu_out_pos_str(&c, d, pos, sizeof pos);
        cr_assert(false,
                  "%s on %s in mode '%s', %s: %s = %a, default mode gives "
                  "%a",
                  c.name, tu_isa_str(*isa), fpm_name(modes[mi]),
                  fe_threading_names[th], pos, (double)y[d], (double)y0[d]);
      }
    free(y);
    free(y0);
    tu_case_free(&c);
  }
  fprintf(stderr,
          "[simdconv-tests] fpenv::outputs on %s: %zu runs (%zu cases x %zu "
          "non-default modes x 1 and 2 threads) equal to the default mode's "
          "bits, caller and worker FP state unchanged\n",
          tu_isa_str(*isa), runs, (size_t)FE_CASES, nmodes - 1);
}

/* Bitwise equality of doubles, any NaN equal to any NaN. */
static bool fe_same_double(double a, double b) {
  return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void fe_assert_same_doubles(const double *a, const double *b, size_t n,
                                   const char *what, const tu_case *c,
                                   fpm_mode m) {
  for (size_t i = 0; i < n; i++)
    cr_assert(fe_same_double(a[i], b[i]),
              "%s of %s in mode '%s': element %zu is %a, default mode %a",
              what, c->name, fpm_name(m), i, b[i], a[i]);
}

Test(fpenv, reference, .timeout = 600) {
  fpm_mode modes[FPM_COUNT];
  const size_t nmodes = fpm_modes(modes);
  size_t calls = 0;
  for (size_t i = 0; i < FE_CASES; i++) {
    tu_case c;
    fe_case(&c, i);
    tu_case_oracle(&c);
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_check_oracle(&c, NULL, SIMDCONV_ISA_SCALAR, &tu_variants[0], y);
    simdconv_compare_stats st0, st;
    cr_assert(simdconv_compare(y, c.ref, c.bound, c.ny, &st0) == SIMDCONV_OK);
    double *ref = tu_alloc(c.ny * sizeof(double));
    double *bound = tu_alloc(c.ny * sizeof(double));
    const tu_spec *s = &c.spec;
    for (size_t mi = 1; mi < nmodes; mi++, calls += 2) {
      fpm_set(modes[mi]);
      const uint64_t before = fpm_state();
      const simdconv_status rs = simdconv_reference(
          &s->desc, s->N, s->H, s->W, c.x, c.w, c.b, ref, bound);
      const simdconv_status cs = simdconv_compare(y, ref, bound, c.ny, &st);
      const uint64_t after = fpm_state();
      fpm_set(FPM_DEFAULT);
      cr_assert(rs == SIMDCONV_OK && cs == SIMDCONV_OK);
      cr_assert(before == after,
                "reference of %s in mode '%s' changed the FP state", c.name,
                fpm_name(modes[mi]));
      fe_assert_same_doubles(c.ref, ref, c.ny, "reference", &c, modes[mi]);
      fe_assert_same_doubles(c.bound, bound, c.ny, "bound", &c, modes[mi]);
      cr_assert(st.violations == st0.violations &&
                    fe_same_double(st.max_err_over_bound,
                                   st0.max_err_over_bound) &&
                    fe_same_double(st.max_ulp, st0.max_ulp) &&
                    fe_same_double(st.max_abs_err, st0.max_abs_err),
                "simdconv_compare of %s in mode '%s' gives other statistics",
                c.name, fpm_name(modes[mi]));
    }
    free(ref);
    free(bound);
    free(y);
    tu_case_free(&c);
  }
  fprintf(stderr,
          "[simdconv-tests] fpenv::reference: %zu calls of simdconv_reference "
          "and simdconv_compare (%zu cases x %zu non-default modes) equal "
          "to the default mode's bits\n",
          calls, (size_t)FE_CASES, nmodes - 1);
}
