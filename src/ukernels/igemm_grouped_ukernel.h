/*
 * The grouped indirect-GEMM micro-kernel template, for grouped convolutions
 * with few channels per group (2 <= Cg <= Kg, Kg dividing the vector width
 * VL): a vector holds the Kg output channels of G = VL/Kg consecutive
 * groups, so that small groups do not waste most of each vector.
 *
 * Lane order. Lane l of a vector belongs to group l % G (of the vector's G)
 * and to its output channel l / G: interleaved, so that the input value a
 * lane needs, x[group][c], comes from one broadcast load of G floats when
 * the input holds each pixel's channels of G groups channel-major,
 * x'[c * G + g] (the driver's copy, SC_UK_NAME##_reorder below). The
 * permute per pixel, vector and input channel that the group-major order
 * needed (MR*NV shuffles beside MR*NV fmas, on the FMA port on Intel) is
 * gone: per input channel the tile takes NV weight loads, MR*NV broadcast
 * loads and MR*NV fmas. The packed weights follow the lane order (the
 * driver's igemm_lane); the tile is put back in channel order,
 * one permute per accumulator, before its epilogue.
 *
 * Operands as in src/igemm.h with kc = Cg, the packed block covering NR/Kg
 * groups and each row pointer at the block's first group in the reordered
 * image: vector j's groups are the span of G*Cg floats at j * G*Cg (the
 * image's last span completed with +0 groups).
 * Scalar twin: f32_conv_direct__scalar: each lane accumulates its own output
 * channel over (tap, c) in order, one fma each, from bias + 0.0f; taps that
 * are padding for the whole tile skipped as in igemm_ukernel.h.
 *
 * The shuffle tile (the includer defines SC_UK_SHUFFLE: this inclusion
 * then makes the one kernel SC_UK_NAME, for Cg == Kg = 4 only) keeps the
 * lanes in channel order instead: the 4 lanes of 128-bit quad q are group
 * q's output channels, the packed weights and the output need no
 * permutation, and the input is read as NHWC has it (the driver's copy,
 * cp == C). A pixel's G = VL/4 groups are one vector load, and input
 * channel k, element k of every quad, is spread over its quad by an
 * in-lane shuffle (vpermilps with an immediate): per input channel NV
 * weight loads, MR*NV shuffles, MR*NV fmas, and per tap MR*NV loads. On
 * Zen 4 the shuffles run beside the FMAs at full rate and the tile beats
 * the broadcast one (whose vbroadcastf32x4 loads hold it to 74% of peak);
 * on Intel they take the second FMA port, so the driver picks it by the
 * host (sc_gshuffle, src/conv_internal.h). Other group sizes keep the
 * broadcast tiles, measured on Zen 4: Kg = 8 needs a cross-quad step per
 * 4 input channels (a vshuff32x4 or a merging load: 81-87% of peak in an
 * L1-resident microbenchmark, 0.85x on ResNeXt's grouped3x3_28 with its
 * input in cache); Kg = 2 (lanes 0-1 of a quad taking element k, lanes
 * 2-3 element 2 + k) ran 1.00x NHWC, 0.92-0.94x NCHW on 2-channel groups
 * from memory (2 FMAs per tap and vector leave the per-tap work in front).
 *
 * Besides the vector API of src/ukernels/igemm_ukernel.h the includer defines
 *   SC_VIDX, SC_VIDX_LOAD(p)  an int32 index vector and its load
 *   SC_VPERM(idx, v)          out[l] = v[idx[l]]
 *   SC_VBCAST_G(p, G)         the G floats at p repeated over the vector
 *                             (G a constant, 1 .. SC_VL/2)
 * and for SC_UK_SHUFFLE
 *   SC_VLANE_DUP(v, k)        element k (< 4) of each quad over its lanes
 */
#include "ukernels/tile_epilogue.h"

#define SC_UK_NR (SC_UK_NV * SC_VL)

#define SC_UK_BODY SC_UK_CAT(SC_UK_NAME, _body)
#define SC_UK_BODY_G(G) SC_UK_CAT(SC_UK_CAT(SC_UK_NAME, _g), G)

/* One input channel's step: the block's NV weight vectors for it, then
 * acc[i][j] += X * w[j] for each row i and vector j, X the expression of
 * pixel i's input value(s) for vector j (i and j in scope). */
#define SC_UK_STEP(acc, w, X)                                                  \
  do {                                                                         \
    SC_VEC wv[SC_UK_NV];                                                       \
    _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_UK_NV; j++) wv[j] =     \
        SC_VLOAD((w) + j * SC_VL);                                             \
    (w) += SC_UK_NR;                                                           \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_UK_MR; i++)             \
        _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_UK_NV; j++)         \
            (acc)[i][j] = SC_VFMA(X, wv[j], (acc)[i][j]);                      \
  } while (0)

/* The tile, skipping padding taps when skip is set; false (nothing stored)
 * when it must be computed again without skipping (igemm_ukernel.h). G =
 * SC_VL / params->kg and shuffle (the channel-order tile, G = SC_VL / 4)
 * constants in each copy. */
static inline __attribute__((always_inline)) bool
SC_UK_BODY(SC_IGEMM_BODY_PARAMS, const size_t G, const bool shuffle) {
  /* Floats of a vector's groups per pixel; vector j's span in a row, or
   * span 0 for a vector past the tile's last group (its lanes are never
   * stored): no read past the image's last span. */
  const size_t span = G * kc;
  size_t joff[SC_UK_NV];
#pragma GCC unroll 16
  for (size_t j = 0; j < SC_UK_NV; j++)
    joff[j] = j * SC_VL < nc ? j * span : 0;
  SC_VEC acc[SC_UK_MR][SC_UK_NV];
  SC_TILE_START(acc, SC_UK_MR, SC_UK_NV, w, mr, nc, c, cm_stride, params);
  w += SC_UK_NR;
#if SC_VL >= 16 /* AVX-512: see SC_TILE_PREFETCH_RESIDUAL */
  SC_TILE_PREFETCH_OUTPUT(mr, nc, c, cm_stride, params->cn_stride, params);
#else
  SC_TILE_PREFETCH_RESIDUAL(mr, nc, c, cm_stride, params->cn_stride, params);
#endif

  const float *const zero = params->zero;
#ifdef SC_VPREFETCH_INPUT
  /* The next tile's row pointers (the indirection has one spare tile). */
  const float *const *an = a + ks * SC_UK_MR;
#endif
  bool skipped = false;
  do {
    if (skip && sc_igemm_tap_padded(a, SC_UK_MR, zero)) {
      a += SC_UK_MR;
#ifdef SC_VPREFETCH_INPUT
      an += SC_UK_MR;
#endif
      w += kc * SC_UK_NR;
      skipped = true;
      continue;
    }
    const float *ap[SC_UK_MR];
    sc_igemm_rows(ap, a, SC_UK_MR, zero, a_offset);
    a += SC_UK_MR;
#ifdef SC_VPREFETCH_INPUT
    /* The same tap's spans in the next tile's rows, read in place from
     * the caller's NHWC input (params->prefetch_next_tile, only for G == 1:
     * larger G read a reordered copy, just written): a tile reads
     * one span of G*Cg floats per row and vector, 2 KiB apart in ResNeXt's
     * 512-channel rows, which the hardware prefetchers do not follow. */
    if (G == 1 && params->prefetch_next_tile) {
      const float *pn[SC_UK_MR];
      sc_igemm_rows(pn, an, SC_UK_MR, zero, a_offset);
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_UK_NV; j++)
          for (size_t l = 0; l < G * kc; l += 16)
            SC_VPREFETCH_INPUT(pn[i] + joff[j] + l);
    }
    an += SC_UK_MR;
#endif
#ifdef SC_UK_SHUFFLE
    if (shuffle) {
      SC_VEC xs[SC_UK_MR][SC_UK_NV];
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_UK_NV; j++)
          xs[i][j] = SC_VLOAD(ap[i] + joff[j]);
#pragma GCC unroll 4
      for (size_t k = 0; k < 4; k++)
        SC_UK_STEP(acc, w, SC_VLANE_DUP(xs[i][j], k));
      continue;
    }
#endif
    for (size_t k = 0; k < kc; k++)
      SC_UK_STEP(acc, w, SC_VBCAST_G(ap[i] + joff[j] + k * G, G));
  } while (--ks != 0);
  if (skip && skipped && SC_TILE_ANY_NEGZERO(acc, SC_UK_MR, SC_UK_NV))
    return false;

  /* Back to channel order: lane q takes lane (q % Kg) * G + q / Kg. */
  if (!shuffle) {
    const SC_VIDX order = SC_VIDX_LOAD(params->group_lanes);
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_UK_MR; i++)
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_UK_NV; j++)
        acc[i][j] = SC_VPERM(order, acc[i][j]);
  }
  SC_TILE_FINISH(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride, params);
  SC_TILE_STORE(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride,
                params->cn_stride);
  return true;
}

#ifdef SC_UK_SHUFFLE
/* The channel-order tile, its skipping and plain bodies. */
static inline __attribute__((always_inline)) bool SC_UK_BODY_G(shuffle)(
    SC_IGEMM_BODY_PARAMS) {
  return SC_UK_BODY(mr, nc, kc, ks, a, w, c, cm_stride, a_offset, params,
                    skip, SC_VL / 4, true);
}
SC_IGEMM_DEFINE_UKERNEL(SC_UK_NAME, SC_UK_BODY_G(shuffle))
#else
/* One copy per G, each with its skipping and plain bodies. */
#define SC_UK_DEFINE_G(G)                                                      \
  static inline __attribute__((always_inline)) bool SC_UK_BODY_G(G)(          \
      SC_IGEMM_BODY_PARAMS) {                                                  \
    return SC_UK_BODY(mr, nc, kc, ks, a, w, c, cm_stride, a_offset, params,    \
                      skip, G, false);                                         \
  }                                                                            \
  SC_IGEMM_DEFINE_UKERNEL(SC_UK_CAT(SC_UK_NAME, SC_UK_CAT(_, G)),             \
                          SC_UK_BODY_G(G))
SC_UK_DEFINE_G(1)
SC_UK_DEFINE_G(2)
SC_UK_DEFINE_G(4)
#if SC_VL == 16
SC_UK_DEFINE_G(8)
#endif
#undef SC_UK_DEFINE_G

static void SC_UK_NAME(size_t mr, size_t nc, size_t kc, size_t ks,
                       const float *const *restrict a,
                       const float *restrict w, float *restrict c,
                       size_t cm_stride, size_t a_offset,
                       const sc_igemm_params *restrict params) {
  switch (SC_VL / params->kg) {
  case 1:
    SC_UK_CAT(SC_UK_NAME, _1)(mr, nc, kc, ks, a, w, c, cm_stride, a_offset,
                              params);
    break;
  case 2:
    SC_UK_CAT(SC_UK_NAME, _2)(mr, nc, kc, ks, a, w, c, cm_stride, a_offset,
                              params);
    break;
#if SC_VL == 16
  case 8:
    SC_UK_CAT(SC_UK_NAME, _8)(mr, nc, kc, ks, a, w, c, cm_stride, a_offset,
                              params);
    break;
#endif
  default:
    SC_UK_CAT(SC_UK_NAME, _4)(mr, nc, kc, ks, a, w, c, cm_stride, a_offset,
                              params);
    break;
  }
}

/* The driver's copy of the input for this kernel (sc_igemm_reorder_fn):
 * for each of `pixels` pixels, each span s of `span` floats (G groups of
 * Cg channels) becomes channel-major, dst[s*span + q] = src[s*span +
 * perm[q]], from the C floats of a source pixel into the cp >= C floats of
 * a destination one; the groups past the last (perm[q] at or past the C
 * floats) read +0. src == dst (same strides) is allowed: a span is loaded
 * whole before it is stored. */
static void SC_UK_CAT(SC_UK_NAME, _reorder)(size_t pixels, const float *src,
                                            size_t src_stride, float *dst,
                                            size_t dst_stride, size_t C,
                                            size_t cp, size_t span,
                                            const int32_t *perm) {
  const SC_VIDX idx = SC_VIDX_LOAD(perm);
  for (size_t p = 0; p < pixels; p++, src += src_stride, dst += dst_stride)
    for (size_t s = 0; s < cp; s += span) {
      /* Lanes at or past the valid floats load +0: the absent groups'. */
      const size_t n = s >= C ? 0 : C - s < span ? C - s : span;
      const SC_VEC v = SC_VLOAD_N(src + s, n);
      SC_VSTORE_N(dst + s, SC_VPERM(idx, v), span);
    }
}
#endif /* SC_UK_SHUFFLE */

#undef SC_UK_BODY
#undef SC_UK_BODY_G
#undef SC_UK_STEP

#undef SC_UK_NR
#undef SC_UK_NAME
#undef SC_UK_MR
#undef SC_UK_SHUFFLE
#undef SC_UK_NV
