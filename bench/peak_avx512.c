/* Peak probe for AVX-512 (compiled with -mavx512f ... -mfma). */
#include <immintrin.h>

#include "peak.h"
#include "peak_chains.h"

#define VEC __m512
#define LANES 16
#define SPLAT(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define REDUCE(v) _mm512_cvtss_f32(v)

double bench_fma_probe_avx512(uint64_t iters, float seed, float *sink) {
  PEAK_PROBE_BODY;
}
