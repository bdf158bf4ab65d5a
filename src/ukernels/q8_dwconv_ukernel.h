/*
 * The int8 depthwise kernel template (driver: src/q8_dwconv.c). An ISA
 * source includes it after its vector header and defines its kernel with
 *
 *   SC_Q8D_DEFINE(q8_dwconv__<isa>, SIMDCONV_ISA_<ISA>, cpu features);
 *
 * from the ISA's depthwise int8 API (its vec_<isa>.h):
 *
 *   SC_Q8D_VW            channels per vector
 *   SC_Q8D_WINDOW_P      outputs per sliding window (fits the registers)
 *   SC_Q8D_ACC           VW int32 accumulators (a vector or a struct)
 *   SC_Q8D_WT            the packed weight element (int16_t or int32_t)
 *   SC_Q8D_X, SC_Q8D_W   VW widened inputs, VW weights (in registers)
 *   SC_Q8D_ZERO()        zero accumulators
 *   SC_Q8D_XLOAD(px, s8) the VW bytes at px, widened by the input type
 *   SC_Q8D_WLOAD(w)      the VW weights at w
 *   SC_Q8D_MACX(acc, x, w)  acc + x * w, exact
 *   SC_Q8D_OUT(acc, bias, mult, out, dst)  adds the packed bias,
 *                        requantizes (sc_q8_requantize's operations) and
 *                        stores the VW bytes at dst
 *
 * and, where the ISA loads and stores the first n bytes of a vector alone
 * (byte masks), for the last channels of a row (n < VW; else they go
 * through zeroed buffers, a copy per tap):
 *
 *   SC_Q8D_XLOAD_N(px, n, s8)  SC_Q8D_XLOAD of the n bytes at px (zeros
 *                        above them, nothing past them read)
 *   SC_Q8D_OUT_N(acc, bias, mult, out, dst, n)  SC_Q8D_OUT storing the
 *                        first n bytes only
 *
 * Scalar twin: q8_conv_direct__scalar (integer sums are exact; the
 * requantization is the same operations on the same values).
 */
#ifndef SIMDCONV_UKERNELS_Q8_DWCONV_H
#define SIMDCONV_UKERNELS_Q8_DWCONV_H

#define SC_Q8D_MAC(acc, px, w, s8)                                             \
  SC_Q8D_MACX(acc, SC_Q8D_XLOAD(px, s8), SC_Q8D_WLOAD(w))

/* The input vector of tap (r, s) at channel k: its pixel, or the zero row
 * (x_zp bytes) for a zero-padding column (a zero-padding row is the zero
 * row already). */
static inline const uint8_t *sc_q8d_tap(const sc_q8_dw_params *p,
                                        const uint8_t *row, ptrdiff_t col,
                                        size_t k) {
  return col >= 0 ? row + col + k : p->zero + k;
}

/* Zero P accumulators; requantize and store them as pixels [ow, ow + P)
 * of channels [k, k + VW). */
#define SC_Q8D_ZERO_P(acc, P)                                                  \
  _Pragma("GCC unroll 8") for (size_t q_ = 0; q_ < (P); q_++)                 \
      (acc)[q_] = SC_Q8D_ZERO()
#define SC_Q8D_OUT_P(p, acc, out, ow, k, P)                                    \
  _Pragma("GCC unroll 8") for (size_t q_ = 0; q_ < (P); q_++)                 \
      SC_Q8D_OUT((acc)[q_], (p)->bias + (k), (p)->mult + (k), &(p)->out,       \
                 (out) + ((ow) + q_) * (p)->K + (k))

/* Pixels [ow, ow + P) of the interior (every tap a real column, rows real
 * or the zero row), a full vector of channels at k: no check per tap, P
 * independent sums sharing each weight load. Tap (r, s) of pixel ow + q
 * is (ow + q) * stride + s * dilation - pad_left: the first tap's column
 * (coloff) plus q strides and s dilations. */
#define SC_Q8D_INTERIOR(p, rows, out, ow, k, P, s8, R_, S_)                    \
  do {                                                                         \
    SC_Q8D_ACC acc_[P];                                                        \
    SC_Q8D_ZERO_P(acc_, P);                                                    \
    const SC_Q8D_WT *w_ = (const SC_Q8D_WT *)(p)->w + (k);                     \
    for (size_t r_ = 0; r_ < (R_); r_++) {                                     \
      const uint8_t *px_ = (rows)[r_] + (p)->coloff[(ow) * (S_)] + (k);        \
      for (size_t s_ = 0; s_ < (S_); s_++, w_ += (p)->Kp) {                    \
        _Pragma("GCC unroll 8") for (size_t q_ = 0; q_ < (P); q_++)           \
            acc_[q_] = SC_Q8D_MAC(                                             \
                acc_[q_], px_ + q_ * (p)->sw_bytes + s_ * (p)->dw_bytes, w_,   \
                s8);                                                           \
      }                                                                        \
    }                                                                          \
    SC_Q8D_OUT_P(p, acc_, out, ow, k, P);                                      \
  } while (0)

/* One vector of channels [k, k + n) of output pixel ow. With n < VW (the
 * last channels) the n input bytes go through a zeroed buffer and the n
 * output bytes through another: nothing outside the channels is read or
 * written. Padding lanes have zero weights and their results are dropped. */
#ifdef SC_Q8D_XLOAD_N
#define SC_Q8D_MAC_N(acc, px, w, n, s8)                                        \
  SC_Q8D_MACX(acc, SC_Q8D_XLOAD_N(px, n, s8), SC_Q8D_WLOAD(w))
#else
static inline SC_Q8D_ACC sc_q8d_mac_n(SC_Q8D_ACC acc, const uint8_t *px,
                                      const SC_Q8D_WT *w, size_t n, bool s8) {
  uint8_t xb[SC_Q8D_VW] = {0};
  memcpy(xb, px, n);
  return SC_Q8D_MAC(acc, xb, w, s8);
}
#define SC_Q8D_MAC_N(acc, px, w, n, s8) sc_q8d_mac_n(acc, px, w, n, s8)
#define SC_Q8D_OUT_N(acc, bias, mult, out, dst, n)                             \
  do {                                                                         \
    uint8_t yb_[SC_Q8D_VW];                                                    \
    SC_Q8D_OUT(acc, bias, mult, out, yb_);                                     \
    memcpy(dst, yb_, n);                                                       \
  } while (0)
#endif

#define SC_Q8D_PIXEL(p, rows, out, ow, k, n, full, s8)                         \
  do {                                                                         \
    const SC_Q8D_WT *w_ = (const SC_Q8D_WT *)(p)->w + (k);                     \
    const ptrdiff_t *cols_ = (p)->coloff + (ow) * (p)->S;                      \
    SC_Q8D_ACC acc_ = SC_Q8D_ZERO();                                           \
    for (size_t r_ = 0; r_ < (p)->R; r_++)                                     \
      for (size_t s_ = 0; s_ < (p)->S; s_++, w_ += (p)->Kp) {                  \
        const uint8_t *px_ = sc_q8d_tap(p, (rows)[r_], cols_[s_], k);          \
        acc_ = (full) ? SC_Q8D_MAC(acc_, px_, w_, s8)                          \
                      : SC_Q8D_MAC_N(acc_, px_, w_, n, s8);                    \
      }                                                                        \
    uint8_t *dst_ = (out) + (ow) * (p)->K + (k);                               \
    if (full)                                                                  \
      SC_Q8D_OUT(acc_, (p)->bias + (k), (p)->mult + (k), &(p)->out, dst_);     \
    else                                                                       \
      SC_Q8D_OUT_N(acc_, (p)->bias + (k), (p)->mult + (k), &(p)->out, dst_,    \
                   n);                                                         \
  } while (0)


/* 3x3, dilation 1, stride SW_ (a constant): P pixels of the interior from
 * a sliding window: each input column of a row is widened once and used by
 * every (pixel, tap) that reads it, with the 9 weights wv in registers
 * (unrolled, the conditions fold away). */
#define SC_Q8D_WINDOW(p, rows, out, ow, k, P, s8, SW_, wv)                     \
  do {                                                                         \
    SC_Q8D_ACC acc_[P];                                                        \
    SC_Q8D_ZERO_P(acc_, P);                                                    \
    _Pragma("GCC unroll 3") for (size_t r_ = 0; r_ < 3; r_++) {                \
      const uint8_t *px_ = (rows)[r_] + (p)->coloff[(ow) * 3] + (k);           \
      _Pragma("GCC unroll 24") for (size_t c_ = 0; c_ < ((P) - 1) * (SW_) + 3; \
                                    c_++) {                                    \
        const SC_Q8D_X x_ = SC_Q8D_XLOAD(px_ + c_ * (p)->K, s8);               \
        _Pragma("GCC unroll 8") for (size_t q_ = 0; q_ < (P); q_++)           \
            if (c_ >= q_ * (SW_) && c_ - q_ * (SW_) < 3)                       \
                acc_[q_] = SC_Q8D_MACX(acc_[q_], x_,                           \
                                       (wv)[r_ * 3 + c_ - q_ * (SW_)]);        \
      }                                                                        \
    }                                                                          \
    SC_Q8D_OUT_P(p, acc_, out, ow, k, P);                                      \
  } while (0)

/* Windows of SC_Q8D_WINDOW_P pixels, then of 4 (rows of 7 or 14). */
#define SC_Q8D_WINDOWS(p, rows, out, ow, k, s8, SW_, wv)                       \
  do {                                                                         \
    for (; (ow) + SC_Q8D_WINDOW_P <= (p)->ow_hi; (ow) += SC_Q8D_WINDOW_P)      \
      SC_Q8D_WINDOW(p, rows, out, ow, k, SC_Q8D_WINDOW_P, s8, SW_, wv);        \
    if (SC_Q8D_WINDOW_P > 4 && (ow) + 4 <= (p)->ow_hi) {                       \
      SC_Q8D_WINDOW(p, rows, out, ow, k, 4, s8, SW_, wv);                      \
      (ow) += 4;                                                               \
    }                                                                          \
  } while (0)

/* The interior of one vector of channels: groups of 4 pixels, then 1. */
#define SC_Q8D_INTERIOR_ALL(p, rows, out, ow, k, s8, R_, S_)                   \
  do {                                                                         \
    for (; (ow) + 4 <= (p)->ow_hi; (ow) += 4)                                  \
      SC_Q8D_INTERIOR(p, rows, out, ow, k, 4, s8, R_, S_);                     \
    for (; (ow) < (p)->ow_hi; (ow)++)                                          \
      SC_Q8D_INTERIOR(p, rows, out, ow, k, 1, s8, R_, S_);                     \
  } while (0)

/* One block of rows (sc_q8_dw_row_fn); s8 is a constant in each of the
 * two wrappers SC_Q8D_DEFINE makes, so every input-type test folds. */
static inline __attribute__((always_inline)) void
sc_q8d_row(const sc_q8_dw_params *params, const uint8_t *const *in,
           uint8_t *out, size_t k0, size_t nk, const bool s8) {
  /* Local copies: the output is written byte-wise, and a byte store may
   * alias anything, which made every parameter and row pointer a reload
   * after each store. */
  const sc_q8_dw_params lp = *params, *p = &lp;
  const uint8_t *rows[SC_Q8_DW_MAX_R];
  for (size_t r = 0; r < p->R; r++)
    rows[r] = in[r];
  size_t k = k0;
  for (; k + SC_Q8D_VW <= k0 + nk; k += SC_Q8D_VW) {
    size_t ow = 0;
    for (; ow < p->ow_lo; ow++)
      SC_Q8D_PIXEL(p, rows, out, ow, k, SC_Q8D_VW, true, s8);
    if (p->R == 3 && p->S == 3 && p->dw_bytes == p->K &&
        (p->sw_bytes == p->K || p->sw_bytes == 2 * p->K)) {
      /* The commonest shapes: sliding windows, then single pixels. */
      SC_Q8D_W wv[9];
      for (size_t t = 0; t < 9; t++)
        wv[t] = SC_Q8D_WLOAD((const SC_Q8D_WT *)p->w + t * p->Kp + k);
      if (p->sw_bytes == p->K)
        SC_Q8D_WINDOWS(p, rows, out, ow, k, s8, 1, wv);
      else
        SC_Q8D_WINDOWS(p, rows, out, ow, k, s8, 2, wv);
      SC_Q8D_INTERIOR_ALL(p, rows, out, ow, k, s8, 3, 3);
    } else
      SC_Q8D_INTERIOR_ALL(p, rows, out, ow, k, s8, p->R, p->S);
    for (; ow < p->OW; ow++)
      SC_Q8D_PIXEL(p, rows, out, ow, k, SC_Q8D_VW, true, s8);
  }
  if (k < k0 + nk)
    for (size_t ow = 0; ow < p->OW; ow++)
      SC_Q8D_PIXEL(p, rows, out, ow, k, k0 + nk - k, false, s8);
}


/* The kernel `sc_<sym>` named "<sym>": a row function per input type and
 * their configuration. */
#define SC_Q8D_DEFINE(sym, kisa, kcpu)                                         \
  static void sym##_u8(const sc_q8_dw_params *p, const uint8_t *const *in,     \
                       uint8_t *out, size_t k0, size_t nk) {                   \
    sc_q8d_row(p, in, out, k0, nk, false);                                     \
  }                                                                            \
  static void sym##_s8(const sc_q8_dw_params *p, const uint8_t *const *in,     \
                       uint8_t *out, size_t k0, size_t nk) {                   \
    sc_q8d_row(p, in, out, k0, nk, true);                                      \
  }                                                                            \
  static const sc_q8_dw_config sym##_config = {                                \
      .vw = SC_Q8D_VW,                                                         \
      .wbytes = sizeof(SC_Q8D_WT),                                             \
      .row = {sym##_u8, sym##_s8},                                             \
  };                                                                           \
  const sc_conv_kernel sc_##sym =                                              \
      SC_Q8_DW_KERNEL(#sym, kisa, sym##_config, kcpu)

#endif
