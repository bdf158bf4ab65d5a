/* Peak probe for AArch64 Advanced SIMD. */
#include <arm_neon.h>

#include "peak.h"
#include "peak_chains.h"

#define VEC float32x4_t
#define LANES 4
#define SPLAT(x) vdupq_n_f32(x)
#define FMA(a, b, c) vfmaq_f32(c, a, b)
#define REDUCE(v) vgetq_lane_f32(v, 0)

double bench_fma_probe_neon(uint64_t iters, float seed, float *sink) {
  PEAK_PROBE_BODY;
}
