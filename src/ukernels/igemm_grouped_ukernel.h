/*
 * The grouped indirect-GEMM micro-kernel template, for grouped convolutions
 * with few channels per group (2 <= Cg <= Kg, Kg dividing the vector width):
 * the lanes of a vector hold the Kg output channels of VL/Kg consecutive
 * groups, so that small groups do not waste most of each vector. Operands as
 * in src/igemm.h with kc = Cg and the packed block covering NR/Kg groups:
 *   w[t][c][j] = weight(g0*Kg + j, t, c)
 * Per tap, each pixel's input channels of the vector's groups (VL/Kg * Cg
 * consecutive floats at the row pointer) are loaded once, and for each input
 * channel c a permute puts x[group(lane)][c] into every lane of that group.
 * Scalar twin: f32_conv_direct__scalar: each lane accumulates its own output
 * channel over (tap, c) in order, one fma each, from bias + 0.0f; taps that
 * are padding for the whole tile skipped as in igemm_ukernel.h.
 *
 * Besides the vector API of src/ukernels/igemm_ukernel.h the includer defines
 *   SC_VIDX                   an index vector type (int32 lanes)
 *   SC_VIDX_LOAD(p)           load SC_VL int32 lanes
 *   SC_VIDX_ADD1(v, c)        v + c in every lane
 *   SC_VPERM(idx, v)          out[l] = v[idx[l]]
 *   SC_VMASKN                 a load mask type; SC_VMASKN_MAKE(n) for the
 *                             first n lanes (0 <= n <= SC_VL)
 *   SC_VLOAD_MASKED(p, m)     masked load, zeros elsewhere, no access past
 *                             the masked lanes
 */
#include "ukernels/tile_epilogue.h"

#define SC_UK_NR (SC_UK_NV * SC_VL)

#define SC_UK_BODY SC_UK_CAT(SC_UK_NAME, _body)

/* The tile, skipping padding taps when skip is set; false (nothing stored)
 * when it must be computed again without skipping (igemm_ukernel.h). */
static inline __attribute__((always_inline)) bool
SC_UK_BODY(SC_IGEMM_BODY_PARAMS) {
  const size_t kg = params->kg, span = SC_VL / kg * kc;
  /* Lane l reads float (l / Kg) * Cg + c of its vector's span. */
  const SC_VIDX base = SC_VIDX_LOAD(params->group_base);
  /* Valid input floats of each vector's groups: nc / Kg groups in all. */
  SC_VMASKN lmask[SC_UK_NV];
  const size_t valid = nc / kg * kc;
#pragma GCC unroll 16
  for (size_t j = 0; j < SC_UK_NV; j++) {
    const size_t v0 = j * span;
    lmask[j] = SC_VMASKN_MAKE(valid <= v0            ? 0
                              : valid - v0 >= span ? span
                                                   : valid - v0);
  }

  SC_VEC acc[SC_UK_MR][SC_UK_NV];
#pragma GCC unroll 16
  for (size_t j = 0; j < SC_UK_NV; j++)
    acc[0][j] = SC_VLOAD(w + j * SC_VL);
#pragma GCC unroll 16
  for (size_t i = 1; i < SC_UK_MR; i++)
#pragma GCC unroll 16
    for (size_t j = 0; j < SC_UK_NV; j++)
      acc[i][j] = acc[0][j];
  w += SC_UK_NR;
  SC_TILE_PREFETCH_RESIDUAL(mr, nc, c, cm_stride, params->cn_stride, params);

  const float *const zero = params->zero;
  bool skipped = false;
  do {
    if (skip && sc_igemm_tap_padded(a, SC_UK_MR, zero)) {
      a += SC_UK_MR;
      w += kc * SC_UK_NR;
      skipped = true;
      continue;
    }
    SC_VEC x[SC_UK_MR][SC_UK_NV];
#pragma GCC unroll 16
    for (size_t i = 0; i < SC_UK_MR; i++) {
      const float *ap = sc_igemm_row(a[i], zero, a_offset);
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_UK_NV; j++)
        x[i][j] = SC_VLOAD_MASKED(ap + j * span, lmask[j]);
    }
    a += SC_UK_MR;

    for (size_t k = 0; k < kc; k++) {
      const SC_VIDX idx = SC_VIDX_ADD1(base, (int32_t)k);
      SC_VEC wv[SC_UK_NV];
#pragma GCC unroll 16
      for (size_t j = 0; j < SC_UK_NV; j++)
        wv[j] = SC_VLOAD(w + j * SC_VL);
      w += SC_UK_NR;
#pragma GCC unroll 16
      for (size_t i = 0; i < SC_UK_MR; i++)
#pragma GCC unroll 16
        for (size_t j = 0; j < SC_UK_NV; j++)
          acc[i][j] = SC_VFMA(SC_VPERM(idx, x[i][j]), wv[j], acc[i][j]);
    }
  } while (--ks != 0);
  if (skip && skipped && SC_TILE_ANY_NEGZERO(acc, SC_UK_MR, SC_UK_NV))
    return false;

  SC_TILE_FINISH(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride, params);
  SC_TILE_STORE(acc, SC_UK_MR, SC_UK_NV, mr, nc, c, cm_stride,
                params->cn_stride);
  return true;
}

SC_IGEMM_DEFINE_UKERNEL(SC_UK_NAME, SC_UK_BODY)

#undef SC_UK_BODY

#undef SC_UK_NR
#undef SC_UK_NAME
#undef SC_UK_MR
#undef SC_UK_NV
