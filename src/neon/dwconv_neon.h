/*
 * The small vector API of the depthwise templates (src/ukernels/dwconv_nhwc_ukernel.h,
 * src/ukernels/dwconv_nchw_ukernel.h)
 * on AArch64 Advanced SIMD: 4-lane q vectors, masks as 4-bit lane masks.
 * NEON has no masked loads: partial vectors are read lane by lane, so
 * nothing outside the mask is ever touched. AArch64 has 32 q registers, as
 * AVX-512 has 32 zmm ones: the register budgets of the AVX-512 instances
 * apply. Advanced SIMD is baseline on AArch64 (no flags); vfmaq_f32 is
 * fused, rounded once as fmaf(). Include only from AArch64 sources.
 */
#ifndef SIMDCONV_DWCONV_NEON_H
#define SIMDCONV_DWCONV_NEON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "dwconv.h"
#include "neon/activation_neon.h"

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

/* No dw8_loadn / dw8_storen: they serve only the template's NCHW tile path
 * (DW_NCHW_BAND), which is x86-only (ymm transposes, under __AVX2__); the
 * NEON NCHW kernel has no band function and runs prepared rows throughout. */

#endif
