/*
 * The only way the library reaches the thread pool.
 *
 * sc_parallelize_<variant>() takes exactly the arguments of
 * pthreadpool_parallelize_<variant>() and runs the same tasks, each inside
 * the canonical floating-point environment (src/fpenv.h) on whichever thread
 * runs it: a pool worker keeps the FP state it inherited or was given, which
 * need not be the caller's nor the canonical one. Without a pool, or with one
 * thread, the tasks run on the calling thread, which simdconv_run() has
 * already put in the canonical environment, so they are called directly.
 *
 * Every other file sees the pthreadpool_parallelize_* functions poisoned, so
 * a driver cannot call the pool unguarded by mistake.
 */
#ifndef SIMDCONV_PARALLEL_H
#define SIMDCONV_PARALLEL_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

/* n size_t parameters a0..a(n-1), and the names alone. */
#define SC_POOL_SIZES_1 size_t a0
#define SC_POOL_SIZES_2 SC_POOL_SIZES_1, size_t a1
#define SC_POOL_SIZES_3 SC_POOL_SIZES_2, size_t a2
#define SC_POOL_SIZES_4 SC_POOL_SIZES_3, size_t a3
#define SC_POOL_SIZES_5 SC_POOL_SIZES_4, size_t a4
#define SC_POOL_SIZES_6 SC_POOL_SIZES_5, size_t a5
#define SC_POOL_NAMES_1 a0
#define SC_POOL_NAMES_2 SC_POOL_NAMES_1, a1
#define SC_POOL_NAMES_3 SC_POOL_NAMES_2, a2
#define SC_POOL_NAMES_4 SC_POOL_NAMES_3, a3
#define SC_POOL_NAMES_5 SC_POOL_NAMES_4, a4
#define SC_POOL_NAMES_6 SC_POOL_NAMES_5, a5

/* The variants the drivers use, with their number of grid arguments (ranges
 * and tiles), which is also the number of indices a task receives. */
#define SC_POOL_VARIANTS(X)                                                    \
  X(1d, 1)                                                                     \
  X(1d_tile_1d, 2)                                                             \
  X(2d, 2)                                                                     \
  X(2d_tile_1d, 3)                                                             \
  X(2d_tile_2d, 4)                                                             \
  X(3d_tile_1d, 4)                                                             \
  X(3d_tile_2d, 5)                                                             \
  X(4d_tile_2d, 6)

#define SC_POOL_DECLARE(name, n)                                               \
  void sc_parallelize_##name(pthreadpool_t pool,                               \
                             pthreadpool_task_##name##_t task, void *ctx,      \
                             SC_POOL_SIZES_##n, uint32_t flags);
SC_POOL_VARIANTS(SC_POOL_DECLARE)
#undef SC_POOL_DECLARE

#ifndef SC_POOL_IMPLEMENTATION
#pragma GCC poison pthreadpool_parallelize_1d pthreadpool_parallelize_1d_with_uarch
#pragma GCC poison pthreadpool_parallelize_1d_tile_1d pthreadpool_parallelize_2d
#pragma GCC poison pthreadpool_parallelize_2d_tile_1d pthreadpool_parallelize_2d_tile_2d
#pragma GCC poison pthreadpool_parallelize_2d_tile_2d_with_uarch
#pragma GCC poison pthreadpool_parallelize_3d pthreadpool_parallelize_3d_tile_1d
#pragma GCC poison pthreadpool_parallelize_3d_tile_2d
#pragma GCC poison pthreadpool_parallelize_3d_tile_2d_with_uarch
#pragma GCC poison pthreadpool_parallelize_4d pthreadpool_parallelize_4d_tile_1d
#pragma GCC poison pthreadpool_parallelize_4d_tile_2d
#pragma GCC poison pthreadpool_parallelize_4d_tile_2d_with_uarch
#pragma GCC poison pthreadpool_parallelize_5d pthreadpool_parallelize_5d_tile_1d
#pragma GCC poison pthreadpool_parallelize_5d_tile_2d pthreadpool_parallelize_6d
#pragma GCC poison pthreadpool_parallelize_6d_tile_1d pthreadpool_parallelize_6d_tile_2d
#pragma GCC poison pthreadpool_compute_1d pthreadpool_compute_1d_tiled
#pragma GCC poison pthreadpool_compute_2d pthreadpool_compute_2d_tiled
#pragma GCC poison pthreadpool_compute_3d_tiled pthreadpool_compute_4d_tiled
#endif

#endif /* SIMDCONV_PARALLEL_H */
