/*
 * The NCHW row micro-kernel of depthwise transposed convolutions (driver:
 * src/deconv_dw.c; sc_dwt_row in src/deconv.h). Included by an ISA's
 * f32_deconv_dwconv source after its vector API (dwv_*), which instantiates
 * it with DWT_NCHW_ROW(name).
 *
 * One call computes one output row of one channel plane. Each column phase
 * (outputs ow = f + sw*j) is a stride-1 correlation of its taps' prepared
 * input rows: one vector holds DW_VW consecutive outputs of a phase, the
 * weights are broadcast scalars, and a block keeps DWT_NV vectors in
 * registers over all the taps. Stride 1 stores the phase as it is; stride 2
 * computes both phases of a block and interleaves them in registers (the
 * bilinear upsampler's 4x4 stride 2); other strides put the phases' sums in
 * a scratch row and gather each output vector from it.
 *
 * Scalar twin: f32_conv_direct__scalar. Each output starts from bias + 0.0f
 * and takes one fma per tap in the class's (row tap, column tap) order,
 * zero-padding taps included (the prepared rows hold 0.0 there): the
 * canonical order of src/deconv.h. The epilogue (residual, clamp,
 * activation, as the depthwise NCHW kernels apply it) is a second pass over
 * the row.
 */
#ifndef SIMDCONV_UKERNELS_DECONV_DW_NCHW_H
#define SIMDCONV_UKERNELS_DECONV_DW_NCHW_H

#include <stdbool.h>

#include "deconv.h"
#include "ukernels/dw_store.h"

#define DWT_INLINE static inline __attribute__((always_inline))
#define DWT_NV 4 /* vectors of a phase per block */

_Static_assert(DWT_NV * DW_VW <= SC_DWT_BLOCK &&
                   SC_DWT_BLOCK % (DWT_NV * DW_VW) == 0,
               "a block of the row kernel stays within the prepared rows");

/* A block's accumulators, as named vectors: in an array GCC kept them on
 * the stack, a store per fma. */
typedef struct dwt_acc {
  dw_v v0, v1, v2, v3;
} dwt_acc;

/* The sums of outputs [j, j + DWT_NV * DW_VW) of phase f. */
DWT_INLINE dwt_acc dwt_block(const sc_dwt_row *t, size_t f, size_t j) {
  const dw_v b = dwv_set1(t->bias);
  dw_v a0 = b, a1 = b, a2 = b, a3 = b;
  const size_t end = t->tap0[f + 1];
  for (size_t i = t->tap0[f]; i < end; i++) {
    const float *s = t->src[i] + j;
    const dw_v w = dwv_set1(t->w[i]);
    a0 = dwv_fma(dwv_load(s), w, a0);
    a1 = dwv_fma(dwv_load(s + DW_VW), w, a1);
    a2 = dwv_fma(dwv_load(s + 2 * DW_VW), w, a2);
    a3 = dwv_fma(dwv_load(s + 3 * DW_VW), w, a3);
  }
  return (dwt_acc){a0, a1, a2, a3};
}

/* Stores the sums acc of outputs [ow, ow + DW_VW) at d + ow, the lanes
 * below OW. */
DWT_INLINE void dwt_put(const sc_dwt_row *t, float *d, size_t ow, dw_v acc) {
  if (ow >= t->OW)
    return;
  if (t->OW - ow >= DW_VW)
    dwv_store(d + ow, acc);
  else
    dwv_storem(d + ow, acc, dwm_first(t->OW - ow));
}

/* Stores block a of consecutive outputs from ow. */
DWT_INLINE void dwt_put_block(const sc_dwt_row *t, float *d, size_t ow,
                              dwt_acc a) {
  dwt_put(t, d, ow, a.v0);
  dwt_put(t, d, ow + DW_VW, a.v1);
  dwt_put(t, d, ow + 2 * DW_VW, a.v2);
  dwt_put(t, d, ow + 3 * DW_VW, a.v3);
}

/* One phase (stride 1, or a row of one output). */
DWT_INLINE void dwt_row_s1(const sc_dwt_row *t, float *d) {
  for (size_t j = 0; j < t->OW; j += DWT_NV * DW_VW)
    dwt_put_block(t, d, j, dwt_block(t, 0, j));
}

/* Two phases: a block of each, interleaved in registers. */
DWT_INLINE void dwt_row_s2(const sc_dwt_row *t, float *d) {
  const size_t n0 = (t->OW + 1) / 2;
  for (size_t j = 0; j < n0; j += DWT_NV * DW_VW) {
    const dwt_acc e = dwt_block(t, 0, j), o = dwt_block(t, 1, j);
    const size_t ow = 2 * j;
    dwt_put_block(t, d, ow,
                  (dwt_acc){dwv_zip_lo(e.v0, o.v0), dwv_zip_hi(e.v0, o.v0),
                            dwv_zip_lo(e.v1, o.v1), dwv_zip_hi(e.v1, o.v1)});
    dwt_put_block(t, d, ow + 4 * DW_VW,
                  (dwt_acc){dwv_zip_lo(e.v2, o.v2), dwv_zip_hi(e.v2, o.v2),
                            dwv_zip_lo(e.v3, o.v3), dwv_zip_hi(e.v3, o.v3)});
  }
}

/* Any number of phases: their sums into the scratch row, then each output
 * vector gathered from it. */
DWT_INLINE void dwt_row_any(const sc_dwt_row *t, float *d) {
  for (size_t f = 0; f < t->nph; f++) {
    const size_t nf = (t->OW - f + t->sw - 1) / t->sw;
    for (size_t j = 0; j < nf; j += DWT_NV * DW_VW) {
      const dwt_acc a = dwt_block(t, f, j);
      float *p = t->scratch + f * t->jpad + j;
      dwv_store(p, a.v0);
      dwv_store(p + DW_VW, a.v1);
      dwv_store(p + 2 * DW_VW, a.v2);
      dwv_store(p + 3 * DW_VW, a.v3);
    }
  }
  for (size_t ow = 0; ow < t->OW; ow += DW_VW) {
    float g[DW_VW];
    for (size_t i = 0; i < DW_VW; i++) {
      const size_t o = ow + i < t->OW ? ow + i : t->OW - 1;
      g[i] = t->scratch[o % t->sw * t->jpad + o / t->sw];
    }
    dwt_put(t, d, ow, dwv_load(g));
  }
}

/* The epilogue, a pass over the row's sums d (in L1): the residual (read
 * before y is written: it may be y), the clamp, the activation. Apart from
 * the loops above, whose accumulators would otherwise make room on the
 * stack for the activation's constants. */
static __attribute__((noinline)) void dwt_epilogue(const sc_dwt_row *t,
                                                   const float *d, float *y) {
  for (size_t ow = 0; ow < t->OW; ow += DW_VW) {
    const bool full = t->OW - ow >= DW_VW;
    const dw_m m = dwm_first(full ? DW_VW : t->OW - ow);
    dwv_store_epilogue(y + ow, full ? dwv_load(d + ow) : dwv_loadm(d + ow, m),
                       t->residual != NULL ? t->residual + ow : NULL,
                       t->alpha, t->lo, t->hi, &t->act, t->act_on, full, m);
  }
}

/* The sums go to y, or to t->sums when a residual is read from y. */
#define DWT_NCHW_ROW(name)                                                     \
  static void DW_ISA_NAME(name)(const sc_dwt_row *t, float *y) {               \
    float *d = t->residual != NULL ? t->sums : y;                              \
    if (t->nph == 1)                                                           \
      dwt_row_s1(t, d);                                                        \
    else if (t->nph == 2 && t->sw == 2)                                        \
      dwt_row_s2(t, d);                                                        \
    else                                                                       \
      dwt_row_any(t, d);                                                       \
    if (t->epilogue)                                                           \
      dwt_epilogue(t, d, y);                                                   \
  }

#endif /* SIMDCONV_UKERNELS_DECONV_DW_NCHW_H */
