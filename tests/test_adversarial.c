/* Adversarial values: cancellation, dynamic range, signed zeros, subnormals,
 * infinities, NaNs and values near FLT_MAX, all against the oracle (whose
 * bound is 0 for non-finite references: the class must match exactly), plus
 * independent predicates for where non-finite values must appear. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "test_util.h"

#define ZEROS SIMDCONV_PAD_ZEROS
#define REFLECT SIMDCONV_PAD_REFLECT
#define REPLICATE SIMDCONV_PAD_REPLICATE
#define CIRCULAR SIMDCONV_PAD_CIRCULAR

static const tu_tcfg adv_cfgs[] = {
    {.name = "3x3 pad 1", .C = 4, .K = 3, .H = 6, .W = 7, .R = 3, .S = 3,
     .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "reflect stride 2", .C = 2, .K = 4, .H = 7, .W = 6, .R = 3,
     .S = 2, .sh = 2, .sw = 2, .pt = 1, .pb = 2, .pl = 1, .pr = 0,
     .mode = REFLECT},
    {.name = "depthwise x2 circular", .C = 4, .K = 8, .H = 5, .W = 6, .R = 3,
     .S = 3, .groups = 4, .pt = 1, .pb = 1, .pl = 2, .pr = 1,
     .mode = CIRCULAR, .bias = true},
    {.name = "groups 2 replicate dilated same", .C = 4, .K = 4, .H = 8,
     .W = 8, .R = 3, .S = 3, .dh = 2, .dw = 2, .groups = 2,
     .padding = SIMDCONV_PADDING_SAME, .mode = REPLICATE},
    {.name = "1x1", .C = 8, .K = 5, .H = 3, .W = 4, .R = 1, .S = 1,
     .bias = true},
    {.name = "tile remainders", .C = 18, .K = 9, .H = 9, .W = 19, .R = 3,
     .S = 3, .pt = 1, .pb = 1, .pl = 1, .pr = 1, .bias = true},
    {.name = "depthwise zeros s2", .C = 17, .K = 17, .H = 9, .W = 11, .R = 3,
     .S = 3, .sh = 2, .sw = 2, .groups = 17, .pt = 1, .pb = 1, .pl = 1,
     .pr = 1},
};
#define N_ADV (sizeof adv_cfgs / sizeof adv_cfgs[0])

static void adv_spec(tu_spec *s, size_t cfg, unsigned variant, tu_act act,
                     uint64_t seed) {
  tu_spec_from_tcfg(s, &adv_cfgs[cfg], (simdconv_layout)(variant & 1),
                    (simdconv_weight_layout)((variant >> 1) & 1),
                    (int)((variant >> 2) & 1), seed);
  tu_set_act(&s->desc, act);
}

static void report(const char *test, simdconv_isa isa) {
  char what[96];
  snprintf(what, sizeof what, "%s on %s", test, tu_isa_str(isa));
  tu_report(what);
}

/* ------------------------------------------------------------------------ */
/* Which inputs a window reads (independent of the library and the oracle)  */
/* ------------------------------------------------------------------------ */

/* Whether output idx reads an input marked in mask. */
static bool window_reads(const tu_case *c, const unsigned char *mask,
                         size_t idx) {
  const simdconv_desc *d = &c->spec.desc;
  size_t pos[4];
  tu_tpos(d->layout, d->out_channels, c->OH, c->OW, idx, pos);
  const size_t Cg = d->in_channels / d->groups;
  for (size_t r = 0; r < d->kernel_h; r++)
    for (size_t s = 0; s < d->kernel_w; s++)
      for (size_t ch = 0; ch < Cg; ch++) {
        const long i = tu_tap_input(c, pos[0], pos[1], ch, pos[2], pos[3], r, s);
        if (i >= 0 && mask[i])
          return true;
      }
  return false;
}

/* ------------------------------------------------------------------------ */

TU_ISA_PARAMS(adversarial, cancellation)
ParameterizedTest(simdconv_isa *isa, adversarial, cancellation,
                  .timeout = 600) {
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      tu_spec s;
      adv_spec(&s, cfg, v, (tu_act)(v % TU_ACT_VARIANTS), 0x100 + cfg * 8 + v);
      s.bias = true;
      tu_case c;
      tu_case_init(&c, &s);
      const simdconv_desc *d = &s.desc;
      const size_t C = d->in_channels, Cg = C / d->groups;
      const float scale = v & 1 ? 1e4f : 3e7f;
      for (size_t i = 0; i < c.nx; i++)
        c.x[i] *= scale;
      for (size_t i = 0; i < c.nb; i++)
        c.b[i] *= 1e-3f;
      if (Cg >= 2) {
        /* Channel pairs (2j, 2j+1) of a group: equal inputs, opposite
         * weights, so the exact sum of their products is 0. */
        for (size_t n = 0; n < s.N; n++)
          for (size_t ch = 1; ch < C; ch++)
            if ((ch % Cg) % 2 == 1)
              for (size_t h = 0; h < s.H; h++)
                for (size_t w = 0; w < s.W; w++)
                  c.x[tu_tidx(d->layout, C, s.H, s.W, n, ch, h, w)] =
                      c.x[tu_tidx(d->layout, C, s.H, s.W, n, ch - 1, h, w)];
        for (size_t k = 0; k < d->out_channels; k++)
          for (size_t ch = 1; ch < Cg; ch += 2)
            for (size_t r = 0; r < d->kernel_h; r++)
              for (size_t q = 0; q < d->kernel_w; q++)
                c.w[tu_widx(d, k, ch, r, q)] = -c.w[tu_widx(d, k, ch - 1, r, q)];
      } else {
        /* One channel: taps (r, s) and (r, s+1) cancel on a constant row. */
        for (size_t i = 0; i < c.nx; i++)
          c.x[i] = scale;
        for (size_t k = 0; k < d->out_channels; k++)
          for (size_t r = 0; r < d->kernel_h; r++)
            for (size_t q = 1; q < d->kernel_w; q += 2)
              c.w[tu_widx(d, k, 0, r, q)] = -c.w[tu_widx(d, k, 0, r, q - 1)];
      }
      tu_case_touch(&c);
      tu_check_variants(&c, *isa, NULL);
      tu_case_free(&c);
    }
  }
  report("adversarial::cancellation", *isa);
}

TU_ISA_PARAMS(adversarial, dynamic_range)
ParameterizedTest(simdconv_isa *isa, adversarial, dynamic_range,
                  .timeout = 600) {
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      tu_spec s;
      adv_spec(&s, cfg, v, v < 4 ? TU_ACT_NONE : (tu_act)v, 0x200 + cfg * 8 + v);
      s.bias = v % 3 != 0;
      tu_case c;
      tu_case_init(&c, &s);
      for (size_t i = 0; i < c.nx; i++)
        c.x[i] *= tu_rng_chance(&c.rng, 50) ? 1e30f : 1e-30f;
      for (size_t i = 0; i < c.nw; i++)
        c.w[i] *= tu_rng_chance(&c.rng, 70) ? 1.0f : 1e-30f;
      for (size_t i = 0; i < c.nb; i++)
        c.b[i] *= tu_rng_chance(&c.rng, 50) ? 1e30f : 1e-30f;
      tu_case_touch(&c);
      tu_check_variants(&c, *isa, NULL);
      tu_case_free(&c);
    }
  }
  report("adversarial::dynamic_range", *isa);
}

/* The accumulator starts at bias + 0.0f and is never -0: all-zero products
 * give +0 whatever the signs, and every activation maps +0 to +0 except the
 * sigmoid (0.5). */
TU_ISA_PARAMS(adversarial, signed_zeros)
ParameterizedTest(simdconv_isa *isa, adversarial, signed_zeros,
                  .timeout = 600) {
  size_t checked = 0;
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      for (int a = 0; a < TU_ACT_VARIANTS; a++) {
        if ((a + v + cfg) % 3 != 0)
          continue; /* a third of the combinations is plenty */
        tu_spec s;
        adv_spec(&s, cfg, v, (tu_act)a, 0x300 + cfg * 8 + v);
        s.bias = v % 3 != 2;
        s.bdata = TU_DATA_SIGNED_ZERO;
        /* zero inputs with nonzero weights, or the other way round, or
         * zeros in both */
        s.xdata = v % 3 == 1 ? TU_DATA_UNIFORM : TU_DATA_SIGNED_ZERO;
        s.wdata = v % 3 == 0 ? TU_DATA_UNIFORM : TU_DATA_SIGNED_ZERO;
        tu_case c;
        tu_case_init(&c, &s);
        float *y = tu_alloc(c.ny * sizeof(float));
        tu_check_variants(&c, *isa, y);
        const float want = a == TU_ACT_SIGMOID ? 0.5f : 0.0f;
        for (size_t i = 0; i < c.ny; i++) {
          if (tu_bits(y[i]) != tu_bits(want)) {
            char pos[128];
            tu_out_pos_str(&c, i, pos, sizeof pos);
            cr_assert(false,
                      "signed zeros on %s: %s = %a (bits 0x%08x), expected "
                      "%a (bits 0x%08x): %s",
                      tu_isa_str(*isa), pos, (double)y[i], tu_bits(y[i]),
                      (double)want, tu_bits(want), tu_case_str(&c));
          }
        }
        checked++;
        free(y);
        tu_case_free(&c);
      }
    }
  }
  cr_assert(checked > 50);
  report("adversarial::signed_zeros", *isa);
}

/* The control bits of MXCSR (rounding, FTZ, DAZ, exception masks); the
 * sticky exception flags (bits 0-5) legitimately change. */
#if defined(__x86_64__)
static unsigned mxcsr(void) { return _mm_getcsr() & ~0x3fu; }
#else
static unsigned mxcsr(void) { return 0; }
#endif

TU_ISA_PARAMS(adversarial, denormals)
ParameterizedTest(simdconv_isa *isa, adversarial, denormals,
                  .timeout = 600) {
  const unsigned csr = mxcsr();
  /* Through the oracle: subnormal inputs, weights, both, and subnormal
   * bias with tiny products. */
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      tu_spec s;
      adv_spec(&s, cfg, v, (v & 4) ? TU_ACT_RELU : TU_ACT_NONE,
               0x400 + cfg * 8 + v);
      s.bias = true;
      switch (v % 4) {
      case 0:
        s.xdata = TU_DATA_DENORMAL;
        break;
      case 1:
        s.wdata = TU_DATA_DENORMAL;
        break;
      case 2:
        s.xdata = s.wdata = TU_DATA_DENORMAL;
        s.bdata = TU_DATA_DENORMAL;
        break;
      default:
        s.xdata = TU_DATA_DENORMAL;
        s.wdata = TU_DATA_POSITIVE;
        s.bdata = TU_DATA_DENORMAL;
        break;
      }
      tu_case c;
      tu_case_init(&c, &s);
      tu_check_variants(&c, *isa, NULL);
      tu_case_free(&c);
    }
  }

  /* Exact: with +-0 inputs the output is bias + 0.0f = the subnormal bias,
   * and a 1x1 kernel of weight 1 copies subnormal inputs. Flushing to zero
   * would break both. */
  for (unsigned v = 0; v < 4; v++) {
    tu_spec s;
    adv_spec(&s, 0, v, TU_ACT_NONE, 0x480 + v);
    s.bias = true;
    s.xdata = TU_DATA_SIGNED_ZERO;
    s.bdata = TU_DATA_DENORMAL;
    tu_case c;
    tu_case_init(&c, &s);
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_check_variants(&c, *isa, y);
    for (size_t i = 0; i < c.ny; i++) {
      size_t pos[4];
      tu_tpos(s.desc.layout, s.desc.out_channels, c.OH, c.OW, i, pos);
      cr_assert(tu_bits(y[i]) == tu_bits(c.b[pos[1]]),
                "zero inputs, subnormal bias on %s: output %zu = %a, "
                "expected the bias %a: %s",
                tu_isa_str(*isa), i, (double)y[i], (double)c.b[pos[1]],
                tu_case_str(&c));
    }
    free(y);
    tu_case_free(&c);
  }
  for (unsigned v = 0; v < 2; v++) {
    tu_spec s;
    tu_tcfg t = {.name = "copy", .C = 1, .K = 1, .H = 5, .W = 37, .R = 1,
                 .S = 1};
    tu_spec_from_tcfg(&s, &t, (simdconv_layout)v, SIMDCONV_WEIGHTS_OIHW, 0,
                      0x490 + v);
    s.xdata = TU_DATA_DENORMAL;
    tu_case c;
    tu_case_init(&c, &s);
    c.w[0] = 1.0f;
    tu_case_touch(&c);
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_check_variants(&c, *isa, y);
    const size_t d = tu_first_diff(y, c.x, c.ny);
    cr_assert(d == c.ny,
              "1x1 weight 1 on subnormals (%s): output %zu = %a, input %a: "
              "%s",
              tu_isa_str(*isa), d, (double)y[d], (double)c.x[d],
              tu_case_str(&c));
    free(y);
    tu_case_free(&c);
  }
  cr_assert(mxcsr() == csr, "MXCSR control bits changed from 0x%x to 0x%x", csr, mxcsr());
  report("adversarial::denormals", *isa);
}

/* Marks `count` random input positions with value v; returns the mask. */
static unsigned char *plant(tu_case *c, size_t count, const float *vals,
                            size_t nvals) {
  unsigned char *mask = calloc(c->nx, 1);
  cr_assert(mask != NULL);
  for (size_t i = 0; i < count; i++) {
    const size_t at = tu_rng_below(&c->rng, c->nx);
    c->x[at] = vals[tu_rng_below(&c->rng, nvals)];
    mask[at] = 1;
  }
  tu_case_touch(c);
  return mask;
}

/* NaN inputs: NaN exactly in the outputs whose window reads one, for every
 * activation (clamp included). */
TU_ISA_PARAMS(adversarial, nan_inputs)
ParameterizedTest(simdconv_isa *isa, adversarial, nan_inputs,
                  .timeout = 600) {
  const float nans[] = {NAN, -NAN};
  size_t nan_outputs = 0, finite_outputs = 0;
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      for (int a = 0; a < TU_ACT_VARIANTS; a++) {
        if ((a + v) % 2 != 0)
          continue;
        tu_spec s;
        adv_spec(&s, cfg, v, (tu_act)a, 0x500 + (cfg * 8 + v) * 16 + a);
        tu_case c;
        tu_case_init(&c, &s);
        unsigned char *mask = plant(&c, 1 + c.nx / 40, nans, 2);
        float *y = tu_alloc(c.ny * sizeof(float));
        tu_check_variants(&c, *isa, y);
        for (size_t i = 0; i < c.ny; i++) {
          const bool want = window_reads(&c, mask, i);
          if (want != (bool)isnan(y[i])) {
            char pos[128];
            tu_out_pos_str(&c, i, pos, sizeof pos);
            cr_assert(false,
                      "NaN inputs on %s: %s = %a but its window %s a NaN: %s",
                      tu_isa_str(*isa), pos, (double)y[i],
                      want ? "holds" : "does not hold", tu_case_str(&c));
          }
          if (want)
            nan_outputs++;
          else
            finite_outputs++;
        }
        free(y);
        free(mask);
        tu_case_free(&c);
      }
    }
  }
  cr_assert(nan_outputs > 100 && finite_outputs > 100,
            "weak test: %zu NaN and %zu finite outputs", nan_outputs,
            finite_outputs);
  report("adversarial::nan_inputs", *isa);
}

/* Infinite inputs: through the oracle for every activation; without an
 * activation, non-finite exactly where the window reads an infinity. */
TU_ISA_PARAMS(adversarial, inf_inputs)
ParameterizedTest(simdconv_isa *isa, adversarial, inf_inputs,
                  .timeout = 600) {
  const float infs[] = {INFINITY, -INFINITY};
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      for (int a = 0; a < TU_ACT_VARIANTS; a++) {
        if ((a + v) % 2 != 0 && a != TU_ACT_NONE)
          continue;
        tu_spec s;
        adv_spec(&s, cfg, v, (tu_act)a, 0x600 + (cfg * 8 + v) * 16 + a);
        tu_case c;
        tu_case_init(&c, &s);
        /* one sign only in half of the cases, so +inf stays +inf */
        unsigned char *mask =
            plant(&c, 1 + c.nx / 40, infs, (v & 2) ? 2 : 1);
        float *y = tu_alloc(c.ny * sizeof(float));
        tu_check_variants(&c, *isa, y);
        if (a == TU_ACT_NONE) {
          for (size_t i = 0; i < c.ny; i++) {
            const bool want = window_reads(&c, mask, i);
            if (want == (bool)isfinite(y[i])) {
              char pos[128];
              tu_out_pos_str(&c, i, pos, sizeof pos);
              cr_assert(false,
                        "Inf inputs on %s: %s = %a but its window %s an "
                        "infinity: %s",
                        tu_isa_str(*isa), pos, (double)y[i],
                        want ? "holds" : "does not hold", tu_case_str(&c));
            }
          }
        }
        free(y);
        free(mask);
        tu_case_free(&c);
      }
    }
  }
  report("adversarial::inf_inputs", *isa);
}

/* One non-finite weight. With zero padding, the taps that read padding give
 * 0 * Inf = NaN; others give +-Inf; a NaN weight poisons its whole output
 * channel. Inputs are positive so the sign is known. */
TU_ISA_PARAMS(adversarial, nonfinite_weights)
ParameterizedTest(simdconv_isa *isa, adversarial, nonfinite_weights,
                  .timeout = 600) {
  size_t nan_from_padding = 0;
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      for (int kind = 0; kind < 3; kind++) {
        const float bad = kind == 0 ? INFINITY : kind == 1 ? -INFINITY : NAN;
        const tu_act act = kind == 2 ? (tu_act)(v % TU_ACT_VARIANTS)
                                     : TU_ACT_NONE;
        tu_spec s;
        adv_spec(&s, cfg, v, act, 0x700 + (cfg * 8 + v) * 4 + kind);
        s.xdata = TU_DATA_POSITIVE;
        tu_case c;
        tu_case_init(&c, &s);
        const simdconv_desc *d = &s.desc;
        const size_t Cg = d->in_channels / d->groups;
        const size_t k0 = tu_rng_below(&c.rng, d->out_channels);
        const size_t c0 = tu_rng_below(&c.rng, Cg);
        const size_t r0 = tu_rng_below(&c.rng, d->kernel_h);
        const size_t s0 = tu_rng_below(&c.rng, d->kernel_w);
        c.w[tu_widx(d, k0, c0, r0, s0)] = bad;
        tu_case_touch(&c);
        float *y = tu_alloc(c.ny * sizeof(float));
        tu_check_variants(&c, *isa, y);
        /* the tap that multiplies the bad weight */
        const size_t re = d->flip_kernel ? d->kernel_h - 1 - r0 : r0;
        const size_t se = d->flip_kernel ? d->kernel_w - 1 - s0 : s0;
        for (size_t i = 0; i < c.ny; i++) {
          size_t pos[4];
          tu_tpos(d->layout, d->out_channels, c.OH, c.OW, i, pos);
          bool want_nan = false, want_inf = false;
          if (pos[1] == k0) {
            if (kind == 2) {
              want_nan = true;
            } else {
              const long at =
                  tu_tap_input(&c, pos[0], k0, c0, pos[2], pos[3], re, se);
              want_nan = at < 0;
              want_inf = at >= 0;
              nan_from_padding += at < 0;
            }
          }
          const bool ok =
              want_nan   ? isnan(y[i])
              : want_inf ? (double)y[i] == (double)bad
                         : isfinite(y[i]);
          if (!ok) {
            char p[128];
            tu_out_pos_str(&c, i, p, sizeof p);
            cr_assert(false,
                      "weight (k=%zu c=%zu r=%zu s=%zu) = %g on %s: %s = %a, "
                      "expected %s: %s",
                      k0, c0, r0, s0, (double)bad, tu_isa_str(*isa), p,
                      (double)y[i],
                      want_nan   ? "NaN"
                      : want_inf ? "that infinity"
                                 : "finite",
                      tu_case_str(&c));
          }
        }
        free(y);
        tu_case_free(&c);
      }
    }
  }
  cr_assert(nan_from_padding > 10, "weak test: %zu padding-tap NaNs",
            nan_from_padding);
  report("adversarial::nonfinite_weights", *isa);
}

/* Values near FLT_MAX: products and sums that overflow (the oracle's bound
 * is +inf where overflow is possible), and exact cancellation of huge
 * values. */
TU_ISA_PARAMS(adversarial, huge)
ParameterizedTest(simdconv_isa *isa, adversarial, huge, .timeout = 600) {
  for (size_t cfg = 0; cfg < N_ADV; cfg++) {
    for (unsigned v = 0; v < 8; v++) {
      tu_spec s;
      adv_spec(&s, cfg, v, (tu_act)((v + cfg) % TU_ACT_VARIANTS),
               0x800 + cfg * 8 + v);
      s.xdata = TU_DATA_HUGE;
      s.bias = v & 1;
      s.bdata = v & 2 ? TU_DATA_HUGE : TU_DATA_UNIFORM;
      tu_case c;
      tu_case_init(&c, &s);
      if (v & 4) {
        /* sparse weights: often no overflow at all */
        for (size_t i = 0; i < c.nw; i++)
          if (tu_rng_chance(&c.rng, 80))
            c.w[i] = 0.0f;
        tu_case_touch(&c);
      }
      tu_check_variants(&c, *isa, NULL);
      tu_case_free(&c);
    }
  }
  /* FLT_MAX * 1 + FLT_MAX * -1 = 0 exactly (the fma keeps it exact). */
  tu_tcfg t = {.name = "pair", .C = 2, .K = 1, .H = 3, .W = 4, .R = 1,
               .S = 1};
  for (unsigned v = 0; v < 2; v++) {
    tu_spec s;
    tu_spec_from_tcfg(&s, &t, (simdconv_layout)v, SIMDCONV_WEIGHTS_OIHW, 0,
                      0x8f0 + v);
    tu_case c;
    tu_case_init(&c, &s);
    for (size_t i = 0; i < c.nx; i++)
      c.x[i] = FLT_MAX;
    c.w[0] = 1.0f;
    c.w[1] = -1.0f;
    tu_case_touch(&c);
    float *y = tu_alloc(c.ny * sizeof(float));
    tu_check_variants(&c, *isa, y);
    for (size_t i = 0; i < c.ny; i++)
      cr_assert(tu_bits(y[i]) == 0, "FLT_MAX - FLT_MAX on %s: %a", 
                tu_isa_str(*isa), (double)y[i]);
    /* and 2 * FLT_MAX overflows to +inf */
    c.w[1] = 1.0f;
    tu_case_touch(&c);
    tu_check_variants(&c, *isa, y);
    for (size_t i = 0; i < c.ny; i++)
      cr_assert(isinf(y[i]) && y[i] > 0, "FLT_MAX + FLT_MAX on %s: %a",
                tu_isa_str(*isa), (double)y[i]);
    free(y);
    tu_case_free(&c);
  }
  report("adversarial::huge", *isa);
}
