/*
 * NEON (AArch64 Advanced SIMD) versions of the activations of
 * src/activation.h: the same operations in the same order, with SLEEF's
 * deterministic finz advsimd functions, so each lane is bitwise equal to
 * sc_activate_f32() (whose scalar SLEEF functions on AArch64 are the finz
 * purecfma ones: FMA is part of AArch64). Include only from AArch64 sources.
 */
#ifndef SIMDCONV_ACTIVATION_NEON_H
#define SIMDCONV_ACTIVATION_NEON_H

#if !defined(__aarch64__) || !defined(__ARM_NEON)
#error "activation_neon.h needs AArch64 Advanced SIMD"
#endif

#include <arm_neon.h>
#include <sleef.h>

#include "activation.h"

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

#endif
