#define _POSIX_C_SOURCE 200809L
#include "peak.h"

#include <stddef.h>

#include "bench_data.h"

bench_fma_probe bench_probe_for(simdconv_isa isa) {
  switch (isa) {
    case SIMDCONV_ISA_SCALAR:
      return bench_fma_probe_scalar;
#if BENCH_HAVE_PEAK_AVX2
    case SIMDCONV_ISA_AVX2:
      return bench_fma_probe_avx2;
#endif
#if BENCH_HAVE_PEAK_AVX512
    case SIMDCONV_ISA_AVX512:
      return bench_fma_probe_avx512;
#endif
#if BENCH_HAVE_PEAK_NEON
    case SIMDCONV_ISA_NEON:
      return bench_fma_probe_neon;
#endif
    default:
      return NULL;
  }
}

double bench_measure_peak(simdconv_isa isa) {
  bench_fma_probe probe = bench_probe_for(isa);
  if (probe == NULL ||
      (simdconv_isas_supported() & (1u << (unsigned)isa)) == 0)
    return 0.0;
  return bench_measure_probe(probe);
}

double bench_measure_probe(bench_fma_probe probe) {
  float sink = 0.0f; /* written by the probe (in another translation unit,
                        so its calls cannot be dropped) */
  /* Calibrate to ~10 ms, then keep the best of 20 runs: on a busy machine
   * the fastest run is the closest to the hardware's capability (other
   * processes only ever make a run slower). */
  uint64_t iters = 1024;
  for (;;) {
    double t0 = bench_now();
    probe(iters, 1.0f, &sink);
    double dt = bench_now() - t0;
    if (dt > 0.01 || iters > ((uint64_t)1 << 40)) break;
    iters *= dt > 0.001 ? (uint64_t)(0.01 / dt) + 1 : 8;
  }
  double best = 0.0;
  for (int rep = 0; rep < 20; rep++) {
    double t0 = bench_now();
    double flops = probe(iters, 1.0f + (float)rep * 0x1p-10f, &sink);
    double dt = bench_now() - t0;
    if (dt > 0 && flops / dt > best) best = flops / dt;
  }
  return best / 1e9;
}
