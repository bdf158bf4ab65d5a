/*
 * The vector API of the igemm templates (src/ukernels/igemm_ukernel.h,
 * src/ukernels/gemm_nchw_ukernel.h) on AVX2+FMA: 8-lane ymm vectors. Include only
 * from sources compiled with -mavx2 -mfma.
 */
#ifndef SIMDCONV_IGEMM_VEC_AVX2_H
#define SIMDCONV_IGEMM_VEC_AVX2_H

#include <immintrin.h>

#include "avx2/activation_avx2.h"
#include "avx2/transpose_avx2.h"
#include "igemm.h"

#define SC_VEC __m256
#define SC_VL 8
#define SC_VLOAD(p) _mm256_loadu_ps(p)
#define SC_VBCAST(p) _mm256_broadcast_ss(p)
#define SC_VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SC_VSTORE(p, v) _mm256_storeu_ps(p, v)
#define SC_VSTORE_N(p, v, n) sc_store_n_f32x8(p, v, n)
#define SC_VCLAMP(v, lo, hi)                                                   \
  _mm256_min_ps(_mm256_set1_ps(hi), _mm256_max_ps(_mm256_set1_ps(lo), v))
#define SC_VACT(params, v) sc_activate_f32x8(params, v)
#define SC_VZERO() _mm256_setzero_ps()
#define SC_VPREFETCH_INPUT(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)
#define SC_VLOAD_N(p, n)                                                       \
  _mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)),        \
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, \
                                                             6, 7)))

/* For the grouped micro-kernel. */
#define SC_VIDX __m256i
#define SC_VIDX_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define SC_VIDX_ADD1(v, c) _mm256_add_epi32(v, _mm256_set1_epi32(c))
#define SC_VPERM(idx, v) _mm256_permutevar8x32_ps(v, idx)
#define SC_VMASKN __m256i
#define SC_VMASKN_MAKE(n)                                                      \
  _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n)),                              \
                     _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define SC_VLOAD_MASKED(p, m) _mm256_maskload_ps(p, m)

#endif
