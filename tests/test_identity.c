/* Bitwise reproducibility: every ISA, 1 and 2 threads, with and without a
 * workspace give the scalar kernel's bits (any NaN equals any NaN); an image
 * gives the same bits alone and inside a batch; concurrent runs of one
 * object give the same bits. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* The scalar kernel's output, single-threaded, no workspace. */
static float *baseline(const tu_case *c) {
  float *y = tu_alloc(c->ny * sizeof(float));
  simdconv_conv *conv = tu_create(c, SIMDCONV_ISA_SCALAR);
  tu_run(c, conv, SIMDCONV_ISA_SCALAR, &tu_variants[0], y);
  simdconv_destroy(conv);
  return y;
}

/* Runs variants 0 and 1 (single-threaded) and one of the threaded 2 and 3
 * (alternating) on isa and compares with the scalar baseline. */
static void identity_check(const tu_case *c, simdconv_isa isa) {
  static unsigned alternate;
  float *y0 = baseline(c);
  float *y = tu_alloc(c->ny * sizeof(float));
  simdconv_conv *conv = tu_create(c, isa);
  const size_t variants[3] = {0, 1, 2 + alternate++ % 2};
  for (size_t i = 0; i < 3; i++) {
    const size_t v = variants[i];
    tu_run(c, conv, isa, &tu_variants[v], y);
    const size_t d = tu_first_diff(y0, y, c->ny);
    if (d != c->ny) {
      char o[128], pos[128];
      tu_opts_str(&tu_variants[v], o, sizeof o);
      tu_out_pos_str(c, d, pos, sizeof pos);
      cr_assert(false,
                "%s differs from scalar: %s = %a (0x%08x), scalar %a "
                "(0x%08x); run {%s}; %s",
                tu_isa_str(isa), pos, (double)y[d], tu_bits(y[d]),
                (double)y0[d], tu_bits(y0[d]), o, tu_case_str(c));
    }
  }
  simdconv_destroy(conv);
  free(y);
  free(y0);
}

TU_ISA_PART_PARAMS(identity, table, 2)
ParameterizedTest(tu_isa_part *p, identity, table, .timeout = 600) {
  size_t item = 0, done = 0;
  for (size_t t = 0; t < tu_table_len; t++) {
    /* both layouts, the weight layout and flip alternating (they only
     * change the packing, which the oracle tests cover) */
    for (unsigned v = 0; v < 2; v++, item++) {
      if (item % p->parts != p->part)
        continue;
      tu_spec s;
      tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)v,
                        (simdconv_weight_layout)((t + v) & 1),
                        (int)(item % 3 == 0), 0xa000 + item);
      /* every activation, whatever the table says */
      tu_set_act(&s.desc, (tu_act)((t + v) % TU_ACT_VARIANTS));
      s.bias = s.bias || (v & 1);
      if (item % 5 == 4)
        s.xdata = TU_DATA_WIDE;
      tu_case c;
      tu_case_init(&c, &s);
      identity_check(&c, p->isa);
      tu_case_free(&c);
      done++;
    }
  }
  char what[96];
  snprintf(what, sizeof what, "identity::table on %s (part %u/%u), %zu cases",
           tu_isa_str(p->isa), p->part + 1, p->parts, done);
  tu_report(what);
}

/* Random features with the channel counts and widths swept over values
 * that are not multiples of the vector widths. */
static void sweep_spec(tu_rng *r, size_t C, size_t K, size_t W, tu_spec *s) {
  tu_limits lim = tu_small_limits;
  lim.max_rs = C * K > 64 ? 3 : 5;
  for (;;) {
    tu_random_spec(r, &lim, s);
    simdconv_desc *d = &s->desc;
    /* groups: a common divisor of C and K (depthwise when it is C) */
    size_t g = 1;
    for (size_t cand = C; cand >= 1; cand--)
      if (C % cand == 0 && K % cand == 0 && tu_rng_chance(r, 30)) {
        g = cand;
        break;
      }
    d->in_channels = C;
    d->out_channels = K;
    d->groups = g;
    s->W = W;
    if (s->H > 9)
      s->H = 1 + s->H % 9;
    if (tu_expected_shape(d, s->H, s->W, NULL, NULL, NULL) == SIMDCONV_OK)
      return;
  }
}

static void sweep_run(tu_rng *r, size_t C, size_t K, size_t W,
                      simdconv_isa isa) {
  tu_spec s;
  sweep_spec(r, C, K, W, &s);
  if (tu_rng_chance(r, 25))
    s.xdata = TU_DATA_WIDE;
  tu_case c;
  tu_case_init(&c, &s);
  if (tu_rng_chance(r, 20)) {
    /* a few non-finite inputs */
    for (size_t i = 0; i < 3; i++) {
      const float vals[3] = {NAN, INFINITY, -INFINITY};
      c.x[tu_rng_below(r, c.nx)] = vals[i];
    }
  }
  identity_check(&c, isa);
  tu_case_free(&c);
}

TU_ISA_PARAMS(identity, channel_sweep)
ParameterizedTest(simdconv_isa *isa, identity, channel_sweep,
                  .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x1de47175eedull));
  for (size_t C = 1; C <= 33; C++) {
    const size_t K = C % 3 == 0 ? C : 1 + (C * 13) % 33;
    sweep_run(&r, C, K, 1 + (C * 7) % 37, *isa);
    /* and K running over 1..33 against a fixed odd C */
    sweep_run(&r, 1 + (C * 5) % 11, C, 3 + C % 17, *isa);
  }
  char what[64];
  snprintf(what, sizeof what, "identity::channel_sweep on %s",
           tu_isa_str(*isa));
  tu_report(what);
}

TU_ISA_PARAMS(identity, width_sweep)
ParameterizedTest(simdconv_isa *isa, identity, width_sweep,
                  .timeout = 600) {
  tu_rng r;
  tu_rng_seed(&r, tu_base_seed(0x3d7175eedull));
  for (size_t W = 1; W <= 37; W++) {
    const size_t C = 1 + (W * 3) % 20, K = 1 + (W * 11) % 24;
    sweep_run(&r, C, K, W, *isa);
  }
  char what[64];
  snprintf(what, sizeof what, "identity::width_sweep on %s", tu_isa_str(*isa));
  tu_report(what);
}

/* Products in the subnormal range that round to +-0 or to a few quanta:
 * the accumulator goes through -0 (an fmaf whose exact result lies in
 * [-2^-150, 0) gives -0) and a later zero-padding tap turns it back into
 * +0 (fmaf(+0, w > 0, -0) = +0). Kernels that skipped zero-padding taps, or
 * reordered taps, would give other zero signs (docs/numerics.md section 1). */
TU_ISA_PARAMS(identity, tiny_products)
ParameterizedTest(simdconv_isa *isa, identity, tiny_products,
                  .timeout = 600) {
  static const float wv[] = {0.25f, -0.25f, 0.5f, -0.5f, 0.125f, -1.0f};
  size_t cases = 0, neg_zero = 0, pos_zero = 0;
  for (size_t t = 0; t < tu_table_len; t++) {
    if (tu_table[t].mode != SIMDCONV_PAD_ZEROS)
      continue;
    for (unsigned v = 0; v < 2; v++) {
      tu_spec s;
      tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)v,
                        (simdconv_weight_layout)v, 0, 0xd000 + t * 2 + v);
      tu_set_act(&s.desc, TU_ACT_NONE);
      s.bias = false;
      tu_case c;
      tu_case_init(&c, &s);
      for (size_t i = 0; i < c.nx; i++) {
        const uint32_t q = (uint32_t)tu_rng_range(&c.rng, 0, 2);
        float x = 0.0f;
        if (q > 0)
          x = q == 1 ? 0x1p-149f : 0x1p-148f;
        c.x[i] = tu_rng_chance(&c.rng, 50) ? -x : x;
      }
      for (size_t i = 0; i < c.nw; i++)
        c.w[i] = wv[tu_rng_below(&c.rng, sizeof wv / sizeof wv[0])];
      tu_case_touch(&c);
      float *y = tu_alloc(c.ny * sizeof(float));
      tu_check_oracle(&c, NULL, *isa, &tu_variants[0], y);
      for (size_t i = 0; i < c.ny; i++) {
        neg_zero += tu_bits(y[i]) == 0x80000000u;
        pos_zero += tu_bits(y[i]) == 0;
      }
      identity_check(&c, *isa);
      free(y);
      tu_case_free(&c);
      cases++;
    }
  }
  cr_assert(neg_zero > 0 && pos_zero > 0,
            "weak test: %zu -0 and %zu +0 results", neg_zero, pos_zero);
  fprintf(stderr,
          "[simdconv-tests] identity::tiny_products on %s: %zu cases, %zu "
          "results -0, %zu +0\n",
          tu_isa_str(*isa), cases, neg_zero, pos_zero);
}

/* Image i of a batch gives the same bits as image i run alone. */
TU_ISA_PARAMS(identity, batch_position)
ParameterizedTest(simdconv_isa *isa, identity, batch_position,
                  .timeout = 600) {
  for (size_t t = 0; t < tu_table_len; t += 2) {
    tu_spec s;
    tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)((t / 2) & 1),
                      (simdconv_weight_layout)((t / 4) & 1), 0, 0xb000 + t);
    s.N = 3;
    tu_case c;
    tu_case_init(&c, &s);
    simdconv_conv *conv = tu_create(&c, *isa);
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_run(&c, conv, *isa, &tu_variants[t % TU_VARIANTS], y);
    const size_t in_img = c.nx / 3, out_img = c.ny / 3;
    float *yi = tu_alloc(out_img * sizeof(float));
    for (size_t i = 0; i < 3; i++) {
      /* image 1 also on 2 threads */
      for (int pool = 0; pool < (i == 1 ? 2 : 1); pool++) {
        const simdconv_status st =
            simdconv_run(conv, 1, s.H, s.W, c.x + i * in_img, yi, NULL, 0,
                         pool ? tu_pool() : NULL);
        cr_assert(st == SIMDCONV_OK, "run: %d (%s)", (int)st,
                  simdconv_status_string(st));
        const size_t d = tu_first_diff(y + i * out_img, yi, out_img);
        if (d != out_img) {
          char pos[128];
          tu_out_pos_str(&c, i * out_img + d, pos, sizeof pos);
          cr_assert(false,
                    "%s: image %zu alone (pool %d) differs from the batch "
                    "of 3 at %s: %a alone vs %a in the batch: %s",
                    tu_isa_str(*isa), i, pool, pos, (double)yi[d],
                    (double)y[i * out_img + d], tu_case_str(&c));
        }
      }
    }
    free(yi);
    free(y);
    simdconv_destroy(conv);
    tu_case_free(&c);
  }
}

/* options.pool_wait changes what the pool's workers do after a run, never
 * the bits: objects that spin and objects that yield, run alternately on one
 * 2-thread pool, batches of 2 (the per-image loops of the NCHW drivers
 * hand off between images), against the scalar baseline. */
TU_ISA_PARAMS(identity, pool_wait)
ParameterizedTest(simdconv_isa *isa, identity, pool_wait, .timeout = 600) {
  size_t done = 0;
  for (size_t t = 0; t < tu_table_len; t += 5) {
    tu_spec s;
    tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(t / 5 % 2),
                      SIMDCONV_WEIGHTS_OIHW, 0, 0xd000 + t);
    tu_case c;
    tu_case_init(&c, &s);
    tu_case_reshape(&c, 2, s.H, s.W);
    float *y0 = baseline(&c);
    float *y = tu_alloc(c.ny * sizeof(float));
    simdconv_conv *conv[2];
    for (int w = 0; w < 2; w++) {
      const simdconv_options o = {.isa = *isa,
                                  .pool_wait = (simdconv_pool_wait)w};
      cr_assert(tu_try_create(&c, &o, &conv[w]) == SIMDCONV_OK, "%s",
                tu_case_str(&c));
      simdconv_conv_info info;
      cr_assert(simdconv_get_info(conv[w], &info) == SIMDCONV_OK);
      cr_assert(info.pool_wait == (simdconv_pool_wait)w,
                "get_info: pool_wait %d, created with %d",
                (int)info.pool_wait, w);
    }
    for (int i = 0; i < 4; i++) {
      memset(y, 0xff, c.ny * sizeof(float));
      tu_run(&c, conv[i % 2], *isa, &tu_variants[3], y);
      const size_t d = tu_first_diff(y0, y, c.ny);
      cr_assert(d == c.ny,
                "%s, pool_wait %s, run %d: output %zu is %a, scalar %a: %s",
                tu_isa_str(*isa), i % 2 ? "SPIN" : "YIELD", i, d,
                (double)y[d], (double)y0[d], tu_case_str(&c));
    }
    simdconv_destroy(conv[0]);
    simdconv_destroy(conv[1]);
    free(y);
    free(y0);
    tu_case_free(&c);
    done++;
  }
  char what[96];
  snprintf(what, sizeof what, "identity::pool_wait on %s, %zu cases",
           tu_isa_str(*isa), done);
  tu_report(what);
}

/* Two threads run one object at once, on different input sizes. */
typedef struct job {
  const simdconv_conv *conv;
  const tu_case *c;
  const float *want;
  pthreadpool_t pool;
  int iterations;
  int mismatches;
  int failures;
} job;

static void *job_main(void *arg) {
  job *j = arg;
  float *y = malloc(j->c->ny * sizeof(float));
  if (y == NULL) {
    j->failures++;
    return NULL;
  }
  for (int it = 0; it < j->iterations; it++) {
    const tu_spec *s = &j->c->spec;
    const simdconv_status st = simdconv_run(j->conv, s->N, s->H, s->W,
                                            j->c->x, y, NULL, 0, j->pool);
    if (st != SIMDCONV_OK)
      j->failures++;
    else if (tu_first_diff(y, j->want, j->c->ny) != j->c->ny)
      j->mismatches++;
  }
  free(y);
  return NULL;
}

TU_ISA_PARAMS(identity, concurrent_runs)
ParameterizedTest(simdconv_isa *isa, identity, concurrent_runs,
                  .timeout = 600) {
  static const size_t cfgs[] = {2, 17, 28, 32, 48};
  for (size_t k = 0; k < sizeof cfgs / sizeof cfgs[0]; k++) {
    const size_t t = cfgs[k] < tu_table_len ? cfgs[k] : 0;
    tu_spec s;
    tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(k & 1),
                      SIMDCONV_WEIGHTS_OIHW, 0, 0xc000 + k);
    tu_set_act(&s.desc, (tu_act)(k % TU_ACT_VARIANTS));
    tu_case a, b;
    tu_case_init(&a, &s);
    tu_case_init(&b, &s);
    /* b: another batch and input size (kept valid) */
    size_t H = s.H + 3, W = s.W + 5;
    tu_case_reshape(&b, 2, H, W);
    simdconv_conv *conv = tu_create(&a, *isa);
    float *wa = tu_alloc(a.ny * sizeof(float));
    float *wb = tu_alloc(b.ny * sizeof(float));
    tu_run(&a, conv, *isa, &tu_variants[0], wa);
    tu_run(&b, conv, *isa, &tu_variants[0], wb);
    pthreadpool_t pool = tu_pool();
    job ja = {conv, &a, wa, NULL, 20, 0, 0};
    job jb = {conv, &b, wb, pool, 8, 0, 0};
    job jc = {conv, &a, wa, NULL, 20, 0, 0};
    pthread_t ta, tb, tc;
    cr_assert(pthread_create(&ta, NULL, job_main, &ja) == 0);
    cr_assert(pthread_create(&tb, NULL, job_main, &jb) == 0);
    cr_assert(pthread_create(&tc, NULL, job_main, &jc) == 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    pthread_join(tc, NULL);
    cr_assert(ja.failures + jb.failures + jc.failures == 0,
              "%s: concurrent runs failed (%d, %d, %d times): %s",
              tu_isa_str(*isa), ja.failures, jb.failures, jc.failures,
              tu_case_str(&a));
    cr_assert(ja.mismatches + jb.mismatches + jc.mismatches == 0,
              "%s: concurrent runs gave other bits (%d of 20, %d of 8, %d of 20): %s",
              tu_isa_str(*isa), ja.mismatches, jb.mismatches, jc.mismatches,
              tu_case_str(&a));
    free(wa);
    free(wb);
    simdconv_destroy(conv);
    tu_case_free(&a);
    tu_case_free(&b);
  }
}
