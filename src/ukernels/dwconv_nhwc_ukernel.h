/*
 * The NHWC depthwise row micro-kernel template (see src/dwconv.h). Included
 * by an ISA source after its vector API (src/avx512/dwconv_avx512.h or
 * src/avx2/dwconv_avx2.h); the source then instantiates the row functions
 * with DW_NHWC_ROWS().
 *
 * Vectorised across channels: one vector holds DW_VW output channels of one
 * output pixel. Outputs are computed in groups of P consecutive pixels of MR
 * output rows: for each input row the group reads, every input vector is
 * loaded once and feeds all the (row, pixel, tap) accumulators it belongs to
 * (a sliding window), with the weights in registers. Groups that touch the
 * border read their columns with masked loads (zero padding: a column
 * outside the row reads 0.0); with the other padding modes the border
 * outputs read their columns through the colmap.
 *
 * Scalar twin: f32_conv_direct__scalar. Each accumulator starts from
 * bias + 0.0f and takes one fma per tap in (r, s) order. Every
 * zero-padding tap takes part as fma(0, w, acc), as in the scalar kernel: an
 * accumulator can be -0.0, which fma(0, w, acc) turns into +0.0, so skipping
 * would not be exact.
 */
#ifndef SIMDCONV_UKERNELS_DWCONV_NHWC_H
#define SIMDCONV_UKERNELS_DWCONV_NHWC_H

#include <stdbool.h>

#include "dwconv.h"

#define DW_INLINE static inline __attribute__((always_inline))
#define DW_NOINLINE static __attribute__((noinline))
/* Sanitizer builds skip the forced unrolling: it shapes register use, never
 * the order of the operations (the bits are the same), and under ASan+UBSan
 * it made clang spend 10-20 minutes on each depthwise source. */
#ifdef SC_SANITIZED
#define DW_UNROLL
#else
#define DW_UNROLL _Pragma("GCC unroll 64")
#endif

/* One vector of output channels [k, k + DW_VW). */
typedef struct dw_chan {
  const float *bias, *w; /* packed bias and weights at channel k */
  size_t k;              /* first output channel */
  dw_m mask;             /* output lanes that exist */
  size_t kin;            /* first input channel */
  dw_m in_mask;          /* input lanes to read */
  dw_vi perm;            /* input lane of each output lane (Kg > 1) */
} dw_chan;

DW_INLINE dw_chan dw_chan_init(const sc_dw_nhwc_params *p, size_t k,
                               size_t kend, bool kg1) {
  dw_chan ch;
  ch.bias = p->bias + k;
  ch.w = p->w + k;
  ch.k = k;
  ch.mask = dwm_first(kend - k);
  ch.kin = k;
  ch.in_mask = ch.mask;
  ch.perm = (dw_vi){0};
  if (!kg1) {
    ch.kin = (size_t)p->in_channel[k];
    ch.in_mask = dwm_first(p->C - ch.kin);
    ch.perm = dwv_perm_index(p->in_channel + k, (int32_t)ch.kin);
  }
  return ch;
}

/* The input vector of pixel px (channel 0) for the channels of ch; when
 * `checked`, 0.0 unless `valid` (a zero-padding column). */
DW_INLINE dw_v dw_nhwc_in(const float *px, const dw_chan *ch, bool kg1,
                          bool full, bool checked, bool valid) {
  if (checked && !valid)
    return dwv_zero();
  if (kg1)
    return full ? dwv_load(px + ch->k) : dwv_loadm(px + ch->k, ch->mask);
  return dwv_permute(dwv_loadm(px + ch->kin, ch->in_mask), ch->perm);
}

/* Stores acc to pixel px (channel 0). The residual (when there is one) is
 * read just before the store, so it may be the output itself. CLAMP is
 * fused; without it the bounds are -inf and +inf, where the clamp is the
 * identity (NaN included); other activations run afterwards in
 * dw_nhwc_activate(). */
DW_INLINE void dw_nhwc_out(const sc_dw_nhwc_params *p, float *px, dw_v acc,
                           const dw_chan *ch, bool full, bool clamp) {
  if (p->residual != NULL) {
    const float *r = sc_residual_at(p->residual, p->res_out, px + ch->k);
    acc = dwv_fma(dwv_set1(p->alpha),
                  full ? dwv_load(r) : dwv_loadm(r, ch->mask), acc);
  }
  if (clamp)
    acc = dwv_clamp(acc, p->lo, p->hi);
  if (full)
    dwv_store(px + ch->k, acc);
  else
    dwv_storem(px + ch->k, acc, ch->mask);
}

/* Whether output row m reads input row j (of the rows the group reads, in
 * order) through kernel row r. MR == 1: input row j is kernel row j. */
#define DW_PAIR(m, r, j, MR, SH, DH)                                           \
  ((MR) == 1 ? ((m) == 0 && (r) == (j)) : ((m) * (SH) + (r) * (DH) == (j)))

/* Outputs [ow0, ow0 + cnt) (cnt <= P) of MR rows, constant shape; ix0 is the
 * first input column of output ow0's window (may be negative when checked).
 * Input row j feeds output row m through kernel row r when DW_PAIR; column
 * c feeds pixel q through tap s when q*SW + s*DW == c. For a given output, r
 * rises with j and s with c, so each output keeps the (r, s) order. */
DW_INLINE void dw_nhwc_window(const sc_dw_nhwc_params *p,
                              const float *const *rows, ptrdiff_t ix0,
                              float *out, size_t cnt, const dw_chan *ch,
                              bool kg1, bool full, bool clamp, bool checked,
                              size_t MR, size_t R, size_t S, size_t SH,
                              size_t SW, size_t DH, size_t DW, size_t P) {
  const size_t C = p->C, Kp = p->Kp;
  const size_t span = (P - 1) * SW + (S - 1) * DW + 1;
  const size_t jn = MR == 1 ? R : (MR - 1) * SH + (R - 1) * DH + 1;
  const dw_v b = dwv_add(dwv_load(ch->bias), dwv_zero());
  dw_v acc[4][16], w[64];
  DW_UNROLL for (size_t m = 0; m < MR; m++)
    DW_UNROLL for (size_t q = 0; q < P; q++) acc[m][q] = b;
  DW_UNROLL for (size_t t = 0; t < R * S; t++) w[t] = dwv_load(ch->w + t * Kp);
  DW_UNROLL for (size_t j = 0; j < jn; j++) {
    const float *row = NULL;
    bool used = false;
    DW_UNROLL for (size_t m = 0; m < MR; m++)
      DW_UNROLL for (size_t r = 0; r < R; r++)
        if (!used && DW_PAIR(m, r, j, MR, SH, DH)) {
          row = rows[m * R + r];
          used = true;
        }
    if (!used)
      continue;
    if (row == NULL) {
      /* A zero-padding row: its taps take part as fma(0, w, acc). */
      DW_UNROLL for (size_t m = 0; m < MR; m++)
        DW_UNROLL for (size_t r = 0; r < R; r++)
          if (DW_PAIR(m, r, j, MR, SH, DH))
            DW_UNROLL for (size_t s = 0; s < S; s++)
              DW_UNROLL for (size_t q = 0; q < P; q++)
                acc[m][q] = dwv_fma(dwv_zero(), w[r * S + s], acc[m][q]);
      continue;
    }
    const float *px = row + ix0 * (ptrdiff_t)C;
    DW_UNROLL for (size_t c = 0; c < span; c++) {
      const dw_v x = dw_nhwc_in(px, ch, kg1, full, checked,
                                (size_t)(ix0 + (ptrdiff_t)c) < p->W);
      px += C;
      DW_UNROLL for (size_t m = 0; m < MR; m++)
        DW_UNROLL for (size_t r = 0; r < R; r++)
          if (DW_PAIR(m, r, j, MR, SH, DH))
            DW_UNROLL for (size_t q = 0; q < P; q++)
              if (c >= q * SW && (c - q * SW) % DW == 0 &&
                  (c - q * SW) / DW < S)
                acc[m][q] =
                    dwv_fma(x, w[r * S + (c - q * SW) / DW], acc[m][q]);
    }
  }
  DW_UNROLL for (size_t m = 0; m < MR; m++)
    DW_UNROLL for (size_t q = 0; q < P; q++)
      if (!checked || q < cnt)
        dw_nhwc_out(p, out + (m * p->OW + q) * p->K, acc[m][q], ch, full,
                    clamp);
}

/* Outputs [ow0, ow0 + cnt) (cnt <= P) of one row, any shape. */
DW_INLINE void dw_nhwc_group(const sc_dw_nhwc_params *p,
                             const float *const *rows, ptrdiff_t ix0,
                             float *out, size_t cnt, const dw_chan *ch,
                             bool kg1, bool full, bool clamp, bool checked,
                             size_t P) {
  const size_t C = p->C, Kp = p->Kp, S = p->S, SW = p->sw, DW = p->dw;
  const dw_v b = dwv_add(dwv_load(ch->bias), dwv_zero());
  dw_v acc[16];
  DW_UNROLL for (size_t q = 0; q < P; q++) acc[q] = b;
  const float *wr = ch->w;
  for (size_t r = 0; r < p->R; r++) {
    const float *row = rows[r];
    if (row == NULL) {
      /* A zero-padding row: its taps take part as fma(0, w, acc). */
      for (size_t s = 0; s < S; s++)
        DW_UNROLL for (size_t q = 0; q < P; q++)
          acc[q] = dwv_fma(dwv_zero(), dwv_load(wr + s * Kp), acc[q]);
      wr += S * Kp;
      continue;
    }
    ptrdiff_t col = ix0;
    for (size_t s = 0; s < S; s++, wr += Kp, col += (ptrdiff_t)DW) {
      const dw_v w = dwv_load(wr);
      const float *px = row + col * (ptrdiff_t)C;
      DW_UNROLL for (size_t q = 0; q < P; q++) {
        const ptrdiff_t cq = col + (ptrdiff_t)(q * SW);
        acc[q] = dwv_fma(dw_nhwc_in(px, ch, kg1, full, checked,
                                    (size_t)cq < p->W),
                         w, acc[q]);
        px += SW * C;
      }
    }
  }
  DW_UNROLL for (size_t q = 0; q < P; q++)
    if (!checked || q < cnt)
      dw_nhwc_out(p, out + q * p->K, acc[q], ch, full, clamp);
}

/* Channels [k0, k0 + nk) of a group: each channel vector in turn. R == 0:
 * any shape (MR == 1). */
DW_INLINE void dw_nhwc_group_all(const sc_dw_nhwc_params *p,
                                 const float *const *rows, float *out,
                                 size_t k0, size_t nk, size_t ow0, size_t cnt,
                                 bool kg1, bool clamp, bool checked, size_t MR,
                                 size_t R, size_t S, size_t SH, size_t SW,
                                 size_t DH, size_t DW, size_t P) {
  const size_t kend = k0 + nk;
  float *o = out + ow0 * p->K;
  const ptrdiff_t ix0 =
      (ptrdiff_t)(ow0 * (R ? SW : p->sw)) - (ptrdiff_t)p->pad_left;
  size_t k = k0;
  for (; k + DW_VW <= kend; k += DW_VW) {
    const dw_chan ch = dw_chan_init(p, k, kend, kg1);
    if (R)
      dw_nhwc_window(p, rows, ix0, o, cnt, &ch, kg1, true, clamp, checked, MR,
                     R, S, SH, SW, DH, DW, P);
    else
      dw_nhwc_group(p, rows, ix0, o, cnt, &ch, kg1, true, clamp, checked, P);
  }
  if (k < kend) {
    const dw_chan ch = dw_chan_init(p, k, kend, kg1);
    if (R)
      dw_nhwc_window(p, rows, ix0, o, cnt, &ch, kg1, false, clamp, checked, MR,
                     R, S, SH, SW, DH, DW, P);
    else
      dw_nhwc_group(p, rows, ix0, o, cnt, &ch, kg1, false, clamp, checked, P);
  }
}

/* One border output of one row, columns through the colmap (-1: zero). */
DW_INLINE void dw_nhwc_border(const sc_dw_nhwc_params *p,
                              const float *const *rows, size_t ow, float *out,
                              const dw_chan *ch, bool kg1, bool full,
                              bool clamp) {
  const size_t C = p->C, Kp = p->Kp, S = p->S;
  const ptrdiff_t *cols = p->colmap + ow * S;
  dw_v acc = dwv_add(dwv_load(ch->bias), dwv_zero());
  const float *wr = ch->w;
  for (size_t r = 0; r < p->R; r++) {
    const float *row = rows[r];
    for (size_t s = 0; s < S; s++, wr += Kp) {
      if (row == NULL || cols[s] < 0) {
        /* A zero-padding tap takes part as fma(0, w, acc). */
        acc = dwv_fma(dwv_zero(), dwv_load(wr), acc);
        continue;
      }
      acc = dwv_fma(
          dw_nhwc_in(row + (size_t)cols[s] * C, ch, kg1, full, false, true),
          dwv_load(wr), acc);
    }
  }
  dw_nhwc_out(p, out + ow * p->K, acc, ch, full, clamp);
}

DW_INLINE void dw_nhwc_border_all(const sc_dw_nhwc_params *p,
                                  const float *const *rows, float *out,
                                  size_t k0, size_t nk, size_t ow, bool kg1,
                                  bool clamp) {
  const size_t kend = k0 + nk;
  size_t k = k0;
  for (; k + DW_VW <= kend; k += DW_VW) {
    const dw_chan ch = dw_chan_init(p, k, kend, kg1);
    dw_nhwc_border(p, rows, ow, out, &ch, kg1, true, clamp);
  }
  if (k < kend) {
    const dw_chan ch = dw_chan_init(p, k, kend, kg1);
    dw_nhwc_border(p, rows, ow, out, &ch, kg1, false, clamp);
  }
}

/* Applies an unfused activation in place to channels [k0, k0 + nk) of nrows
 * output rows. */
static inline void dw_nhwc_activate(const sc_dw_nhwc_params *p, float *out,
                                    size_t nrows, size_t k0, size_t nk) {
  const size_t kend = k0 + nk;
  for (size_t i = 0; i < nrows * p->OW; i++, out += p->K) {
    size_t k = k0;
    for (; k + DW_VW <= kend; k += DW_VW)
      dwv_store(out + k, dwv_act(&p->act, dwv_load(out + k)));
    if (k < kend) {
      const dw_m m = dwm_first(kend - k);
      dwv_storem(out + k, dwv_act(&p->act, dwv_loadm(out + k, m)), m);
    }
  }
}

/* The share of the next block's rows (p->prefetch_rows of them, after the
 * block's MR*R rows) that matches outputs [ow, ow + cnt) of the row, asked
 * for a block ahead, where the hardware prefetchers restart at every 4 KiB
 * page of the block's rows. Every line, with the lowest-locality hint
 * (prefetcht2): Zen 4, old and new library in one process, both orders,
 * two runs each, against every other line with prefetcht1 (which relied on
 * the L2's adjacent-line prefetch for the pair): from memory MobileNetV2
 * dw144_56 1.27-1.33x, dw144_s2_56 1.14-1.20x, dw32_112 1.05-1.11x,
 * dw96_s2_112 1.01-1.15x; with the image in L3 0.92-1.01x (geomean of the
 * four 0.965). prefetcht1 on every line cost 9-11% from L3; every other
 * line with prefetcht2 measured as prefetcht1. A trade: a network whose
 * depthwise input is still in L3 from the layer before loses ~3%, one
 * that reads it from memory gains ~15%. The group's lines asked for a
 * channel vector at a time instead (smaller bursts: perf puts 17% of
 * dw96_s2_112's samples on this loop's prefetcht2 even from L3): stride 2
 * from memory 1.16-1.30x, but from L3 0.87-0.93x; not taken. */
DW_INLINE void dw_nhwc_prefetch_next(const sc_dw_nhwc_params *p,
                                     const float *const *next, size_t ow,
                                     size_t cnt) {
  const size_t row = p->W * p->C;
  const size_t f0 = ow * row / p->OW & ~(size_t)15;
  const size_t f1 = (ow + cnt) * row / p->OW;
  for (size_t i = 0; i < p->prefetch_rows; i++)
    if (next[i] != NULL)
      for (size_t f = f0; f < f1; f += 16)
        __builtin_prefetch(next[i] + f, 0, 1);
}

/* Outputs [ow, ow + cnt) of the next block's nr rows (out: its first; NULL:
 * none), asked for to be written (sc_dw_nhwc_params.prefetch_out), every
 * other line as the input's: dw7x7_56 1.07-1.09x over every line. */
DW_INLINE void dw_nhwc_prefetch_out(const sc_dw_nhwc_params *p,
                                    const float *out, size_t nr, size_t ow,
                                    size_t cnt) {
  if (out == NULL)
    return;
  for (size_t m = 0; m < nr; m++)
    for (size_t f = ow * p->K & ~(size_t)31; f < (ow + cnt) * p->K; f += 32)
      __builtin_prefetch(out + m * p->OW * p->K + f, 1, 2);
}

/* The outputs [ow, ow + cnt) of the rows rows_ / out_ (nr_ of them) with
 * groups of P: unchecked inside the interior; otherwise checked (zero
 * padding) or output by output (other modes: interior outputs as groups of
 * 1, border outputs through the colmap). */
#define DW_NHWC_SPAN(NAME, P, ow, cnt, rows_, out_, nr_, one_row)              \
  do {                                                                         \
    if (!(one_row) && p->prefetch_rows != 0) {                                 \
      dw_nhwc_prefetch_next(p, (rows_) + (nr_) * R, ow, cnt);                  \
      if (p->prefetch_out)                                                     \
        dw_nhwc_prefetch_out(p, (rows_)[(nr_) * R + p->prefetch_rows], nr_,    \
                             ow, cnt);                                         \
    }                                                                          \
    if ((ow) >= p->ow_lo && (ow) + (cnt) <= p->ow_hi)                          \
      NAME##_g##P(p, rows_, out_, k0, nk, ow, cnt, false, one_row);            \
    else if (p->zeros_mode)                                                    \
      NAME##_g##P(p, rows_, out_, k0, nk, ow, cnt, true, one_row);             \
    else                                                                       \
      for (size_t m_ = 0; m_ < (nr_); m_++)                                    \
        for (size_t o_ = (ow); o_ < (ow) + (cnt); o_++) {                      \
          if (o_ >= p->ow_lo && o_ < p->ow_hi)                                 \
            NAME##_g1(p, rows_ + m_ * R, out_ + m_ * p->OW * p->K, k0, nk, o_, \
                      1, false, true);                                         \
          else                                                                 \
            NAME##_border(p, rows_ + m_ * R, out_ + m_ * p->OW * p->K, k0, nk, \
                          o_);                                                 \
        }                                                                      \
  } while (0)

/* The row loop: groups of P (P is 8 or 4) from column 0, the rest of the row
 * with groups of 4, 2 and 1. */
#define DW_NHWC_ROW_LOOP(NAME, P, rows_, out_, nr_, one_row)                   \
  do {                                                                         \
    size_t ow = 0;                                                             \
    for (; ow + (P) <= p->OW; ow += (P))                                       \
      DW_NHWC_SPAN(NAME, P, ow, (P), rows_, out_, nr_, one_row);               \
    if ((P) > 4 && ow + 4 <= p->OW) {                                          \
      DW_NHWC_SPAN(NAME, 4, ow, 4, rows_, out_, nr_, one_row);                 \
      ow += 4;                                                                 \
    }                                                                          \
    if (ow + 2 <= p->OW) {                                                     \
      DW_NHWC_SPAN(NAME, 2, ow, 2, rows_, out_, nr_, one_row);                 \
      ow += 2;                                                                 \
    }                                                                          \
    if (ow < p->OW)                                                            \
      DW_NHWC_SPAN(NAME, 1, ow, 1, rows_, out_, nr_, one_row);                 \
  } while (0)

/* A group function of NAME: P outputs (cnt of them stored when checked) of
 * MR_ rows (one row when one_row). */
#define DW_NHWC_GROUP_FN(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, P)        \
  DW_NOINLINE void NAME##_g##P(const sc_dw_nhwc_params *p,                     \
                               const float *const *rows, float *out,           \
                               size_t k0, size_t nk, size_t ow, size_t cnt,    \
                               bool checked, bool one_row) {                   \
    if (checked) {                                                             \
      if (one_row || (MR_) == 1)                                               \
        dw_nhwc_group_all(p, rows, out, k0, nk, ow, cnt, KG1, true, true, 1,   \
                          R_, S_, SH_, SW_, DH_, DW_, P);                      \
      else                                                                     \
        dw_nhwc_group_all(p, rows, out, k0, nk, ow, cnt, KG1, true, true, MR_, \
                          R_, S_, SH_, SW_, DH_, DW_, P);                      \
    } else {                                                                   \
      if (one_row || (MR_) == 1)                                               \
        dw_nhwc_group_all(p, rows, out, k0, nk, ow, cnt, KG1, true, false, 1,  \
                          R_, S_, SH_, SW_, DH_, DW_, P);                      \
      else                                                                     \
        dw_nhwc_group_all(p, rows, out, k0, nk, ow, cnt, KG1, true, false,     \
                          MR_, R_, S_, SH_, SW_, DH_, DW_, P);                 \
    }                                                                          \
  }

/* Defines the row function NAME: MR_ output rows (one at a time when fewer
 * remain) of a constant shape, groups of P_ (8 or 4) outputs; R_ == 0: any
 * shape (then MR_ must be 1 and P_ 4). */
#define DW_NHWC_ROWS(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, P_)           \
  DW_NHWC_GROUP_FN(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, 1)              \
  DW_NHWC_GROUP_FN(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, 2)              \
  DW_NHWC_GROUP_FN(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, 4)              \
  DW_NHWC_GROUP_FN(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, P_)             \
  DW_NOINLINE void NAME##_border(const sc_dw_nhwc_params *p,                   \
                                 const float *const *rows, float *out,         \
                                 size_t k0, size_t nk, size_t ow) {            \
    dw_nhwc_border_all(p, rows, out, k0, nk, ow, KG1, true);                   \
  }                                                                            \
  static void NAME(const sc_dw_nhwc_params *p, const float *const *rows,      \
                   size_t nrows, float *out, size_t k0, size_t nk) {          \
    const size_t R = (R_) ? (size_t)(R_) : p->R;                               \
    if (nrows == (MR_)) {                                                      \
      DW_NHWC_ROW_LOOP(NAME, P_, rows, out, nrows, false);                     \
    } else {                                                                   \
      for (size_t m1 = 0; m1 < nrows; m1++) {                                  \
        const float *const *rows1 = rows + m1 * R;                             \
        float *out1 = out + m1 * p->OW * p->K;                                 \
        DW_NHWC_ROW_LOOP(NAME, P_, rows1, out1, 1, true);                      \
      }                                                                        \
    }                                                                          \
    if (p->act.activation != SIMDCONV_ACT_NONE &&                              \
        p->act.activation != SIMDCONV_ACT_CLAMP)                               \
      dw_nhwc_activate(p, out, nrows, k0, nk);                                 \
  }

/* The ISA's NHWC row functions (f32_dwconv_nhwc__<isa>.c). */
extern const sc_dw_nhwc_list DW_ISA_NAME(sc_dw_nhwc_list);

/* The NHWC row functions of an ISA and their list, from one shape list:
 * SHAPES(X) calls X(name, Kg == 1 only, MR, R, S, SH, SW, DH, DW, P) once
 * per row function (R .. DW: 0 matches any value; the last row must match
 * every shape). Defines DW_ISA_NAME(sc_dw_nhwc_list), which the ISA's NCHW
 * kernel runs on its tiles too. */
#define DW_NHWC_ENTRY(NAME, KG1, MR_, R_, S_, SH_, SW_, DH_, DW_, P_)          \
  {R_, S_, SH_, SW_, DH_, DW_, KG1, MR_, NAME},
#define DW_NHWC_LIST(SHAPES)                                                   \
  SHAPES(DW_NHWC_ROWS)                                                         \
  static const sc_dw_nhwc_entry dw_nhwc_entries[] = {SHAPES(DW_NHWC_ENTRY)};   \
  const sc_dw_nhwc_list DW_ISA_NAME(sc_dw_nhwc_list) = {                       \
      dw_nhwc_entries, sizeof dw_nhwc_entries / sizeof *dw_nhwc_entries};

#endif
