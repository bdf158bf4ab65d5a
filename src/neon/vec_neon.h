/*
 * The AArch64 Advanced SIMD vector helpers, the one header every NEON source
 * includes: the activations (bitwise equal to sc_activate_f32(), with
 * SLEEF's deterministic finz advsimd functions; the scalar SLEEF functions
 * on AArch64 are the finz purecfma ones, FMA being part of AArch64), the
 * transpose of the igemm driver's NCHW <-> NHWC conversions, and the vector
 * API of the depthwise templates (src/ukernels/dwconv_*_ukernel.h): 4-lane
 * q vectors, masks as 4-bit lane masks. NEON has no masked loads: partial
 * vectors are read lane by lane, so nothing outside the mask is touched.
 * AArch64 has 32 q registers, as AVX-512 has 32 zmm ones: the register
 * budgets of the AVX-512 instances apply. vfmaq_f32 is fused, rounded once
 * as fmaf(). Advanced SIMD is baseline on AArch64 (no flags).
 */
#ifndef SIMDCONV_VEC_NEON_H
#define SIMDCONV_VEC_NEON_H

#if !defined(__aarch64__) || !defined(__ARM_NEON)
#error "vec_neon.h needs AArch64 Advanced SIMD"
#endif

#include <arm_neon.h>
#include <sleef.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "activation.h"
#include "dwconv.h"
#include "igemm.h"
#include "q8.h"

/* ---- activations ------------------------------------------------------ */

/* -|s| by setting the sign bit, as -fabsf(s) does (NaN payloads kept). */
static inline float32x4_t sc_neg_abs_f32x4(float32x4_t s) {
  return vreinterpretq_f32_u32(
      vorrq_u32(vreinterpretq_u32_f32(s), vdupq_n_u32(0x80000000u)));
}

static inline float32x4_t sc_sigmoid_f32x4(float32x4_t s) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = Sleef_finz_expf4_u10advsimd(sc_neg_abs_f32x4(s));
  /* s >= 0 ? 1 : e, with NaN taking e like the scalar comparison (FCMGE is
   * false for NaN). */
  const uint32x4_t nonneg = vcgezq_f32(s);
  const float32x4_t num = vbslq_f32(nonneg, one, e);
  return vdivq_f32(num, vaddq_f32(one, e));
}

/* lo > s ? lo : s, then hi < t ? hi : t: exactly the scalar expressions (and
 * x86 maxps/minps). Not FMAX/FMIN, which differ for signed zeros. */
static inline float32x4_t sc_clamp_f32x4(float32x4_t s, float lo, float hi) {
  const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);
  const float32x4_t t = vbslq_f32(vcgtq_f32(vlo, s), vlo, s);
  return vbslq_f32(vcltq_f32(vhi, t), vhi, t);
}

static inline float32x4_t sc_activate_f32x4(const sc_act_params *a,
                                            float32x4_t s) {
  switch (a->activation) {
  case SIMDCONV_ACT_NONE:
    return s;
  case SIMDCONV_ACT_CLAMP:
    return sc_clamp_f32x4(s, a->lo, a->hi);
  case SIMDCONV_ACT_SIGMOID:
    return sc_sigmoid_f32x4(s);
  case SIMDCONV_ACT_TANH:
    return Sleef_finz_tanhf4_u10advsimd(s);
  case SIMDCONV_ACT_SILU:
    return vmulq_f32(s, sc_sigmoid_f32x4(s));
  case SIMDCONV_ACT_GELU_ERF:
    return vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), s),
                     Sleef_finz_erfcf4_u15advsimd(
                         vmulq_f32(s, vdupq_n_f32(SC_GELU_NEG_RSQRT2))));
  case SIMDCONV_ACT_GELU_TANH: {
    const float32x4_t s3 = vmulq_f32(vmulq_f32(s, s), s);
    /* fmaf(A, s3, s): vfmaq_f32(addend, a, b) = addend + a*b, one rounding. */
    const float32x4_t z =
        vmulq_f32(vdupq_n_f32(SC_GELU_TANH_K),
                  vfmaq_f32(s, vdupq_n_f32(SC_GELU_TANH_A), s3));
    return vmulq_f32(s, sc_sigmoid_f32x4(z));
  }
  }
  return s;
}

/* ---- transpose -------------------------------------------------------- */

/* dst[j * dst_stride + i] = src[i * src_stride + j], rows x cols. */
static inline void sc_transpose_neon(size_t rows, size_t cols, const float *src,
                              size_t src_stride, float *dst,
                              size_t dst_stride) {
  size_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const float *s0 = src + i * src_stride;
    const float *s1 = s0 + src_stride, *s2 = s1 + src_stride,
                *s3 = s2 + src_stride;
    size_t j = 0;
    for (; j + 4 <= cols; j += 4) {
      const float32x4_t r0 = vld1q_f32(s0 + j), r1 = vld1q_f32(s1 + j);
      const float32x4_t r2 = vld1q_f32(s2 + j), r3 = vld1q_f32(s3 + j);
      /* t0 = a0 b0 a2 b2, t1 = a1 b1 a3 b3, t2 = c0 d0 c2 d2, t3 = c1 d1 c3 d3 */
      const float32x4_t t0 = vtrn1q_f32(r0, r1), t1 = vtrn2q_f32(r0, r1);
      const float32x4_t t2 = vtrn1q_f32(r2, r3), t3 = vtrn2q_f32(r2, r3);
      float *d = dst + j * dst_stride + i;
      vst1q_f32(d, vreinterpretq_f32_f64(vtrn1q_f64(
                       vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2))));
      vst1q_f32(d + dst_stride,
                vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(t1),
                                                 vreinterpretq_f64_f32(t3))));
      vst1q_f32(d + 2 * dst_stride,
                vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(t0),
                                                 vreinterpretq_f64_f32(t2))));
      vst1q_f32(d + 3 * dst_stride,
                vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(t1),
                                                 vreinterpretq_f64_f32(t3))));
    }
    for (; j < cols; j++) {
      float *d = dst + j * dst_stride + i;
      d[0] = s0[j];
      d[1] = s1[j];
      d[2] = s2[j];
      d[3] = s3[j];
    }
  }
  for (; i < rows; i++)
    for (size_t j = 0; j < cols; j++)
      dst[j * dst_stride + i] = src[i * src_stride + j];
}

/* ---- depthwise templates ---------------------------------------------- */

#define DW_VW 4
#define DW_ISA_NAME(x) x##__neon
typedef float32x4_t dw_v;
typedef uint8x16_t dw_vi; /* byte indices for TBL */
typedef unsigned dw_m;    /* bit i: lane i */

#define DW_M_ALL 0xfu

static inline dw_v dwv_zero(void) { return vdupq_n_f32(0.0f); }
static inline dw_v dwv_set1(float f) { return vdupq_n_f32(f); }
static inline dw_v dwv_load(const float *p) { return vld1q_f32(p); }
/* Masked-off lanes read 0 and are never accessed. */
static inline dw_v dwv_loadm(const float *p, dw_m m) {
  if (m == DW_M_ALL)
    return vld1q_f32(p);
  dw_v v = vdupq_n_f32(0.0f);
  if (m & 1u)
    v = vld1q_lane_f32(p, v, 0);
  if (m & 2u)
    v = vld1q_lane_f32(p + 1, v, 1);
  if (m & 4u)
    v = vld1q_lane_f32(p + 2, v, 2);
  if (m & 8u)
    v = vld1q_lane_f32(p + 3, v, 3);
  return v;
}
static inline void dwv_store(float *p, dw_v v) { vst1q_f32(p, v); }
static inline void dwv_storem(float *p, dw_v v, dw_m m) {
  if (m == DW_M_ALL) {
    vst1q_f32(p, v);
    return;
  }
  if (m & 1u)
    vst1q_lane_f32(p, v, 0);
  if (m & 2u)
    vst1q_lane_f32(p + 1, v, 1);
  if (m & 4u)
    vst1q_lane_f32(p + 2, v, 2);
  if (m & 8u)
    vst1q_lane_f32(p + 3, v, 3);
}
static inline dw_v dwv_add(dw_v a, dw_v b) { return vaddq_f32(a, b); }
/* a * b + c with one rounding, as fmaf(a, b, c). */
static inline dw_v dwv_fma(dw_v a, dw_v b, dw_v c) {
  return vfmaq_f32(c, a, b);
}
/* AArch64 FMLA takes no memory operand, so a load is never folded into it:
 * nothing to hide (x86 hides the register with an empty asm). */
static inline dw_v dwv_opaque(dw_v x) { return x; }
static inline dw_v dwv_clamp(dw_v v, float lo, float hi) {
  return sc_clamp_f32x4(v, lo, hi);
}
static inline dw_v dwv_act(const sc_act_params *a, dw_v v) {
  return sc_activate_f32x4(a, v);
}

/* Lanes i with lo <= i < hi. */
static inline dw_m dwm_range(ptrdiff_t lo, ptrdiff_t hi) {
  if (lo < 0)
    lo = 0;
  if (hi > DW_VW)
    hi = DW_VW;
  if (hi <= lo)
    return 0;
  return ((1u << hi) - 1u) & ~((1u << lo) - 1u);
}
/* The lanes whose bits are set in *b. */
static inline dw_m dwm_load_bits(const uint16_t *b) { return (dw_m)*b; }
static inline dw_m dwm_first(size_t n) {
  return n >= DW_VW ? DW_M_ALL : (1u << n) - 1u;
}

/* Lanes of the input vector x (channels kin ..) for the output channels whose
 * input channels are ic[0 .. VW) (absolute), kin = ic[0]: as TBL byte
 * indices 4 * (ic[l] - kin) + 0..3. */
static inline dw_vi dwv_perm_index(const int32_t *ic, int32_t kin) {
  const uint32x4_t lane = vreinterpretq_u32_s32(
      vshlq_n_s32(vsubq_s32(vld1q_s32(ic), vdupq_n_s32(kin)), 2));
  return vreinterpretq_u8_u32(vaddq_u32(vmulq_n_u32(lane, 0x01010101u),
                                        vdupq_n_u32(0x03020100u)));
}
static inline dw_v dwv_permute(dw_v x, dw_vi idx) {
  return vreinterpretq_f32_u8(vqtbl1q_u8(vreinterpretq_u8_f32(x), idx));
}

/* Even / odd lanes of the 2*VW floats a:b. */
static inline dw_v dwv_even(dw_v a, dw_v b) { return vuzp1q_f32(a, b); }
static inline dw_v dwv_odd(dw_v a, dw_v b) { return vuzp2q_f32(a, b); }
/* The inverse: a0 b0 a1 b1 ... of a and b, its first (lo) and second (hi)
 * VW floats. */
static inline dw_v dwv_zip_lo(dw_v a, dw_v b) { return vzip1q_f32(a, b); }
static inline dw_v dwv_zip_hi(dw_v a, dw_v b) { return vzip2q_f32(a, b); }

/* No tile transposes (DW_HAVE_TILE_TRANSPOSES): the NEON NCHW kernel has no
 * band function (DW_NCHW_BAND) and runs prepared rows throughout. */

/* ---- partial vectors and the NCHW tile store ---------------------------- */

/* Stores the first n lanes (0 < n < 4) of v. */
static inline void sc_store_n_f32x4(float *p, float32x4_t v, size_t n) {
  if (n & 2) {
    vst1_f32(p, vget_low_f32(v));
    if (n & 1)
      vst1q_lane_f32(p + 2, v, 2);
  } else {
    vst1q_lane_f32(p, v, 0);
  }
}

/* Transposes the 4x4 block r0..r3 (rows: pixels, lanes: channels) and
 * stores channel l's pixels 0 .. np-1 (np >= 1, at most 4 used) at
 * c + l * cs for l < nch (at most 4 used). */
static inline void sc_transpose_4x4(float32x4_t r[4]);

static inline void sc_store_4x4_transposed(float32x4_t r0, float32x4_t r1,
                                           float32x4_t r2, float32x4_t r3,
                                           float *c, size_t cs, size_t np,
                                           size_t nch) {
  float32x4_t col[4] = {r0, r1, r2, r3};
  sc_transpose_4x4(col);
  if (nch > 4)
    nch = 4;
  if (np >= 4) {
    for (size_t l = 0; l < nch; l++)
      vst1q_f32(c + l * cs, col[l]);
  } else {
    for (size_t l = 0; l < nch; l++)
      sc_store_n_f32x4(c + l * cs, col[l], np);
  }
}

/* Lanes j < n (0 < n < 4) of p, zeros above; reads nothing at or past
 * p + n. */
static inline float32x4_t sc_load_n_f32x4(const float *p, size_t n) {
  float32x4_t v = vld1q_lane_f32(p, vdupq_n_f32(0.0f), 0);
  if (n > 1)
    v = vld1q_lane_f32(p + 1, v, 1);
  if (n > 2)
    v = vld1q_lane_f32(p + 2, v, 2);
  return v;
}

/* The 4x4 transpose of r0..r3 (rows in, columns out). */
static inline void sc_transpose_4x4(float32x4_t r[4]) {
  const float32x4_t t0 = vtrn1q_f32(r[0], r[1]), t1 = vtrn2q_f32(r[0], r[1]);
  const float32x4_t t2 = vtrn1q_f32(r[2], r[3]), t3 = vtrn2q_f32(r[2], r[3]);
  r[0] = vreinterpretq_f32_f64(
      vtrn1q_f64(vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2)));
  r[1] = vreinterpretq_f32_f64(
      vtrn1q_f64(vreinterpretq_f64_f32(t1), vreinterpretq_f64_f32(t3)));
  r[2] = vreinterpretq_f32_f64(
      vtrn2q_f64(vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2)));
  r[3] = vreinterpretq_f32_f64(
      vtrn2q_f64(vreinterpretq_f64_f32(t1), vreinterpretq_f64_f32(t3)));
}

/* The NCHW residual of a tile: t[i * ldt + j] = c[j * cn + i] for i < mr
 * (<= 8), j < nc (<= ldt, a multiple of 4), and 0 in the other entries of
 * the 8-row buffer t; reads c at those offsets only (as the x86
 * sc_load_tile_transposed). */
static inline void sc_load_tile_transposed(const float *c, size_t cn,
                                           size_t mr, size_t nc, float *t,
                                           size_t ldt) {
  for (size_t i0 = 0; i0 < 8; i0 += 4)
    for (size_t j = 0; j < ldt; j += 4) {
      float32x4_t r[4];
      for (size_t l = 0; l < 4; l++)
        r[l] = i0 < mr && j + l < nc
                   ? (mr - i0 >= 4 ? vld1q_f32(c + (j + l) * cn + i0)
                                   : sc_load_n_f32x4(c + (j + l) * cn + i0,
                                                     mr - i0))
                   : vdupq_n_f32(0.0f);
      sc_transpose_4x4(r);
      for (size_t q = 0; q < 4; q++)
        vst1q_f32(t + (i0 + q) * ldt + j, r[q]);
    }
}

/* ---- the GEMM templates' vector API (src/ukernels/tile_epilogue.h) ------ */

#define SC_VEC float32x4_t
#define SC_VL 4
#define SC_VLOAD(p) vld1q_f32(p)
#define SC_VLOAD_N(p, n) ((n) >= 4 ? vld1q_f32(p) : sc_load_n_f32x4(p, n))
#define SC_VBCAST(p) vld1q_dup_f32(p)
/* a * b + c, one rounding: FMLA. */
#define SC_VFMA(a, b, c) vfmaq_f32(c, a, b)
#define SC_VSTORE(p, v) vst1q_f32(p, v)
#define SC_VSTORE_N(p, v, n) sc_store_n_f32x4(p, v, n)
#define SC_VCLAMP(v, lo, hi) sc_clamp_f32x4(v, lo, hi)
#define SC_VACT(params, v) sc_activate_f32x4(params, v)
#define SC_VZERO() vdupq_n_f32(0.0f)
/* Any lane with the bits of -0.0 (SC_TILE_ANY_NEGZERO). */
#define SC_VNEGZERO_ANY(v)                                                     \
  (vmaxvq_u32(vceqq_u32(vreinterpretq_u32_f32(v),                              \
                        vdupq_n_u32(0x80000000u))) != 0)

/* ---- int8 ------------------------------------------------------------- */

/* sc_q8_requantize() on 4 sums (bias added first): the same operations in
 * the same order; FCVTNS rounds to nearest even whatever FPCR says. FMAX /
 * FMIN equal the scalar comparisons here: v is never NaN nor -0 (an int32
 * times a positive float) and the bounds are integers. */
static inline int32x4_t sc_q8_requant_x4(int32x4_t acc, const int32_t *bias,
                                         const float *mult,
                                         const sc_q8_out *o) {
  const int32x4_t s = vaddq_s32(acc, vld1q_s32(bias));
  float32x4_t v = vmulq_f32(vcvtq_f32_s32(s), vld1q_f32(mult));
  v = vminq_f32(vmaxq_f32(v, vdupq_n_f32(o->vlo)), vdupq_n_f32(o->vhi));
  return vaddq_s32(vcvtnq_s32_f32(v), vdupq_n_s32(o->zp));
}

/* The low byte of each of 4 int32 lanes (the u8 or s8 value). */
static inline void sc_q8_store_x4(uint8_t *dst, int32x4_t y) {
  const int16x4_t h = vmovn_s32(y);
  const int8x8_t b = vmovn_s16(vcombine_s16(h, h));
  const uint32_t v = vget_lane_u32(vreinterpret_u32_s8(b), 0);
  memcpy(dst, &v, sizeof v);
}

/* The 4 input bytes at p, repeated over 16 lanes, as signed operands: int8
 * inputs as they are, uint8 ones with the top bit flipped (x - 128); the
 * packed bias compensates (sc_q8_zp_operand). */
static inline int8x16_t sc_q8_xload_s8x16(const uint8_t *p, bool s8) {
  const int8x16_t x = vreinterpretq_s8_s32(vdupq_n_s32(sc_q8_load4(p)));
  return s8 ? x : veorq_s8(x, vdupq_n_s8(-128));
}

/* The q8 depthwise template's API (src/ukernels/q8_dwconv_ukernel.h): 8
 * input bytes widened to int16 by their type, SMLAL / SMLAL2 by the int16
 * weights into two int32x4 (exact: at most 255 * 128 per product). */
typedef struct sc_q8d_acc_x8 {
  int32x4_t lo, hi;
} sc_q8d_acc_x8;

static inline int16x8_t sc_q8d_xload_x8(const uint8_t *px, bool s8) {
  const uint8x8_t b = vld1_u8(px);
  return s8 ? vmovl_s8(vreinterpret_s8_u8(b))
            : vreinterpretq_s16_u16(vmovl_u8(b));
}

static inline sc_q8d_acc_x8 sc_q8d_macx_x8(sc_q8d_acc_x8 acc, int16x8_t x,
                                           int16x8_t w) {
  acc.lo = vmlal_s16(acc.lo, vget_low_s16(x), vget_low_s16(w));
  acc.hi = vmlal_high_s16(acc.hi, x, w);
  return acc;
}

static inline void sc_q8d_out_x8(sc_q8d_acc_x8 acc, const int32_t *bias,
                                 const float *mult, const sc_q8_out *o,
                                 uint8_t *dst) {
  sc_q8_store_x4(dst, sc_q8_requant_x4(acc.lo, bias, mult, o));
  sc_q8_store_x4(dst + 4, sc_q8_requant_x4(acc.hi, bias + 4, mult + 4, o));
}

#define SC_Q8D_VW 8
#define SC_Q8D_ACC sc_q8d_acc_x8
#define SC_Q8D_WINDOW_P 8
#define SC_Q8D_WT int16_t
#define SC_Q8D_X int16x8_t
#define SC_Q8D_W int16x8_t
#define SC_Q8D_ZERO() ((sc_q8d_acc_x8){vdupq_n_s32(0), vdupq_n_s32(0)})
#define SC_Q8D_XLOAD(px, s8) sc_q8d_xload_x8(px, s8)
#define SC_Q8D_WLOAD(w) vld1q_s16(w)
#define SC_Q8D_MACX(acc, x, w) sc_q8d_macx_x8(acc, x, w)
#define SC_Q8D_OUT(acc, bias, mult, out, dst)                                  \
  sc_q8d_out_x8(acc, bias, mult, out, dst)

#define SC_Q8_XT uint8_t
#define SC_Q8_KR 4
#define SC_Q8_VACC int32x4_t
#define SC_Q8_WOUT 4
#define SC_Q8_WT int8_t
#define SC_Q8_VW int8x16_t
#define SC_Q8_VX int8x16_t
#define SC_Q8_ZERO() vdupq_n_s32(0)
#define SC_Q8_WLOAD(p) vld1q_s8(p)
#define SC_Q8_XLOAD(p, s8) sc_q8_xload_s8x16(p, s8)

#ifdef SC_NEON_DOTPROD
/* SDOT (src/neon/target_dotprod.h): 4 channels of 4 outputs per
 * instruction, summed into int32 exactly. */
#define SC_Q8_AV 1
#define SC_Q8_DOT(acc, x, w) ((acc)[0] = vdotq_s32((acc)[0], w, x))
#define SC_Q8_OUT(acc, bias, mult, out, dst)                                   \
  sc_q8_store_x4(dst, sc_q8_requant_x4((acc)[0], bias, mult, out))
#else
/* Baseline Advanced SIMD: SMULL / SMULL2 (int8 x int8 -> int16, at most
 * 2^14) and SADALP, which adds pairs of products into int32: an output
 * keeps two partial sums (two accumulators per 4 outputs), added pairwise
 * (ADDP) in the epilogue. */
#define SC_Q8_AV 2
#define SC_Q8_DOT(acc, x, w)                                                   \
  ((acc)[0] = vpadalq_s16((acc)[0], vmull_s8(vget_low_s8(x), vget_low_s8(w))), \
   (acc)[1] = vpadalq_s16((acc)[1], vmull_high_s8(x, w)))
#define SC_Q8_OUT(acc, bias, mult, out, dst)                                   \
  sc_q8_store_x4(dst,                                                          \
                 sc_q8_requant_x4(vpaddq_s32((acc)[0], (acc)[1]), bias, mult,  \
                                  out))
#endif

#endif
