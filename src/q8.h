/*
 * The int8 (quantized) convolution: what its core, its kernels and its
 * oracle share. The requantization is defined here once in C
 * (sc_q8_requantize); each ISA's vector header (src/<isa>/vec_<isa>.h)
 * writes the same operations once for its vectors.
 *
 *   acc = bias[k] + sum (x - x_zp) * w          int32, exact
 *   v   = (float)acc * m[k]                      fp32, rounded to nearest even
 *   y   = clamp(round_half_even(v) + y_zp, lo, hi)
 *
 * evaluated as y = round_half_even(clamp(v, lo - y_zp, hi - y_zp)) + y_zp:
 * the same value (rounding is monotone and keeps the integer bounds), and
 * the clamped value converts to int32 without overflow on every ISA (x86
 * turns out-of-range conversions into INT32_MIN, AArch64 saturates).
 * A vector helper may also saturate rne(v) + y_zp to the output type by
 * saturating packs, then clamp to [lo, hi]: the same value again, as long
 * as its conversion cannot overflow (|v| limited to 2^30 first, a bound
 * far beyond every output range).
 */
#ifndef SIMDCONV_Q8_H
#define SIMDCONV_Q8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conv_internal.h"

/* The bounds of |x - x_zp| and |w|: the accumulator's growth per tap. */
#define SC_Q8_MAX_XDIFF 255
#define SC_Q8_MAX_W 128

/* The requantization's constants for one object (all output channels). */
typedef struct sc_q8_out {
  float vlo, vhi; /* lo - y_zp, hi - y_zp (exact in fp32) */
  int32_t zp;     /* y_zp */
  /* For saturating packs to int8 (see above): the output in the int8
   * domain is rne(v) + zp8, clamped to [lo8, hi8], its bytes xor flip
   * (u8: the domain shifted by -128, flip 0x80; s8: no shift, flip 0). */
  int32_t zp8, lo8, hi8;
  uint8_t flip;
} sc_q8_out;

static inline sc_q8_out sc_q8_out_get(const sc_q8_info *q) {
  const int32_t shift = q->out_type == SIMDCONV_QTYPE_U8 ? 128 : 0;
  return (sc_q8_out){.vlo = (float)(q->lo - q->y_zp),
                     .vhi = (float)(q->hi - q->y_zp),
                     .zp = q->y_zp,
                     .zp8 = q->y_zp - shift,
                     .lo8 = q->lo - shift,
                     .hi8 = q->hi - shift,
                     .flip = (uint8_t)shift};
}

/* Round half to even of |v| <= 2^22, independent of the rounding mode:
 * truncation and the fraction v - trunc(v) are exact there. */
static inline int32_t sc_round_half_even(float v) {
  int32_t t = (int32_t)v;
  const float f = v - (float)t;
  if (f > 0.5f || (f == 0.5f && (t & 1)))
    t++;
  else if (f < -0.5f || (f == -0.5f && (t & 1)))
    t--;
  return t;
}

/* THE requantization (see the top of this file); the result lies in
 * [lo, hi]. */
static inline int32_t sc_q8_requantize(int32_t acc, float m,
                                       const sc_q8_out *o) {
  float v = (float)acc * m;
  v = v < o->vlo ? o->vlo : v;
  v = v > o->vhi ? o->vhi : v;
  return sc_round_half_even(v) + o->zp;
}

/* 4 input bytes as one int32 (any alignment): the micro-kernels' load of
 * 4 channels, broadcast to every lane. */
static inline int32_t sc_q8_load4(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

/* The value of a raw input byte of the given type. */
static inline int32_t sc_q8_value(uint8_t raw, simdconv_qtype t) {
  return t == SIMDCONV_QTYPE_S8 ? (int32_t)(int8_t)raw : (int32_t)raw;
}

/* Validates an int8 descriptor and its parameters (everything
 * simdconv_desc_validate_q8 documents) into a problem of dtype Q8, and
 * when mult is not NULL writes the K requantization multipliers. */
simdconv_status sc_q8_problem_init(const simdconv_desc *d,
                                   const simdconv_qparams *q, sc_problem *p,
                                   float *mult);

/* The per-channel overflow rule: |bias[k]| + 255 * sum |w[k]| <= 2^31-1
 * for every k (w canonical, K x taps; bias may be NULL). */
bool sc_q8_sums_fit(const sc_problem *p, const int8_t *w_krsc,
                    const int32_t *bias);

/* ---- the zero-point compensation of the packed bias -------------------- */

/* A kernel reads raw input bytes and multiplies them as operands of its
 * instructions: unsigned (x86 VPDPBUSD) or signed (AArch64 SDOT, SMULL),
 * flipping the top bit (XOR 0x80) where the raw type differs, or widened
 * by the raw type (VPMADDWD). The zero point in the operand's domain is
 * then what the packed bias compensates: bias - zp_op * sum w. */
static inline int32_t sc_q8_zp_operand(const sc_q8_info *q, bool op_signed) {
  /* The zero point as a uint8 value (the s8 value + 128), then shifted. */
  const int32_t zp_u8 =
      q->in_type == SIMDCONV_QTYPE_S8 ? q->x_zp + 128 : q->x_zp;
  return op_signed ? zp_u8 - 128 : zp_u8;
}

/* zp_op * sum_t w[t], wrapped to int32 as the kernels' sums wrap: what
 * the zero point adds to a sum over wk[0..taps). */
static inline int32_t sc_q8_zp_term(const int8_t *wk, size_t taps,
                                    int32_t zp_op) {
  int64_t sum = 0;
  for (size_t t = 0; t < taps; t++)
    sum += wk[t];
  return (int32_t)(uint32_t)(uint64_t)((int64_t)zp_op * sum);
}

/* The packed bias of output channel k: bias[k] - zp_op * sum_t w[t],
 * wrapping as the kernels' int32 sums wrap (the final sums are exact). */
static inline int32_t sc_q8_packed_bias(const int32_t *bias, size_t k,
                                        const int8_t *wk, size_t taps,
                                        int32_t zp_op) {
  const uint32_t b = bias ? (uint32_t)bias[k] : 0u;
  return (int32_t)(b - (uint32_t)sc_q8_zp_term(wk, taps, zp_op));
}

#endif /* SIMDCONV_Q8_H */
