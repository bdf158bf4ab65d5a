/*
 * The x86 transposes shared by the AVX2 and AVX-512 kernels: a blocked
 * float transpose with 8x8 AVX register transposes, for the NCHW
 * <-> NHWC conversions of the igemm driver (sc_transpose_fn). Pure data
 * movement. Include only from sources compiled with AVX2 (or AVX-512) flags.
 */
#ifndef SIMDCONV_X86_TRANSPOSE_H
#define SIMDCONV_X86_TRANSPOSE_H

#include <immintrin.h>
#include <stddef.h>

/* Transposes the 8x8 matrix held in r[0..7] (row i in r[i]) in place. */
static inline void sc_transpose_8x8_regs(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]);
  const __m256 t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]);
  const __m256 t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]);
  const __m256 t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]);
  const __m256 t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44);
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, 0xee);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44);
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, 0xee);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44);
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, 0xee);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44);
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, 0xee);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* dst[j * ds + i] = src[i * ss + j] for i, j < 8. */
static inline void sc_transpose_8x8_avx(const float *src, size_t ss,
                                        float *dst, size_t ds) {
  __m256 r[8];
  for (size_t i = 0; i < 8; i++)
    r[i] = _mm256_loadu_ps(src + i * ss);
  sc_transpose_8x8_regs(r);
  for (size_t i = 0; i < 8; i++)
    _mm256_storeu_ps(dst + i * ds, r[i]);
}

/* Stores the first n (0 < n <= 8) lanes of v. */
static inline void sc_store_n_f32x8(float *p, __m256 v, size_t n) {
  if (n == 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  __m128 h = _mm256_castps256_ps128(v);
  if (n & 4) {
    _mm_storeu_ps(p, h);
    h = _mm256_extractf128_ps(v, 1);
    p += 4;
  }
  if (n & 2) {
    _mm_storel_pi((__m64 *)p, h);
    h = _mm_movehl_ps(h, h);
    p += 2;
  }
  if (n & 1)
    _mm_store_ss(p, h);
}

/* The NCHW store of a micro-kernel tile: t holds 8 rows (output pixels) of
 * ldt floats (output channels, a multiple of 8); writes
 * c[j * cn + i] = t[i * ldt + j] for i < mr (<= 8), j < nc (<= ldt). */
static inline void sc_store_tile_transposed(const float *t, size_t ldt,
                                            size_t mr, size_t nc, float *c,
                                            size_t cn) {
  for (size_t j = 0; j < nc; j += 8) {
    __m256 r[8];
    for (size_t i = 0; i < 8; i++)
      r[i] = _mm256_loadu_ps(t + i * ldt + j);
    sc_transpose_8x8_regs(r);
    const size_t n = nc - j < 8 ? nc - j : 8;
    for (size_t q = 0; q < n; q++)
      sc_store_n_f32x8(c + (j + q) * cn, r[q], mr);
  }
}

/* The first n (0 < n <= 8) floats at p, zeros above; vmaskmovps reads
 * nothing at or past p + n. */
static inline __m256 sc_load_n_f32x8(const float *p, size_t n) {
  if (n == 8)
    return _mm256_loadu_ps(p);
  return _mm256_maskload_ps(
      p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}

/* The inverse of sc_store_tile_transposed: t[i * ldt + j] = c[j * cn + i]
 * for i < mr (<= 8), j < nc (<= ldt, ldt a multiple of 8), and 0 in the
 * other entries of the 8-row buffer t; reads c at those offsets only. */
static inline void sc_load_tile_transposed(const float *c, size_t cn,
                                           size_t mr, size_t nc, float *t,
                                           size_t ldt) {
  for (size_t j = 0; j < ldt; j += 8) {
    __m256 r[8];
    for (size_t q = 0; q < 8; q++)
      r[q] = j + q < nc ? sc_load_n_f32x8(c + (j + q) * cn, mr)
                        : _mm256_setzero_ps();
    sc_transpose_8x8_regs(r);
    for (size_t i = 0; i < 8; i++)
      _mm256_storeu_ps(t + i * ldt + j, r[i]);
  }
}

/* dst[j * ds + i] = src[i * ss + j] for i < nr, j < nc (both <= 8): an
 * edge block, read and written at those offsets only. */
static inline void sc_transpose_edge_avx(const float *src, size_t ss,
                                         size_t nr, size_t nc, float *dst,
                                         size_t ds) {
  __m256 r[8];
  for (size_t i = 0; i < 8; i++)
    r[i] = i < nr ? sc_load_n_f32x8(src + i * ss, nc) : _mm256_setzero_ps();
  sc_transpose_8x8_regs(r);
  for (size_t j = 0; j < nc; j++)
    sc_store_n_f32x8(dst + j * ds, r[j], nr);
}

/* dst[j * dst_stride + i] = src[i * src_stride + j], i < rows, j < cols.
 * The edges go through registers too: an NCHW row of 21 channels (FCN's
 * upscore layers) has an edge of 5 planes along its whole width. */
static inline void sc_transpose_avx(size_t rows, size_t cols, const float *src,
                                    size_t src_stride, float *dst,
                                    size_t dst_stride) {
  const size_t rows8 = rows & ~(size_t)7, cols8 = cols & ~(size_t)7;
  for (size_t i = 0; i < rows8; i += 8) {
    for (size_t j = 0; j < cols8; j += 8)
      sc_transpose_8x8_avx(src + i * src_stride + j, src_stride,
                           dst + j * dst_stride + i, dst_stride);
    if (cols8 < cols)
      sc_transpose_edge_avx(src + i * src_stride + cols8, src_stride, 8,
                            cols - cols8, dst + cols8 * dst_stride + i,
                            dst_stride);
  }
  if (rows8 < rows)
    for (size_t j = 0; j < cols; j += 8)
      sc_transpose_edge_avx(src + rows8 * src_stride + j, src_stride,
                            rows - rows8, cols - j < 8 ? cols - j : 8,
                            dst + j * dst_stride + rows8, dst_stride);
}

#endif
