/*
 * The depthwise NCHW kernels' store of one output vector, shared by the
 * forward templates (src/ukernels/dwconv_nchw_ukernel.h) and the transposed
 * row kernel (src/ukernels/deconv_dw_nchw_ukernel.h). Included after an
 * ISA's vector API (dwv_*).
 */
#ifndef SIMDCONV_UKERNELS_DW_STORE_H
#define SIMDCONV_UKERNELS_DW_STORE_H

#include <stdbool.h>

#include "activation.h"

/* Stores acc at y (all lanes when full, else the lanes of m) through the
 * epilogue: alpha times the residual r added (NULL: none; read just before
 * the store, so it may be the output itself), the fused clamp [lo, hi]
 * (-inf, +inf unless the activation is CLAMP) and, when act, the other
 * activations. */
static inline __attribute__((always_inline)) void
dwv_store_epilogue(float *y, dw_v acc, const float *r, float alpha, float lo,
                   float hi, const sc_act_params *a, bool act, bool full,
                   dw_m m) {
  if (r != NULL)
    acc = dwv_fma(dwv_set1(alpha), full ? dwv_load(r) : dwv_loadm(r, m), acc);
  acc = dwv_clamp(acc, lo, hi);
  if (act)
    acc = dwv_act(a, acc);
  if (full)
    dwv_store(y, acc);
  else
    dwv_storem(y, acc, m);
}

#endif /* SIMDCONV_UKERNELS_DW_STORE_H */
