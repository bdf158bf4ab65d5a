/*
 * The small vector API of the depthwise templates (src/ukernels/dwconv_nhwc_ukernel.h,
 * src/ukernels/dwconv_nchw_ukernel.h) on AVX-512: 16-lane zmm vectors, __mmask16 masks.
 * Include only from sources compiled with the AVX-512 flags.
 */
#ifndef SIMDCONV_DWCONV_AVX512_H
#define SIMDCONV_DWCONV_AVX512_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "avx512/activation_avx512.h"

#define DW_VW 16
#define DW_ISA_NAME(x) x##__avx512
typedef __m512 dw_v;
typedef __m512i dw_vi;
typedef __mmask16 dw_m;

static inline dw_v dwv_zero(void) { return _mm512_setzero_ps(); }
static inline dw_v dwv_set1(float f) { return _mm512_set1_ps(f); }
static inline dw_v dwv_load(const float *p) { return _mm512_loadu_ps(p); }
static inline dw_v dwv_loadm(const float *p, dw_m m) {
  return _mm512_maskz_loadu_ps(m, p);
}
static inline void dwv_store(float *p, dw_v v) { _mm512_storeu_ps(p, v); }
static inline void dwv_storem(float *p, dw_v v, dw_m m) {
  _mm512_mask_storeu_ps(p, m, v);
}
static inline dw_v dwv_add(dw_v a, dw_v b) { return _mm512_add_ps(a, b); }
/* a * b + c with one rounding, as fmaf(a, b, c). */
static inline dw_v dwv_fma(dw_v a, dw_v b, dw_v c) {
  return _mm512_fmadd_ps(a, b, c);
}
/* A register copy the compiler cannot see through: one load feeds several
 * fmas instead of being folded into each as a memory operand. */
static inline dw_v dwv_opaque(dw_v x) {
  __asm__("" : "+v"(x));
  return x;
}
static inline dw_v dwv_clamp(dw_v v, float lo, float hi) {
  return _mm512_min_ps(_mm512_set1_ps(hi), _mm512_max_ps(_mm512_set1_ps(lo), v));
}
static inline dw_v dwv_act(const sc_act_params *a, dw_v v) {
  return sc_activate_f32x16(a, v);
}

/* Lanes i with lo <= i < hi. */
static inline dw_m dwm_range(ptrdiff_t lo, ptrdiff_t hi) {
  if (lo < 0)
    lo = 0;
  if (hi > DW_VW)
    hi = DW_VW;
  if (hi <= lo)
    return 0;
  return (dw_m)(((1u << hi) - 1u) & ~((1u << lo) - 1u));
}
/* The lanes whose bits are set in *b (one mask load, no ALU uop). */
static inline dw_m dwm_load_bits(const uint16_t *b) {
  dw_m m;
  /* GCC turns _load_mask16 into a GPR load and a kmovw from it (a port-5
   * uop, the FMA's port on Intel). */
  __asm__("kmovw %1, %0" : "=k"(m) : "m"(*b));
  return m;
}
static inline dw_m dwm_first(size_t n) {
  return n >= DW_VW ? (dw_m)0xffff : (dw_m)((1u << n) - 1u);
}

/* Lanes of the input vector x (channels kin ..) for the output channels whose
 * input channels are ic[0 .. VW) (absolute), kin = ic[0]. */
static inline dw_vi dwv_perm_index(const int32_t *ic, int32_t kin) {
  return _mm512_sub_epi32(_mm512_loadu_si512(ic), _mm512_set1_epi32(kin));
}
static inline dw_v dwv_permute(dw_v x, dw_vi idx) {
  return _mm512_permutexvar_ps(idx, x);
}

/* Even / odd lanes of the 2*VW floats a:b. */
static inline dw_v dwv_even(dw_v a, dw_v b) {
  const __m512i idx = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                        22, 24, 26, 28, 30);
  return _mm512_permutex2var_ps(a, idx, b);
}
static inline dw_v dwv_odd(dw_v a, dw_v b) {
  const __m512i idx = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21,
                                        23, 25, 27, 29, 31);
  return _mm512_permutex2var_ps(a, idx, b);
}

/* The first n (< 8) floats of a ymm vector: masked load / store. */
static inline __m256 dw8_loadn(const float *p, size_t n) {
  return _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1u), p);
}
static inline void dw8_storen(float *p, __m256 v, size_t n) {
  _mm256_mask_storeu_ps(p, (__mmask8)((1u << n) - 1u), v);
}

#include "avx2/dwconv_tiles_x86.h"

#endif
