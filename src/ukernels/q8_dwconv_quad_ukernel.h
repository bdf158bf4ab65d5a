/*
 * The int8 depthwise template on 4-byte dot products (driver:
 * src/q8_dwconv.c, packing SC_Q8_DW_PACK_QUADS). A product instruction
 * that sums 4 byte products per int32 lane (VPDPBUSD) gets, per lane, one
 * channel's input bytes of 4 kernel rows at one column and that column's 4
 * weights: one instruction per tap column of 4 rows and vector of
 * channels, where widening each byte to a lane costs one per tap. The 4
 * rows' bytes are interleaved once per input column (and vector) and used
 * by every output pixel of a sliding window that reads the column.
 *
 * An ISA source includes it after its vector header and defines its kernel
 * with
 *
 *   SC_Q8Q_DEFINE(q8_dwconv_<name>__<isa>, SIMDCONV_ISA_<ISA>, cpu);
 *
 * from the ISA's API (its vec_<isa>.h):
 *
 *   SC_Q8Q_N             channels per block: SC_Q8_DW_QBLOCK
 *   SC_Q8Q_V             a vector of int32 lanes (4 of them hold a block)
 *   SC_Q8Q_M             the mask of a block's first n channels
 *   SC_Q8Q_MASK(n)       that mask (n <= SC_Q8Q_N)
 *   SC_Q8Q_ZERO()        a zero vector
 *   SC_Q8Q_LOAD(px, m, s8)  the block's bytes at px (those of m; no byte
 *                        outside m is read), as unsigned operands (int8
 *                        inputs flipped)
 *   SC_Q8Q_QUAD(a, b, c, d, x)  x[0..3]: the 4 rows a..d interleaved, a
 *                        lane per channel in the order of the kernel's
 *                        quad_channel()
 *   SC_Q8Q_DOT(acc, x, w)  acc + the 4 products per lane of x and the
 *                        packed weights at w (exact)
 *   SC_Q8Q_BLOAD(p)      the packed bias at p
 *   SC_Q8Q_OUT(acc, mult, out, dst, m)  requantizes acc[0..3] (bias
 *                        included; sc_q8_requantize's operations) and
 *                        stores the channels of m at dst in channel order
 *   SC_Q8Q_WINDOW_P      output pixels per sliding window
 *   SC_Q8Q_CHANNEL(i)    quad_channel(): the channel of block position i
 *   SC_Q8Q_MIN_K         the fewest channels the kernel takes (min_k)
 *
 * Scalar twin: q8_conv_direct__scalar (integer sums are exact; the
 * requantization is the same operations on the same values).
 */
#ifndef SIMDCONV_UKERNELS_Q8_DWCONV_QUAD_H
#define SIMDCONV_UKERNELS_Q8_DWCONV_QUAD_H

/* Kernel row pointers padded to whole quads: NULL past R. */
#define SC_Q8Q_MAX_ROWS (SC_Q8_DW_MAX_R + 3)

/* The 4 interleaved vectors of quad g at input column col (a byte offset,
 * -1: a zero-padding column, read from the zero row) of channels [k, k +
 * N): rows past R_ are zeros (their weights are 0). R_ is a constant where
 * it matters, so the checks fold. */
static inline __attribute__((always_inline)) void
sc_q8q_column(const sc_q8_dw_params *p, const uint8_t *const *rows, size_t g,
              size_t R_, ptrdiff_t col, size_t k, SC_Q8Q_M m, bool s8,
              SC_Q8Q_V x[4]) {
  SC_Q8Q_V v[4];
  for (size_t t = 0; t < 4; t++) {
    const size_t r = 4 * g + t;
    v[t] = r < R_ ? SC_Q8Q_LOAD((col >= 0 ? rows[r] + col : p->zero) + k, m,
                                s8)
                  : SC_Q8Q_ZERO();
  }
  SC_Q8Q_QUAD(v[0], v[1], v[2], v[3], x);
}

/* Output pixels [ow, ow + P) of channels [k, k + N) (m: the real ones).
 * With dilation 1, tap s of pixel ow + q reads window column c = q * SW_
 * + s: each column is interleaved once for all of its pixels (its offset
 * from the column table, through the pixel and tap that read it). With
 * P == 1 any dilation and stride: column c is tap c. Sums start at the
 * packed bias. Every loop over pixels and vectors unrolls, so that the
 * sums stay in registers. */
static inline __attribute__((always_inline)) void
sc_q8q_window(const sc_q8_dw_params *p, const uint8_t *const *rows,
              uint8_t *out, size_t ow, size_t k, SC_Q8Q_M m, size_t P,
              size_t R_, size_t S_, size_t SW_, bool s8) {
  SC_Q8Q_V acc[SC_Q8Q_WINDOW_P][4];
  const int32_t *bias = p->bias + k;
  _Pragma("GCC unroll 8") for (size_t q = 0; q < P; q++)
      _Pragma("GCC unroll 4") for (size_t j = 0; j < 4; j++)
          acc[q][j] = SC_Q8Q_BLOAD(bias + j * (SC_Q8Q_N / 4));
  const size_t nq = (R_ + 3) / 4, cols = (P - 1) * SW_ + S_;
  const int8_t *w = (const int8_t *)p->w + k / SC_Q8Q_N * nq * S_ * 4 *
                                             SC_Q8Q_N;
  _Pragma("GCC unroll 2") for (size_t g = 0; g < nq;
                               g++, w += S_ * 4 * SC_Q8Q_N) {
    _Pragma("GCC unroll 16") for (size_t c = 0; c < cols; c++) {
      /* The first pixel reading column c, and its tap. */
      const size_t q0 = c / SW_ < P - 1 ? c / SW_ : P - 1;
      const ptrdiff_t col = p->coloff[(ow + q0) * S_ + c - q0 * SW_];
      SC_Q8Q_V x[4];
      sc_q8q_column(p, rows, g, R_, col, k, m, s8, x);
      /* The same bytes of the rows the next output row adds: each input
       * row arrives in the cache one output row ahead of its use (the
       * hardware prefetchers ramp up anew on each row's pages). */
      if (g == nq - 1 && col >= 0)
        for (size_t i = 1; i <= p->next_rows; i++)
          __builtin_prefetch(rows[R_ - 1] + col + k + i * p->row_bytes);
      _Pragma("GCC unroll 8") for (size_t q = 0; q < P; q++) {
        const size_t s = c - q * SW_; /* wraps for q * SW_ > c */
        if (c >= q * SW_ && s < S_)
          _Pragma("GCC unroll 4") for (size_t j = 0; j < 4; j++)
              acc[q][j] = SC_Q8Q_DOT(acc[q][j], x[j],
                                     w + (s * 4 + j) * SC_Q8Q_N);
      }
    }
  }
  _Pragma("GCC unroll 8") for (size_t q = 0; q < P; q++) {
    uint8_t *dst = out + (ow + q) * p->K + k;
    SC_Q8Q_OUT(acc[q], p->mult + k, &p->out, dst, m);
    __builtin_prefetch(dst + p->OW * p->K, 1); /* the next output row */
  }
}

/* Channels [k, k + N) of a row (m: the real ones): what one shape's
 * function computes. */
typedef void (*sc_q8q_block_fn)(const sc_q8_dw_params *p,
                                const uint8_t *const *rows, uint8_t *out,
                                size_t k, SC_Q8Q_M m);

/* Any kernel, stride and dilation: pixel by pixel, tap by tap. */
static inline __attribute__((always_inline)) void
sc_q8q_pixels(const sc_q8_dw_params *p, const uint8_t *const *rows,
              uint8_t *out, size_t k, SC_Q8Q_M m, bool s8) {
  for (size_t ow = 0; ow < p->OW; ow++)
    sc_q8q_window(p, rows, out, ow, k, m, 1, p->R, p->S, 1, s8);
}

/* An R_ x S_ kernel of dilation 1 and stride SW_ (constants): windows of P
 * pixels, the last one moved back to end at OW (its pixels computed again,
 * the same bytes); rows narrower than a window go to `pixels`. */
static inline __attribute__((always_inline)) void
sc_q8q_windows(const sc_q8_dw_params *p, const uint8_t *const *rows,
               uint8_t *out, size_t k, SC_Q8Q_M m, size_t R_, size_t S_,
               size_t SW_, bool s8, sc_q8q_block_fn pixels) {
  const size_t P = SC_Q8Q_WINDOW_P, OW = p->OW;
  if (OW < P) {
    pixels(p, rows, out, k, m);
    return;
  }
  for (size_t ow = 0;; ow += P) {
    ow = ow + P <= OW ? ow : OW - P;
    sc_q8q_window(p, rows, out, ow, k, m, P, R_, S_, SW_, s8);
    if (ow + P == OW)
      return;
  }
}

/* The row function of input type `ty` (u8, s8; s8v its constant): a
 * function per shape the networks use (3x3, 5x5, 7x7 of stride 1 or 2,
 * dilation 1) with the kernel a constant, and `pixels` for the rest;
 * the shape's function runs on each block of channels. Row pointers are
 * padded to whole quads. */
#define SC_Q8Q_SHAPE_FN(sym, ty, s8v, n, SW)                                   \
  static void sym##_##n##x##n##s##SW##_##ty(                                   \
      const sc_q8_dw_params *p, const uint8_t *const *rows, uint8_t *out,      \
      size_t k, SC_Q8Q_M m) {                                                  \
    sc_q8q_windows(p, rows, out, k, m, n, n, SW, s8v, sym##_pixels_##ty);      \
  }
#define SC_Q8Q_ROW_FN(sym, ty, s8v)                                            \
  static void sym##_pixels_##ty(const sc_q8_dw_params *p,                      \
                                const uint8_t *const *rows, uint8_t *out,      \
                                size_t k, SC_Q8Q_M m) {                        \
    sc_q8q_pixels(p, rows, out, k, m, s8v);                                    \
  }                                                                            \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 3, 1)                                          \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 3, 2)                                          \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 5, 1)                                          \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 5, 2)                                          \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 7, 1)                                          \
  SC_Q8Q_SHAPE_FN(sym, ty, s8v, 7, 2)                                          \
  static void sym##_##ty(const sc_q8_dw_params *params,                        \
                         const uint8_t *const *in, uint8_t *out, size_t k0,    \
                         size_t nk) {                                          \
    static const sc_q8q_block_fn shapes[3][2] = {                              \
        {sym##_3x3s1_##ty, sym##_3x3s2_##ty},                                  \
        {sym##_5x5s1_##ty, sym##_5x5s2_##ty},                                  \
        {sym##_7x7s1_##ty, sym##_7x7s2_##ty}};                                 \
    sc_q8q_row(params, in, out, k0, nk, shapes, sym##_pixels_##ty);            \
  }

/* Runs the shape's function on each block of channels [k0, k0 + nk), the
 * last one masked. Local copies of the parameters and rows: byte stores
 * may alias anything (see sc_q8d_row). */
static inline void sc_q8q_row(const sc_q8_dw_params *params,
                              const uint8_t *const *in, uint8_t *out,
                              size_t k0, size_t nk,
                              const sc_q8q_block_fn shapes[3][2],
                              sc_q8q_block_fn pixels) {
  const sc_q8_dw_params lp = *params, *p = &lp;
  const uint8_t *rows[SC_Q8Q_MAX_ROWS];
  for (size_t r = 0; r < p->R + 3; r++)
    rows[r] = r < p->R ? in[r] : NULL;
  const size_t R = p->R, sw = p->sw_bytes / p->K;
  const bool shaped = R == p->S && R % 2 == 1 && R >= 3 && R <= 7 &&
                      p->dw_bytes == p->K && sw <= 2;
  const sc_q8q_block_fn fn = shaped ? shapes[R / 2 - 1][sw - 1] : pixels;
  for (size_t k = k0; k < k0 + nk; k += SC_Q8Q_N)
    fn(p, rows, out, k,
       SC_Q8Q_MASK(k0 + nk - k < SC_Q8Q_N ? k0 + nk - k : SC_Q8Q_N));
}

/* The kernel `sc_<sym>` named "<sym>": a row function per input type and
 * their configuration. */
#define SC_Q8Q_DEFINE(sym, kisa, kcpu)                                         \
  SC_Q8Q_ROW_FN(sym, u8, false)                                                \
  SC_Q8Q_ROW_FN(sym, s8, true)                                                 \
  static size_t sym##_channel(size_t i) { return SC_Q8Q_CHANNEL(i); }          \
  static const sc_q8_dw_config sym##_config = {                                \
      .vw = SC_Q8Q_N,                                                          \
      .wbytes = 1,                                                             \
      .row = {sym##_u8, sym##_s8},                                             \
      .packing = SC_Q8_DW_PACK_QUADS,                                          \
      .quad_channel = sym##_channel,                                           \
      .min_k = SC_Q8Q_MIN_K,                                                   \
  };                                                                           \
  const sc_conv_kernel sc_##sym =                                              \
      SC_Q8_DW_KERNEL(#sym, kisa, sym##_config, kcpu)

#endif
