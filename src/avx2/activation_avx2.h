/*
 * AVX2 versions of the activations of src/activation.h: the same operations
 * in the same order, with SLEEF's deterministic finz functions, so each lane
 * is bitwise equal to sc_activate_f32(). Include only from sources compiled
 * with -mavx2 -mfma.
 */
#ifndef SIMDCONV_ACTIVATION_AVX2_H
#define SIMDCONV_ACTIVATION_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "activation_avx2.h needs -mavx2 -mfma"
#endif

#include <immintrin.h>
#include <sleef.h>

#include "activation.h"

/* -|s| by setting the sign bit, as -fabsf(s) does. */
static inline __m256 sc_neg_abs_f32x8(__m256 s) {
  return _mm256_or_ps(s, _mm256_set1_ps(-0.0f));
}

static inline __m256 sc_sigmoid_f32x8(__m256 s) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = Sleef_finz_expf8_u10avx2(sc_neg_abs_f32x8(s));
  /* s >= 0 ? 1 : e, with NaN taking e like the scalar comparison. */
  const __m256 nonneg = _mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_GE_OQ);
  const __m256 num = _mm256_blendv_ps(e, one, nonneg);
  return _mm256_div_ps(num, _mm256_add_ps(one, e));
}

static inline __m256 sc_activate_f32x8(const sc_act_params *a, __m256 s) {
  switch (a->activation) {
  case SIMDCONV_ACT_NONE:
    return s;
  case SIMDCONV_ACT_CLAMP:
    /* maxps(lo, s) is lo > s ? lo : s: NaN in s propagates, as in scalar. */
    return _mm256_min_ps(_mm256_set1_ps(a->hi),
                         _mm256_max_ps(_mm256_set1_ps(a->lo), s));
  case SIMDCONV_ACT_SIGMOID:
    return sc_sigmoid_f32x8(s);
  case SIMDCONV_ACT_TANH:
    return Sleef_finz_tanhf8_u10avx2(s);
  case SIMDCONV_ACT_SILU:
    return _mm256_mul_ps(s, sc_sigmoid_f32x8(s));
  case SIMDCONV_ACT_GELU_ERF:
    return _mm256_mul_ps(
        _mm256_mul_ps(_mm256_set1_ps(0.5f), s),
        Sleef_finz_erfcf8_u15avx2(
            _mm256_mul_ps(s, _mm256_set1_ps(SC_GELU_NEG_RSQRT2))));
  case SIMDCONV_ACT_GELU_TANH: {
    const __m256 s3 = _mm256_mul_ps(_mm256_mul_ps(s, s), s);
    const __m256 z = _mm256_mul_ps(
        _mm256_set1_ps(SC_GELU_TANH_K),
        _mm256_fmadd_ps(_mm256_set1_ps(SC_GELU_TANH_A), s3, s));
    return _mm256_mul_ps(s, sc_sigmoid_f32x8(z));
  }
  }
  return s;
}

#endif
