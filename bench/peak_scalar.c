/* Peak probe for the scalar ISA: compiled without ISA flags, like the
 * library's scalar kernels, which use fmaf() (a libm call when the compiler
 * may not emit FMA instructions). */
#include <math.h>

#include "peak.h"
#include "peak_chains.h"

#define VEC float
#define LANES 1
#define SPLAT(x) (x)
#define FMA(a, b, c) fmaf(a, b, c)
#define REDUCE(v) (v)

double bench_fma_probe_scalar(uint64_t iters, float seed, float *sink) {
  PEAK_PROBE_BODY;
}
