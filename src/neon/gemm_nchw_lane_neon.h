/*
 * The NEON NCHW 1x1 GEMM micro-kernel template (see src/igemm.h,
 * sc_gemm_nchw_ukernel_fn, for the operands; src/ukernels/gemm_nchw_ukernel.h is the
 * portable broadcast version it refines). Included by f32_igemm__neon.c once
 * per tile after defining:
 *
 *   SC_NGK_NAME            the function's name
 *   SC_NGK_MQ, SC_NGK_NV   quads of output channels (MR = 4 * SC_NGK_MQ) and
 *                          4-lane vectors of output pixels (NR = 4 * NV)
 *
 * y[k][p] = bias[k] + sum_c w[k][c] x[c][p]: per input channel, NV vectors of
 * consecutive pixels times the weights of MR output channels, which are
 * loaded as MR/4 vectors and applied by lane (FMLA by element), so no
 * broadcast is needed: MQ + NV loads per 4*MQ*NV FMAs. Scalar twin:
 * f32_conv_direct__scalar; each output's accumulator starts from bias + 0.0f
 * (packed) and takes one fma per input channel in order, one rounding each,
 * so the bits are the scalar kernel's.
 *
 * Registers: 4*MQ*NV accumulators + NV pixel vectors + MQ weight vectors
 * (8x12: 24 + 3 + 2).
 */
#include "ukernels/tile_epilogue.h"

#define SC_NGK_MR (SC_NGK_MQ * 4)
#define SC_NGK_NR (SC_NGK_NV * 4)

static void SC_NGK_NAME(size_t mr, size_t nc, size_t kc,
                        const float *restrict w, const float *restrict x,
                        size_t x_stride, float *restrict c, size_t c_stride,
                        const sc_gemm_nchw_params *restrict params) {
  float32x4_t acc[SC_NGK_MR][SC_NGK_NV];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_NGK_MR; i++) {
    const float32x4_t b = vld1q_dup_f32(w + i);
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_NGK_NV; j++)
      acc[i][j] = b;
  }
  w += SC_NGK_MR;

/* Input channel k: the pixel vectors xv times the MR weights, by lane. */
#define SC_NGK_STEP(xv)                                                        \
  do {                                                                         \
    _Pragma("GCC unroll 16") for (size_t q = 0; q < SC_NGK_MQ; q++) {          \
      const float32x4_t wq = vld1q_f32(w + 4 * q);                             \
      _Pragma("GCC unroll 16") for (size_t j = 0; j < SC_NGK_NV; j++) {        \
        acc[4 * q + 0][j] = vfmaq_laneq_f32(acc[4 * q + 0][j], xv[j], wq, 0);  \
        acc[4 * q + 1][j] = vfmaq_laneq_f32(acc[4 * q + 1][j], xv[j], wq, 1);  \
        acc[4 * q + 2][j] = vfmaq_laneq_f32(acc[4 * q + 2][j], xv[j], wq, 2);  \
        acc[4 * q + 3][j] = vfmaq_laneq_f32(acc[4 * q + 3][j], xv[j], wq, 3);  \
      }                                                                        \
    }                                                                          \
    w += SC_NGK_MR;                                                            \
  } while (0)

  if (__builtin_expect(nc == SC_NGK_NR, 1)) {
    for (size_t k = 0; k < kc; k++) {
      float32x4_t xv[SC_NGK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_NGK_NV; j++)
        xv[j] = vld1q_f32(x + j * 4);
      x += x_stride;
      SC_NGK_STEP(xv);
    }
  } else {
    /* The last pixels of a row: read only the nc valid ones. */
    for (size_t k = 0; k < kc; k++) {
      float32x4_t xv[SC_NGK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_NGK_NV; j++)
        xv[j] = nc >= (j + 1) * 4 ? vld1q_f32(x + j * 4)
                : nc > j * 4      ? sc_load_n_f32x4(x + j * 4, nc - j * 4)
                                  : vdupq_n_f32(0.0f);
      x += x_stride;
      SC_NGK_STEP(xv);
    }
  }
#undef SC_NGK_STEP

  if (params->residual != NULL)
    SC_TILE_RESIDUAL_ROWS(acc, SC_NGK_MR, SC_NGK_NV, mr, nc,
                          sc_residual_at(params->residual, params->output, c),
                          c_stride, params->alpha);
  SC_TILE_ACTIVATE(acc, SC_NGK_MR, SC_NGK_NV, &params->act);
  SC_TILE_STORE_ROWS(acc, SC_NGK_MR, SC_NGK_NV, mr, nc, c, c_stride);
}

#undef SC_NGK_MR
#undef SC_NGK_NR
#undef SC_NGK_NAME
#undef SC_NGK_MQ
#undef SC_NGK_NV
