/*
 * A NEON transpose for the igemm driver's NCHW <-> NHWC conversions
 * (sc_transpose_fn, src/igemm.h): 4x4 blocks through registers (two rounds
 * of TRN), scalar copies at the edges. Pure data movement: no rounding.
 */
#ifndef SIMDCONV_TRANSPOSE_NEON_H
#define SIMDCONV_TRANSPOSE_NEON_H

#include <arm_neon.h>
#include <stddef.h>

/* dst[j * dst_stride + i] = src[i * src_stride + j], rows x cols. */
static void sc_transpose_neon(size_t rows, size_t cols, const float *src,
                              size_t src_stride, float *dst,
                              size_t dst_stride) {
  size_t i = 0;
  for (; i + 4 <= rows; i += 4) {
    const float *s0 = src + i * src_stride;
    const float *s1 = s0 + src_stride, *s2 = s1 + src_stride,
                *s3 = s2 + src_stride;
    size_t j = 0;
    for (; j + 4 <= cols; j += 4) {
      const float32x4_t r0 = vld1q_f32(s0 + j), r1 = vld1q_f32(s1 + j);
      const float32x4_t r2 = vld1q_f32(s2 + j), r3 = vld1q_f32(s3 + j);
      /* t0 = a0 b0 a2 b2, t1 = a1 b1 a3 b3, t2 = c0 d0 c2 d2, t3 = c1 d1 c3 d3 */
      const float32x4_t t0 = vtrn1q_f32(r0, r1), t1 = vtrn2q_f32(r0, r1);
      const float32x4_t t2 = vtrn1q_f32(r2, r3), t3 = vtrn2q_f32(r2, r3);
      float *d = dst + j * dst_stride + i;
      vst1q_f32(d, vreinterpretq_f32_f64(vtrn1q_f64(
                       vreinterpretq_f64_f32(t0), vreinterpretq_f64_f32(t2))));
      vst1q_f32(d + dst_stride,
                vreinterpretq_f32_f64(vtrn1q_f64(vreinterpretq_f64_f32(t1),
                                                 vreinterpretq_f64_f32(t3))));
      vst1q_f32(d + 2 * dst_stride,
                vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(t0),
                                                 vreinterpretq_f64_f32(t2))));
      vst1q_f32(d + 3 * dst_stride,
                vreinterpretq_f32_f64(vtrn2q_f64(vreinterpretq_f64_f32(t1),
                                                 vreinterpretq_f64_f32(t3))));
    }
    for (; j < cols; j++) {
      float *d = dst + j * dst_stride + i;
      d[0] = s0[j];
      d[1] = s1[j];
      d[2] = s2[j];
      d[3] = s3[j];
    }
  }
  for (; i < rows; i++)
    for (size_t j = 0; j < cols; j++)
      dst[j * dst_stride + i] = src[i * src_stride + j];
}

#endif
