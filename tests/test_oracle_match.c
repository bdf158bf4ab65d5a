/* Every feature and combination against the fp64 oracle, on every ISA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

static void report(const char *test, const tu_isa_part *p) {
  char what[96];
  snprintf(what, sizeof what, "%s on %s (part %u/%u)", test,
           tu_isa_str(p->isa), p->part + 1, p->parts);
  tu_report(what);
}

/* The hand-written table, in both layouts, both weight layouts, flipped and
 * not: 8 cases per entry, each checked with the 4 run variants. */
TU_ISA_PART_PARAMS(oracle, table, 3)
ParameterizedTest(tu_isa_part *p, oracle, table, .timeout = 600) {
  size_t item = 0;
  for (size_t t = 0; t < tu_table_len; t++) {
    for (unsigned v = 0; v < 8; v++, item++) {
      if (item % p->parts != p->part)
        continue;
      tu_spec s;
      tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(v & 1),
                        (simdconv_weight_layout)((v >> 1) & 1),
                        (int)(v >> 2), 0x1000 + item);
      tu_case c;
      tu_case_init(&c, &s);
      tu_check_variants(&c, p->isa, NULL);
      tu_case_free(&c);
    }
  }
  report("oracle::table", p);
}

/* Every activation on a spread of table entries, with data in the linear
 * range and with wide data that saturates. */
TU_ISA_PART_PARAMS(oracle, activations, 2)
ParameterizedTest(tu_isa_part *p, oracle, activations, .timeout = 600) {
  size_t item = 0;
  for (int a = 0; a < TU_ACT_VARIANTS; a++) {
    for (size_t t = a % 5; t < tu_table_len; t += 5) {
      for (unsigned v = 0; v < 2; v++, item++) {
        if (item % p->parts != p->part)
          continue;
        tu_spec s;
        tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)v,
                          (simdconv_weight_layout)v, (int)(item % 3 == 0),
                          0x2000 + item);
        tu_set_act(&s.desc, (tu_act)a);
        s.bias = true;
        if (item % 4 == 1) {
          s.xdata = TU_DATA_WIDE;
        } else if (item % 4 == 3) {
          s.wdata = TU_DATA_WIDE;
          s.bdata = TU_DATA_WIDE;
        }
        tu_case c;
        tu_case_init(&c, &s);
        tu_check_variants(&c, p->isa, NULL);
        tu_case_free(&c);
      }
    }
  }
  report("oracle::activations", p);
}

/* A few hundred random small configurations. */
#define N_RANDOM 320
TU_ISA_PART_PARAMS(oracle, random, 4)
ParameterizedTest(tu_isa_part *p, oracle, random, .timeout = 600) {
  const uint64_t base = tu_base_seed(0x51dc0de5eedull);
  for (unsigned i = p->part; i < N_RANDOM; i += p->parts) {
    tu_rng rng;
    tu_rng_seed(&rng, base + i);
    tu_spec s;
    tu_random_spec(&rng, &tu_small_limits, &s);
    tu_case c;
    tu_case_init(&c, &s);
    tu_check_variants(&c, p->isa, NULL);
    tu_case_free(&c);
  }
  fprintf(stderr, "[simdconv-tests] oracle::random base seed 0x%llx\n",
          (unsigned long long)base);
  report("oracle::random", p);
}

/* Larger random configurations (channels up to 32, sizes up to 20). */
static const tu_limits larger_limits = {
    .max_groups = 2,
    .max_cg = 16,
    .max_kg = 16,
    .max_depthwise_c = 32,
    .max_n = 2,
    .max_hw = 20,
    .max_rs = 5,
    .max_stride = 2,
    .max_dil = 2,
    .max_pad = 3,
    .acts = TU_ACTS_ALL,
};

#define N_LARGER 24
TU_ISA_PART_PARAMS(oracle, random_larger, 2)
ParameterizedTest(tu_isa_part *p, oracle, random_larger, .timeout = 600) {
  const uint64_t base = tu_base_seed(0x1a26e5eedull);
  for (unsigned i = p->part; i < N_LARGER; i += p->parts) {
    tu_rng rng;
    tu_rng_seed(&rng, base + i);
    tu_spec s;
    tu_random_spec(&rng, &larger_limits, &s);
    tu_case c;
    tu_case_init(&c, &s);
    tu_check_variants(&c, p->isa, NULL);
    tu_case_free(&c);
  }
  report("oracle::random_larger", p);
}

/* One object, run on a changing batch and input size. */
static const tu_tcfg resize_cfgs[] = {
    {.name = "3x3 pad 1", .C = 3, .K = 4, .R = 3, .S = 3, .pt = 1, .pb = 1,
     .pl = 1, .pr = 1, .bias = true},
    {.name = "reflect asym", .C = 2, .K = 5, .R = 3, .S = 2, .pt = 2,
     .pb = 1, .pl = 0, .pr = 1, .mode = SIMDCONV_PAD_REFLECT},
    {.name = "same circular", .C = 4, .K = 4, .R = 4, .S = 3,
     .padding = SIMDCONV_PADDING_SAME, .mode = SIMDCONV_PAD_CIRCULAR,
     .act = TU_ACT_RELU},
    {.name = "depthwise s2 replicate", .C = 6, .K = 12, .R = 3, .S = 3,
     .sh = 2, .sw = 2, .groups = 6, .pt = 1, .pb = 1, .pl = 1, .pr = 1,
     .mode = SIMDCONV_PAD_REPLICATE, .bias = true},
    {.name = "groups dilated", .C = 4, .K = 6, .R = 2, .S = 3, .dh = 2,
     .dw = 2, .groups = 2, .padding = SIMDCONV_PADDING_VALID,
     .act = TU_ACT_SILU},
};

TU_ISA_PARAMS(oracle, resize)
ParameterizedTest(simdconv_isa *isa, oracle, resize, .timeout = 600) {
  static const size_t shapes[][3] = {
      {1, 8, 8}, {3, 5, 7}, {1, 13, 4}, {2, 8, 8}, {1, 3, 3},
      {1, 8, 8}, {1, 20, 17}, {2, 2, 19}, {1, 6, 6},
  };
  size_t done = 0;
  for (size_t i = 0; i < sizeof resize_cfgs / sizeof resize_cfgs[0]; i++) {
    for (unsigned l = 0; l < 2; l++) {
      tu_tcfg t = resize_cfgs[i];
      t.H = shapes[0][1];
      t.W = shapes[0][2];
      tu_spec s;
      tu_spec_from_tcfg(&s, &t, (simdconv_layout)l,
                        (simdconv_weight_layout)(1 - l), (int)l, 0x3000 + i);
      tu_case c;
      tu_case_init(&c, &s);
      simdconv_conv *conv = tu_create(&c, *isa);
      for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        if (tu_expected_shape(&s.desc, shapes[k][1], shapes[k][2], NULL,
                              NULL, NULL) != SIMDCONV_OK)
          continue;
        tu_case_reshape(&c, shapes[k][0], shapes[k][1], shapes[k][2]);
        for (size_t v = 0; v < TU_ORACLE_VARIANTS; v++)
          tu_check_oracle(&c, conv, *isa, &tu_variants[v], NULL);
        done++;
      }
      simdconv_destroy(conv);
      tu_case_free(&c);
    }
  }
  cr_assert(done >= 60, "only %zu resized runs", done);
  char what[64];
  snprintf(what, sizeof what, "oracle::resize on %s", tu_isa_str(*isa));
  tu_report(what);
}

/* simdconv_conv2d (active ISA, default options) equals create + run, and
 * the default object runs on the active ISA. */
Test(oracle, oneshot_and_auto, .timeout = 600) {
  for (size_t t = 0; t < tu_table_len; t += 3) {
    tu_spec s;
    tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(t & 1),
                      (simdconv_weight_layout)((t >> 1) & 1), 0, 0x4000 + t);
    tu_case c;
    tu_case_init(&c, &s);
    float *y = tu_alloc(c.ny * sizeof(float));
    float *y1 = tu_alloc(c.ny * sizeof(float));
    tu_check_oracle(&c, NULL, SIMDCONV_ISA_AUTO, &tu_variants[0], y);
    for (int pool = 0; pool < 2; pool++) {
      const simdconv_status st =
          simdconv_conv2d(&s.desc, s.N, s.H, s.W, c.x, c.w, c.b, y1,
                          pool ? tu_pool() : NULL);
      cr_assert(st == SIMDCONV_OK, "conv2d failed: %d (%s) for %s", (int)st,
                simdconv_status_string(st), tu_case_str(&c));
      const size_t d = tu_first_diff(y, y1, c.ny);
      cr_assert(d == c.ny,
                "conv2d (pool %d) differs from create+run at %zu: %a vs %a "
                "for %s",
                pool, d, (double)y1[d], (double)y[d], tu_case_str(&c));
    }
    free(y);
    free(y1);
    tu_case_free(&c);
  }
  tu_report("oracle::oneshot_and_auto");
}

/* The oracle itself on hand-computed cases, so that a wrong oracle cannot
 * hide a wrong kernel. */
Test(oracle, oracle_hand_computed) {
  /* 1 channel 3x3 input, 2x2 kernel, no padding: y = sum x*w. */
  const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float w[4] = {1, 10, 100, 1000};
  const float b[1] = {0.5f};
  simdconv_desc d;
  simdconv_desc_init(&d, 1, 1, 2, 2);
  double ref[16], bound[16];
  cr_assert(simdconv_reference(&d, 1, 3, 3, x, w, b, ref, bound) ==
            SIMDCONV_OK);
  /* cross-correlation: y[0][0] = 1*1 + 2*10 + 4*100 + 5*1000 + 0.5 */
  const double want[4] = {5421.5, 6532.5, 8754.5, 9865.5};
  for (int i = 0; i < 4; i++)
    cr_assert(ref[i] == want[i], "ref[%d] = %.17g, expected %.17g", i,
              ref[i], want[i]);
  /* flipped: y[0][0] = 1*1000 + 2*100 + 4*10 + 5*1 + 0.5 */
  d.flip_kernel = 1;
  cr_assert(simdconv_reference(&d, 1, 3, 3, x, w, b, ref, bound) ==
            SIMDCONV_OK);
  const double want_flip[4] = {1245.5, 2356.5, 4578.5, 5689.5};
  for (int i = 0; i < 4; i++)
    cr_assert(ref[i] == want_flip[i], "flipped ref[%d] = %.17g, expected "
              "%.17g", i, ref[i], want_flip[i]);
  /* 1x1 kernel with weight 1 on a 1x3 input, pad 2 left/right, each mode;
   * the output is the padded row. */
  const float row[3] = {1, 2, 3};
  const float one[1] = {1};
  static const double padded[4][7] = {
      {0, 0, 1, 2, 3, 0, 0}, /* zeros */
      {3, 2, 1, 2, 3, 2, 1}, /* reflect */
      {1, 1, 1, 2, 3, 3, 3}, /* replicate */
      {2, 3, 1, 2, 3, 1, 2}, /* circular */
  };
  for (int m = 0; m < 4; m++) {
    simdconv_desc_init(&d, 1, 1, 1, 1);
    d.pad_left = d.pad_right = 2;
    d.padding_mode = (simdconv_padding_mode)m;
    cr_assert(simdconv_reference(&d, 1, 1, 3, row, one, NULL, ref, bound) ==
              SIMDCONV_OK);
    for (int i = 0; i < 7; i++)
      cr_assert(ref[i] == padded[m][i],
                "mode %s: padded[%d] = %g, expected %g",
                tu_mode_str(d.padding_mode), i, ref[i], padded[m][i]);
  }
}
