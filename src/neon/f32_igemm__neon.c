/*
 * f32_igemm_<MR>x<NR>__neon: the indirect-GEMM micro-kernels on AArch64
 * Advanced SIMD (src/neon/igemm_ld128_neon.h instantiated per tile), and
 * f32_gemm_nchw_<MR>x<NR>__neon, the NCHW 1x1 GEMM micro-kernels
 * (src/neon/gemm_nchw_lane_neon.h). Scalar twin: f32_conv_direct__scalar.
 * Both apply 128-bit loads by lane (FMLA by element) in input-channel order;
 * igemm's zero-padding taps multiply the zero row in, as the scalar kernel
 * does. The NCHW igemm path transposes with sc_transpose_neon.
 */
/* GCC 12's generic AArch64 tuning leaves vector register copies on the back
 * edge of the igemm 8x8 hot loop (10 MOVs per 64 FMLAs, ~86% of the FMA
 * throughput of Neoverse N1 by llvm-mca); with its Cortex-A72 scheduling
 * model the loop keeps 0-2 MOVs (97-100% on N1 and A72). Tuning only: the
 * code stays plain ARMv8.0-A. tools/neon-mca.sh measures it. */
#pragma GCC target("tune=cortex-a72")

#include <arm_neon.h>
#include <stdbool.h>

#include "igemm.h"
#include "neon/activation_neon.h"
#include "neon/neon_kernels.h"
#include "neon/transpose_neon.h"

/* Stores the first n lanes (0 < n < 4) of v. */
static inline void sc_store_n_f32x4(float *p, float32x4_t v, size_t n) {
  if (n & 2) {
    vst1_f32(p, vget_low_f32(v));
    if (n & 1)
      vst1q_lane_f32(p + 2, v, 2);
  } else {
    vst1q_lane_f32(p, v, 0);
  }
}

/* Transposes the 4x4 block r0..r3 (rows: pixels, lanes: channels) and
 * stores channel l's pixels 0 .. np-1 (np >= 1, at most 4 used) at
 * c + l * cs for l < nch (at most 4 used). */
static inline void sc_store_4x4_transposed(float32x4_t r0, float32x4_t r1,
                                           float32x4_t r2, float32x4_t r3,
                                           float *c, size_t cs, size_t np,
                                           size_t nch) {
  const float32x4_t t0 = vtrn1q_f32(r0, r1), t1 = vtrn2q_f32(r0, r1);
  const float32x4_t t2 = vtrn1q_f32(r2, r3), t3 = vtrn2q_f32(r2, r3);
  float32x4_t col[4];
  col[0] = vreinterpretq_f32_f64(
      vtrn1q_f64(vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2)));
  col[1] = vreinterpretq_f32_f64(
      vtrn1q_f64(vreinterpretq_f64_f32(t1), vreinterpretq_f64_f32(t3)));
  col[2] = vreinterpretq_f32_f64(
      vtrn2q_f64(vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2)));
  col[3] = vreinterpretq_f32_f64(
      vtrn2q_f64(vreinterpretq_f64_f32(t1), vreinterpretq_f64_f32(t3)));
  if (nch > 4)
    nch = 4;
  if (np >= 4) {
    for (size_t l = 0; l < nch; l++)
      vst1q_f32(c + l * cs, col[l]);
  } else {
    for (size_t l = 0; l < nch; l++)
      sc_store_n_f32x4(c + l * cs, col[l], np);
  }
}

/* Lanes j < n (0 < n < 4) of p, zeros above; reads nothing at or past
 * p + n. */
static inline float32x4_t sc_load_n_f32x4(const float *p, size_t n) {
  float32x4_t v = vld1q_lane_f32(p, vdupq_n_f32(0.0f), 0);
  if (n > 1)
    v = vld1q_lane_f32(p + 1, v, 1);
  if (n > 2)
    v = vld1q_lane_f32(p + 2, v, 2);
  return v;
}

#define SC_NUK_NAME f32_igemm_ukernel_8x8__neon
#define SC_NUK_MR 8
#define SC_NUK_NV 2
#include "neon/igemm_ld128_neon.h"

#define SC_NUK_NAME f32_igemm_ukernel_6x8__neon
#define SC_NUK_MR 6
#define SC_NUK_NV 2
#include "neon/igemm_ld128_neon.h"

#define SC_NGK_NAME f32_gemm_nchw_ukernel_8x12__neon
#define SC_NGK_MQ 2
#define SC_NGK_NV 3
#include "neon/gemm_nchw_lane_neon.h"

#define SC_NGK_NAME f32_gemm_nchw_ukernel_8x8__neon
#define SC_NGK_MQ 2
#define SC_NGK_NV 2
#include "neon/gemm_nchw_lane_neon.h"

/* Designated initialisers: fields the driver adds later (optional ones)
 * stay NULL / 0. */
static const sc_igemm_config igemm_8x8 = {
    .mr = 8, .nr = 8, .ukernel = f32_igemm_ukernel_8x8__neon,
    .transpose = sc_transpose_neon};
static const sc_igemm_config igemm_6x8 = {
    .mr = 6, .nr = 8, .ukernel = f32_igemm_ukernel_6x8__neon,
    .transpose = sc_transpose_neon};
static const sc_gemm_nchw_config gemm_nchw_8x12 = {
    .mr = 8, .nr = 12, .ukernel = f32_gemm_nchw_ukernel_8x12__neon};
static const sc_gemm_nchw_config gemm_nchw_8x8 = {
    .mr = 8, .nr = 8, .ukernel = f32_gemm_nchw_ukernel_8x8__neon};

const sc_conv_kernel sc_f32_igemm_8x8__neon =
    SC_IGEMM_KERNEL("f32_igemm_8x8__neon", SIMDCONV_ISA_NEON, igemm_8x8);
const sc_conv_kernel sc_f32_igemm_6x8__neon =
    SC_IGEMM_KERNEL("f32_igemm_6x8__neon", SIMDCONV_ISA_NEON, igemm_6x8);
const sc_conv_kernel sc_f32_gemm_nchw_8x12__neon = SC_GEMM_NCHW_KERNEL(
    "f32_gemm_nchw_8x12__neon", SIMDCONV_ISA_NEON, gemm_nchw_8x12);
const sc_conv_kernel sc_f32_gemm_nchw_8x8__neon = SC_GEMM_NCHW_KERNEL(
    "f32_gemm_nchw_8x8__neon", SIMDCONV_ISA_NEON, gemm_nchw_8x8);
