/* Small-integer inputs, weights and biases: every partial sum is an integer
 * below 2^24, so every fp32 operation is exact and the result must equal the
 * oracle bit for bit, on every ISA. A naive integer convolution written here
 * from PyTorch's definition checks the oracle in the same pass. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* The integer result of output idx, activation (a clamp) included. */
static double naive(const tu_case *c, size_t idx) {
  const simdconv_desc *d = &c->spec.desc;
  size_t pos[4];
  tu_tpos(d->layout, d->out_channels, c->OH, c->OW, idx, pos);
  const size_t k = pos[1], R = d->kernel_h, S = d->kernel_w;
  const size_t Cg = d->in_channels / d->groups;
  long long acc = c->b != NULL ? (long long)c->b[k] : 0;
  for (size_t r = 0; r < R; r++)
    for (size_t s = 0; s < S; s++)
      for (size_t ch = 0; ch < Cg; ch++) {
        const long at = tu_tap_input(c, pos[0], k, ch, pos[2], pos[3], r, s);
        if (at < 0)
          continue;
        const size_t wr = d->flip_kernel ? R - 1 - r : r;
        const size_t ws = d->flip_kernel ? S - 1 - s : s;
        acc += (long long)c->x[at] * (long long)c->w[tu_widx(d, k, ch, wr, ws)];
      }
  double y = (double)acc;
  if (d->activation == SIMDCONV_ACT_CLAMP) {
    if (y < (double)d->act_min)
      y = (double)d->act_min;
    if (y > (double)d->act_max)
      y = (double)d->act_max;
  }
  return y;
}

static void int_data(tu_spec *s) {
  s->xdata = s->wdata = s->bdata = TU_DATA_INT;
  const simdconv_desc *d = &s->desc;
  const size_t n = d->in_channels / d->groups * d->kernel_h * d->kernel_w;
  cr_assert(n * 64 + 8 < (1u << 24), "test bug: %zu taps may not be exact",
            n);
}

static void check_exact(tu_case *c, simdconv_isa isa) {
  float *y = tu_alloc(c->ny * sizeof(float));
  tu_check_variants(c, isa, y);
  tu_case_oracle(c);
  for (size_t i = 0; i < c->ny; i++) {
    const double want = naive(c, i);
    const float wantf = (float)want;
    char pos[128];
    if (c->ref[i] != want || (c->ref[i] == 0 && signbit(c->ref[i]))) {
      tu_out_pos_str(c, i, pos, sizeof pos);
      cr_assert(false,
                "ORACLE differs from the integer convolution: %s: ref %.17g, "
                "expected %.17g: %s",
                pos, c->ref[i], want, tu_case_str(c));
    }
    if (tu_bits(y[i]) != tu_bits(wantf)) {
      tu_out_pos_str(c, i, pos, sizeof pos);
      cr_assert(false,
                "not exact on %s: %s = %.9g (0x%08x), expected %.9g "
                "(0x%08x): %s",
                tu_isa_str(isa), pos, (double)y[i], tu_bits(y[i]),
                (double)wantf, tu_bits(wantf), tu_case_str(c));
    }
  }
  free(y);
}

static const tu_act exact_acts[4] = {TU_ACT_NONE, TU_ACT_RELU, TU_ACT_RELU6,
                                     TU_ACT_CLAMP};

TU_ISA_PART_PARAMS(exact, table, 2)
ParameterizedTest(tu_isa_part *p, exact, table, .timeout = 600) {
  size_t item = 0;
  for (size_t t = 0; t < tu_table_len; t++) {
    for (unsigned v = 0; v < 8; v++, item++) {
      if (item % p->parts != p->part)
        continue;
      tu_spec s;
      tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(v & 1),
                        (simdconv_weight_layout)((v >> 1) & 1),
                        (int)(v >> 2), 0x9000 + item);
      tu_act act = tu_table[t].act;
      if (!((1u << act) & TU_ACTS_EXACT))
        act = exact_acts[item % 4];
      tu_set_act(&s.desc, act);
      int_data(&s);
      tu_case c;
      tu_case_init(&c, &s);
      check_exact(&c, p->isa);
      tu_case_free(&c);
    }
  }
  char what[96];
  snprintf(what, sizeof what, "exact::table on %s (part %u/%u)",
           tu_isa_str(p->isa), p->part + 1, p->parts);
  tu_report(what);
}

#define N_RANDOM 160
TU_ISA_PART_PARAMS(exact, random, 2)
ParameterizedTest(tu_isa_part *p, exact, random, .timeout = 600) {
  tu_limits lim = tu_small_limits;
  lim.acts = TU_ACTS_EXACT;
  const uint64_t base = tu_base_seed(0xe4ac75eedull);
  for (unsigned i = p->part; i < N_RANDOM; i += p->parts) {
    tu_rng rng;
    tu_rng_seed(&rng, base + i);
    tu_spec s;
    tu_random_spec(&rng, &lim, &s);
    int_data(&s);
    tu_case c;
    tu_case_init(&c, &s);
    check_exact(&c, p->isa);
    tu_case_free(&c);
  }
  char what[96];
  snprintf(what, sizeof what, "exact::random on %s (part %u/%u)",
           tu_isa_str(p->isa), p->part + 1, p->parts);
  tu_report(what);
}
