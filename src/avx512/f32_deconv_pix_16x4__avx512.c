/*
 * f32_deconv_pix_16x4__avx512: transposed convolutions with few output
 * channels per group (driver: src/deconv_pix.c, micro-kernels:
 * src/ukernels/deconv_pix_ukernel.h): lanes over 16 consecutive output
 * pixels of one phase, blocks of up to 4 output channels, each block's
 * accumulators (KB x rows x pixel vectors) in zmm registers over the whole
 * reduction; strided stores through vscatterdps.
 *
 * K/g <= 8: against deconv_igemm (simdconv-ab, 1 thread, AVX-512 Xeon) it
 * won 1.1-6.5x at K = 1..8 on 4x4 s2, 9x9 s3, 3x3 s1/s2 and 2x2 s2 layers
 * of 16-128 channels; at K = 12..24 it still won where a phase has several
 * taps (1.03-2.0x) but lost on 2x2 stride 2 NHWC (one tap per phase, 0.85x
 * at K = 12, 0.62x at 16), where the igemm tiles fill their lanes.
 * Scalar twin: f32_conv_direct__scalar (bitwise identical results).
 */
#include "avx512/vec_avx512.h"
#include "deconv_pix.h"

/* Lanes l < n of p + l * stride (the residual under a strided tile). */
static inline __m512 dp_gather(const float *p, size_t stride, size_t n) {
  const __mmask16 m = dwm_first(n);
  if (stride == 1)
    return _mm512_maskz_loadu_ps(m, p);
  const __m512i idx = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)stride));
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, p, 4);
}

static inline void dp_scatter(float *p, size_t stride, __m512 v, size_t n) {
  const __mmask16 m = dwm_first(n);
  if (stride == 1) {
    _mm512_mask_storeu_ps(p, m, v);
    return;
  }
  const __m512i idx = _mm512_mullo_epi32(
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
      _mm512_set1_epi32((int)stride));
  _mm512_mask_i32scatter_ps(p, m, idx, v, 4);
}

#define SC_DP_KBMAX 4

/* Wide tiles (one row of vectors) for long phase rows, tall ones (rows x 2
 * vectors) for short ones; 8 to 24 accumulators. */
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
#define SC_DP_NAME dp_2x1x8
#define SC_DP_KB 2
#define SC_DP_MR 1
#define SC_DP_NV 8
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_2x4x2
#define SC_DP_KB 2
#define SC_DP_MR 4
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_3x1x6
#define SC_DP_KB 3
#define SC_DP_MR 1
#define SC_DP_NV 6
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_3x3x2
#define SC_DP_KB 3
#define SC_DP_MR 3
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_4x1x6
#define SC_DP_KB 4
#define SC_DP_MR 1
#define SC_DP_NV 6
#include "ukernels/deconv_pix_ukernel.h"
#define SC_DP_NAME dp_4x3x2
#define SC_DP_KB 4
#define SC_DP_MR 3
#define SC_DP_NV 2
#include "ukernels/deconv_pix_ukernel.h"

/* The pair micro-kernels of the igemm driver's NCHW rows (src/deconv_pix.h):
 * up to 3 pixel vectors per phase (24 + 4 of 32 vector registers). */
#define SC_DQ_MAX_NV 3
#include "ukernels/deconv_pair_set.h"

static const sc_dpix_config deconv_pix = {
    .vl = 16,
    .kbmax = SC_DP_KBMAX,
    .max_kg = 8,
    .margins = false,
    .uk = {{{dp_1x1x8, 1, 8}, {dp_1x4x2, 4, 2}},
           {{dp_2x1x8, 1, 8}, {dp_2x4x2, 4, 2}},
           {{dp_3x1x6, 1, 6}, {dp_3x3x2, 3, 2}},
           {{dp_4x1x6, 1, 6}, {dp_4x3x2, 3, 2}}},
    .transpose = sc_transpose_avx,
    .constraints = "transposed, K/g <= 8 (lanes over output pixels)",
};

const sc_conv_kernel sc_f32_deconv_pix_16x4__avx512 = SC_DPIX_KERNEL(
    "f32_deconv_pix_16x4__avx512", SIMDCONV_ISA_AVX512, deconv_pix);
