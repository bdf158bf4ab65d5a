/*
 * The NCHW depthwise templates (see src/dwconv.h). Included by an ISA source
 * after its vector API; the source instantiates the functions with
 * DW_NCHW_ROWS() and DW_NCHW_BAND().
 *
 * Prepared rows (DW_NCHW_ROWS): each channel plane is an independent 2D
 * convolution; one vector holds DW_VW consecutive outputs of one output row
 * and the weights are broadcast scalars. Every input row a band of outputs
 * reads is first copied once into a small ring on the stack, padded by the
 * padding mode and, for stride SW > 1, split into its SW phases (phase f
 * holds columns f, f + SW, f + 2*SW ... of the padded row), so that every tap
 * of every output vector is one plain load: no masks, no gathers, any
 * padding mode and stride. A block computes MR output rows at once, so each
 * loaded input vector feeds all the output rows that use it.
 *
 * Tiles (DW_NCHW_BAND): the input rows of DW_VW channels are transposed into
 * an NHWC tile, an NHWC row function computes it and the result is
 * transposed back; for narrow planes, where a row would fill few lanes.
 *
 * Scalar twin: f32_conv_direct__scalar. Each accumulator starts from
 * bias + 0.0f and takes one fma per tap in (r, s) order. Every
 * zero-padding tap takes part as fma(0, w, acc), as in the scalar kernel (a
 * 0.0 in the prepared row or the tile; an fma with a zero vector for a
 * zero-padding row): an accumulator can be -0.0, which fma(0, w, acc) turns
 * into +0.0, so skipping would not be exact.
 */
#ifndef SIMDCONV_UKERNELS_DWCONV_NCHW_H
#define SIMDCONV_UKERNELS_DWCONV_NCHW_H

#include <stdbool.h>

#include "dwconv.h"
#include "padding.h"
#include "ukernels/dw_store.h"

/* The ISA's NHWC row functions (f32_dwconv_nhwc__<isa>.c). */
extern const sc_dw_nhwc_list DW_ISA_NAME(sc_dw_nhwc_list);

#define DW_INLINE static inline __attribute__((always_inline))
/* Sanitizer builds skip the forced unrolling: it shapes register use, never
 * the order of the operations (the bits are the same), and under ASan+UBSan
 * it made clang spend 10-20 minutes on each depthwise source. */
#ifdef SC_SANITIZED
#define DW_UNROLL
#else
#define DW_UNROLL _Pragma("GCC unroll 64")
#endif

/* ---- the store ------------------------------------------------------------ */

/* Stores output vector acc at y (all lanes when full, else the lanes of
 * m): the residual (when there is one, read just before the store, so it
 * may be the output itself), the fused clamp (the identity unless the
 * activation is CLAMP) and, when act, the other activations. */
DW_INLINE void dw_nchw_store(const sc_dw_nchw_params *t, float *y, dw_v acc,
                             bool full, dw_m m, bool act) {
  dwv_store_epilogue(
      y, acc, t->residual != NULL ? t->residual + (y - t->output) : NULL,
      t->alpha, t->lo, t->hi, &t->act, act, full, m);
}

/* ---- NCHW: prepared rows ---------------------------------------------------- */

/* d[i] (i < lp: the entries the blocks read) = padded column c0 + SW*i of
 * input row x (W columns): the column mapped by the padding mode, 0.0 for a
 * zero-padding column and for every column past colmax (the last one any
 * output uses; the blocks read further only for lanes they discard). */
DW_INLINE void dw_prep_phase(const float *x, ptrdiff_t W, ptrdiff_t c0,
                             size_t SW, size_t lp, ptrdiff_t colmax,
                             simdconv_padding_mode mode, float *d) {
  const ptrdiff_t sw = (ptrdiff_t)SW, last = colmax < W - 1 ? colmax : W - 1;
  /* [0, lo): padding, [lo, hi): real columns, [hi, iz): padding, [iz, lp):
   * past colmax. */
  ptrdiff_t iz = colmax >= c0 ? (colmax - c0) / sw + 1 : 0;
  if (iz > (ptrdiff_t)lp)
    iz = (ptrdiff_t)lp;
  ptrdiff_t lo = c0 >= 0 ? 0 : (-c0 + sw - 1) / sw;
  ptrdiff_t hi = last >= c0 ? (last - c0) / sw + 1 : 0;
  if (lo > iz)
    lo = iz;
  if (hi > iz)
    hi = iz;
  if (hi < lo)
    hi = lo;
  for (ptrdiff_t i = 0; i < iz; i++) {
    if (i == lo)
      i = hi; /* the real columns, below */
    if (i >= iz)
      break;
    const ptrdiff_t iw = sc_pad_map(c0 + sw * i, W, mode);
    d[i] = iw < 0 ? 0.0f : x[iw];
  }
  for (ptrdiff_t i = iz; i < (ptrdiff_t)lp; i += DW_VW) {
    if ((ptrdiff_t)lp - i >= DW_VW)
      dwv_store(d + i, dwv_zero());
    else
      dwv_storem(d + i, dwv_zero(), dwm_first((size_t)((ptrdiff_t)lp - i)));
  }
  ptrdiff_t i = lo;
  if (SW == 1) {
    for (; i + DW_VW <= hi; i += DW_VW)
      dwv_store(d + i, dwv_load(x + c0 + i));
    if (i < hi) {
      const dw_m m = dwm_first((size_t)(hi - i));
      dwv_storem(d + i, dwv_loadm(x + c0 + i, m), m);
    }
  } else if (SW == 2) {
    for (; i + DW_VW <= hi; i += DW_VW) {
      const float *src = x + c0 + 2 * i;
      /* The last pair may end one column past the row: mask it. */
      const ptrdiff_t left = W - (c0 + 2 * i);
      const dw_v b = left >= 2 * DW_VW
                         ? dwv_load(src + DW_VW)
                         : dwv_loadm(src + DW_VW, dwm_first((size_t)(left - DW_VW)));
      dwv_store(d + i, dwv_even(dwv_load(src), b));
    }
    if (i < hi) {
      const ptrdiff_t left = W - (c0 + 2 * i);
      const float *src = x + c0 + 2 * i;
      const dw_v a = dwv_loadm(src, dwm_first(left < DW_VW ? (size_t)left : DW_VW));
      const dw_v b = left > DW_VW
                         ? dwv_loadm(src + DW_VW, dwm_first((size_t)(left - DW_VW)))
                         : dwv_zero();
      dwv_storem(d + i, dwv_even(a, b), dwm_first((size_t)(hi - i)));
    }
  } else {
    for (; i < hi; i++)
      d[i] = x[c0 + sw * i];
  }
}

/* Fills d[i] for i in [i0, i1) with the padded columns c0 + sw*i: mapped by
 * the padding mode, 0.0 for zero padding and past colmax. */
DW_INLINE void dw_prep_pad(const float *x, ptrdiff_t W, ptrdiff_t c0,
                           ptrdiff_t sw, ptrdiff_t i0, ptrdiff_t i1,
                           ptrdiff_t colmax, simdconv_padding_mode mode,
                           float *d) {
  ptrdiff_t i = i0;
  for (; i < i1 && c0 + sw * i <= colmax; i++) {
    const ptrdiff_t iw = sc_pad_map(c0 + sw * i, W, mode);
    d[i] = iw < 0 ? 0.0f : x[iw];
  }
  for (; i + DW_VW <= i1; i += DW_VW)
    dwv_store(d + i, dwv_zero());
  if (i < i1)
    dwv_storem(d + i, dwv_zero(), dwm_first((size_t)(i1 - i)));
}

/* Stride 2: both phases of a row at once (d0[i] = column c0 + 2i, d1[i] =
 * column c0 + 2i + 1, i < lp), one deinterleave per 2*DW_VW real columns. */
DW_INLINE void dw_prep_row2(const float *x, ptrdiff_t W, ptrdiff_t c0,
                            size_t lp, ptrdiff_t colmax,
                            simdconv_padding_mode mode, float *d0, float *d1) {
  /* i in [lo, hi): columns c0 + 2i and c0 + 2i + 1 both real and read. */
  const ptrdiff_t last = colmax < W - 1 ? colmax : W - 1, n = (ptrdiff_t)lp;
  ptrdiff_t lo = c0 >= 0 ? 0 : (-c0 + 1) / 2;
  ptrdiff_t hi = last - 1 >= c0 ? (last - 1 - c0) / 2 + 1 : 0;
  if (lo > n)
    lo = n;
  if (hi > n)
    hi = n;
  if (hi < lo)
    hi = lo;
  ptrdiff_t i = lo;
  for (; i + DW_VW <= hi; i += DW_VW) {
    const float *src = x + c0 + 2 * i;
    const dw_v a = dwv_load(src), b = dwv_load(src + DW_VW);
    dwv_store(d0 + i, dwv_even(a, b));
    dwv_store(d1 + i, dwv_odd(a, b));
  }
  if (i < hi) {
    const float *src = x + c0 + 2 * i;
    const size_t cols = (size_t)(2 * (hi - i)); /* real columns from src */
    const dw_v a = dwv_loadm(src, dwm_first(cols));
    const dw_v b = cols > DW_VW ? dwv_loadm(src + DW_VW, dwm_first(cols - DW_VW))
                                : dwv_zero();
    const dw_m m = dwm_first((size_t)(hi - i));
    dwv_storem(d0 + i, dwv_even(a, b), m);
    dwv_storem(d1 + i, dwv_odd(a, b), m);
  }
  dw_prep_pad(x, W, c0, 2, 0, lo, colmax, mode, d0);
  dw_prep_pad(x, W, c0 + 1, 2, 0, lo, colmax, mode, d1);
  dw_prep_pad(x, W, c0, 2, hi, n, colmax, mode, d0);
  dw_prep_pad(x, W, c0 + 1, 2, hi, n, colmax, mode, d1);
}

/* Outputs [v0, v0 + n) of MR output rows from prepared rows: prow[m*R + r]
 * (NULL: a zero row), phase f of a row at + f*lp. Input row j feeds output
 * row m through kernel row r when m*SH + r*DH == j; for a given m, r rises
 * with j, so the (r, s) order holds. wv: the R*S broadcast weights. */
DW_INLINE void dw_nchw_block(const sc_dw_nchw_params *t,
                             const float *const *prow, float *y, size_t OW,
                             size_t v0, size_t n, const dw_v *wv, dw_v b,
                             size_t MR, size_t R, size_t S, size_t SH,
                             size_t SW, size_t DH, size_t DW) {
  const size_t jn = (MR - 1) * SH + (R - 1) * DH + 1, lp = t->lp;
  dw_v acc[SC_DW_MAX_MR];
  DW_UNROLL for (size_t m = 0; m < MR; m++) acc[m] = b;
  DW_UNROLL for (size_t j = 0; j < jn; j++) {
    const float *row = NULL;
    bool used = false;
    DW_UNROLL for (size_t m = 0; m < MR; m++)
      DW_UNROLL for (size_t r = 0; r < R; r++)
        if (!used && m * SH + r * DH == j) {
          row = prow[m * R + r];
          used = true;
        }
    if (!used)
      continue;
    if (row == NULL) {
      /* A zero-padding row: its taps take part as fma(0, w, acc). */
      DW_UNROLL for (size_t s = 0; s < S; s++)
        DW_UNROLL for (size_t m = 0; m < MR; m++)
          DW_UNROLL for (size_t r = 0; r < R; r++)
            if (m * SH + r * DH == j)
              acc[m] = dwv_fma(dwv_zero(), wv[r * S + s], acc[m]);
      continue;
    }
    DW_UNROLL for (size_t s = 0; s < S; s++) {
      dw_v x = dwv_load(row + ((s * DW) % SW) * lp + v0 + (s * DW) / SW);
      /* One load for all the fmas below: keep the compiler from folding it
       * into each of them (these loads often straddle cache lines). */
      x = dwv_opaque(x);
      DW_UNROLL for (size_t m = 0; m < MR; m++)
        DW_UNROLL for (size_t r = 0; r < R; r++)
          if (m * SH + r * DH == j)
            acc[m] = dwv_fma(x, wv[r * S + s], acc[m]);
    }
  }
  DW_UNROLL for (size_t m = 0; m < MR; m++)
    dw_nchw_store(t, y + m * OW + v0, acc[m], n == DW_VW, dwm_first(n),
                  false);
}

/* All outputs [0, ws) of MR output rows; the weights are loaded here so
 * that they stay in registers (no call in this loop). */
DW_INLINE void dw_nchw_block_row(const sc_dw_nchw_params *t,
                                 const float *const *prow, float *y,
                                 size_t OW, size_t ws, size_t k, size_t MR,
                                 size_t R, size_t S, size_t SH, size_t SW,
                                 size_t DH, size_t DW) {
  dw_v wv[64];
  DW_UNROLL for (size_t i = 0; i < R * S; i++) wv[i] =
      dwv_set1(t->w[i * t->Kp + k]);
  const dw_v b = dwv_add(dwv_set1(t->bias[k]), dwv_zero());
  size_t v0 = 0;
  for (; v0 + DW_VW <= ws; v0 += DW_VW)
    dw_nchw_block(t, prow, y, OW, v0, DW_VW, wv, b, MR, R, S, SH, SW, DH, DW);
  if (v0 < ws)
    dw_nchw_block(t, prow, y, OW, v0, ws - v0, wv, b, MR, R, S, SH, SW, DH,
                  DW);
}

/* The same for one output row of any shape. */
DW_INLINE void dw_nchw_block_any(const sc_dw_nchw_params *t,
                                 const float *const *prow, float *y,
                                 size_t v0, size_t n, size_t k) {
  const sc_problem *p = t->problem;
  const size_t S = p->S, SW = p->stride_w, DW = p->dil_w, lp = t->lp;
  dw_v acc = dwv_add(dwv_set1(t->bias[k]), dwv_zero());
  const float *wk = t->w + k;
  for (size_t r = 0; r < p->R; r++) {
    const float *row = prow[r];
    for (size_t s = 0; s < S; s++, wk += t->Kp) {
      const dw_v w = dwv_set1(*wk);
      if (row == NULL) {
        /* A zero-padding row: fma(0, w, acc). */
        acc = dwv_fma(dwv_zero(), w, acc);
        continue;
      }
      acc = dwv_fma(dwv_load(row + ((s * DW) % SW) * lp + v0 + (s * DW) / SW),
                    w, acc);
    }
  }
  dw_nchw_store(t, y + v0, acc, n == DW_VW, dwm_first(n), false);
}

/* Applies an unfused activation in place to outputs [0, n) of a row. */
static inline void dw_nchw_activate(const sc_act_params *act, float *y,
                                    size_t n) {
  size_t i = 0;
  for (; i + DW_VW <= n; i += DW_VW)
    dwv_store(y + i, dwv_act(act, dwv_load(y + i)));
  if (i < n) {
    const dw_m m = dwm_first(n - i);
    dwv_storem(y + i, dwv_act(act, dwv_loadm(y + i, m)), m);
  }
}

/* The prepared rows of the output rows [oh, oh + mc) (prow[m*R + r], NULL
 * for a zero row), preparing those not in the ring yet. A row is prepared
 * one block before it is read: loads that straddle stores still in flight
 * would stall. */
DW_INLINE void dw_nchw_prep_block(const sc_dw_nchw_params *t, const float *x,
                                  size_t oh, size_t mc, ptrdiff_t c0,
                                  ptrdiff_t colmax, size_t rext, float *ring,
                                  size_t *tag, size_t nslots, bool keyed,
                                  const float **prow, size_t SW) {
  const sc_problem *p = t->problem;
  const size_t R = p->R, lp = t->lp, H = t->shape->H, W = t->shape->W;
  /* The rows of a block are u0 + [0, jn) with jn <= nslots: one division. */
  const size_t u0 = oh * p->stride_h, s0 = keyed ? u0 % nslots : 0;
  for (size_t m = 0; m < mc; m++)
    for (size_t r = 0; r < R; r++) {
      const size_t du = m * p->stride_h + r * p->dil_h, u = u0 + du;
      const ptrdiff_t ih = sc_pad_map((ptrdiff_t)u - (ptrdiff_t)p->pad_top,
                                      (ptrdiff_t)H, p->padding_mode);
      if (ih < 0) {
        prow[m * R + r] = NULL;
        continue;
      }
      const size_t slot =
          keyed ? (s0 + du >= nslots ? s0 + du - nslots : s0 + du) : m * R + r;
      float *d = ring + slot * SW * lp;
      if (tag[slot] != u) {
        if (SW == 2)
          dw_prep_row2(x + (size_t)ih * W, (ptrdiff_t)W, c0, rext, colmax,
                       p->padding_mode, d, d + lp);
        else
          for (size_t f = 0; f < SW; f++)
            dw_prep_phase(x + (size_t)ih * W, (ptrdiff_t)W, c0 + (ptrdiff_t)f,
                          SW, rext, colmax, p->padding_mode, d + f * lp);
        tag[slot] = u;
      }
      prow[m * R + r] = d;
    }
}

/* Defines NAME, an sc_dw_nchw_fn: MR_ output rows per block for a constant
 * shape; MR_ == 0: any shape, one row per block. */
#define DW_NCHW_ROWS(NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)                    \
  static void NAME(const sc_dw_nchw_params *t, size_t plane, size_t oh0,     \
                   size_t nrows) {                                             \
    const sc_problem *p = t->problem;                                          \
    const sc_shape *sh = t->shape;                                             \
    const size_t H = sh->H, W = sh->W, OH = sh->OH, OW = sh->OW, R = p->R;     \
    const size_t SW = p->stride_w, mr = t->mr;                                 \
    const size_t SWC = (SW_) ? (size_t)(SW_) : SW; /* constant when known */   \
    const size_t k = plane % p->K;                                             \
    const float *x = t->input + ((plane / p->K) * p->C + k / p->Kg) * H * W;   \
    float *y = t->output + plane * OH * OW;                                    \
    float ring[SC_DW_ROWS_RING_FLOATS] __attribute__((aligned(64)));           \
    size_t tag[SC_DW_ROWS_MAX_SLOTS];                                          \
    const float *prow[2][SC_DW_MAX_MR * SC_DW_MAX_R];                          \
    const bool keyed = t->keyed;                                               \
    const size_t nslots = t->nslots;                                           \
    for (size_t ow0 = 0; ow0 < OW; ow0 += t->ws) {                             \
      const size_t ws = OW - ow0 < t->ws ? OW - ow0 : t->ws;                   \
      const ptrdiff_t c0 = (ptrdiff_t)(ow0 * SW) - (ptrdiff_t)p->pad_left;     \
      const ptrdiff_t colmax =                                                 \
          c0 + (ptrdiff_t)(SW * (ws - 1) + (p->S - 1) * p->dil_w);             \
      /* Entries of a prepared phase the blocks read. */                       \
      const size_t rext = (ws - 1) / DW_VW * DW_VW +                           \
                          (p->S - 1) * p->dil_w / SW + DW_VW;                  \
      for (size_t i = 0; i < nslots; i++)                                      \
        tag[i] = SIZE_MAX;                                                     \
      const size_t end = oh0 + nrows;                                          \
      size_t cur = 0;                                                          \
      dw_nchw_prep_block(t, x, oh0, end - oh0 < mr ? end - oh0 : mr, c0,       \
                         colmax, rext, ring, tag, nslots, keyed, prow[0],      \
                         SWC);                                                 \
      for (size_t oh = oh0; oh < end; oh += mr, cur ^= 1) {                    \
        const size_t mc = end - oh < mr ? end - oh : mr;                       \
        if (keyed && oh + mr < end)                                            \
          dw_nchw_prep_block(t, x, oh + mr,                                    \
                             end - oh - mr < mr ? end - oh - mr : mr, c0,      \
                             colmax, rext, ring, tag, nslots, keyed,           \
                             prow[cur ^ 1], SWC);                              \
        const float *const *pr = prow[cur];                                    \
        float *yo = y + oh * OW + ow0;                                         \
        if ((MR_) && mc == (size_t)(MR_))                                      \
          dw_nchw_block_row(t, pr, yo, OW, ws, k, (MR_) ? (MR_) : 1, R_, S_,   \
                            SH_, SW_, DH_, DW_);                               \
        else if (MR_)                                                          \
          for (size_t m = 0; m < mc; m++)                                      \
            dw_nchw_block_row(t, pr + m * R, yo + m * OW, OW, ws, k, 1, R_,    \
                              S_, SH_, SW_, DH_, DW_);                         \
        else                                                                   \
          for (size_t m = 0; m < mc; m++)                                      \
            for (size_t v0 = 0; v0 < ws; v0 += DW_VW)                          \
              dw_nchw_block_any(t, pr + m * R, yo + m * OW, v0,                \
                                ws - v0 < DW_VW ? ws - v0 : DW_VW, k);         \
        if (p->activation != SIMDCONV_ACT_NONE &&                              \
            p->activation != SIMDCONV_ACT_CLAMP)                               \
          for (size_t m = 0; m < mc; m++)                                      \
            dw_nchw_activate(&t->act, yo + m * OW, ws);                        \
        if (!keyed && oh + mr < end)                                           \
          dw_nchw_prep_block(t, x, oh + mr,                                    \
                             end - oh - mr < mr ? end - oh - mr : mr, c0,      \
                             colmax, rext, ring, tag, nslots, keyed,           \
                             prow[cur ^ 1], SWC);                              \
      }                                                                        \
    }                                                                          \
  }

/* ---- NCHW, stride 2, zero padding: direct ------------------------------------ */

#define DW_S2_MAX_VECS 32 /* output vectors per strip (masks on the stack) */
#define DW_S2_MAX_PAIRS 4 /* (S-1)*DW/2 + 1: pairs of loads per input row */

/* Outputs [v*DW_VW, +DW_VW) of MR output rows straight from the input rows:
 * the columns 2*ow - pad_left + o of tap offset o = s*DW are the even (o
 * even) or odd lanes of the pair of vectors loaded at an even offset, masked
 * to the real columns (zero padding reads 0.0). Input row j feeds output row
 * m through kernel row r when m*SH + r*DH == j; r rises with j for a given
 * m and s within a row, so the (r, s) order holds. */
DW_INLINE void dw_s2_vec(const float *const *rows, ptrdiff_t base,
                         const dw_m *ma, const dw_m *mb, const dw_v *wv,
                         dw_v b, float *y, size_t OW, dw_m mo, size_t n,
                         const sc_dw_nchw_params *t, size_t MR, size_t R,
                         size_t S, size_t SH, size_t DH, size_t DW) {
  const size_t jn = (MR - 1) * SH + (R - 1) * DH + 1;
  const size_t npair = (S - 1) * DW / 2 + 1;
  dw_v acc[SC_DW_MAX_MR];
  DW_UNROLL for (size_t m = 0; m < MR; m++) acc[m] = b;
  DW_UNROLL for (size_t j = 0; j < jn; j++) {
    bool used = false;
    DW_UNROLL for (size_t m = 0; m < MR; m++)
      DW_UNROLL for (size_t r = 0; r < R; r++)
        used = used || m * SH + r * DH == j;
    if (!used)
      continue;
    const float *row = rows[j];
    dw_v ev[DW_S2_MAX_PAIRS], od[DW_S2_MAX_PAIRS];
    DW_UNROLL for (size_t q = 0; q < npair; q++) {
      if (row == NULL) {
        /* a zero-padding row: its taps take part as fma(0, w, acc) */
        ev[q] = od[q] = dwv_zero();
        continue;
      }
      const float *src = row + base + (ptrdiff_t)(2 * q);
      const dw_v a = dwv_loadm(src, ma[q]), c = dwv_loadm(src + DW_VW, mb[q]);
      ev[q] = dwv_even(a, c);
      od[q] = dwv_odd(a, c);
    }
    DW_UNROLL for (size_t s = 0; s < S; s++) {
      const dw_v x = ((s * DW) & 1) ? od[s * DW / 2] : ev[s * DW / 2];
      DW_UNROLL for (size_t m = 0; m < MR; m++)
        DW_UNROLL for (size_t r = 0; r < R; r++)
          if (m * SH + r * DH == j)
            acc[m] = dwv_fma(x, wv[r * S + s], acc[m]);
    }
  }
  DW_UNROLL for (size_t m = 0; m < MR; m++)
    dw_nchw_store(t, y + m * OW, acc[m], n == DW_VW, mo, false);
}

/* Defines NAME, an sc_dw_nchw_fn for stride_w 2 with zero padding: MR_
 * output rows per block (fewer at the end), constant shape. */
#define DW_NCHW_S2(NAME, MR_, R_, S_, SH_, DH_, DW_)                           \
  DW_INLINE void NAME##_rows(const sc_dw_nchw_params *t, const float *x,       \
                             float *y, size_t oh, size_t mc, size_t OW,       \
                             size_t v0, size_t nv, const dw_m *ma,             \
                             const dw_m *mb, const dw_v *wv, dw_v b,           \
                             size_t MR) {                                      \
    const sc_problem *p = t->problem;                                          \
    const size_t H = t->shape->H, W = t->shape->W;                             \
    const float *rows[(SC_DW_MAX_MR - 1) * (SH_) + ((R_) - 1) * (DH_) + 1];    \
    for (size_t j = 0; j < (MR - 1) * (SH_) + ((R_) - 1) * (DH_) + 1; j++) {   \
      const ptrdiff_t ih =                                                     \
          (ptrdiff_t)(oh * (SH_) + j) - (ptrdiff_t)p->pad_top;                 \
      rows[j] = ih < 0 || ih >= (ptrdiff_t)H ? NULL : x + (size_t)ih * W;      \
    }                                                                          \
    (void)mc;                                                                  \
    for (size_t v = 0; v < nv; v++) {                                          \
      const size_t ow = (v0 + v) * DW_VW;                                      \
      const size_t n = OW - ow < DW_VW ? OW - ow : DW_VW;                      \
      dw_s2_vec(rows, (ptrdiff_t)(2 * ow) - (ptrdiff_t)p->pad_left,            \
                ma + v * DW_S2_MAX_PAIRS, mb + v * DW_S2_MAX_PAIRS, wv, b,     \
                y + oh * OW + ow, OW, dwm_first(n), n, t, MR, R_,   \
                S_, SH_, DH_, DW_);                                            \
    }                                                                          \
  }                                                                            \
  static void NAME(const sc_dw_nchw_params *t, size_t plane, size_t oh0,     \
                   size_t nrows) {                                             \
    const sc_problem *p = t->problem;                                          \
    const sc_shape *sh = t->shape;                                             \
    const size_t H = sh->H, W = sh->W, OH = sh->OH, OW = sh->OW;               \
    const size_t k = plane % p->K;                                             \
    const float *x = t->input + ((plane / p->K) * p->C + k / p->Kg) * H * W;   \
    float *y = t->output + plane * OH * OW;                                    \
    dw_v wv[(R_) * (S_)];                                                      \
    for (size_t i = 0; i < (size_t)(R_) * (S_); i++)                           \
      wv[i] = dwv_set1(t->w[i * t->Kp + k]);                                   \
    const dw_v b = dwv_add(dwv_set1(t->bias[k]), dwv_zero());                  \
    dw_m ma[DW_S2_MAX_VECS * DW_S2_MAX_PAIRS], mb[DW_S2_MAX_VECS * DW_S2_MAX_PAIRS]; \
    const size_t nvec = (OW + DW_VW - 1) / DW_VW;                              \
    for (size_t v0 = 0; v0 < nvec; v0 += DW_S2_MAX_VECS) {                     \
      const size_t nv = nvec - v0 < DW_S2_MAX_VECS ? nvec - v0 : DW_S2_MAX_VECS; \
      for (size_t v = 0; v < nv; v++)                                          \
        for (size_t q = 0; q < ((S_) - 1) * (DW_) / 2 + 1; q++) {              \
          const ptrdiff_t c = (ptrdiff_t)(2 * (v0 + v) * DW_VW + 2 * q) -       \
                              (ptrdiff_t)p->pad_left;                          \
          ma[v * DW_S2_MAX_PAIRS + q] = dwm_range(-c, (ptrdiff_t)W - c);       \
          mb[v * DW_S2_MAX_PAIRS + q] = dwm_range(-c - DW_VW, (ptrdiff_t)W - c - DW_VW); \
        }                                                                      \
      for (size_t oh = oh0; oh < oh0 + nrows; oh += (MR_)) {                   \
        const size_t mc = oh0 + nrows - oh < (MR_) ? oh0 + nrows - oh : (MR_);  \
        if (mc == (MR_))                                                       \
          NAME##_rows(t, x, y, oh, mc, OW, v0, nv, ma, mb, wv, b, MR_);        \
        else                                                                   \
          for (size_t m = 0; m < mc; m++)                                      \
            NAME##_rows(t, x, y, oh + m, 1, OW, v0, nv, ma, mb, wv, b, 1);     \
      }                                                                        \
    }                                                                          \
    if (p->activation != SIMDCONV_ACT_NONE &&                                  \
        p->activation != SIMDCONV_ACT_CLAMP)                                   \
      for (size_t oh = oh0; oh < oh0 + nrows; oh++)                            \
        dw_nchw_activate(&t->act, y + oh * OW, OW);                            \
  }

/* ---- NCHW, stride 1, zero padding, OW == W: flat planes ------------------- */

/* Output (oh, ow) is flat index q = oh*W + ow of its plane and tap (r, s)
 * reads the input at flat index q + t->off[r*S + s], off = (r*DH - pad_top)*W
 * + s*DW - pad_left: one vector holds DW_VW consecutive outputs whatever the
 * width (spanning rows, so narrow planes fill the lanes) and reads each tap
 * with one masked load straight from the input: no copies, no transposes,
 * planes read and written front to back. t->masks[v*R*S + tap] has the bits
 * of the lanes of flat vector v whose tap reads a real input; the others
 * load 0.0 and take part as fma(0, w, acc). Masked-off lanes are never
 * touched, so the base address of a load may lie outside the plane: it is
 * formed as an integer. */

/* The address of p + i floats as an integer: a masked access's base may
 * lie outside the buffer, where pointer arithmetic is undefined. */
DW_INLINE uintptr_t dw_flat_at(const float *p, ptrdiff_t i) {
  return (uintptr_t)p + (uintptr_t)(i * (ptrdiff_t)sizeof(float));
}

/* Flat vectors [v0, v0 + MV) of a plane: xb[tap] is the address of the
 * input plane shifted by the tap's offset, y the output plane, wv the
 * weights. */
DW_INLINE void dw_flat_vecs(const sc_dw_nchw_params *t, const uintptr_t *xb,
                            float *y, size_t v0, const dw_v *wv, dw_v b,
                            bool act, size_t MV, size_t T) {
  const uint16_t *mk = t->masks + v0 * T;
  const size_t q0 = v0 * DW_VW;
  dw_v acc[SC_DW_FLAT_MAX_MV];
  DW_UNROLL for (size_t v = 0; v < MV; v++) acc[v] = b;
  DW_UNROLL for (size_t i = 0; i < T; i++)
    DW_UNROLL for (size_t v = 0; v < MV; v++) acc[v] = dwv_fma(
        dwv_loadm((const float *)(xb[i] + (q0 + v * DW_VW) * sizeof(float)),
                  dwm_load_bits(mk + v * T + i)),
        wv[i], acc[v]);
  const size_t nq = t->shape->OH * t->shape->OW;
  DW_UNROLL for (size_t v = 0; v < MV; v++) {
    const size_t q = q0 + v * DW_VW;
    dw_nchw_store(t, y + q, acc[v], q + DW_VW <= nq,
                  dwm_first(q + DW_VW <= nq ? DW_VW : nq - q), act);
  }
}

/* Flat vectors [v0, v0 + nv) of output plane n*K + k, input channel ci. */
DW_INLINE void dw_flat_plane(const sc_dw_nchw_params *t, size_t n, size_t k,
                             size_t ci, size_t v0, size_t nv, size_t MV,
                             size_t T) {
  const sc_problem *p = t->problem;
  const sc_shape *sh = t->shape;
  const float *x = t->input + (n * p->C + ci) * sh->H * sh->W;
  float *y = t->output + (n * p->K + k) * sh->OH * sh->OW;
  uintptr_t xb[SC_DW_FLAT_MAX_TAPS];
  dw_v wv[SC_DW_FLAT_MAX_TAPS];
  DW_UNROLL for (size_t i = 0; i < T; i++) {
    xb[i] = dw_flat_at(x, t->off[i]);
    wv[i] = dwv_set1(t->w[i * t->Kp + k]);
  }
  const dw_v b = dwv_add(dwv_set1(t->bias[k]), dwv_zero());
  const bool act = p->activation != SIMDCONV_ACT_NONE &&
                   p->activation != SIMDCONV_ACT_CLAMP;
  size_t v = v0;
  for (; v + MV <= v0 + nv; v += MV)
    dw_flat_vecs(t, xb, y, v, wv, b, act, MV, T);
  for (; v < v0 + nv; v++)
    dw_flat_vecs(t, xb, y, v, wv, b, act, 1, T);
}

/* Defines NAME, an sc_dw_flat_fn: MV_ vectors per block and T_ = R*S taps
 * (weights kept in registers); T_ == 0: any kernel, one vector per block. */
#define DW_NCHW_FLAT(NAME, MV_, T_)                                            \
  static void NAME(const sc_dw_nchw_params *t, size_t plane0, size_t nplanes,\
                   size_t v0, size_t nv) {                                     \
    const size_t K = t->problem->K, Kg = t->problem->Kg;                       \
    const size_t T = t->problem->R * t->problem->S;                            \
    /* Plane n*K + k reads input channel ci = k / Kg (j = k % Kg): counted,  \
     * not divided, per plane (a division per plane was a third of a 7x7     \
     * plane's time). */                                                     \
    size_t n = plane0 / K, k = plane0 % K, ci = k / Kg, j = k % Kg;            \
    for (size_t i = 0; i < nplanes; i++) {                                     \
      if (T_)                                                                  \
        dw_flat_plane(t, n, k, ci, v0, nv, (MV_) ? (MV_) : 1,                  \
                      (T_) ? (T_) : 1);                                        \
      else                                                                     \
        dw_flat_plane(t, n, k, ci, v0, nv, 1, T);                              \
      if (++j == Kg) {                                                         \
        j = 0;                                                                 \
        ci++;                                                                  \
      }                                                                        \
      if (++k == K) {                                                          \
        k = ci = j = 0;                                                        \
        n++;                                                                   \
      }                                                                        \
    }                                                                          \
  }

/* The NCHW row functions of an ISA and their list, from one shape list:
 * SHAPES(X) calls X(KIND, name, MR, R, S, SH, SW, DH, DW) once per function,
 * KIND ROWS (prepared rows, DW_NCHW_ROWS; MR 0: any shape, one row per
 * call) or S2 (stride 2 straight from the input, zero padding only,
 * DW_NCHW_S2; SW must be 2); R .. DW: 0 matches any value; the last row must
 * match every shape. Defines the static dw_nchw_list. */
#define DW_NCHW_DEFINE(KIND, NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)            \
  DW_NCHW_DEFINE_##KIND(NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)
#define DW_NCHW_DEFINE_ROWS(NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)             \
  DW_NCHW_ROWS(NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)
#define DW_NCHW_DEFINE_S2(NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)               \
  DW_NCHW_S2(NAME, MR_, R_, S_, SH_, DH_, DW_)
#define DW_NCHW_ZEROS_ONLY_ROWS 0
#define DW_NCHW_ZEROS_ONLY_S2 1
#define DW_NCHW_ENTRY(KIND, NAME, MR_, R_, S_, SH_, SW_, DH_, DW_)             \
  {R_, S_, SH_, SW_, DH_, DW_, (MR_) ? (MR_) : 1, NAME,                        \
   DW_NCHW_ZEROS_ONLY_##KIND},
#define DW_NCHW_LIST(SHAPES)                                                   \
  SHAPES(DW_NCHW_DEFINE)                                                       \
  static const sc_dw_nchw_entry dw_nchw_entries[] = {SHAPES(DW_NCHW_ENTRY)};   \
  static const sc_dw_nchw_list dw_nchw_list = {                                \
      dw_nchw_entries, sizeof dw_nchw_entries / sizeof *dw_nchw_entries};

/* The flat-plane functions and their list: SHAPES(X) calls X(name, vectors
 * per block, R, S) per function (R = S = 0: any kernel, last). Defines the
 * static dw_flat_list. */
#define DW_FLAT_DEFINE(NAME, MV_, R_, S_) DW_NCHW_FLAT(NAME, MV_, (R_) * (S_))
#define DW_FLAT_ENTRY(NAME, MV_, R_, S_) {R_, S_, NAME},
#define DW_FLAT_LIST(SHAPES)                                                   \
  SHAPES(DW_FLAT_DEFINE)                                                       \
  static const sc_dw_flat_entry dw_flat_entries[] = {SHAPES(DW_FLAT_ENTRY)};   \
  static const sc_dw_flat_list dw_flat_list = {                                \
      dw_flat_entries, sizeof dw_flat_entries / sizeof *dw_flat_entries};

#ifdef DW_HAVE_TILE_TRANSPOSES /* the ISA provides dw_tile_in_chunk, dw_tile_out */

/* ---- NCHW through NHWC tiles ---------------------------------------------- */

/* One tile row: tile column t holds input column ix0 + t of input row ih,
 * mapped by the padding mode (zeros mode: 0.0 outside the row). */
static inline void dw_tile_in_row(const sc_problem *p, const float *const *in,
                                  size_t nk, size_t W, size_t ih, ptrdiff_t ix0,
                                  size_t spanw, size_t t_lo, size_t t_hi,
                                  float *dst) {
  const size_t off = ih * W;
  for (size_t t = 0; t < spanw; t++) {
    if (t == t_lo && t_lo < t_hi)
      t = t_hi; /* skip the real columns, done below */
    if (t >= spanw)
      break;
    const ptrdiff_t iw = sc_pad_map(ix0 + (ptrdiff_t)t, (ptrdiff_t)W,
                                    p->padding_mode);
    float *d = dst + t * DW_VW;
    if (iw < 0) {
      dwv_store(d, dwv_zero());
    } else {
      for (size_t j = 0; j < DW_VW; j++)
        d[j] = j < nk ? in[j][off + (size_t)iw] : 0.0f;
    }
  }
  for (size_t t = t_lo; t < t_hi; t += DW_VW)
    dw_tile_in_chunk(in, nk, off, ix0 + (ptrdiff_t)t,
                     t_hi - t < DW_VW ? t_hi - t : DW_VW, dst + t * DW_VW);
}

/* The residual of output rows [oh, oh + mc), columns [ow0, ow0 + ws) of the
 * nk planes r[] into the NHWC tile rt laid out as the row function's output
 * tile (pixel m*ws + i at rt + (m*ws + i)*DW_VW). */
static inline void dw_tile_residual(const float *const *r, size_t nk,
                                    size_t OW, size_t oh, size_t mc,
                                    size_t ow0, size_t ws, float *rt) {
  for (size_t m = 0; m < mc; m++)
    for (size_t i = 0; i < ws; i += DW_VW)
      dw_tile_in_chunk(r, nk, (oh + m) * OW, (ptrdiff_t)(ow0 + i),
                       ws - i < DW_VW ? ws - i : DW_VW,
                       rt + (m * ws + i) * DW_VW);
}

/* Defines the band function NAME (an sc_dw_nchw_band_fn). */
#define DW_NCHW_BAND(NAME)                                                     \
  static void NAME(const sc_dw_nchw_tile_params *t, size_t n, size_t k0,      \
                   size_t oh0, size_t nrows) {                                 \
    const sc_problem *p = t->problem;                                          \
    const sc_shape *sh = t->shape;                                             \
    const size_t H = sh->H, W = sh->W, OH = sh->OH, OW = sh->OW, R = p->R;     \
    const size_t nk = p->K - k0 < DW_VW ? p->K - k0 : DW_VW;                   \
    const float *in[DW_VW];                                                    \
    float *out[DW_VW];                                                         \
    const float *res[DW_VW];                                                   \
    for (size_t j = 0; j < nk; j++) {                                          \
      in[j] = t->input + (n * p->C + (k0 + j) / p->Kg) * H * W;                \
      out[j] = t->output + (n * p->K + k0 + j) * OH * OW;                      \
      res[j] = t->residual ? t->residual + (out[j] - t->output) : NULL;        \
    }                                                                          \
    float ring[SC_DW_TILE_RING_FLOATS] __attribute__((aligned(64)));           \
    float otile[SC_DW_TILE_OUT_FLOATS] __attribute__((aligned(64)));           \
    size_t slot_u[SC_DW_TILE_MAX_JN];                                          \
    const float *rows[SC_DW_MAX_MR * SC_DW_MAX_R];                             \
    sc_dw_nhwc_params tp = t->tile;                                            \
    tp.bias += k0;                                                             \
    tp.w += k0;                                                                \
    float rtile[SC_DW_TILE_OUT_FLOATS] __attribute__((aligned(64)));           \
    if (t->residual != NULL) {                                                 \
      tp.residual = rtile;                                                     \
      tp.res_out = otile;                                                      \
    }                                                                          \
    if (t->flat) {                                                             \
      /* The whole plane, unpadded: the NHWC kernel handles the padding. */    \
      for (size_t px = 0; px < H * W; px += DW_VW)                             \
        dw_tile_in_chunk(in, nk, 0, (ptrdiff_t)px,                             \
                         H * W - px < DW_VW ? H * W - px : DW_VW,              \
                         ring + px * DW_VW);                                   \
      for (size_t oh = oh0; oh < oh0 + nrows; oh += t->mr) {                   \
        const size_t mc = oh0 + nrows - oh < t->mr ? oh0 + nrows - oh : t->mr; \
        for (size_t m = 0; m < mc; m++)                                        \
          for (size_t r = 0; r < R; r++) {                                     \
            const ptrdiff_t ih = (ptrdiff_t)((oh + m) * p->stride_h +          \
                                             r * p->dil_h) -                   \
                                 (ptrdiff_t)p->pad_top;                        \
            rows[m * R + r] = ih < 0 || ih >= (ptrdiff_t)H                     \
                                  ? NULL                                       \
                                  : ring + (size_t)ih * W * DW_VW;             \
          }                                                                    \
        if (t->residual != NULL)                                               \
          dw_tile_residual(res, nk, OW, oh, mc, 0, OW, rtile);                 \
        t->fn(&tp, rows, mc, otile, 0, nk);                                    \
        dw_tile_out(otile, mc * OW, out, nk, oh * OW);                         \
      }                                                                        \
      return;                                                                  \
    }                                                                          \
    for (size_t ow0 = 0; ow0 < OW; ow0 += t->ws) {                             \
      const size_t ws = OW - ow0 < t->ws ? OW - ow0 : t->ws;                   \
      const size_t spanw = (ws - 1) * p->stride_w + (p->S - 1) * p->dil_w + 1; \
      const ptrdiff_t ix0 =                                                    \
          (ptrdiff_t)(ow0 * p->stride_w) - (ptrdiff_t)p->pad_left;             \
      ptrdiff_t lo = -ix0, hi = (ptrdiff_t)W - ix0;                            \
      lo = lo < 0 ? 0 : lo > (ptrdiff_t)spanw ? (ptrdiff_t)spanw : lo;         \
      hi = hi < lo ? lo : hi > (ptrdiff_t)spanw ? (ptrdiff_t)spanw : hi;       \
      tp.W = spanw;                                                            \
      tp.OW = ws;                                                              \
      tp.ow_hi = ws;                                                           \
      for (size_t i = 0; i < t->jn; i++)                                       \
        slot_u[i] = SIZE_MAX;                                                  \
      for (size_t oh = oh0; oh < oh0 + nrows; oh += t->mr) {                   \
        const size_t mc = oh0 + nrows - oh < t->mr ? oh0 + nrows - oh : t->mr; \
        for (size_t m = 0; m < mc; m++)                                        \
          for (size_t r = 0; r < R; r++) {                                     \
            const size_t u = (oh + m) * p->stride_h + r * p->dil_h;            \
            const ptrdiff_t ih = sc_pad_map(                                   \
                (ptrdiff_t)u - (ptrdiff_t)p->pad_top, (ptrdiff_t)H,            \
                p->padding_mode);                                              \
            if (ih < 0) {                                                      \
              rows[m * R + r] = NULL;                                          \
              continue;                                                        \
            }                                                                  \
            const size_t slot = u % t->jn;                                     \
            float *dst = ring + slot * spanw * DW_VW;                          \
            if (slot_u[slot] != u) {                                           \
              dw_tile_in_row(p, in, nk, W, (size_t)ih, ix0, spanw,             \
                             (size_t)lo, (size_t)hi, dst);                     \
              slot_u[slot] = u;                                                \
            }                                                                  \
            rows[m * R + r] = dst;                                             \
          }                                                                    \
        if (t->residual != NULL)                                               \
          dw_tile_residual(res, nk, OW, oh, mc, ow0, ws, rtile);               \
        t->fn(&tp, rows, mc, otile, 0, nk);                                    \
        if (ws == OW)                                                          \
          dw_tile_out(otile, mc * OW, out, nk, oh * OW);                       \
        else                                                                   \
          for (size_t m = 0; m < mc; m++)                                      \
            dw_tile_out(otile + m * ws * DW_VW, ws, out, nk,                   \
                        (oh + m) * OW + ow0);                                  \
      }                                                                        \
    }                                                                          \
  }

#endif /* DW_HAVE_TILE_TRANSPOSES */

#endif
