/* int8 peak probe for AVX2 (compiled with -mavx2): the multiply-add pair
 * the AVX2 int8 kernel issues per 16 multiply-adds, acc += VPMADDWD(x, m),
 * in 10 independent chains over 5 inputs. An empty asm "changes" m every
 * round, so the products are not loop-invariant, yet each VPMADDWD waits
 * on nothing but m (the chains' dependence is the 1-cycle add): this
 * measures throughput, as the kernel runs, not latency. */
#include <immintrin.h>

#include "peak_q8.h"

#define Q8_STEP(i, j) a##i = _mm256_add_epi32(a##i, _mm256_madd_epi16(x##j, m))

double bench_q8_probe_avx2(uint64_t iters, float seed, float *sink) {
  const int32_t s0 = (int32_t)seed;
  __m256i m = _mm256_set1_epi16(3);
  const __m256i x0 = _mm256_set1_epi16((short)s0),
                x1 = _mm256_set1_epi16((short)(s0 + 1)),
                x2 = _mm256_set1_epi16((short)(s0 + 2)),
                x3 = _mm256_set1_epi16((short)(s0 + 3)),
                x4 = _mm256_set1_epi16((short)(s0 + 4));
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0,
          a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  for (uint64_t it = 0; it < iters; it++) {
    __asm__ volatile("" : "+x"(m));
    Q8_STEP(0, 0); Q8_STEP(1, 1); Q8_STEP(2, 2); Q8_STEP(3, 3);
    Q8_STEP(4, 4); Q8_STEP(5, 0); Q8_STEP(6, 1); Q8_STEP(7, 2);
    Q8_STEP(8, 3); Q8_STEP(9, 4);
  }
  __m256i s = _mm256_add_epi32(_mm256_add_epi32(a0, a1), a2);
  s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(a3, a4), a5));
  s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(a6, a7), a8));
  s = _mm256_add_epi32(s, a9);
  *sink = (float)_mm256_extract_epi32(s, 0);
  return 2.0 * 16.0 * 10.0 * (double)iters;
}
