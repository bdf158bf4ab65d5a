/*
 * The int8 indirect-GEMM micro-kernel template (see src/q8_igemm.h for the
 * operands and the packed block). Included by an ISA source after its
 * vector header, once per tile and input type:
 *
 *   SC_Q8_UK_NAME        the function's name
 *   SC_Q8_UK_MR          rows (output pixels), <= SC_Q8_MAX_MR
 *   SC_Q8_UK_NV          weight vectors per 4-channel step; NR is
 *                        SC_Q8_UK_NV * SC_Q8_WOUT output channels
 *   SC_Q8_UK_S8          1: the input bytes are int8, 0: uint8
 *
 * and the ISA's int8 vector API (its vec_<isa>.h):
 *
 *   SC_Q8_XT             the input element the kernel reads (uint8_t, or
 *                        int16_t from the driver's widening copy)
 *   SC_Q8_KR             channels per output a product instruction sums
 *   SC_Q8_VACC           an int32 accumulator vector
 *   SC_Q8_AV             accumulators per weight vector (1, or 2 where a
 *                        product instruction sums pairs of channels)
 *   SC_Q8_WOUT           output channels per weight vector
 *   SC_Q8_WT             the packed weight element (int8_t or int16_t)
 *   SC_Q8_VW             a weight vector: KR channels of SC_Q8_WOUT outputs
 *   SC_Q8_VX             an input operand: KR elements broadcast
 *   SC_Q8_ZERO()         a zero accumulator
 *   SC_Q8_WLOAD(p)       the weight vector at p
 *   SC_Q8_XLOAD(p, s8)   the KR input elements at p as the ISA's operand
 *                        (s8: the input type is int8)
 *   SC_Q8_DOT(acc, x, w) acc[0 .. SC_Q8_AV-1] += the products of x and w
 *   SC_Q8_OUT(acc, bias, mult, out, dst)  reduces acc[0 .. SC_Q8_AV-1] to
 *                        SC_Q8_WOUT sums, adds the packed bias, requantizes
 *                        (sc_q8_requantize's operations) and stores the
 *                        SC_Q8_WOUT bytes at dst
 * or, with SC_Q8_AV 1, instead of SC_Q8_OUT:
 *   SC_Q8_BLOAD(p)       the packed bias at p: the sums start there
 *   SC_Q8_OUT_ROW(acc, nv, mult, out, dst)  requantizes a row's nv
 *                        accumulators (sums with the bias) and stores its
 *                        nv * SC_Q8_WOUT bytes at dst
 *
 * Scalar twin: q8_conv_direct__scalar. Integer sums are exact, so any
 * order of the products gives its sums; the requantization is the same
 * operations on the same values.
 */
#define SC_Q8_UK_NR (SC_Q8_UK_NV * SC_Q8_WOUT)

static void SC_Q8_UK_NAME(size_t mr, size_t nc, size_t kc, size_t ks,
                          const uint8_t *const *restrict a,
                          const void *restrict packed, uint8_t *restrict c,
                          size_t cm_stride, size_t a_offset,
                          const sc_q8_igemm_params *restrict params) {
  _Static_assert(SC_Q8_UK_MR <= SC_Q8_MAX_MR && SC_Q8_UK_NR <= SC_Q8_MAX_NR,
                 "q8 igemm tile");
  const int32_t *bias = packed;
  const float *mult = (const float *)(bias + SC_Q8_UK_NR);
  const SC_Q8_WT *w = (const SC_Q8_WT *)(mult + SC_Q8_UK_NR);
  const uint8_t *const zero = params->zero;
  /* Taps that read the zero row for the whole tile: their corr (after the
   * weights) goes into the bias, and the loop below passes them. */
  const bool skip = params->skip_padding_taps;
  int32_t skip_bias[SC_Q8_UK_NR];
  if (skip)
    bias = sc_q8_skip_bias(
        a, ks, SC_Q8_UK_MR, zero, bias,
        (const int32_t *)(const void *)(w + ks * kc * SC_Q8_UK_NR),
        SC_Q8_UK_NR, skip_bias);
  SC_Q8_VACC acc[SC_Q8_UK_MR][SC_Q8_UK_NV * SC_Q8_AV];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_Q8_UK_MR; i++)
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_Q8_UK_NV * SC_Q8_AV; j++)
#ifdef SC_Q8_OUT_ROW
      acc[i][j] = SC_Q8_BLOAD(bias + j * SC_Q8_WOUT);
#else
      acc[i][j] = SC_Q8_ZERO();
#endif
  do {
    if (skip && sc_q8_tap_padded(a, SC_Q8_UK_MR, zero)) {
      a += SC_Q8_UK_MR;
      w += SC_Q8_UK_NR * kc;
      continue;
    }
    const SC_Q8_XT *rows[SC_Q8_UK_MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_Q8_UK_MR; i++)
      rows[i] = (const SC_Q8_XT *)(const void *)sc_q8_row(a[i], zero, a_offset);
    a += SC_Q8_UK_MR;
    for (size_t k = 0; k < kc; k += SC_Q8_KR) {
      SC_Q8_VW wv[SC_Q8_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_Q8_UK_NV; j++)
        wv[j] = SC_Q8_WLOAD(w + j * SC_Q8_WOUT * SC_Q8_KR);
      w += SC_Q8_UK_NR * SC_Q8_KR;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_Q8_UK_MR; i++) {
        const SC_Q8_VX x = SC_Q8_XLOAD(rows[i] + k, SC_Q8_UK_S8);
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_Q8_UK_NV; j++)
          SC_Q8_DOT(&acc[i][j * SC_Q8_AV], x, wv[j]);
      }
    }
  } while (--ks != 0);

#include "ukernels/q8_igemm_epilogue.h"
}

#undef SC_Q8_UK_NR
#undef SC_Q8_UK_NAME
#undef SC_Q8_UK_MR
#undef SC_Q8_UK_NV
#undef SC_Q8_UK_S8
