/*
 * The fused activations, defined once as scalar formulas.
 *
 * These formulas ARE the specification: every vector epilogue (AVX2,
 * AVX-512, NEON) evaluates exactly the same operations in the same order with
 * the same SLEEF deterministic ("finz") functions, so that results are bitwise
 * identical to the scalar kernel. Build with -ffp-contract=off: a*b+c here is
 * two roundings, and fmaf() is one.
 *
 * The ULP bounds of each formula are derived in docs/numerics.md.
 */
#ifndef SIMDCONV_ACTIVATION_H
#define SIMDCONV_ACTIVATION_H

#include <math.h>

#include "conv_internal.h"

/* -1/sqrt(2) rounded to fp32: GELU(erf) uses erfc(s * this). */
#define SC_GELU_NEG_RSQRT2 (-0.70710678118654752f)
/* 2*sqrt(2/pi) and 0.044715 rounded to fp32: GELU(tanh) uses
 * s * sigmoid(SC_GELU_TANH_K * (s + SC_GELU_TANH_A * s^3)), which equals
 * 0.5 s (1 + tanh(sqrt(2/pi) (s + 0.044715 s^3))) without its cancellation. */
#define SC_GELU_TANH_K 1.5957691216057308f
#define SC_GELU_TANH_A 0.044715f

/* The scalar SLEEF functions in use: the deterministic FMA variants where the
 * CPU has FMA (they are bitwise equal to the vector finz variants), the
 * deterministic non-FMA variants otherwise (only pre-Haswell x86, where no
 * vector ISA of simdconv can run anyway). Chosen once at load time. */
typedef struct sc_scalar_math {
  float (*expf)(float);
  float (*tanhf)(float);
  float (*erfcf)(float);
} sc_scalar_math;

const sc_scalar_math *sc_scalar_math_get(void);

/* The activation of a problem, as kernels' epilogues take it. */
typedef struct sc_act_params {
  simdconv_activation activation;
  float lo, hi; /* clamp bounds (-inf, +inf unless CLAMP) */
} sc_act_params;

static inline sc_act_params sc_act_params_from_problem(const sc_problem *p) {
  return (sc_act_params){p->activation, p->act_min, p->act_max};
}

/* sigmoid(s) = 1/(1+e^-s) evaluated without overflow or cancellation:
 * e = exp(-|s|) in (0, 1], numerator 1 for s >= 0 and e otherwise. */
static inline float sc_sigmoid_f32(const sc_scalar_math *m, float s) {
  const float e = m->expf(-fabsf(s));
  const float num = s >= 0.0f ? 1.0f : e;
  return num / (1.0f + e);
}

static inline float sc_activate_f32(const sc_scalar_math *m,
                                    simdconv_activation act, float lo,
                                    float hi, float s) {
  switch (act) {
  case SIMDCONV_ACT_NONE:
    return s;
  case SIMDCONV_ACT_CLAMP: {
    /* Written as x86 maxps/minps evaluate: NaN in s propagates. */
    const float t = lo > s ? lo : s;
    return hi < t ? hi : t;
  }
  case SIMDCONV_ACT_SIGMOID:
    return sc_sigmoid_f32(m, s);
  case SIMDCONV_ACT_TANH:
    return m->tanhf(s);
  case SIMDCONV_ACT_SILU:
    return s * sc_sigmoid_f32(m, s);
  case SIMDCONV_ACT_GELU_ERF:
    return (0.5f * s) * m->erfcf(s * SC_GELU_NEG_RSQRT2);
  case SIMDCONV_ACT_GELU_TANH: {
    const float s3 = (s * s) * s;
    const float z = SC_GELU_TANH_K * fmaf(SC_GELU_TANH_A, s3, s);
    return s * sc_sigmoid_f32(m, z);
  }
  }
  return s;
}

#endif /* SIMDCONV_ACTIVATION_H */
