/*
 * The indirect-GEMM micro-kernel template (see src/igemm.h for the operands).
 * Included by src/avx512/ and src/avx2/ sources after defining a small vector
 * API, once per tile size:
 *
 *   SC_UK_NAME            the function's name
 *   SC_UK_MR, SC_UK_NV    rows (output pixels) and vectors per row; NR is
 *                         SC_UK_NV * SC_VL output channels
 *   SC_UK_ASTRIDE         optional: row pointers per tap in the indirection
 *                         (default SC_UK_MR; a tail kernel for the last rows
 *                         of a wider family's tiles sets that family's MR)
 *   SC_UK_WSTRIDE         optional: floats of the packed block per input
 *                         channel (default NR; a half tile over the first
 *                         NR/2 channels of a wider family's blocks sets
 *                         that family's NR)
 *   SC_UK_STRIDED_NAME    optional: also the tile's strided twin
 *                         (sc_igemm_strided_fn) under this name
 *   SC_VEC, SC_VL         the vector type and its float lanes
 *   SC_VLOAD(p)           unaligned load of SC_VL floats
 *   SC_VBCAST(p)          broadcast of *p
 *   SC_VFMA(a, b, c)      fused a*b+c, one rounding (vfmadd231ps)
 *   SC_VSTORE(p, v)       unaligned store of SC_VL floats
 *   SC_VSTORE_N(p, v, n)  store the first n lanes (0 < n < SC_VL) only
 *   SC_VCLAMP(v, lo, hi)  min(hi, max(lo, v)) with maxps/minps semantics
 *   SC_VACT(params, v)    the activation (sc_activate_f32xN)
 *   SC_VZERO()            a vector of +0.0f
 *   SC_VPREFETCH(p), SC_VPREFETCH_INPUT(p)  optional: prefetch the line of p
 *                         (weights into L1, input into L2)
 * and sc_store_tile_transposed() (src/avx2/x86_transpose.h) in scope.
 *
 * Scalar twin: f32_conv_direct__scalar. Each of the MR x NR accumulators
 * starts from the packed bias (already bias + 0.0f) and takes one fma per
 * (tap, channel) in exactly the canonical order; there is one accumulator per
 * output, so the bits equal the scalar kernel's. A zero-padding tap's row
 * pointer is the zero row, giving fmaf(0, w, acc) as the scalar kernel
 * computes it; with params->skip_padding_taps (finite weights) a tap's fmas
 * are left out for the pixels it is padding for (all of the tile's, a run
 * at its start or end, or one), and the tile computed again
 * without skipping if an accumulator ends at -0.0, the only case where the
 * skipped fmas could have changed a bit (docs/numerics.md, section 1).
 *
 * Register use: MR*NV accumulators + NV weight vectors + 1 broadcast must
 * fit the ISA's register file for the hot loop to stay spill-free.
 */
#include "ukernels/tile_epilogue.h"

#define SC_UK_NR (SC_UK_NV * SC_VL)
#define SC_UK_BODY SC_UK_CAT(SC_UK_NAME, _body)
#ifndef SC_UK_ASTRIDE
#define SC_UK_ASTRIDE SC_UK_MR
#endif
#ifndef SC_UK_WSTRIDE
#define SC_UK_WSTRIDE SC_UK_NR
#endif
/* Input prefetch (when the ISA defines SC_VPREFETCH_INPUT and the driver
 * sets params->prefetch_next_tile): every 16 channels, one line of each of
 * the next tile's rows for the same tap, so that layers which read their
 * input once per pass (1x1 with few output channels) do not wait on its
 * streams from memory: 7 rows advancing 4 bytes per step are more streams
 * than the hardware prefetchers keep ahead of. */
/* Weight prefetch (when the ISA defines SC_VPREFETCH and the driver sets
 * params->prefetch_weights, sc_wprefetch): the packed block is read
 * linearly, NR floats per step, and in 3x3 layers it is larger than L1,
 * so each step asks for the 64-byte lines 2 KiB ahead. The hardware
 * prefetchers alone left the FMAs waiting on the weight loads: +5-10% on
 * 3x3 and large 1x1 layers (AVX-512, Intel host, alternating A/B); AVX2
 * (2026-12-05, old and new library in one process, 83 layers NHWC geomean
 * 1.023): ResNet-50 res5 1.10-1.15x, VGG-16 conv4_2 1.10x, DCGAN g1/g2
 * 1.25-1.46x, small blocks within noise. On AMD Zen 4 the AVX-512 tiles
 * ran faster without it (65 layers NHWC 1.012, ResNet-50 res5_3x3_s2
 * 1.12x, res5_1x1_in 1.08x; AVX2 0.94x without), hence the flag. */
#define SC_UK_W_AHEAD (2048 / sizeof(float))
#define SC_UK_W_LINES (SC_UK_NR * sizeof(float) < 64 ? 1 : SC_UK_NR * sizeof(float) / 64)

/* One input channel k of the tap: NV weight vectors, MR broadcasts,
 * MR*NV fmas. A macro, so that the loops of both kernels below keep acc
 * in registers. */
#ifdef SC_VPREFETCH
#define SC_UK_PREFETCH_W(PF)                                                   \
  do {                                                                         \
    if (PF)                                                                    \
      _Pragma("GCC unroll 16") for (size_t l = 0; l < SC_UK_W_LINES; l++)      \
          SC_VPREFETCH(w + SC_UK_W_AHEAD + l * 16);                            \
  } while (0)
#else
#define SC_UK_PREFETCH_W(PF) (void)0
#endif
/* Rows whose bit in `padded` is set read the zero row and are left out
 * (a branch per row, the same way for a whole tap: predicted); 0u, a
 * constant, leaves the plain step. */
#define SC_UK_STEP_ROWS(k, padded, PF)                                         \
  do {                                                                         \
    SC_VEC wv[SC_UK_NV];                                                       \
    _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_UK_NV; j++)             \
        wv[j] = SC_VLOAD(w + j * SC_VL);                                       \
    SC_UK_PREFETCH_W(PF);                                                      \
    w += SC_UK_WSTRIDE;                                                        \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_UK_MR; i++) {           \
      if (((padded) >> i) & 1u)                                                \
        continue;                                                              \
      const SC_VEC x = SC_VBCAST(ap[i] + (k));                                 \
      _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_UK_NV; j++)           \
          acc[i][j] = SC_VFMA(x, wv[j], acc[i][j]);                            \
    }                                                                          \
  } while (0)
#define SC_UK_STEP(k, PF) SC_UK_STEP_ROWS(k, 0u, PF)
/* A tap's kc steps STEP(k, PF), the weights asked for ahead when
 * params->prefetch_weights: a loop for each (the flag tested per step
 * would stay in the loop). */
#define SC_UK_TAP_STEPS(STEP)                                                  \
  do {                                                                         \
    if (params->prefetch_weights)                                              \
      for (size_t k = 0; k < kc; k++)                                          \
        STEP(k, true);                                                         \
    else                                                                       \
      for (size_t k = 0; k < kc; k++)                                          \
        STEP(k, false);                                                        \
  } while (0)

/* The tile, skipping the taps that are padding for all its pixels when
 * skip is set (a constant: two copies, the one without skipping exactly
 * the plain loop). Returns false, having stored nothing, when it skipped a
 * tap and an accumulator ended at -0.0: the tile must then be computed
 * without skipping. A call may cover a run of a layer's taps
 * (params->continue_sum / partial): it then starts from, or stores, the
 * partial sums in the output, in fp32, as one call over all taps would
 * hold them in its accumulators: the same fmas in the same order. */
static inline __attribute__((always_inline)) bool
SC_UK_BODY(SC_IGEMM_BODY_PARAMS) {
  SC_VEC acc[SC_UK_MR][SC_UK_NV];
  SC_TILE_START(acc, SC_UK_MR, SC_UK_NV, w, mr, nc, c, cm_stride, params);
  w += SC_UK_WSTRIDE;
  if (!params->partial)
    SC_TILE_PREFETCH_OUTPUT(mr, nc, c, cm_stride, params->cn_stride, params);

  const float *const zero = params->zero;
#ifdef SC_VPREFETCH_INPUT
  /* The next tile's row pointers (the indirection has one spare tile). */
  const float *const *an = a + ks * SC_UK_ASTRIDE;
#endif
  bool skipped = false;
  do {
    /* The tap's rows that read the zero row: their fmas would leave acc
     * as is unless acc is -0.0 (checked below), so skipping leaves them
     * out: the whole tap if it is padding for every pixel, else its padded
     * rows in one pass over its weights, a branch per row
     * (SC_UK_STEP_ROWS): the edge pixels of a layer padded by 1, a run at
     * a tile's start or end (borders padded by 2 or more, a tile across
     * the image's top or bottom row, pixels past its end) or inside it.
     * Zen 4, cold caches, old and new library in one process, against
     * whole taps and end runs only (the kernel before): ResNet-50
     * res4_3x3 1.03-1.04x, res5_3x3 1.07x, VGG-16 conv5_2 1.03-1.05x,
     * Inception 1x7 1.04-1.06x, 5x5_35 1.02-1.03x, DeepLab atrous d2
     * 1.02x, 56x56 layers 1.00-1.01x; and against a case per row range
     * with constant bounds (a switch), the same or better in less code.
     * Earlier, a run inside the tile computed as two passes (the rows
     * before it, then after) read the tap's weights twice: 0.91x on
     * res5_3x3, whose weights stream from L2. */
    unsigned pad_rows = 0;
    if (skip) {
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++)
        pad_rows |= (unsigned)(a[i] == zero) << i;
      if (pad_rows == (1u << SC_UK_MR) - 1) {
        a += SC_UK_ASTRIDE;
#ifdef SC_VPREFETCH_INPUT
        an += SC_UK_ASTRIDE;
#endif
        w += kc * SC_UK_WSTRIDE;
        skipped = true;
        continue;
      }
      if (kc < SC_IGEMM_ROWSKIP_MIN_KC && !sc_igemm_end_run(pad_rows, SC_UK_MR))
        pad_rows = 0;
    }
    const float *ap[SC_UK_MR];
    sc_igemm_rows(ap, a, SC_UK_MR, zero, a_offset);
    a += SC_UK_ASTRIDE;

    if (skip && pad_rows != 0) {
      for (size_t k = 0; k < kc; k++)
        SC_UK_STEP_ROWS(k, pad_rows, params->prefetch_weights);
      skipped = true;
    } else
#ifdef SC_VPREFETCH_INPUT
    if (params->prefetch_next_tile) {
      const float *pn[SC_UK_MR];
      sc_igemm_rows(pn, an, SC_UK_MR, zero, a_offset);
#define SC_UK_NEXT_TILE_STEP(k, PF)                                            \
  do {                                                                         \
    if (((k) & 15) == 0)                                                       \
      _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_UK_MR; i++)           \
          SC_VPREFETCH_INPUT(pn[i] + (k));                                     \
    SC_UK_STEP(k, PF);                                                         \
  } while (0)
      SC_UK_TAP_STEPS(SC_UK_NEXT_TILE_STEP);
#undef SC_UK_NEXT_TILE_STEP
    } else
#endif
      SC_UK_TAP_STEPS(SC_UK_STEP);
#ifdef SC_VPREFETCH_INPUT
    an += SC_UK_ASTRIDE;
#endif
  } while (--ks != 0);
  if (skip && skipped && SC_TILE_ANY_NEGZERO(acc, SC_UK_MR, SC_UK_NV))
    return false;

  /* Epilogue: the residual, the activation (after the last taps only),
   * then the mr x nc stores. */
  if (!params->partial)
    SC_TILE_FINISH(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride, params);
  SC_TILE_STORE(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride,
                params->cn_stride);
  return true;
}

SC_IGEMM_DEFINE_UKERNEL(SC_UK_NAME, SC_UK_BODY)

#ifdef SC_UK_STRIDED_NAME
/* The strided twin (sc_igemm_strided_fn): the same accumulators, steps and
 * epilogue, the rows of each tap at a + i * lda instead of loaded from the
 * indirection buffer, jump floats further from row split on (a tile across
 * an output row's end; split = MR: none, folded away); pf: a constant in
 * each copy (params->prefetch_weights tested once a call: the stems' calls
 * are short). */
static inline __attribute__((always_inline)) void SC_UK_CAT(
    SC_UK_STRIDED_NAME, _body)(size_t mr, size_t nc, size_t kc, size_t ks,
                               const float *restrict a, size_t lda,
                               size_t split, size_t jump, size_t tap_stride,
                               const float *restrict w, float *restrict c,
                               size_t cm_stride,
                               const sc_igemm_params *restrict params,
                               const bool pf) {
  SC_VEC acc[SC_UK_MR][SC_UK_NV];
  SC_TILE_START(acc, SC_UK_MR, SC_UK_NV, w, mr, nc, c, cm_stride, params);
  w += SC_UK_WSTRIDE;
  if (!params->partial)
    SC_TILE_PREFETCH_OUTPUT(mr, nc, c, cm_stride, params->cn_stride, params);
  size_t off[SC_UK_MR];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_UK_MR; i++) {
    const size_t r = i < mr ? i : mr - 1;
    off[i] = r * lda + (r >= split ? jump : 0);
  }
  do {
    const float *ap[SC_UK_MR];
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_UK_MR; i++)
      ap[i] = a + off[i];
    a += tap_stride;
    for (size_t k = 0; k < kc; k++)
      SC_UK_STEP(k, pf);
  } while (--ks != 0);
  if (!params->partial)
    SC_TILE_FINISH(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride, params);
  SC_TILE_STORE(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride,
                params->cn_stride);
}

static void SC_UK_STRIDED_NAME(size_t mr, size_t nc, size_t kc, size_t ks,
                               const float *restrict a, size_t lda,
                               size_t tap_stride, const float *restrict w,
                               float *restrict c, size_t cm_stride,
                               const sc_igemm_params *restrict params) {
  if (params->prefetch_weights)
    SC_UK_CAT(SC_UK_STRIDED_NAME, _body)(mr, nc, kc, ks, a, lda, SC_UK_MR, 0,
                                         tap_stride, w, c, cm_stride, params,
                                         true);
  else
    SC_UK_CAT(SC_UK_STRIDED_NAME, _body)(mr, nc, kc, ks, a, lda, SC_UK_MR, 0,
                                         tap_stride, w, c, cm_stride, params,
                                         false);
}

/* The tile across an output row's end (sc_igemm_strided_rows_fn). */
static void SC_UK_CAT(SC_UK_STRIDED_NAME, _rows)(
    size_t mr, size_t nc, size_t kc, size_t ks, const float *restrict a,
    const sc_igemm_strided_rows *restrict rows, size_t tap_stride,
    const float *restrict w, float *restrict c, size_t cm_stride,
    const sc_igemm_params *restrict params) {
  SC_UK_CAT(SC_UK_STRIDED_NAME, _body)(mr, nc, kc, ks, a, rows->lda,
                                       rows->split, rows->jump, tap_stride, w,
                                       c, cm_stride, params,
                                       params->prefetch_weights);
}
#undef SC_UK_STRIDED_NAME
#endif

#undef SC_UK_STEP
#undef SC_UK_STEP_ROWS
#undef SC_UK_TAP_STEPS
#undef SC_UK_PREFETCH_W

#undef SC_UK_NR
#undef SC_UK_BODY
#undef SC_UK_W_AHEAD
#undef SC_UK_W_LINES
#undef SC_UK_NAME
#undef SC_UK_MR
#undef SC_UK_ASTRIDE
#undef SC_UK_WSTRIDE
#undef SC_UK_NV
