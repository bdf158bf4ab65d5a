/* int8 peak probe for AVX-512 VNNI (compiled with the AVX-512 flags and
 * -mavx512vnni): 12 chains of VPDPBUSD zmm, 64 multiply-adds each, the
 * instruction of q8_igemm_vnni_7x32__avx512. */
#include <immintrin.h>

#include "peak_q8.h"

#define Q8_STEP(i) a##i = _mm512_dpbusd_epi32(a##i, x, w)

double bench_q8_probe_vnni(uint64_t iters, float seed, float *sink) {
  const __m512i x = _mm512_set1_epi8(3), w = _mm512_set1_epi8(-2);
  const int32_t s0 = (int32_t)seed;
  __m512i a0 = _mm512_set1_epi32(s0), a1 = _mm512_set1_epi32(s0 + 1),
      a2 = _mm512_set1_epi32(s0 + 2), a3 = _mm512_set1_epi32(s0 + 3),
      a4 = _mm512_set1_epi32(s0 + 4), a5 = _mm512_set1_epi32(s0 + 5),
      a6 = _mm512_set1_epi32(s0 + 6), a7 = _mm512_set1_epi32(s0 + 7),
      a8 = _mm512_set1_epi32(s0 + 8), a9 = _mm512_set1_epi32(s0 + 9),
      a10 = _mm512_set1_epi32(s0 + 10), a11 = _mm512_set1_epi32(s0 + 11);
  for (uint64_t it = 0; it < iters; it++) {
    Q8_STEP(0); Q8_STEP(1); Q8_STEP(2); Q8_STEP(3); Q8_STEP(4); Q8_STEP(5);
    Q8_STEP(6); Q8_STEP(7); Q8_STEP(8); Q8_STEP(9); Q8_STEP(10); Q8_STEP(11);
  }
  __m512i s = _mm512_add_epi32(_mm512_add_epi32(a0, a1), a2);
  s = _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(a3, a4), a5));
  s = _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(a6, a7), a8));
  s = _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(a9, a10), a11));
  *sink = (float)_mm512_reduce_add_epi32(s);
  return 2.0 * 64.0 * 12.0 * (double)iters;
}
