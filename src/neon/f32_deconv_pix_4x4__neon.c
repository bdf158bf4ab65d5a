/*
 * f32_deconv_pix_4x4__neon: transposed convolutions with few output
 * channels per group (driver: src/deconv_pix.c, micro-kernels:
 * src/ukernels/deconv_pix_ukernel.h): lanes over 4 consecutive output
 * pixels of one phase, blocks of up to 4 output channels, each block's
 * accumulators (KB x rows x pixel vectors) in q registers over the whole
 * reduction; strided stores lane by lane.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "neon/vec_neon.h"
#include "deconv_pix.h"

/* Lanes l < n of p + l * stride (the residual under a strided tile). */
static inline float32x4_t dp_gather(const float *p, size_t stride,
                                    size_t n) {
  float b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (size_t l = 0; l < n; l++)
    b[l] = p[l * stride];
  return vld1q_f32(b);
}

static inline void dp_scatter(float *p, size_t stride, float32x4_t v,
                              size_t n) {
  if (stride == 1 && n == 4) {
    vst1q_f32(p, v);
    return;
  }
  float b[4];
  vst1q_f32(b, v);
  for (size_t l = 0; l < n; l++)
    p[l * stride] = b[l];
}

#define SC_DP_KBMAX 4

/* Wide tiles (one row of vectors) for long phase rows, tall ones for short
 * ones; 8 to 16 accumulators of the 32 q registers. */
#define SC_DP_NAME dp_1x1x8
#define SC_DP_KB 1
#define SC_DP_MR 1
#define SC_DP_NV 8
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_1x4x2
#define SC_DP_KB 1
#define SC_DP_MR 4
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_2x1x6
#define SC_DP_KB 2
#define SC_DP_MR 1
#define SC_DP_NV 6
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_2x3x2
#define SC_DP_KB 2
#define SC_DP_MR 3
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_3x1x4
#define SC_DP_KB 3
#define SC_DP_MR 1
#define SC_DP_NV 4
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_3x2x2
#define SC_DP_KB 3
#define SC_DP_MR 2
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_4x1x4
#define SC_DP_KB 4
#define SC_DP_MR 1
#define SC_DP_NV 4
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_4x2x2
#define SC_DP_KB 4
#define SC_DP_MR 2
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"

/* The pair micro-kernels of the igemm driver's NCHW rows (src/deconv_pix.h):
 * up to 3 pixel vectors per phase (24 + 4 of 32 vector registers). */
#define SC_DQ_MAX_NV 3
#include "ukernels/deconv_pair_set.h"

static const sc_dpix_config deconv_pix = {
    .vl = 4,
    .kbmax = SC_DP_KBMAX,
    .max_kg = 8,
    .margins = true,
    .uk = {{{dp_1x1x8, 1, 8}, {dp_1x4x2, 4, 2}},
           {{dp_2x1x6, 1, 6}, {dp_2x3x2, 3, 2}},
           {{dp_3x1x4, 1, 4}, {dp_3x2x2, 2, 2}},
           {{dp_4x1x4, 1, 4}, {dp_4x2x2, 2, 2}}},
    .transpose = sc_transpose_neon,
    .constraints = "transposed, K/g <= 8 (lanes over output pixels)",
};

const sc_conv_kernel sc_f32_deconv_pix_4x4__neon = SC_DPIX_KERNEL(
    "f32_deconv_pix_4x4__neon", SIMDCONV_ISA_NEON, deconv_pix);
