/*
 * Validation of int8 descriptors and quantization parameters, the
 * requantization multipliers, the output range, the accumulator's overflow
 * rules and the bias quantization helper. Everything here happens at
 * creation, in double where the definition says so.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>

#include "fpenv.h"
#include "problem.h"
#include "q8.h"

/* Round half to even of |v| < 2^62 in double, independent of the rounding
 * mode (truncation and the fraction are exact). */
static int64_t q8_rne(double v) {
  int64_t t = (int64_t)v;
  const double f = v - (double)t;
  if (f > 0.5 || (f == 0.5 && (t & 1)))
    t++;
  else if (f < -0.5 || (f == -0.5 && (t & 1)))
    t--;
  return t;
}

static void q8_type_range(simdconv_qtype t, int32_t *lo, int32_t *hi) {
  *lo = t == SIMDCONV_QTYPE_S8 ? -128 : 0;
  *hi = t == SIMDCONV_QTYPE_S8 ? 127 : 255;
}

static bool q8_type_ok(simdconv_qtype t) {
  return t == SIMDCONV_QTYPE_U8 || t == SIMDCONV_QTYPE_S8;
}

static bool q8_in_type(int32_t v, simdconv_qtype t) {
  int32_t lo, hi;
  q8_type_range(t, &lo, &hi);
  return v >= lo && v <= hi;
}

static bool q8_scale_ok(float s) { return isfinite(s) && s > 0.0f; }

/* y_zp + round_half_even(a / y_scale) within [lo, hi]: a real bound of the
 * descriptor's clamp in the quantized domain (-inf and +inf: the range). */
static int32_t q8_real_bound(float a, float y_scale, int32_t y_zp, int32_t lo,
                             int32_t hi) {
  if (isinf(a))
    return a < 0 ? lo : hi;
  double v = (double)a / (double)y_scale;
  v = v < -1024.0 ? -1024.0 : v > 1024.0 ? 1024.0 : v;
  const int64_t q = q8_rne(v) + y_zp;
  return q < lo ? lo : q > hi ? hi : (int32_t)q;
}

/* The output range: the type's, narrowed by the parameters' clamp and by a
 * clamp activation of the descriptor; false when that leaves it empty. */
static bool q8_output_range(const simdconv_desc *d, const simdconv_qparams *q,
                            int32_t *lo, int32_t *hi) {
  int32_t tlo, thi;
  q8_type_range(q->output_type, &tlo, &thi);
  *lo = tlo;
  *hi = thi;
  if (q->clamp) {
    if (!q8_in_type(q->output_min, q->output_type) ||
        !q8_in_type(q->output_max, q->output_type) ||
        q->output_min > q->output_max)
      return false;
    *lo = q->output_min;
    *hi = q->output_max;
  }
  if (d->activation == SIMDCONV_ACT_CLAMP) {
    const int32_t a = q8_real_bound(d->act_min, q->output_scale,
                                    q->output_zero_point, tlo, thi);
    const int32_t b = q8_real_bound(d->act_max, q->output_scale,
                                    q->output_zero_point, tlo, thi);
    *lo = a > *lo ? a : *lo;
    *hi = b < *hi ? b : *hi;
  }
  return *lo <= *hi;
}

/* The scales, zero points and types alone. */
static simdconv_status q8_check_params(const simdconv_qparams *q, size_t K) {
  if (!q8_type_ok(q->input_type) || !q8_type_ok(q->output_type) ||
      !q8_scale_ok(q->input_scale) || !q8_scale_ok(q->output_scale) ||
      !q8_in_type(q->input_zero_point, q->input_type) ||
      !q8_in_type(q->output_zero_point, q->output_type) ||
      (q->weight_scale_count != 1 && q->weight_scale_count != K))
    return SIMDCONV_ERR_INVALID_QPARAMS;
  for (size_t i = 0; i < q->weight_scale_count; i++)
    if (!q8_scale_ok(q->weight_scales[i]))
      return SIMDCONV_ERR_INVALID_QPARAMS;
  return SIMDCONV_OK;
}

/* The multiplier of output channel k, as the definition computes it. */
static float q8_multiplier(const simdconv_qparams *q, size_t k) {
  const float ws = q->weight_scales[q->weight_scale_count == 1 ? 0 : k];
  return (float)((double)q->input_scale * (double)ws /
                 (double)q->output_scale);
}

/* Every multiplier a positive normal float (written to mult if not NULL). */
static bool q8_multipliers(const simdconv_qparams *q, size_t K, float *mult) {
  for (size_t k = 0; k < K; k++) {
    const float m = q8_multiplier(q, k);
    if (!(m >= FLT_MIN && m <= FLT_MAX))
      return false;
    if (mult != NULL)
      mult[k] = m;
  }
  return true;
}

/* The reduction-length rule: (C/g)*R*S * 255 * 128 <= 2^31-1. */
static bool q8_length_ok(const sc_problem *p) {
  const size_t dims[] = {p->Cg, p->R, p->S};
  size_t n;
  return sc_product_ok(dims, 3, &n) &&
         n <= (size_t)INT32_MAX / (SC_Q8_MAX_XDIFF * SC_Q8_MAX_W);
}

/* Not inlined: sc_q8_problem_init() guards it (the multipliers and the
 * clamp bounds are computed in double, the scales compared: a caller's
 * rounding mode or DAZ would change them). */
static __attribute__((noinline)) simdconv_status
q8_problem_init(const simdconv_desc *d, const simdconv_qparams *q,
                sc_problem *p, float *mult) {
  if (q == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  /* Forward only: checked first, so a transposed descriptor gets this one
   * status whatever else it holds. */
  if (d != NULL && d->transposed)
    return SIMDCONV_ERR_TRANSPOSED_INT8;
  simdconv_status st = sc_problem_init(d, p);
  if (st != SIMDCONV_OK)
    return st;
  if (d->activation != SIMDCONV_ACT_NONE &&
      d->activation != SIMDCONV_ACT_CLAMP)
    return SIMDCONV_ERR_UNSUPPORTED_ACTIVATION;
  if (q->weight_scales == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if ((uintptr_t)q->weight_scales % _Alignof(float) != 0)
    return SIMDCONV_ERR_MISALIGNED;
  int32_t lo, hi;
  if ((st = q8_check_params(q, p->K)) != SIMDCONV_OK)
    return st;
  if (!q8_output_range(d, q, &lo, &hi) || !q8_multipliers(q, p->K, mult))
    return SIMDCONV_ERR_INVALID_QPARAMS;
  if (!q8_length_ok(p))
    return SIMDCONV_ERR_ACCUMULATOR_OVERFLOW;
  p->dtype = SC_DTYPE_Q8;
  p->q8 = (sc_q8_info){q->input_type, q->output_type, q->input_zero_point,
                       q->output_zero_point, lo, hi};
  /* The float clamp of the fp32 path does not apply: the range does. */
  p->activation = SIMDCONV_ACT_NONE;
  return SIMDCONV_OK;
}

simdconv_status sc_q8_problem_init(const simdconv_desc *d,
                                   const simdconv_qparams *q, sc_problem *p,
                                   float *mult) {
  sc_fpenv env;
  sc_fpenv_enter(&env);
  const simdconv_status st = q8_problem_init(d, q, p, mult);
  sc_fpenv_leave(&env);
  return st;
}

bool sc_q8_sums_fit(const sc_problem *p, const int8_t *w_krsc,
                    const int32_t *bias) {
  const size_t taps = p->R * p->S * p->Cg;
  for (size_t k = 0; k < p->K; k++) {
    int64_t sum = 0;
    for (size_t t = 0; t < taps; t++)
      sum += w_krsc[k * taps + t] < 0 ? -(int64_t)w_krsc[k * taps + t]
                                      : w_krsc[k * taps + t];
    const int64_t b = bias ? bias[k] : 0;
    if ((b < 0 ? -b : b) + SC_Q8_MAX_XDIFF * sum > INT32_MAX)
      return false;
  }
  return true;
}

/* ---- public ---------------------------------------------------------------- */

void simdconv_qparams_init(simdconv_qparams *q, simdconv_qtype input_type,
                           float input_scale, int32_t input_zero_point,
                           const float *weight_scales,
                           size_t weight_scale_count,
                           simdconv_qtype output_type, float output_scale,
                           int32_t output_zero_point) {
  if (q == NULL)
    return;
  *q = (simdconv_qparams){
      .input_type = input_type,
      .input_scale = input_scale,
      .input_zero_point = input_zero_point,
      .weight_scales = weight_scales,
      .weight_scale_count = weight_scale_count,
      .output_type = output_type,
      .output_scale = output_scale,
      .output_zero_point = output_zero_point,
  };
}

simdconv_status simdconv_desc_validate_q8(const simdconv_desc *desc,
                                          const simdconv_qparams *qparams) {
  sc_problem p;
  return sc_q8_problem_init(desc, qparams, &p, NULL);
}

/* Not inlined: simdconv_quantize_bias() guards it (double arithmetic and
 * comparisons of the caller's floats). */
static __attribute__((noinline)) simdconv_status
q8_quantize_bias(const float *bias, size_t out_channels, float input_scale,
                 const float *weight_scales, size_t weight_scale_count,
                 int32_t *out) {
  if (!q8_scale_ok(input_scale) ||
      (weight_scale_count != 1 && weight_scale_count != out_channels))
    return SIMDCONV_ERR_INVALID_QPARAMS;
  for (size_t i = 0; i < weight_scale_count; i++)
    if (!q8_scale_ok(weight_scales[i]))
      return SIMDCONV_ERR_INVALID_QPARAMS;
  for (size_t k = 0; k < out_channels; k++)
    if (isnan(bias[k]))
      return SIMDCONV_ERR_INVALID_QPARAMS;
  for (size_t k = 0; k < out_channels; k++) {
    const double ws = weight_scales[weight_scale_count == 1 ? 0 : k];
    double v = (double)bias[k] / ((double)input_scale * ws);
    /* Saturate first: past +-2^31 the result is the bound anyway. */
    v = v < -0x1p32 ? -0x1p32 : v > 0x1p32 ? 0x1p32 : v;
    const int64_t r = q8_rne(v);
    out[k] = r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : (int32_t)r;
  }
  return SIMDCONV_OK;
}

simdconv_status simdconv_quantize_bias(const float *bias, size_t out_channels,
                                       float input_scale,
                                       const float *weight_scales,
                                       size_t weight_scale_count,
                                       int32_t *out) {
  if (bias == NULL || weight_scales == NULL || out == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  if ((uintptr_t)bias % _Alignof(float) != 0 ||
      (uintptr_t)weight_scales % _Alignof(float) != 0 ||
      (uintptr_t)out % _Alignof(int32_t) != 0)
    return SIMDCONV_ERR_MISALIGNED;
  sc_fpenv env;
  sc_fpenv_enter(&env);
  const simdconv_status st = q8_quantize_bias(
      bias, out_channels, input_scale, weight_scales, weight_scale_count, out);
  sc_fpenv_leave(&env);
  return st;
}
