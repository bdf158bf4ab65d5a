/*
 * The AVX-512 vector helpers, the one header every AVX-512 source includes:
 * the activations (bitwise equal to sc_activate_f32(), with SLEEF's
 * deterministic finz functions), the vector API of the igemm templates
 * (src/ukernels/igemm_ukernel.h, igemm_grouped_ukernel.h,
 * gemm_nchw_ukernel.h) and that of the depthwise templates
 * (src/ukernels/dwconv_*_ukernel.h): 16-lane zmm vectors, __mmask16 masks.
 */
#ifndef SIMDCONV_VEC_AVX512_H
#define SIMDCONV_VEC_AVX512_H

#if !defined(__AVX512F__) || !defined(__AVX512BW__) ||                        \
    !defined(__AVX512DQ__) || !defined(__AVX512VL__) || !defined(__FMA__)
#error "vec_avx512.h needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma"
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

/* ---- igemm templates -------------------------------------------------- */

#define SC_VEC __m512
#define SC_VL 16
#define SC_VLOAD(p) _mm512_loadu_ps(p)
#define SC_VBCAST(p) _mm512_set1_ps(*(p))
#define SC_VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SC_VSTORE(p, v) _mm512_storeu_ps(p, v)
#define SC_VSTORE_N(p, v, n)                                                   \
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << (n)) - 1u), v)
#define SC_VCLAMP(v, lo, hi)                                                   \
  _mm512_min_ps(_mm512_set1_ps(hi), _mm512_max_ps(_mm512_set1_ps(lo), v))
#define SC_VACT(params, v) sc_activate_f32x16(params, v)
#define SC_VZERO() _mm512_setzero_ps()
/* Any lane with the bits of -0.0 (SC_TILE_ANY_NEGZERO). */
#define SC_VNEGZERO_ANY(v)                                                     \
  (_mm512_cmpeq_epi32_mask(_mm512_castps_si512(v),                             \
                           _mm512_set1_epi32(INT32_MIN)) != 0)
#define SC_VPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define SC_VPREFETCH_INPUT(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)
#define SC_VLOAD_N(p, n)                                                       \
  _mm512_maskz_loadu_ps((n) >= 16 ? (__mmask16)0xffff                          \
                                  : (__mmask16)((1u << (n)) - 1u),             \
                        p)

/* For the grouped micro-kernel. */
#define SC_VIDX __m512i
#define SC_VIDX_LOAD(p) _mm512_loadu_si512(p)
#define SC_VPERM(idx, v) _mm512_permutexvar_ps(idx, v)
#define SC_VBCAST_G(p, G) sc_bcast_g_f32x16(p, G)

/* The g floats at p repeated over the vector, g = 1, 2, 4 or 8 (a constant
 * after inlining): one broadcast load each (vbroadcastss, vpbroadcastq,
 * vbroadcastf32x4, vbroadcastf64x4), no shuffle on the FMA ports. The pair
 * is broadcast as an integer: on Zen 4 vbroadcastsd zmm, m64 also takes an
 * FP pipe, and a tile of 16 of them beside 16 FMAs ran at 73% of peak,
 * 95% with vpbroadcastq (L1-resident microbenchmark; the f32x4 / f64x4
 * forms measured the same as their integer twins, about 74%). */
static inline __attribute__((always_inline)) __m512
sc_bcast_g_f32x16(const float *p, size_t g) {
  switch (g) {
  case 1:
    return _mm512_set1_ps(*p);
  case 2: {
    int64_t q;
    memcpy(&q, p, sizeof q);
    return _mm512_castsi512_ps(_mm512_set1_epi64(q));
  }
  case 4:
    return _mm512_broadcast_f32x4(_mm_loadu_ps(p));
  default:
    return _mm512_castpd_ps(
        _mm512_broadcast_f64x4(_mm256_castps_pd(_mm256_loadu_ps(p))));
  }
}

/* For the grouped shuffle tile (igemm_grouped_ukernel.h, SC_UK_SHUFFLE):
 * element k (a constant after inlining) of each 128-bit quad over the
 * quad's lanes. vpermilps with an immediate: on Zen 4 one per FMA leaves
 * the FMAs at full rate (L1-resident microbenchmark, 12 of each per step
 * of a 6x32 tile: 99% of peak; with vpermps, cross-lane, 75%). */
#define SC_VLANE_DUP(v, k) sc_lane_dup_f32x16(v, k)

static inline __attribute__((always_inline)) __m512
sc_lane_dup_f32x16(__m512 v, size_t k) {
  switch (k) {
  case 0:
    return _mm512_permute_ps(v, 0x00);
  case 1:
    return _mm512_permute_ps(v, 0x55);
  case 2:
    return _mm512_permute_ps(v, 0xAA);
  default:
    return _mm512_permute_ps(v, 0xFF);
  }
}

/* ---- depthwise templates ---------------------------------------------- */

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
/* The inverse: a0 b0 a1 b1 ... of a and b, its first (lo) and second (hi)
 * VW floats. */
static inline dw_v dwv_zip_lo(dw_v a, dw_v b) {
  const __m512i idx = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5,
                                        21, 6, 22, 7, 23);
  return _mm512_permutex2var_ps(a, idx, b);
}
static inline dw_v dwv_zip_hi(dw_v a, dw_v b) {
  const __m512i idx = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28,
                                        13, 29, 14, 30, 15, 31);
  return _mm512_permutex2var_ps(a, idx, b);
}

/* The first n (< 8) floats of a ymm vector: masked load / store. */
static inline __m256 dw8_loadn(const float *p, size_t n) {
  return _mm256_maskz_loadu_ps((__mmask8)((1u << n) - 1u), p);
}
static inline void dw8_storen(float *p, __m256 v, size_t n) {
  _mm256_mask_storeu_ps(p, (__mmask8)((1u << n) - 1u), v);
}

/* The depthwise NCHW tile path's transposes (after DW_VW, dw8_loadn). */
#include "avx2/dwconv_tiles_x86.h"

/* ---- int8 ------------------------------------------------------------- */

/* sc_q8_requantize() on 16 sums, the bias included: the same operations
 * in the same order; the conversion rounds to nearest even explicitly. */
static inline __m512i sc_q8_requant_sum_x16(__m512i s, const float *mult,
                                            const sc_q8_out *o) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(s), _mm512_loadu_ps(mult));
  v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(o->vlo)),
                    _mm512_set1_ps(o->vhi));
  const __m512i r =
      _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  return _mm512_add_epi32(r, _mm512_set1_epi32(o->zp));
}

/* The same with the bias added first. */
static inline __m512i sc_q8_requant_x16(__m512i acc, const int32_t *bias,
                                        const float *mult,
                                        const sc_q8_out *o) {
  return sc_q8_requant_sum_x16(_mm512_add_epi32(acc, _mm512_loadu_si512(bias)),
                               mult, o);
}

/* The low byte of each of 16 int32 lanes (in range: the u8 or s8 value).
 * memcpy, not a vector store: GCC then sees the tile buffer written. */
static inline void sc_q8_store_x16(uint8_t *dst, __m512i y) {
  const __m128i b = _mm512_cvtepi32_epi8(y);
  memcpy(dst, &b, sizeof b);
}

/* rne((float)s * m) of 16 sums (bias included), |v| first limited to 2^30
 * with its sign (VRANGEPS, minimum magnitude): the conversion cannot
 * overflow, and whatever was larger saturates below as it would have.
 * imm8 0x2: bits 1:0 = 10, the operand of smaller magnitude; bits 3:2 =
 * 00, the sign of the first operand (v). (01 there takes the sign of the
 * operand chosen: +2^30 for every v below -2^30, which saturated large
 * negative sums to the top of the output range: q8::huge_sums.) */
static inline __m512i sc_q8_round_x16(__m512i s, const float *mult) {
  const __m512 v =
      _mm512_mul_ps(_mm512_cvtepi32_ps(s), _mm512_loadu_ps(mult));
  return _mm512_cvt_roundps_epi32(
      _mm512_range_ps(v, _mm512_set1_ps(0x1p30f), 0x2),
      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/* sc_q8_requantize() on 4 (or 2: r2, r3 = r0, r1) vectors of rounded sums
 * (sc_q8_round_x16), through saturating packs (src/q8.h): + zp8 and int16
 * saturation (VPACKSSDW, VPADDSW), int8 saturation (VPACKSSWB), the clamp
 * in the int8 domain, the u8 flip; then the 16-byte pieces in order
 * (VPACKS* interleave them by 128-bit lane): 64 bytes (32 for 2). Two
 * vectors cost 7 operations where sc_q8_requant_x16 and a VPMOVDB take
 * 12, the port-5 shuffles of VPMOVDB above all. */
static inline __m512i sc_q8_pack_lanes_x64(__m512i r0, __m512i r1,
                                           __m512i r2, __m512i r3,
                                           const sc_q8_out *o);

static inline __m512i sc_q8_pack_x64(__m512i r0, __m512i r1, __m512i r2,
                                     __m512i r3, const sc_q8_out *o) {
  return _mm512_permutexvar_epi32(
      _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15),
      sc_q8_pack_lanes_x64(r0, r1, r2, r3, o));
}

/* sc_q8_pack_x64 without the final permutation: 128-bit lane l holds
 * lane l of r0, r1, r2, r3 (4 bytes each), in that order. */
static inline __m512i sc_q8_pack_lanes_x64(__m512i r0, __m512i r1,
                                           __m512i r2, __m512i r3,
                                           const sc_q8_out *o) {
  const __m512i zp = _mm512_set1_epi16((int16_t)o->zp8);
  const __m512i a = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), zp);
  const __m512i b = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), zp);
  __m512i y = _mm512_packs_epi16(a, b);
  y = _mm512_min_epi8(_mm512_max_epi8(y, _mm512_set1_epi8((int8_t)o->lo8)),
                      _mm512_set1_epi8((int8_t)o->hi8));
  return _mm512_xor_si512(y, _mm512_set1_epi8((char)o->flip));
}

/* Requantizes and stores a tile row of nv vectors of sums (bias included;
 * nv a constant: 1, 2, 3 or a multiple of 4) as 16 * nv bytes at dst. */
static inline __attribute__((always_inline)) void
sc_q8_out_row_x16(const __m512i *s, size_t nv, const float *mult,
                  const sc_q8_out *o, uint8_t *dst) {
  if (nv == 1) {
    sc_q8_store_x16(dst, sc_q8_requant_sum_x16(s[0], mult, o));
    return;
  }
  if (nv == 2) {
    const __m512i r0 = sc_q8_round_x16(s[0], mult);
    const __m512i r1 = sc_q8_round_x16(s[1], mult + 16);
    const __m256i y =
        _mm512_castsi512_si256(sc_q8_pack_x64(r0, r1, r0, r1, o));
    memcpy(dst, &y, sizeof y);
    return;
  }
  if (nv == 3) {
    const __m512i r0 = sc_q8_round_x16(s[0], mult);
    const __m512i r1 = sc_q8_round_x16(s[1], mult + 16);
    const __m512i r2 = sc_q8_round_x16(s[2], mult + 32);
    const __m512i y = sc_q8_pack_x64(r0, r1, r2, r2, o);
    memcpy(dst, &y, 48);
    return;
  }
  for (size_t j = 0; j + 4 <= nv; j += 4) {
    __m512i r[4];
    for (size_t i = 0; i < 4; i++)
      r[i] = sc_q8_round_x16(s[j + i], mult + 16 * (j + i));
    const __m512i y = sc_q8_pack_x64(r[0], r[1], r[2], r[3], o);
    memcpy(dst + 16 * j, &y, sizeof y);
  }
}


/* The q8 depthwise template's API (src/ukernels/q8_dwconv_ukernel.h): 16
 * input bytes widened to int32 by their type, VPMADDWD by the packed
 * weights' (w, 0) int16 pairs: x * w exactly (the high halves multiply 0). */
static inline __m512i sc_q8d_xload_x16(const uint8_t *px, bool s8) {
  const __m128i b = _mm_loadu_si128((const __m128i *)(const void *)px);
  return s8 ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
}

static inline __m512i sc_q8d_macx_x16(__m512i acc, __m512i x, __m512i w) {
#ifdef SC_AVX512_VNNI
  /* VPDPWSSD: the same pair products and add in one instruction. */
  return _mm512_dpwssd_epi32(acc, x, w);
#else
  return _mm512_add_epi32(acc, _mm512_madd_epi16(x, w));
#endif
}

#define SC_Q8D_VW 16
#define SC_Q8D_ACC __m512i
#define SC_Q8D_WINDOW_P 8
#define SC_Q8D_WT int32_t
#define SC_Q8D_X __m512i
#define SC_Q8D_W __m512i
#define SC_Q8D_ZERO() _mm512_setzero_si512()
#define SC_Q8D_XLOAD(px, s8) sc_q8d_xload_x16(px, s8)
#define SC_Q8D_WLOAD(w) _mm512_loadu_si512(w)
#define SC_Q8D_MACX(acc, x, w) sc_q8d_macx_x16(acc, x, w)
#define SC_Q8D_OUT(acc, bias, mult, out, dst)                                  \
  sc_q8_store_x16(dst, sc_q8_requant_x16(acc, bias, mult, out))

/* The last n < 16 channels through byte masks: nothing past them read or
 * written (a copy per tap through a buffer ran 30x slower: depthwise
 * layers of 8 or 12 channels). */
static inline __m512i sc_q8d_xload_n_x16(const uint8_t *px, size_t n,
                                         bool s8) {
  const __m128i b = _mm_maskz_loadu_epi8((__mmask16)((1u << n) - 1u), px);
  return s8 ? _mm512_cvtepi8_epi32(b) : _mm512_cvtepu8_epi32(b);
}
#define SC_Q8D_XLOAD_N(px, n, s8) sc_q8d_xload_n_x16(px, n, s8)
#define SC_Q8D_OUT_N(acc, bias, mult, out, dst, n)                             \
  _mm_mask_storeu_epi8(dst, (__mmask16)((1u << (n)) - 1u),                     \
                       _mm512_cvtepi32_epi8(sc_q8_requant_x16(acc, bias, mult, \
                                                              out)))

#ifdef SC_AVX512_VNNI
/* The q8 igemm template's API with VPDPBUSD (src/avx512/target_vnni.h):
 * unsigned input bytes times signed weights, 4 channels of 16 outputs per
 * instruction, summed into int32 exactly (4 * 255 * 128 per step). Int8
 * inputs get their top bit flipped (x + 128, unsigned); the packed bias
 * compensates (sc_q8_zp_operand). */
#define SC_Q8_XT uint8_t
#define SC_Q8_KR 4
#define SC_Q8_VACC __m512i
#define SC_Q8_AV 1
#define SC_Q8_WOUT 16
#define SC_Q8_WT int8_t
#define SC_Q8_VW __m512i
#define SC_Q8_VX __m512i
#define SC_Q8_ZERO() _mm512_setzero_si512()
#define SC_Q8_WLOAD(p) _mm512_loadu_si512(p)
#define SC_Q8_WPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define SC_Q8_XLOAD(p, s8)                                                     \
  ((s8) ? _mm512_xor_si512(_mm512_set1_epi32(sc_q8_load4(p)),                 \
                           _mm512_set1_epi32((int32_t)0x80808080u))           \
        : _mm512_set1_epi32(sc_q8_load4(p)))
#define SC_Q8_DOT(acc, x, w) ((acc)[0] = _mm512_dpbusd_epi32((acc)[0], x, w))
/* Sums start at the packed bias; rows are requantized whole. */
#define SC_Q8_BLOAD(p) _mm512_loadu_si512(p)
#define SC_Q8_OUT_ROW(acc, nv, mult, out, dst)                                 \
  sc_q8_out_row_x16(acc, nv, mult, out, dst)
#define SC_Q8_OUT(acc, bias, mult, out, dst)                                   \
  sc_q8_store_x16(dst, sc_q8_requant_x16((acc)[0], bias, mult, out))

/* The grouped template's (src/ukernels/q8_igemm_grouped_ukernel.h): one
 * byte-masked load of a pixel's groups (masked bytes are neither read nor
 * fault), VPERMD into the lanes. */
#define SC_Q8G_MASK __mmask64
#define SC_Q8G_MASK_GET(m) _cvtu64_mask64(m)
#define SC_Q8G_VIDX __m512i
#define SC_Q8G_IDXLOAD(p) _mm512_load_si512(p)
#define SC_Q8G_XLOAD(p, m, s8)                                                 \
  ((s8) ? _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, p),                      \
                           _mm512_set1_epi32((int32_t)0x80808080u))           \
        : _mm512_maskz_loadu_epi8(m, p))
#define SC_Q8G_PERM(idx, x) _mm512_permutexvar_epi32(idx, x)

/* The q8 depthwise quad template's API (src/ukernels/
 * q8_dwconv_quad_ukernel.h) with VPDPBUSD: a block of 64 channels is 4
 * vectors of 16 lanes; a lane holds one channel's bytes of 4 kernel rows.
 * VPUNPCK{L,H}BW, then {L,H}WD, interleave the 4 rows' 64 bytes within
 * each 128-bit lane, so vector j, lane l, dword t holds channel 16 l + 4 j
 * + t; VPACKSSDW / VPACKSSWB of the 4 vectors' results restore the channel
 * order (sc_q8_pack_lanes_x64) without a permutation. */
static inline __m512i sc_q8q_load_x64(const uint8_t *px, __mmask64 m,
                                      bool s8) {
  const __m512i v = _mm512_maskz_loadu_epi8(m, px);
  return s8 ? _mm512_xor_si512(v, _mm512_set1_epi8((char)0x80)) : v;
}

static inline void sc_q8q_quad_x64(__m512i a, __m512i b, __m512i c,
                                   __m512i d, __m512i x[4]) {
  const __m512i ab_lo = _mm512_unpacklo_epi8(a, b);
  const __m512i ab_hi = _mm512_unpackhi_epi8(a, b);
  const __m512i cd_lo = _mm512_unpacklo_epi8(c, d);
  const __m512i cd_hi = _mm512_unpackhi_epi8(c, d);
  x[0] = _mm512_unpacklo_epi16(ab_lo, cd_lo);
  x[1] = _mm512_unpackhi_epi16(ab_lo, cd_lo);
  x[2] = _mm512_unpacklo_epi16(ab_hi, cd_hi);
  x[3] = _mm512_unpackhi_epi16(ab_hi, cd_hi);
}

static inline void sc_q8q_out_x64(const __m512i acc[4], const float *mult,
                                  const sc_q8_out *o, uint8_t *dst,
                                  __mmask64 m) {
  __m512i r[4];
  for (size_t j = 0; j < 4; j++)
    r[j] = sc_q8_round_x16(acc[j], mult + 16 * j);
  _mm512_mask_storeu_epi8(dst, m,
                          sc_q8_pack_lanes_x64(r[0], r[1], r[2], r[3], o));
}

#define SC_Q8Q_N 64
#define SC_Q8Q_V __m512i
#define SC_Q8Q_M __mmask64
#define SC_Q8Q_MASK(n)                                                         \
  _cvtu64_mask64((n) >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (n)) - 1)
#define SC_Q8Q_ZERO() _mm512_setzero_si512()
#define SC_Q8Q_LOAD(px, m, s8) sc_q8q_load_x64(px, m, s8)
#define SC_Q8Q_QUAD(a, b, c, d, x) sc_q8q_quad_x64(a, b, c, d, x)
#define SC_Q8Q_DOT(acc, x, w)                                                  \
  _mm512_dpbusd_epi32(acc, x, _mm512_loadu_si512(w))
#define SC_Q8Q_BLOAD(p) _mm512_loadu_si512(p)
#define SC_Q8Q_OUT(acc, mult, out, dst, m) sc_q8q_out_x64(acc, mult, out, dst, m)
#define SC_Q8Q_WINDOW_P 4
/* 16 channels or fewer: the 16-lane VPDPWSSD kernel (q8_dwconv_vnni),
 * which idles no lane, does fewer operations than a quarter block. */
#define SC_Q8Q_MIN_K 17
#define SC_Q8Q_CHANNEL(i) ((i) % 16 / 4 * 16 + (i) / 16 * 4 + (i) % 4)
#endif

#endif
