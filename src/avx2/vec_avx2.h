/*
 * The AVX2 + FMA vector helpers, the one header every AVX2 source includes:
 * the activations (bitwise equal to sc_activate_f32(), with SLEEF's
 * deterministic finz functions), the vector API of the igemm templates
 * (src/ukernels/igemm_ukernel.h, igemm_grouped_ukernel.h,
 * gemm_nchw_ukernel.h) and that of the depthwise templates
 * (src/ukernels/dwconv_*_ukernel.h): 8-lane ymm vectors, lane masks.
 */
#ifndef SIMDCONV_VEC_AVX2_H
#define SIMDCONV_VEC_AVX2_H

#if !defined(__AVX2__) || !defined(__FMA__)
#error "vec_avx2.h needs -mavx2 -mfma"
#endif

#include <immintrin.h>
#include <sleef.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "activation.h"
#include "avx2/x86_transpose.h"
#include "dwconv.h"
#include "igemm.h"
#include "q8.h"

/* ---- activations ------------------------------------------------------ */

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

/* ---- igemm templates -------------------------------------------------- */

#define SC_VEC __m256
#define SC_VL 8
#define SC_VLOAD(p) _mm256_loadu_ps(p)
#define SC_VBCAST(p) _mm256_broadcast_ss(p)
#define SC_VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SC_VSTORE(p, v) _mm256_storeu_ps(p, v)
#define SC_VSTORE_N(p, v, n) sc_store_n_f32x8(p, v, n)
#define SC_VCLAMP(v, lo, hi)                                                   \
  _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v))
#define SC_VACT(params, v) sc_activate_f32x8(params, v)
#define SC_VZERO() _mm256_setzero_ps()
/* Any lane with the bits of -0.0 (SC_TILE_ANY_NEGZERO). */
#define SC_VNEGZERO_ANY(v)                                                     \
  (_mm256_movemask_epi8(_mm256_cmpeq_epi32(                                    \
       _mm256_castps_si256(v), _mm256_set1_epi32(INT32_MIN))) != 0)
#define SC_VPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define SC_VPREFETCH_INPUT(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)
#define SC_VLOAD_N(p, n)                                                       \
  _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)),        \
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, \
                                                             6, 7)))

/* For the grouped micro-kernel. */
#define SC_VIDX __m256i
#define SC_VIDX_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define SC_VPERM(idx, v) _mm256_permutevar8x32_ps(v, idx)
#define SC_VBCAST_G(p, G) sc_bcast_g_f32x8(p, G)

/* The g floats at p repeated over the vector, g = 1, 2 or 4 (a constant
 * after inlining): one broadcast load each (vbroadcastss, vbroadcastsd,
 * vbroadcasti128), no shuffle. */
static inline __attribute__((always_inline)) __m256
sc_bcast_g_f32x8(const float *p, size_t g) {
  switch (g) {
  case 1:
    return _mm256_broadcast_ss(p);
  case 2: {
    double d;
    memcpy(&d, p, sizeof d);
    return _mm256_castpd_ps(_mm256_set1_pd(d));
  }
  default: /* vbroadcasti128: on Zen 4 a tile of 12 vbroadcastf128 beside
              * 12 FMAs ran at 41% of peak, vbroadcasti128 at 61%
              * (microbenchmark; odd/grouped3x3_cg2_56 measured 1.00) */
    return _mm256_castsi256_ps(_mm256_broadcastsi128_si256(
        _mm_loadu_si128((const __m128i *)(const void *)p)));
  }
}

/* ---- depthwise templates ---------------------------------------------- */

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
/* The inverse: a0 b0 a1 b1 ... of a and b, its first (lo) and second (hi)
 * VW floats. */
static inline dw_v dwv_zip_lo(dw_v a, dw_v b) {
  return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b),
                                _mm256_unpackhi_ps(a, b), 0x20);
}
static inline dw_v dwv_zip_hi(dw_v a, dw_v b) {
  return _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b),
                                _mm256_unpackhi_ps(a, b), 0x31);
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

/* The depthwise NCHW tile path's transposes (after DW_VW, dw8_loadn). */
#include "avx2/dwconv_tiles_x86.h"

/* ---- int8 ------------------------------------------------------------- */

/* sc_q8_requantize() on 8 sums (bias added first): the same operations in
 * the same order; the rounding to nearest even is explicit (ROUNDPS), the
 * conversion of the integral result exact. */
static inline __m256i sc_q8_requant_x8(__m256i acc, const int32_t *bias,
                                       const float *mult,
                                       const sc_q8_out *o) {
  const __m256i s =
      _mm256_add_epi32(acc, _mm256_loadu_si256((const __m256i *)(const void *)bias));
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_loadu_ps(mult));
  v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(o->vlo)),
                    _mm256_set1_ps(o->vhi));
  const __m256i r = _mm256_cvttps_epi32(
      _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  return _mm256_add_epi32(r, _mm256_set1_epi32(o->zp));
}

/* The low byte of each of 8 int32 lanes in [-128, 255] (the u8 or s8
 * value): packed to int16 exactly, then the even bytes. */
static inline void sc_q8_store_x8(uint8_t *dst, __m256i y) {
  const __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(y),
                                    _mm256_extracti128_si256(y, 1));
  const __m128i b = _mm_shuffle_epi8(
      w, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, -1, -1, -1, -1, -1, -1, -1,
                       -1));
  const int64_t v = _mm_cvtsi128_si64(b);
  memcpy(dst, &v, 8);
}

/* acc + p into acc's own register. Written with intrinsics, GCC 12 gives
 * the (non-destructive) VPADDD a new register and copies it back to the
 * accumulator's every iteration (one VMOVDQA per accumulator per step, and
 * spills at 4x16); the tied operand keeps the sum in place. */
static inline __m256i sc_q8_acc_add(__m256i acc, __m256i p) {
  __asm__("vpaddd %1, %0, %0" : "+x"(acc) : "x"(p));
  return acc;
}

/* The q8 depthwise template's API (src/ukernels/q8_dwconv_ukernel.h): 8
 * input bytes widened to int32 by their type, VPMADDWD by the packed
 * weights' (w, 0) int16 pairs: x * w exactly (the high halves multiply 0). */
static inline __m256i sc_q8d_xload_x8(const uint8_t *px, bool s8) {
  const __m128i b = _mm_loadl_epi64((const __m128i *)(const void *)px);
  return s8 ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);
}

#define SC_Q8D_VW 8
#define SC_Q8D_ACC __m256i
#define SC_Q8D_WINDOW_P 4
#define SC_Q8D_WT int32_t
#define SC_Q8D_X __m256i
#define SC_Q8D_W __m256i
#define SC_Q8D_ZERO() _mm256_setzero_si256()
#define SC_Q8D_XLOAD(px, s8) sc_q8d_xload_x8(px, s8)
#define SC_Q8D_WLOAD(w) _mm256_loadu_si256((const __m256i *)(const void *)(w))
#define SC_Q8D_MACX(acc, x, w) sc_q8_acc_add(acc, _mm256_madd_epi16(x, w))
#define SC_Q8D_OUT(acc, bias, mult, out, dst)                                  \
  sc_q8_store_x8(dst, sc_q8_requant_x8(acc, bias, mult, out))

/* The q8 igemm template's API with VPMADDWD, exact where VPMADDUBSW would
 * saturate: the driver's copy has widened the input to int16 values, so a
 * pair of channels is one 32-bit broadcast from memory (no shuffle), the
 * packed weights are int16 pairs of 8 outputs, and each VPMADDWD sums the
 * pair into the 8 outputs' int32 sums (at most 2 * 255 * 128). */

#define SC_Q8_XT int16_t
#define SC_Q8_KR 2
#define SC_Q8_VACC __m256i
#define SC_Q8_AV 1
#define SC_Q8_WOUT 8
#define SC_Q8_WT int16_t
#define SC_Q8_VW __m256i
#define SC_Q8_VX __m256i
#define SC_Q8_ZERO() _mm256_setzero_si256()
#define SC_Q8_WLOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define SC_Q8_WPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define SC_Q8_XLOAD(p, s8)                                                     \
  _mm256_set1_epi32(sc_q8_load4((const uint8_t *)(const void *)(p)))
#define SC_Q8_DOT(acc, x, w)                                                   \
  ((acc)[0] = sc_q8_acc_add((acc)[0], _mm256_madd_epi16(x, w)))
#define SC_Q8_OUT(acc, bias, mult, out, dst)                                   \
  sc_q8_store_x8(dst, sc_q8_requant_x8((acc)[0], bias, mult, out))


#endif
