/* Task sizing shared by the drivers: how much of a layer a pthreadpool task
 * takes, from the host's cache size and the thread count. */
#ifndef SIMDCONV_TASKS_H
#define SIMDCONV_TASKS_H

#include <stddef.h>

#include "conv_internal.h"

static inline size_t sc_div_up(size_t v, size_t q) { return (v + q - 1) / q; }
static inline size_t sc_round_up(size_t v, size_t q) {
  return sc_div_up(v, q) * q;
}

/* *t units of n per task, resized so that the tasks are as even as they
 * can be and (when the split made more than one) their number, times
 * `other` tasks beside each, a multiple of the thread count where n
 * allows, and the last task, which takes what is left, at least half as
 * large as the others: halving 523 tiles of ResNet-50's res2_3x3 left 10
 * tasks of 55 and 28 tiles, 275 tiles on one thread against 248 on the
 * other; ten tasks of VGG-16 conv4_2's 131 tiles, nine of 14 and one of
 * 5, left 70 against 61 (twelve of 11 and 10 tiles: 1.08x at 2 threads). */
static inline void sc_even_tasks(size_t threads, size_t other, size_t n,
                                 size_t *t) {
  const size_t m = sc_div_up(n, *t);
  if (m <= 1)
    return;
  for (size_t c = m; c <= 2 * m && c <= n; c++) {
    const size_t per = sc_div_up(n, c), count = sc_div_up(n, per);
    if ((other * count) % threads == 0 && 2 * (n - (count - 1) * per) >= per) {
      *t = per;
      return;
    }
  }
  size_t c = m;
  while (c < n && (other * c) % threads != 0)
    c++;
  *t = sc_div_up(n, c);
}

/* Task tiling for threads: a task covers *t1 of n1 units by *t2 of n2 (per
 * outer index); halves *t1, then *t2, while there are fewer than 4 tasks
 * per thread, then evens out the pieces of the second dimension, or of the
 * first when the second is whole (sc_even_tasks). */
static inline void sc_split_tasks(size_t threads, size_t outer, size_t n1,
                                  size_t *t1, size_t n2, size_t *t2) {
  const size_t want = 4 * threads;
  while (*t1 > 1 && outer * sc_div_up(n1, *t1) * sc_div_up(n2, *t2) < want)
    *t1 = sc_div_up(*t1, 2);
  while (*t2 > 1 && outer * sc_div_up(n1, *t1) * sc_div_up(n2, *t2) < want)
    *t2 = sc_div_up(*t2, 2);
  if (*t2 < n2)
    sc_even_tasks(threads, outer * sc_div_up(n1, *t1), n2, t2);
  else
    sc_even_tasks(threads, outer, n1, t1);
}

/* L2 bytes a task may fill with one block's weights and its tiles' input
 * rows: three quarters of one core's L2 (Zen 4: 1 MiB, recent Intel server
 * cores: 2 MiB; 1.5 MiB ran vgg16/conv4_2 8% and res5_1x1_in 15% faster
 * than 512 KiB there), at least 192 KiB; 512 KiB when the size is
 * unknown. */
static inline size_t sc_l2_budget(void) {
  const size_t l2 = sc_cpu()->l2_bytes;
  if (l2 == 0)
    return (size_t)512 << 10;
  return l2 >= ((size_t)256 << 10) ? l2 / 4 * 3 : (size_t)192 << 10;
}

/* A task's packed weights (bytes) up to which the GEMM drivers run it
 * tile by tile (all its blocks per tile, each tile's output pixels written
 * whole and its input read once) rather than block by block (each block's
 * weights read once, every tile's input and output revisited per block).
 * 64 KiB: the blocks stay in L1 and L2 while the tiles pass. */
#define SC_TILES_OUTER_BYTES ((size_t)64 << 10)

/* Bytes of one core's L1 data cache: the host's (Zen 4 32 KiB, recent
 * Intel cores 48 KiB), 32 KiB when the size is unknown. */
static inline size_t sc_l1d_bytes(void) {
  const size_t l1 = sc_cpu()->l1d_bytes;
  return l1 != 0 ? l1 : (size_t)32 << 10;
}

/* Indirection entries up to which a driver builds them on the calling
 * thread rather than in a parallel phase of their own, whose hand-off and
 * barrier cost more at 2 threads than the entries (about a nanosecond
 * each): old and new library in one process, 2 threads, MobileNetV2
 * pw144to32_28 and pw384to64_14 NHWC 1.16-1.25x, ResNet-50 res3 1x1
 * 1.09x; 16x that many cost 0.82-0.92x on 112x112 layers. */
#define SC_SERIAL_INDIR_ENTRIES ((size_t)4096)

/* Builds an indirection buffer of `tiles` tiles (`entries` entries) with
 * task(ctx, t0, nt): on the calling thread up to SC_SERIAL_INDIR_ENTRIES,
 * else in a parallel phase of 32-tile tasks. */
static inline void sc_build_indirection(pthreadpool_t pool,
                                        pthreadpool_task_1d_tile_1d_t task,
                                        void *ctx, size_t tiles,
                                        size_t entries) {
  if (entries <= SC_SERIAL_INDIR_ENTRIES)
    task(ctx, 0, tiles);
  else
    sc_parallelize_1d_tile_1d(pool, task, ctx, tiles, 32, SC_POOL_PHASE);
}

/* Depthwise (one input channel per group) belongs to the dwconv kernels. */
static inline bool sc_is_depthwise(const sc_problem *p) {
  return p->groups > 1 && p->Cg == 1;
}

#endif
