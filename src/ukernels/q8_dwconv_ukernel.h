/*
 * The int8 depthwise row-function template (see src/q8_dwconv.h).
 * Included by an ISA source after its vector header, once per input type:
 *
 *   SC_Q8D_NAME          the function's name
 *   SC_Q8D_S8            1: the input bytes are int8, 0: uint8
 *
 * and the ISA's depthwise int8 API (its vec_<isa>.h):
 *
 *   SC_Q8D_VW            channels per vector
 *   SC_Q8D_ACC           VW int32 accumulators (a vector or a struct)
 *   SC_Q8D_WT            the packed weight element (int16_t or int32_t)
 *   SC_Q8D_ZERO()        zero accumulators
 *   SC_Q8D_MAC(acc, px, w, s8)  acc + the VW bytes at px, widened by the
 *                        input type, times the VW weights at w (exact)
 *   SC_Q8D_OUT(acc, bias, mult, out, dst)  adds the packed bias,
 *                        requantizes (sc_q8_requantize's operations) and
 *                        stores the VW bytes at dst
 *
 * Scalar twin: q8_conv_direct__scalar (integer sums are exact; the
 * requantization is the same operations on the same values).
 */
#ifndef SIMDCONV_UKERNELS_Q8_DWCONV_H
#define SIMDCONV_UKERNELS_Q8_DWCONV_H

/* The input vector of tap (r, s) at channel k: its pixel, or the zero row
 * (x_zp bytes) for a zero-padding tap. */
static inline const uint8_t *sc_q8d_tap(const sc_q8_dw_params *p,
                                        const uint8_t *row, ptrdiff_t col,
                                        size_t k) {
  return row != NULL && col >= 0 ? row + col + k : p->zero + k;
}

/* One vector of channels [k, k + n) of output pixel ow. With n < VW (the
 * last channels) the n input bytes go through a zeroed buffer and the n
 * output bytes through another: nothing outside the channels is read or
 * written. Padding lanes have zero weights and their results are dropped. */
#define SC_Q8D_PIXEL(p, rows, out, ow, k, n, full, s8)                         \
  do {                                                                         \
    const SC_Q8D_WT *w_ = (const SC_Q8D_WT *)(p)->w + (k);                     \
    const ptrdiff_t *cols_ = (p)->coloff + (ow) * (p)->S;                      \
    SC_Q8D_ACC acc_ = SC_Q8D_ZERO();                                           \
    for (size_t r_ = 0; r_ < (p)->R; r_++)                                     \
      for (size_t s_ = 0; s_ < (p)->S; s_++, w_ += (p)->Kp) {                  \
        const uint8_t *px_ = sc_q8d_tap(p, (rows)[r_], cols_[s_], k);          \
        uint8_t xb_[SC_Q8D_VW] = {0};                                          \
        if (!(full)) {                                                         \
          memcpy(xb_, px_, n);                                                 \
          px_ = xb_;                                                           \
        }                                                                      \
        acc_ = SC_Q8D_MAC(acc_, px_, w_, s8);                                  \
      }                                                                        \
    uint8_t *dst_ = (out) + (ow) * (p)->K + (k);                               \
    if (full) {                                                                \
      SC_Q8D_OUT(acc_, (p)->bias + (k), (p)->mult + (k), &(p)->out, dst_);     \
    } else {                                                                   \
      uint8_t yb_[SC_Q8D_VW];                                                  \
      SC_Q8D_OUT(acc_, (p)->bias + (k), (p)->mult + (k), &(p)->out, yb_);      \
      memcpy(dst_, yb_, n);                                                    \
    }                                                                          \
  } while (0)

#endif

static void SC_Q8D_NAME(const sc_q8_dw_params *p, const uint8_t *const *rows,
                        uint8_t *out, size_t k0, size_t nk) {
  size_t k = k0;
  for (; k + SC_Q8D_VW <= k0 + nk; k += SC_Q8D_VW)
    for (size_t ow = 0; ow < p->OW; ow++)
      SC_Q8D_PIXEL(p, rows, out, ow, k, SC_Q8D_VW, true, SC_Q8D_S8);
  if (k < k0 + nk)
    for (size_t ow = 0; ow < p->OW; ow++)
      SC_Q8D_PIXEL(p, rows, out, ow, k, k0 + nk - k, false, SC_Q8D_S8);
}

#undef SC_Q8D_NAME
#undef SC_Q8D_S8
