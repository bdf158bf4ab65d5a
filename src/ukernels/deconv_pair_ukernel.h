/*
 * The pair micro-kernel template of the transposed convolution's NCHW rows
 * on a stride-2 axis, and of the octet tiles of stride 8 (operands:
 * sc_dpair_tile, src/deconv_pix.h). Included by an ISA's f32_deconv_pix_*
 * source after its vec_<isa>.h (the depthwise vector API, with dwv_zip_lo /
 * dwv_zip_hi), once per tile shape:
 *
 *   SC_DQ_NAME   the function's name
 *   SC_DQ_NV     pixel vectors per column phase (1 .. 3)
 *   SC_DQ_NP     column phases: 2 (pair, the default) or 8 (octet: all
 *                eight phases read the same input columns, the driver
 *                checks it)
 *
 * Scalar twin: f32_conv_direct__scalar (direct_sum_transposed). Each
 * accumulator lane is one output: bias + 0.0f, then one fma per (tap, input
 * channel), taps in canonical order (the packed order: ascending input row,
 * then column), channels inside. A lane whose input lies outside the image
 * (or past the phase's pixels) loads +0 under a mask and still takes its
 * fma, as the scalar kernel's zero-padding taps do. The zip to column order
 * moves finished sums; the epilogue (residual, activation) is elementwise.
 *
 * Register use: NP * KB * NV accumulators, NV input vectors and a weight
 * broadcast or two (24 + 4 zmm at NV = 3 on AVX-512, pair or octet).
 */
#ifndef SC_DQ_NP
#define SC_DQ_NP 2
#endif
#if SC_DQ_NP == 2
#define SC_DQ_KB SC_DPAIR_KB
#else
#define SC_DQ_KB SC_DOCT_KB
#endif
#define SC_DQ_VW (SC_DQ_NV * DW_VW)
#define SC_DQ_PHASE SC_UK_CAT(SC_DQ_NAME, _phase)

/* Adds the taps of column phases f0 .. f0 + nph - 1 (nph 1, or NP when all
 * phases read the same input columns: U-Net's 2x2 stride 2) to acc[f].
 * Phases taken together share each input load: per (tap, channel) NV loads
 * and 2 * KB broadcasts for 2 * KB * NV fmas instead of twice NV + KB for
 * half of them. Always inlined with constant sizes, so acc stays in
 * registers. */
static inline __attribute__((always_inline)) void
SC_DQ_PHASE(const sc_dpair_tile *restrict t, size_t f0, size_t nph,
            dw_v acc[SC_DQ_NP][SC_DQ_KB][SC_DQ_NV]) {
  const size_t kc = t->kc, cs = t->cstride, rs = t->rstride, tw = t->tw[f0],
               ws = t->wstride, npix = t->npix[f0];
  const ptrdiff_t H = (ptrdiff_t)t->H, W = (ptrdiff_t)t->W;
  const float *w[SC_DQ_NP];
  _Pragma("GCC unroll 8") for (size_t q = 0; q < nph; q++) w[q] = t->w[f0 + q];

  /* One input channel of a tap: NV loads (LOAD(j)), then per phase and
   * output channel one broadcast and NV fmas. */
#define SC_DQ_STEP(LOAD)                                                       \
  do {                                                                         \
    dw_v xv[SC_DQ_NV];                                                         \
    _Pragma("GCC unroll 8") for (size_t j = 0; j < SC_DQ_NV; j++)              \
        xv[j] = LOAD(j);                                                       \
    _Pragma("GCC unroll 8") for (size_t k = 0; k < SC_DQ_KB; k++)              \
        _Pragma("GCC unroll 8") for (size_t q = 0; q < nph; q++) {             \
      const dw_v wv = dwv_set1(wc[q][k]);                                      \
      _Pragma("GCC unroll 8") for (size_t j = 0; j < SC_DQ_NV; j++)            \
          acc[f0 + q][k][j] = dwv_fma(xv[j], wv, acc[f0 + q][k][j]);           \
    }                                                                          \
  } while (0)

  for (size_t jh = 0; jh < t->th; jh++) {
    const ptrdiff_t ih = t->ih0 + (ptrdiff_t)(jh * t->ddh);
    const bool row_in = ih >= 0 && ih < H;
    for (size_t jw = 0; jw < tw; jw++) {
      const ptrdiff_t iw = t->iw0[f0] + (ptrdiff_t)(jw * t->ddw);
      const float *wc[SC_DQ_NP];
      _Pragma("GCC unroll 8") for (size_t q = 0; q < nph; q++) {
        wc[q] = w[q];
        w[q] += kc * ws;
      }
      if (row_in && iw >= 0 && iw + (ptrdiff_t)SC_DQ_VW <= W) {
        /* Every lane inside the image (lanes past npix are not stored). */
        const float *xp = t->x + ih * (ptrdiff_t)rs + iw;
#define SC_DQ_LOAD(j) dwv_load(xp + (j) * DW_VW)
        for (size_t c = 0; c < kc; c++, xp += cs) {
          SC_DQ_STEP(SC_DQ_LOAD);
          _Pragma("GCC unroll 8") for (size_t q = 0; q < nph; q++) wc[q] += ws;
        }
#undef SC_DQ_LOAD
      } else {
        /* A border tap: lanes outside the image or the tile load +0; the
         * row pointer of a row outside the image is never dereferenced.
         * (Taken together, the other phases' lanes past their npix, not
         * stored, load what phase 0's do.) */
        dw_m m[SC_DQ_NV];
#pragma GCC unroll 8
        for (size_t j = 0; j < SC_DQ_NV; j++) {
          const ptrdiff_t col = iw + (ptrdiff_t)(j * DW_VW);
          const ptrdiff_t end = (ptrdiff_t)npix - (ptrdiff_t)(j * DW_VW);
          m[j] = dwm_range(row_in ? -col : 0,
                           row_in ? (W - col < end ? W - col : end) : 0);
        }
        const float *xr = t->x + (row_in ? (size_t)ih * rs : 0);
#define SC_DQ_LOAD(j)                                                          \
  dwv_loadm(xr + iw + (ptrdiff_t)((j) * DW_VW + c * cs), m[j])
        for (size_t c = 0; c < kc; c++) {
          SC_DQ_STEP(SC_DQ_LOAD);
          _Pragma("GCC unroll 8") for (size_t q = 0; q < nph; q++) wc[q] += ws;
        }
#undef SC_DQ_LOAD
      }
    }
  }
#undef SC_DQ_STEP
}

/* Vector j of channel k of every phase into column order at o (NP
 * vectors): for two phases one zip; for eight, three rounds of zips, each
 * pairing phases 4, then 2, then 1 apart, so that lane i of phase f lands at
 * column 8i + f. */
#ifndef SC_DQ_ZIP_DEFINED
#define SC_DQ_ZIP_DEFINED
static inline __attribute__((always_inline)) void
sc_dq_zip8(const dw_v a[8], dw_v *o) {
  dw_v b[8], c[8];
#pragma GCC unroll 4
  for (size_t f = 0; f < 4; f++) {
    b[f] = dwv_zip_lo(a[f], a[f + 4]);
    b[f + 4] = dwv_zip_hi(a[f], a[f + 4]);
  }
#pragma GCC unroll 2
  for (size_t h = 0; h < 8; h += 4) /* each half of the lanes */
#pragma GCC unroll 2
    for (size_t f = 0; f < 2; f++) {
      c[h + 2 * f] = dwv_zip_lo(b[h + f], b[h + f + 2]);
      c[h + 2 * f + 1] = dwv_zip_hi(b[h + f], b[h + f + 2]);
    }
#pragma GCC unroll 2
  for (size_t h = 0; h < 8; h += 4)
#pragma GCC unroll 2
    for (size_t f = 0; f < 2; f++) {
      o[h + 2 * f] = dwv_zip_lo(c[h + f], c[h + f + 2]);
      o[h + 2 * f + 1] = dwv_zip_hi(c[h + f], c[h + f + 2]);
    }
}
#endif
#if SC_DQ_NP == 2
#define SC_DQ_ZIP(acc, k, j, o)                                                \
  do {                                                                         \
    (o)[0] = dwv_zip_lo(acc[0][k][j], acc[1][k][j]);                           \
    (o)[1] = dwv_zip_hi(acc[0][k][j], acc[1][k][j]);                           \
  } while (0)
#else
#define SC_DQ_ZIP(acc, k, j, o)                                                \
  do {                                                                         \
    dw_v a8[8];                                                                \
    _Pragma("GCC unroll 8") for (size_t f = 0; f < 8; f++) a8[f] =             \
        acc[f][k][j];                                                          \
    sc_dq_zip8(a8, o);                                                         \
  } while (0)
#endif

static void SC_DQ_NAME(const sc_dpair_tile *restrict t,
                       const sc_dpix_params *restrict params) {
  dw_v acc[SC_DQ_NP][SC_DQ_KB][SC_DQ_NV];
#pragma GCC unroll 8
  for (size_t k = 0; k < SC_DQ_KB; k++) {
    const dw_v b = dwv_set1(t->bias[k]);
#pragma GCC unroll 8
    for (size_t f = 0; f < SC_DQ_NP; f++)
#pragma GCC unroll 8
      for (size_t j = 0; j < SC_DQ_NV; j++)
        acc[f][k][j] = b;
  }
  /* Phase f > 0 has npix[0] or one fewer pixels: taken with phase 0, it
   * reads phase 0's columns and masks. */
#if SC_DQ_NP == 2
  if (t->tw[0] == t->tw[1] && t->iw0[0] == t->iw0[1]) {
    SC_DQ_PHASE(t, 0, 2, acc);
  } else {
    SC_DQ_PHASE(t, 0, 1, acc);
    SC_DQ_PHASE(t, 1, 1, acc);
  }
#else
  SC_DQ_PHASE(t, 0, SC_DQ_NP, acc);
#endif

  /* Column order: vector v of channel k holds columns v*VW .. v*VW+VW-1. */
  dw_v out[SC_DQ_KB][SC_DQ_NP * SC_DQ_NV];
#pragma GCC unroll 8
  for (size_t k = 0; k < SC_DQ_KB; k++)
#pragma GCC unroll 8
    for (size_t j = 0; j < SC_DQ_NV; j++)
      SC_DQ_ZIP(acc, k, j, &out[k][SC_DQ_NP * j]);
  size_t n = 0;
#pragma GCC unroll 8
  for (size_t f = 0; f < SC_DQ_NP; f++)
    n += t->npix[f];
  const size_t kb = t->kb;
  if (params->residual != NULL) {
    const dw_v a = dwv_set1(params->alpha);
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DQ_KB; k++)
#pragma GCC unroll 8
      for (size_t v = 0; v < SC_DQ_NP * SC_DQ_NV; v++)
        if (k < kb && n > v * DW_VW) {
          const float *y = t->y + k * t->ys_k + v * DW_VW;
          out[k][v] = dwv_fma(
              a,
              dwv_loadm(params->residual + (y - params->output),
                        dwm_first(n - v * DW_VW)),
              out[k][v]);
        }
  }
  const sc_act_params *act = &params->act;
  if (act->activation == SIMDCONV_ACT_CLAMP) {
#pragma GCC unroll 8
    for (size_t k = 0; k < SC_DQ_KB; k++)
#pragma GCC unroll 8
      for (size_t v = 0; v < SC_DQ_NP * SC_DQ_NV; v++)
        out[k][v] = dwv_clamp(out[k][v], act->lo, act->hi);
  } else if (act->activation != SIMDCONV_ACT_NONE) {
    /* The SLEEF activations out of line: one copy of their code. */
#pragma GCC unroll 1
    for (size_t q = 0; q < SC_DQ_KB * SC_DQ_NP * SC_DQ_NV; q++)
      (&out[0][0])[q] = dwv_act(act, (&out[0][0])[q]);
  }
#pragma GCC unroll 8
  for (size_t k = 0; k < SC_DQ_KB; k++)
#pragma GCC unroll 8
    for (size_t v = 0; v < SC_DQ_NP * SC_DQ_NV; v++)
      if (k < kb && n > v * DW_VW) {
        float *y = t->y + k * t->ys_k + v * DW_VW;
        if (n >= (v + 1) * DW_VW)
          dwv_store(y, out[k][v]);
        else
          dwv_storem(y, out[k][v], dwm_first(n - v * DW_VW));
      }
}

#undef SC_DQ_PHASE
#undef SC_DQ_ZIP
#undef SC_DQ_NP
#undef SC_DQ_VW
#undef SC_DQ_KB
#undef SC_DQ_NAME
#undef SC_DQ_NV
