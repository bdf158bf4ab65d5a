/*
 * simdconv_reference_q8(): the exact oracle of the int8 convolution.
 *
 * The validation is the library's (the statuses must agree); everything
 * that produces values is written here again from the definition and
 * shares no code with the kernels: the padded coordinates and the value a
 * padding mode puts there, the weight indexing in the user's layout with
 * the flip, the int64 sums, the multipliers and the requantization in its
 * literal order (round, add the zero point, then saturate).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "fpenv.h"
#include "problem.h"
#include "q8.h"

typedef struct ref_q8 {
  const simdconv_desc *d;
  const simdconv_qparams *q;
  sc_problem p;
  sc_shape s;
  const uint8_t *x;
  const int8_t *w;
  const int32_t *b;
} ref_q8;

/* The input coordinate padded coordinate i reads on an axis of n, or -1
 * where zero padding puts the zero point. */
static long ref_q8_coord(long i, long n, simdconv_padding_mode mode) {
  if (i >= 0 && i < n)
    return i;
  if (mode == SIMDCONV_PAD_REFLECT)
    return i < 0 ? -i : 2 * (n - 1) - i;
  if (mode == SIMDCONV_PAD_REPLICATE)
    return i < 0 ? 0 : n - 1;
  if (mode == SIMDCONV_PAD_CIRCULAR)
    return i < 0 ? i + n : i - n;
  return -1;
}

/* Input value (n, c, ih, iw) as a signed integer. */
static int64_t ref_q8_x(const ref_q8 *r, size_t n, size_t c, long ih,
                        long iw) {
  const size_t C = r->p.C, H = r->s.H, W = r->s.W;
  const size_t idx = r->d->layout == SIMDCONV_LAYOUT_NHWC
                         ? ((n * H + (size_t)ih) * W + (size_t)iw) * C + c
                         : ((n * C + c) * H + (size_t)ih) * W + (size_t)iw;
  const uint8_t raw = r->x[idx];
  return r->q->input_type == SIMDCONV_QTYPE_S8 ? (int64_t)(int8_t)raw
                                               : (int64_t)raw;
}

/* Weight (k, c, kr, ks) as applied at window position (kr, ks). */
static int64_t ref_q8_w(const ref_q8 *r, size_t k, size_t c, size_t kr,
                        size_t ks) {
  const size_t R = r->p.R, S = r->p.S, Cg = r->p.Cg;
  if (r->d->flip_kernel) {
    kr = R - 1 - kr;
    ks = S - 1 - ks;
  }
  const size_t idx = r->d->weight_layout == SIMDCONV_WEIGHTS_OHWI
                         ? ((k * R + kr) * S + ks) * Cg + c
                         : ((k * Cg + c) * R + kr) * S + ks;
  return r->w[idx];
}

static int64_t ref_q8_sum(const ref_q8 *r, size_t n, size_t k, size_t oh,
                          size_t ow) {
  const sc_problem *p = &r->p;
  const int64_t zp = r->q->input_zero_point;
  int64_t acc = r->b ? r->b[k] : 0;
  for (size_t kr = 0; kr < p->R; kr++)
    for (size_t ks = 0; ks < p->S; ks++) {
      const long ih = ref_q8_coord(
          (long)(oh * p->stride_h + kr * p->dil_h) - (long)p->pad_top,
          (long)r->s.H, p->padding_mode);
      const long iw = ref_q8_coord(
          (long)(ow * p->stride_w + ks * p->dil_w) - (long)p->pad_left,
          (long)r->s.W, p->padding_mode);
      for (size_t c = 0; c < p->Cg; c++) {
        const int64_t x = ih < 0 || iw < 0
                              ? zp
                              : ref_q8_x(r, n, (k / p->Kg) * p->Cg + c, ih, iw);
        acc += (x - zp) * ref_q8_w(r, k, c, kr, ks);
      }
    }
  return acc;
}

/* round_half_even((float)acc * m) + y_zp, saturated to [lo, hi]. */
static uint8_t ref_q8_requantize(const ref_q8 *r, int64_t acc, size_t k) {
  const simdconv_qparams *q = r->q;
  const double ws = q->weight_scales[q->weight_scale_count == 1 ? 0 : k];
  const float m =
      (float)((double)q->input_scale * ws / (double)q->output_scale);
  const float v = (float)acc * m; /* acc fits int32 (checked) */
  const double y = nearbyint((double)v) + q->output_zero_point;
  const double lo = r->p.q8.lo, hi = r->p.q8.hi;
  return (uint8_t)(int32_t)(y < lo ? lo : y > hi ? hi : y);
}

/* The per-channel overflow rule of creation, from the user's weights. */
static bool ref_q8_sums_fit(const ref_q8 *r) {
  const sc_problem *p = &r->p;
  for (size_t k = 0; k < p->K; k++) {
    int64_t sum = 0;
    for (size_t c = 0; c < p->Cg; c++)
      for (size_t kr = 0; kr < p->R; kr++)
        for (size_t ks = 0; ks < p->S; ks++)
          sum += llabs(ref_q8_w(r, k, c, kr, ks));
    if (llabs(r->b ? r->b[k] : 0) + 255 * sum > INT32_MAX)
      return false;
  }
  return true;
}

/* Not inlined: simdconv_reference_q8() guards it ((float)acc * m rounds
 * as the definition says only in the canonical environment). */
static __attribute__((noinline)) simdconv_status
ref_q8_compute(const simdconv_desc *desc, const simdconv_qparams *qparams,
               size_t batch, size_t in_h, size_t in_w, const void *input,
               const int8_t *weights, const int32_t *bias, void *output,
               int64_t *acc) {
  ref_q8 r = {.d = desc, .q = qparams, .x = input, .w = weights, .b = bias};
  simdconv_status st = sc_q8_problem_init(desc, qparams, &r.p, NULL);
  if (st == SIMDCONV_OK)
    st = sc_shape_init(&r.p, batch, in_h, in_w, &r.s);
  if (st != SIMDCONV_OK)
    return st;
  if (!ref_q8_sums_fit(&r))
    return SIMDCONV_ERR_ACCUMULATOR_OVERFLOW;
  const bool nhwc = desc->layout == SIMDCONV_LAYOUT_NHWC;
  const size_t K = r.p.K, OH = r.s.OH, OW = r.s.OW;
  uint8_t *y = output;
  for (size_t n = 0; n < batch; n++)
    for (size_t k = 0; k < K; k++)
      for (size_t oh = 0; oh < OH; oh++)
        for (size_t ow = 0; ow < OW; ow++) {
          const size_t i = nhwc ? ((n * OH + oh) * OW + ow) * K + k
                                : ((n * K + k) * OH + oh) * OW + ow;
          const int64_t a = ref_q8_sum(&r, n, k, oh, ow);
          y[i] = ref_q8_requantize(&r, a, k);
          if (acc != NULL)
            acc[i] = a;
        }
  return SIMDCONV_OK;
}

simdconv_status simdconv_reference_q8(const simdconv_desc *desc,
                                      const simdconv_qparams *qparams,
                                      size_t batch, size_t in_h, size_t in_w,
                                      const void *input,
                                      const int8_t *weights,
                                      const int32_t *bias, void *output,
                                      int64_t *acc) {
  if (desc == NULL || input == NULL || weights == NULL || output == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if ((uintptr_t)bias % _Alignof(int32_t) != 0 ||
      (uintptr_t)acc % _Alignof(int64_t) != 0)
    return SIMDCONV_ERR_MISALIGNED;
  sc_fpenv env;
  sc_fpenv_enter(&env);
  const simdconv_status st = ref_q8_compute(desc, qparams, batch, in_h, in_w,
                                            input, weights, bias, output, acc);
  sc_fpenv_leave(&env);
  return st;
}
