/*
 * The small vector API of the depthwise templates (src/ukernels/dwconv_nhwc_ukernel.h,
 * src/ukernels/dwconv_nchw_ukernel.h) on AVX2 + FMA: 8-lane ymm vectors, masks as ymm
 * lane masks. Include only from sources compiled with -mavx2 -mfma.
 */
#ifndef SIMDCONV_DWCONV_AVX2_H
#define SIMDCONV_DWCONV_AVX2_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "avx2/activation_avx2.h"

#define DW_VW 8
#define DW_ISA_NAME(x) x##__avx2
typedef __m256 dw_v;
typedef __m256i dw_vi;
typedef __m256i dw_m;

static inline dw_v dwv_zero(void) { return _mm256_setzero_ps(); }
static inline dw_v dwv_set1(float f) { return _mm256_set1_ps(f); }
static inline dw_v dwv_load(const float *p) { return _mm256_loadu_ps(p); }
/* vmaskmovps: masked-off lanes read 0 and never fault. */
static inline dw_v dwv_loadm(const float *p, dw_m m) {
  return _mm256_maskload_ps(p, m);
}
static inline void dwv_store(float *p, dw_v v) { _mm256_storeu_ps(p, v); }
/* vmaskmovps stores are very slow on AMD: store the lanes one by one (these
 * are only the tails). */
static inline void dwv_storem(float *p, dw_v v, dw_m m) {
  float b[8];
  int32_t k[8];
  _mm256_storeu_ps(b, v);
  _mm256_storeu_si256((__m256i *)k, m);
  for (int i = 0; i < 8; i++)
    if (k[i])
      p[i] = b[i];
}
static inline dw_v dwv_add(dw_v a, dw_v b) { return _mm256_add_ps(a, b); }
/* a * b + c with one rounding, as fmaf(a, b, c). */
static inline dw_v dwv_fma(dw_v a, dw_v b, dw_v c) {
  return _mm256_fmadd_ps(a, b, c);
}
/* A register copy the compiler cannot see through: one load feeds several
 * fmas instead of being folded into each as a memory operand. */
static inline dw_v dwv_opaque(dw_v x) {
  __asm__("" : "+v"(x));
  return x;
}
static inline dw_v dwv_clamp(dw_v v, float lo, float hi) {
  return _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v));
}
static inline dw_v dwv_act(const sc_act_params *a, dw_v v) {
  return sc_activate_f32x8(a, v);
}

static inline __m256i dwm_iota(void) {
  return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
}
/* Lanes i with lo <= i < hi. */
static inline dw_m dwm_range(ptrdiff_t lo, ptrdiff_t hi) {
  if (lo < 0)
    lo = 0;
  if (hi > DW_VW)
    hi = DW_VW;
  if (hi <= lo)
    return _mm256_setzero_si256();
  const __m256i i = dwm_iota();
  return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)lo), i),
                             _mm256_cmpgt_epi32(_mm256_set1_epi32((int)hi), i));
}
/* The lanes whose bits are set in *b. */
static inline dw_m dwm_load_bits(const uint16_t *b) {
  const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)*b), bit),
                            bit);
}
static inline dw_m dwm_first(size_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n >= DW_VW ? DW_VW : (int)n),
                            dwm_iota());
}

static inline dw_vi dwv_perm_index(const int32_t *ic, int32_t kin) {
  return _mm256_sub_epi32(_mm256_loadu_si256((const __m256i *)ic),
                          _mm256_set1_epi32(kin));
}
static inline dw_v dwv_permute(dw_v x, dw_vi idx) {
  return _mm256_permutevar8x32_ps(x, idx);
}

/* Even / odd lanes of the 2*VW floats a:b. */
static inline dw_v dwv_even(dw_v a, dw_v b) {
  const __m256 t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), 0xd8));
}
static inline dw_v dwv_odd(dw_v a, dw_v b) {
  const __m256 t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), 0xd8));
}

/* The first n (< 8) floats of a ymm vector. vmaskmovps stores are slow on
 * AMD, so the partial store goes through a buffer. */
static inline __m256 dw8_loadn(const float *p, size_t n) {
  return _mm256_maskload_ps(
      p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}
static inline void dw8_storen(float *p, __m256 v, size_t n) {
  float b[8];
  _mm256_storeu_ps(b, v);
  for (size_t i = 0; i < n; i++)
    p[i] = b[i];
}

#include "avx2/dwconv_tiles_x86.h"

#endif
