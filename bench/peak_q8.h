/*
 * Peak int8 throughput per ISA (simdconv-bench --int8), measured as the
 * FMA peaks are (bench/peak.c, bench_measure_probe): chains of the product
 * instruction the int8 kernels run, each probe compiled for it only.
 *
 *   avx512 with VNNI  VPDPBUSD zmm: 64 multiply-adds (128 ops) each
 *   avx2 (and avx512  VPMADDWD ymm + VPADDD: 16 multiply-adds each (the
 *   without VNNI)     AVX2 kernel is what those CPUs run)
 *
 * An "op" is half a multiply-add, as GOP/s counts them (2 per MAC). The
 * probes have the FMA probes' signature (bench_fma_probe): the seed and
 * the sink are converted.
 */
#ifndef SIMDCONV_BENCH_PEAK_Q8_H
#define SIMDCONV_BENCH_PEAK_Q8_H

#include <stdint.h>

#include "simdconv.h"

double bench_q8_probe_vnni(uint64_t iters, float seed, float *sink);
double bench_q8_probe_avx2(uint64_t iters, float seed, float *sink);

/* Single-thread int8 peak in GOP/s of what simdconv's int8 igemm kernels
 * run on an ISA (0 when there is no probe, as for scalar and NEON here);
 * *what receives the instruction measured. */
double bench_measure_q8_peak(simdconv_isa isa, const char **what);

#endif
