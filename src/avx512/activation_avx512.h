/*
 * AVX-512 versions of the activations of src/activation.h: the same
 * operations in the same order, with SLEEF's deterministic finz functions,
 * so each lane is bitwise equal to sc_activate_f32(). Include only from
 * sources compiled with the AVX-512 flags.
 */
#ifndef SIMDCONV_ACTIVATION_AVX512_H
#define SIMDCONV_ACTIVATION_AVX512_H

#ifndef __AVX512F__
#error "activation_avx512.h needs -mavx512f"
#endif

#include <immintrin.h>
#include <sleef.h>

#include "activation.h"

/* -|s| by setting the sign bit, as -fabsf(s) does. */
static inline __m512 sc_neg_abs_f32x16(__m512 s) {
  return _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_castps_si512(s), _mm512_set1_epi32((int)0x80000000u)));
}

static inline __m512 sc_sigmoid_f32x16(__m512 s) {
  const __m512 one = _mm512_set1_ps(1.0f);
  const __m512 e = Sleef_finz_expf16_u10avx512f(sc_neg_abs_f32x16(s));
  /* s >= 0 ? 1 : e, with NaN taking e like the scalar comparison. */
  const __mmask16 nonneg = _mm512_cmp_ps_mask(s, _mm512_setzero_ps(), _CMP_GE_OQ);
  const __m512 num = _mm512_mask_blend_ps(nonneg, e, one);
  return _mm512_div_ps(num, _mm512_add_ps(one, e));
}

static inline __m512 sc_activate_f32x16(const sc_act_params *a, __m512 s) {
  switch (a->activation) {
  case SIMDCONV_ACT_NONE:
    return s;
  case SIMDCONV_ACT_CLAMP:
    /* maxps(lo, s) is lo > s ? lo : s: NaN in s propagates, as in scalar. */
    return _mm512_min_ps(_mm512_set1_ps(a->hi),
                         _mm512_max_ps(_mm512_set1_ps(a->lo), s));
  case SIMDCONV_ACT_SIGMOID:
    return sc_sigmoid_f32x16(s);
  case SIMDCONV_ACT_TANH:
    return Sleef_finz_tanhf16_u10avx512f(s);
  case SIMDCONV_ACT_SILU:
    return _mm512_mul_ps(s, sc_sigmoid_f32x16(s));
  case SIMDCONV_ACT_GELU_ERF:
    return _mm512_mul_ps(
        _mm512_mul_ps(_mm512_set1_ps(0.5f), s),
        Sleef_finz_erfcf16_u15avx512f(
            _mm512_mul_ps(s, _mm512_set1_ps(SC_GELU_NEG_RSQRT2))));
  case SIMDCONV_ACT_GELU_TANH: {
    const __m512 s3 = _mm512_mul_ps(_mm512_mul_ps(s, s), s);
    const __m512 z = _mm512_mul_ps(
        _mm512_set1_ps(SC_GELU_TANH_K),
        _mm512_fmadd_ps(_mm512_set1_ps(SC_GELU_TANH_A), s3, s));
    return _mm512_mul_ps(s, sc_sigmoid_f32x16(z));
  }
  }
  return s;
}

#endif
