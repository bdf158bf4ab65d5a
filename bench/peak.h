/*
 * Peak floating-point throughput of this machine, per ISA, measured by FMA
 * chains compiled with that ISA's flags (peak_<isa>.c, each its own static
 * library). The benchmark's "% of peak" counters divide by these numbers.
 */
#ifndef SIMDCONV_BENCH_PEAK_H
#define SIMDCONV_BENCH_PEAK_H

#include <stdint.h>

#include "simdconv.h"

/* One probe: runs `iters` rounds of 12 independent FMA chains (several
 * vector registers each) and returns the number of floating-point
 * operations done. seed values keep the compiler from folding the chains;
 * *sink receives a value depending on all of them. */
typedef double (*bench_fma_probe)(uint64_t iters, float seed, float *sink);

double bench_fma_probe_scalar(uint64_t iters, float seed, float *sink);
double bench_fma_probe_avx2(uint64_t iters, float seed, float *sink);
double bench_fma_probe_avx512(uint64_t iters, float seed, float *sink);
double bench_fma_probe_neon(uint64_t iters, float seed, float *sink);

/* The probe compiled for an ISA into this binary, or NULL. */
bench_fma_probe bench_probe_for(simdconv_isa isa);

/* Single-thread peak in GFLOP/s of an ISA (0 when there is no probe or the
 * CPU lacks the ISA): the best of 20 runs of ~10 ms each (~0.2 s). */
double bench_measure_peak(simdconv_isa isa);
/* The same measurement of any probe (in G of the probe's operations per
 * second); the CPU must run it. */
double bench_measure_probe(bench_fma_probe probe);

#endif /* SIMDCONV_BENCH_PEAK_H */
