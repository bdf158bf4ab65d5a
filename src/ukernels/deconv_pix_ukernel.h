/*
 * The pixel-lane transposed-convolution micro-kernel template (operands:
 * src/deconv_pix.h). Included by an ISA's f32_deconv_pix_* source after its
 * vec_<isa>.h (the depthwise vector API: dw_v, dw_m, DW_VW, dwv_set1,
 * dwv_load, dwv_loadm, dwv_fma, dwv_clamp, dwv_act, dwm_range) and two
 * helpers of its own,
 *
 *   dw_v dp_gather(const float *p, size_t stride, size_t n)
 *   void dp_scatter(float *p, size_t stride, dw_v v, size_t n)
 *
 * (lanes l < n at p + l * stride, 0 < n <= DW_VW), once per tile:
 *
 *   SC_DP_NAME    the function's name
 *   SC_DP_KB      output channels (1 .. SC_DP_KBMAX)
 *   SC_DP_KBMAX   floats per (tap, channel) step of the packed weights
 *   SC_DP_MR      phase rows
 *   SC_DP_NV      pixel vectors per row
 *
 * Scalar twin: f32_conv_direct__scalar (direct_sum_transposed). Each
 * accumulator is one output: bias + 0.0f, then one fma per (tap, input
 * channel), taps in canonical order (the packed order: ascending input row,
 * then column), channels inside; fmaf(x, w, acc) and fma(w, x, acc) are
 * the same operation. A lane whose input lies outside the image (or past
 * the tile's rows and pixels) loads +0 under a mask and still takes its
 * fma, as the scalar kernel's zero-padding taps do.
 *
 * Register use: KB * MR * NV accumulators, KB weight broadcasts and one
 * input vector (masked taps: MR * NV masks besides).
 */
#define SC_DP_VW (SC_DP_NV * DW_VW)

static void SC_DP_NAME(const sc_dpix_tile *restrict t,
                       const sc_dpix_params *restrict params) {
  dw_v acc[SC_DP_KB][SC_DP_MR][SC_DP_NV];
#pragma GCC unroll 8
  for (size_t k = 0; k < SC_DP_KB; k++) {
    const dw_v b = dwv_set1(t->bias[k]);
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_DP_NV; j++)
        acc[k][i][j] = b;
  }
  const size_t kc = t->kc, cs = t->cstride, rs = t->rstride, W = t->W;
  const ptrdiff_t H = (ptrdiff_t)t->H, Wi = (ptrdiff_t)W;
  const bool full = t->mr == SC_DP_MR && t->npix == SC_DP_VW;
  const float *w = t->w;

  /* One input channel of a tap: KB broadcasts, MR*NV loads (LOAD(i, j)),
   * KB*MR*NV fmas. A macro so that both loops keep acc in registers. */
#define SC_DP_STEP(LOAD)                                                       \
  do {                                                                         \
    dw_v wv[SC_DP_KB];                                                         \
    _Pragma("GCC unroll 8") for (size_t k = 0; k < SC_DP_KB; k++)              \
        wv[k] = dwv_set1(wc[k]);                                               \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_DP_MR; i++)             \
        _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_DP_NV; j++) {       \
      const dw_v xv = LOAD(i, j);                                              \
      _Pragma("GCC unroll 8") for (size_t k = 0; k < SC_DP_KB; k++)            \
          acc[k][i][j] = dwv_fma(xv, wv[k], acc[k][i][j]);                     \
    }                                                                          \
  } while (0)

  for (size_t jh = 0; jh < t->th; jh++) {
    const ptrdiff_t ih = t->ih0 + (ptrdiff_t)(jh * t->ddh);
    const bool rows_in = full && ih >= 0 && ih + SC_DP_MR <= H;
    for (size_t jw = 0; jw < t->tw; jw++, w += kc * SC_DP_KBMAX) {
      const ptrdiff_t iw = t->iw0 + (ptrdiff_t)(jw * t->ddw);
      const float *wc = w;
      if (t->inbounds ||
          (rows_in && iw >= 0 && iw + (ptrdiff_t)SC_DP_VW <= Wi)) {
        /* Every lane of the tap inside the image or its zero margins (the
         * lanes and rows past the tile's are not stored): plain loads. */
        /* ih, iw may be negative (into the zero margins): signed
         * offsets, never a wrapped unsigned one. */
        const float *xp = t->x + ih * (ptrdiff_t)rs + iw;
#define SC_DP_LOAD(i, j) dwv_load(xp + (i) * rs + (j) * DW_VW)
        for (size_t c = 0; c < kc; c++, xp += cs, wc += SC_DP_KBMAX)
          SC_DP_STEP(SC_DP_LOAD);
#undef SC_DP_LOAD
      } else {
        /* A border tap: lanes outside the image or the tile load +0. The
         * pointer of a row without lanes is never dereferenced. */
        dw_m m[SC_DP_MR][SC_DP_NV];
        const float *xr[SC_DP_MR];
#pragma GCC unroll 16
        for (size_t i = 0; i < SC_DP_MR; i++) {
          const ptrdiff_t r = ih + (ptrdiff_t)i;
          const bool ok = i < t->mr && r >= 0 && r < H;
          xr[i] = t->x + (ok ? (size_t)r * rs : 0);
#pragma GCC unroll 16
          for (size_t j = 0; j < SC_DP_NV; j++) {
            const ptrdiff_t col = iw + (ptrdiff_t)(j * DW_VW);
            const ptrdiff_t end = (ptrdiff_t)t->npix - (ptrdiff_t)(j * DW_VW);
            m[i][j] = dwm_range(ok ? -col : 0, ok ? (Wi - col < end ? Wi - col
                                                                     : end)
                                                  : 0);
          }
        }
        const ptrdiff_t xo = iw;
#define SC_DP_LOAD(i, j)                                                       \
  dwv_loadm(xr[i] + xo + (ptrdiff_t)((j) * DW_VW + c * cs), m[i][j])
        for (size_t c = 0; c < kc; c++, wc += SC_DP_KBMAX)
          SC_DP_STEP(SC_DP_LOAD);
#undef SC_DP_LOAD
      }
    }
  }
#undef SC_DP_STEP

  /* The epilogue: the residual (every element read before any store), the
   * activation, the strided stores. */
  const size_t mr = t->mr, npix = t->npix;
  if (params->residual != NULL) {
    const dw_v a = dwv_set1(params->alpha);
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DP_KB; k++)
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_DP_NV; j++)
          if (i < mr && npix > j * DW_VW) {
            const float *y = t->y + k * t->ys_k + i * t->ys_r +
                             j * DW_VW * t->ys_p;
            const size_t n = npix - j * DW_VW;
            acc[k][i][j] = dwv_fma(
                a,
                dp_gather(params->residual + (y - params->output), t->ys_p,
                          n < DW_VW ? n : DW_VW),
                acc[k][i][j]);
          }
  }
  const sc_act_params *act = &params->act;
  if (act->activation == SIMDCONV_ACT_CLAMP) {
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DP_KB; k++)
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_DP_NV; j++)
          acc[k][i][j] = dwv_clamp(acc[k][i][j], act->lo, act->hi);
  } else if (act->activation != SIMDCONV_ACT_NONE) {
    /* The SLEEF activations out of line, through memory: one copy of their
     * code per micro-kernel. */
    dw_v v[SC_DP_KB * SC_DP_MR * SC_DP_NV];
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DP_KB; k++)
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_DP_NV; j++)
          v[(k * SC_DP_MR + i) * SC_DP_NV + j] = acc[k][i][j];
#pragma GCC unroll 1
    for (size_t q = 0; q < SC_DP_KB * SC_DP_MR * SC_DP_NV; q++)
      v[q] = dwv_act(act, v[q]);
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DP_KB; k++)
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_DP_NV; j++)
          acc[k][i][j] = v[(k * SC_DP_MR + i) * SC_DP_NV + j];
  }
#pragma GCC unroll 8
  for (size_t k = 0; k < SC_DP_KB; k++)
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_DP_MR; i++)
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_DP_NV; j++)
        if (i < mr && npix > j * DW_VW) {
          const size_t n = npix - j * DW_VW;
          dp_scatter(t->y + k * t->ys_k + i * t->ys_r + j * DW_VW * t->ys_p,
                     t->ys_p, acc[k][i][j], n < DW_VW ? n : DW_VW);
        }
}

#undef SC_DP_VW
#undef SC_DP_NAME
#undef SC_DP_KB
#undef SC_DP_MR
#undef SC_DP_NV
