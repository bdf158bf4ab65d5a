/* The copy bandwidth probe (membw.h). */
#include "membw.h"

#include <stdlib.h>
#include <string.h>

#include "bench_data.h"

typedef struct copy_job {
  char *dst;
  const char *src;
  size_t bytes, piece;
} copy_job;

static void copy_piece(void *arg, size_t i) {
  const copy_job *j = arg;
  const size_t off = i * j->piece;
  const size_t n = j->bytes - off < j->piece ? j->bytes - off : j->piece;
  memcpy(j->dst + off, j->src + off, n);
}

double bench_copy_gbps(pthreadpool_t pool, size_t bytes, int reps) {
  char *src = malloc(bytes), *dst = malloc(bytes);
  if (src == NULL || dst == NULL || bytes == 0) {
    free(src);
    free(dst);
    return 0.0;
  }
  memset(src, 1, bytes);
  memset(dst, 2, bytes);
  const size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  /* Pieces of whole 4 KiB pages, one per thread. */
  const size_t piece = ((bytes / threads + 4095) / 4096) * 4096;
  copy_job job = {dst, src, bytes, piece};
  const size_t pieces = (bytes + piece - 1) / piece;
  double best = 0.0;
  for (int r = 0; r < reps; r++) {
    const double t0 = bench_now();
    pthreadpool_parallelize_1d(pool, copy_piece, &job, pieces, 0);
    const double t = bench_now() - t0;
    const double gbps = t > 0 ? 2.0 * (double)bytes / t / 1e9 : 0.0;
    if (gbps > best)
      best = gbps;
  }
  free(src);
  free(dst);
  return best;
}
