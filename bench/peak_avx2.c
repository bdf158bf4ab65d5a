/* Peak probe for AVX2 + FMA (compiled with -mavx2 -mfma). */
#include <immintrin.h>

#include "peak.h"
#include "peak_chains.h"

#define VEC __m256
#define LANES 8
#define SPLAT(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define REDUCE(v) _mm_cvtss_f32(_mm256_castps256_ps128(v))

double bench_fma_probe_avx2(uint64_t iters, float seed, float *sink) {
  PEAK_PROBE_BODY;
}
