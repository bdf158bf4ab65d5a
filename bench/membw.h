/*
 * The machine's copy bandwidth, measured beside the layers: the depthwise
 * table of the report (bench/report.py) sets each layer's GB/s against it,
 * since those layers are bound by memory rather than by the FMA peak.
 */
#ifndef SIMDCONV_BENCH_MEMBW_H
#define SIMDCONV_BENCH_MEMBW_H

#include <pthreadpool.h>
#include <stddef.h>

/* memcpy of `bytes` into another buffer of `bytes`, split into one piece
 * per thread of pool (NULL: the calling thread), both buffers first
 * touched: the best of `reps` copies, in GB/s of bytes read plus bytes
 * written (2 * bytes per copy, as the depthwise table counts a layer's
 * input read and output written). 0 when the buffers cannot be had. */
double bench_copy_gbps(pthreadpool_t pool, size_t bytes, int reps);

#endif
