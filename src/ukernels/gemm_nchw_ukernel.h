/*
 * The NCHW 1x1 GEMM micro-kernel template (see src/igemm.h,
 * sc_gemm_nchw_ukernel_fn, for the operands). Included by src/avx512/ and
 * src/avx2/ sources after defining the vector API of src/ukernels/igemm_ukernel.h plus
 *
 *   SC_VLOAD_N(p, n)      load of lanes j < n (n > 0), zeros above; never
 *                         touches memory at or past p + n
 *   SC_VZERO()            a vector of +0.0f
 *
 * and SC_UK_NAME, SC_UK_MR (output channels) and SC_UK_NV (vectors of
 * output pixels).
 *
 * In NCHW a 1x1 convolution is y[k][p] = bias[k] + sum_c w[k][c] x[c][p]:
 * the broadcast weight of output channel k times a vector of NR consecutive
 * pixels of input channel c, with the output stored straight into the NCHW
 * rows. Scalar twin: f32_conv_direct__scalar; each output's accumulator
 * starts from bias + 0.0f (packed) and takes one fma per input channel in
 * order, so the bits are the scalar kernel's.
 */
#include "ukernels/tile_epilogue.h"

#define SC_UK_NR (SC_UK_NV * SC_VL)

static void SC_UK_NAME(size_t mr, size_t nc, size_t kc,
                       const float *restrict w, const float *restrict x,
                       size_t x_stride, float *restrict c, size_t c_stride,
                       const sc_gemm_nchw_params *restrict params) {
  SC_VEC acc[SC_UK_MR][SC_UK_NV];
#pragma GCC unroll 16
  for (size_t i = 0; i < SC_UK_MR; i++) {
    const SC_VEC b = SC_VBCAST(w + i);
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_UK_NV; j++)
      acc[i][j] = b;
  }
  w += SC_UK_MR;
  SC_TILE_PREFETCH_RESIDUAL(mr, nc, c, c_stride, 0, params);

  if (__builtin_expect(nc == SC_UK_NR, 1)) {
    for (size_t k = 0; k < kc; k++) {
      SC_VEC xv[SC_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_UK_NV; j++)
        xv[j] = SC_VLOAD(x + j * SC_VL);
      x += x_stride;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++) {
        const SC_VEC a = SC_VBCAST(w + i);
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_UK_NV; j++)
          acc[i][j] = SC_VFMA(a, xv[j], acc[i][j]);
      }
      w += SC_UK_MR;
    }
  } else {
    /* The last pixels of a row: read only the nc valid ones. */
    for (size_t k = 0; k < kc; k++) {
      SC_VEC xv[SC_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_UK_NV; j++)
        xv[j] = nc > j * SC_VL ? SC_VLOAD_N(x + j * SC_VL, nc - j * SC_VL)
                               : SC_VZERO();
      x += x_stride;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++) {
        const SC_VEC a = SC_VBCAST(w + i);
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_UK_NV; j++)
          acc[i][j] = SC_VFMA(a, xv[j], acc[i][j]);
      }
      w += SC_UK_MR;
    }
  }

  if (params->residual != NULL)
    SC_TILE_RESIDUAL_ROWS(acc, SC_UK_MR, SC_UK_NV, mr, nc,
                          sc_residual_at(params->residual, params->output, c),
                          c_stride, params->alpha);
  SC_TILE_ACTIVATE(acc, SC_UK_MR, SC_UK_NV, &params->act);
  SC_TILE_STORE_ROWS(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, c_stride);
}

#undef SC_UK_NR
#undef SC_UK_NAME
#undef SC_UK_MR
#undef SC_UK_NV
