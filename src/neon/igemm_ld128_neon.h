/*
 * The NEON indirect-GEMM micro-kernel template, "ld128" flavour (see
 * src/igemm.h for the operands and src/ukernels/igemm_ukernel.h for the portable
 * broadcast template it refines). Included by f32_igemm__neon.c once per
 * tile after defining:
 *
 *   SC_NUK_NAME           the function's name
 *   SC_NUK_MR, SC_NUK_NV  rows (output pixels) and 4-lane vectors per row;
 *                         NR = 4 * SC_NUK_NV output channels
 *
 * Scalar twin: f32_conv_direct__scalar. The hot loop loads 4 consecutive
 * input channels of each row with one 128-bit load and multiplies them in by
 * lane (FMLA by element), channel after channel: each accumulator still
 * takes fmaf(x[c], w[c][j], acc) for c = 0, 1, 2, ... in order, one rounding
 * each, so the bits equal the scalar kernel's. This needs MR + NV loads per
 * 4*MR*NV FMAs (the broadcast form needs MR + NV per MR*NV), which keeps a
 * single load pipe (Cortex-A72) ahead of two FMA pipes.
 *
 * Zero-padding taps: their row pointer is the zero row, giving fmaf(0, w,
 * acc) as the scalar kernel computes it; taps that are padding for the
 * whole tile are skipped as in igemm_ukernel.h.
 *
 * Registers (32 x 128-bit): MR*NV accumulators + MR input vectors + NV
 * weight vectors; 8x8 uses 16 + 8 + 2..4.
 */
#include "ukernels/tile_epilogue.h"

#define SC_NUK_NR (SC_NUK_NV * 4)

#define SC_NUK_BODY SC_UK_CAT(SC_NUK_NAME, _body)

/* The tile, skipping padding taps when skip is set; false (nothing stored)
 * when it must be computed again without skipping (igemm_ukernel.h). */
static inline __attribute__((always_inline)) bool
SC_NUK_BODY(SC_IGEMM_BODY_PARAMS) {
  float32x4_t acc[SC_NUK_MR][SC_NUK_NV];
  SC_TILE_START(acc, SC_NUK_MR, SC_NUK_NV, w, mr, nc, c, cm_stride, params);
  w += SC_NUK_NR;

  const float *const zero = params->zero;
  bool skipped = false;
  do {
    if (skip && sc_igemm_tap_padded(a, SC_NUK_MR, zero)) {
      a += SC_NUK_MR;
      w += kc * SC_NUK_NR;
      skipped = true;
      continue;
    }
    const float *ap[SC_NUK_MR];
    sc_igemm_rows(ap, a, SC_NUK_MR, zero, a_offset);
    a += SC_NUK_MR;

    size_t k = kc;
    for (; k >= 4; k -= 4) {
      float32x4_t x[SC_NUK_MR];
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_NUK_MR; i++) {
        x[i] = vld1q_f32(ap[i]);
        ap[i] += 4;
      }
/* One input channel (lane L of x): NV weight vectors, MR*NV FMAs. The lane
 * is a literal so the intrinsic gets its immediate even at -O0. */
#define SC_NUK_LANE(L)                                                         \
  do {                                                                         \
    float32x4_t wv[SC_NUK_NV];                                                 \
    _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_NUK_NV; j++)            \
        wv[j] = vld1q_f32(w + j * 4);                                          \
    w += SC_NUK_NR;                                                            \
    _Pragma("GCC unroll 16") for (size_t i = 0; i < SC_NUK_MR; i++)            \
        _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_NUK_NV; j++)        \
            acc[i][j] = vfmaq_laneq_f32(acc[i][j], wv[j], x[i], L);            \
  } while (0)
      SC_NUK_LANE(0);
      SC_NUK_LANE(1);
      SC_NUK_LANE(2);
      SC_NUK_LANE(3);
#undef SC_NUK_LANE
    }
    for (; k != 0; k--) {
      float32x4_t wv[SC_NUK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_NUK_NV; j++)
        wv[j] = vld1q_f32(w + j * 4);
      w += SC_NUK_NR;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_NUK_MR; i++) {
        const float32x4_t x = vld1q_dup_f32(ap[i]);
        ap[i] += 1;
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_NUK_NV; j++)
          acc[i][j] = vfmaq_f32(acc[i][j], x, wv[j]);
      }
    }
  } while (--ks != 0);
  if (skip && skipped && SC_TILE_ANY_NEGZERO(acc, SC_NUK_MR, SC_NUK_NV))
    return false;

  /* Epilogue (src/ukernels/tile_epilogue.h): the residual, the activation,
   * then the mr x nc stores (NHWC rows, or transposed into NCHW planes in
   * 4x4 register blocks when params->cn_stride is set); a run of taps
   * before the last (params->partial) stores its partial sums as they are. */
  if (!params->partial)
    SC_TILE_FINISH(acc, SC_NUK_MR, SC_NUK_NV, mr, nc, c, cm_stride, params);

  if (params->cn_stride != 0) {
    /* NCHW output: 4x4 blocks transposed in registers, each channel's
     * pixels stored contiguously. */
#pragma GCC unroll 16
    for (size_t i0 = 0; i0 < SC_NUK_MR; i0 += 4) {
      if (i0 < mr) {
#define SC_NUK_ROW(d) acc[i0 + (d) < SC_NUK_MR ? i0 + (d) : 0][j]
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_NUK_NV; j++)
          sc_store_4x4_transposed(SC_NUK_ROW(0), SC_NUK_ROW(1), SC_NUK_ROW(2),
                                  SC_NUK_ROW(3), c + j * 4 * params->cn_stride + i0,
                                  params->cn_stride, mr - i0,
                                  nc > j * 4 ? nc - j * 4 : 0);
#undef SC_NUK_ROW
      }
    }
  } else {
    SC_TILE_STORE_ROWS(acc, SC_NUK_MR, SC_NUK_NV, mr, nc, c, cm_stride);
  }
  return true;
}

SC_IGEMM_DEFINE_UKERNEL(SC_NUK_NAME, SC_NUK_BODY)

#undef SC_NUK_BODY

#undef SC_NUK_NR
#undef SC_NUK_NAME
#undef SC_NUK_MR
#undef SC_NUK_NV
