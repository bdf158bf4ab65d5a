/*
 * The vector API of the igemm templates (src/ukernels/igemm_ukernel.h,
 * src/ukernels/gemm_nchw_ukernel.h) on AVX-512: 16-lane zmm vectors. Include only
 * from sources compiled with the AVX-512 flags.
 */
#ifndef SIMDCONV_IGEMM_VEC_AVX512_H
#define SIMDCONV_IGEMM_VEC_AVX512_H

#include <immintrin.h>

#include "avx2/transpose_avx2.h"
#include "avx512/activation_avx512.h"
#include "igemm.h"

#define SC_VEC __m512
#define SC_VL 16
#define SC_VLOAD(p) _mm512_loadu_ps(p)
#define SC_VBCAST(p) _mm512_set1_ps(*(p))
#define SC_VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SC_VSTORE(p, v) _mm512_storeu_ps(p, v)
#define SC_VSTORE_N(p, v, n)                                                   \
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << (n)) - 1u), v)
#define SC_VCLAMP(v, lo, hi)                                                   \
  _mm512_min_ps(_mm512_set1_ps(hi), _mm512_max_ps(_mm512_set1_ps(lo), v))
#define SC_VACT(params, v) sc_activate_f32x16(params, v)
#define SC_VZERO() _mm512_setzero_ps()
#define SC_VPREFETCH(p) _mm_prefetch((const char *)(p), _MM_HINT_T0)
#define SC_VPREFETCH_INPUT(p) _mm_prefetch((const char *)(p), _MM_HINT_T1)
#define SC_VLOAD_N(p, n)                                                       \
  _mm512_maskz_loadu_ps((n) >= 16 ? (__mmask16)0xffff                          \
                                  : (__mmask16)((1u << (n)) - 1u),             \
                        p)

/* For the grouped micro-kernel. */
#define SC_VIDX __m512i
#define SC_VIDX_LOAD(p) _mm512_loadu_si512(p)
#define SC_VIDX_ADD1(v, c) _mm512_add_epi32(v, _mm512_set1_epi32(c))
#define SC_VPERM(idx, v) _mm512_permutexvar_ps(idx, v)
#define SC_VMASKN __mmask16
#define SC_VMASKN_MAKE(n) ((__mmask16)((1u << (n)) - 1u))
#define SC_VLOAD_MASKED(p, m) _mm512_maskz_loadu_ps(m, p)

#endif
