/*
 * sc_parallelize_*: pthreadpool's parallel loops with every task run in the
 * canonical floating-point environment (see parallel.h and fpenv.h).
 *
 * A multi-threaded call hands pthreadpool a guarded trampoline instead of
 * the task; the trampoline enters the canonical environment, runs the task
 * and restores the thread's own state. The check costs one MXCSR/FPCR read
 * per task (tasks are sized to thousands of FMAs and more), and nothing when
 * the pool has one thread: the caller's thread is already canonical.
 */
#define SC_POOL_IMPLEMENTATION
#include "parallel.h"

#include "fpenv.h"

typedef struct sc_pool_job {
  union {
#define SC_POOL_MEMBER(name, n) pthreadpool_task_##name##_t t_##name;
    SC_POOL_VARIANTS(SC_POOL_MEMBER)
#undef SC_POOL_MEMBER
  } task;
  void *ctx;
} sc_pool_job;

#define SC_POOL_DEFINE(name, n)                                                \
  static void sc_guarded_##name(void *arg, SC_POOL_SIZES_##n) {                \
    const sc_pool_job *job = arg;                                              \
    sc_fpenv env;                                                              \
    sc_fpenv_enter(&env);                                                      \
    job->task.t_##name(job->ctx, SC_POOL_NAMES_##n);                           \
    sc_fpenv_leave(&env);                                                      \
  }                                                                            \
                                                                               \
  void sc_parallelize_##name(pthreadpool_t pool,                               \
                             pthreadpool_task_##name##_t task, void *ctx,      \
                             SC_POOL_SIZES_##n, uint32_t flags) {              \
    if (pthreadpool_get_threads_count(pool) <= 1) {                            \
      pthreadpool_parallelize_##name(pool, task, ctx, SC_POOL_NAMES_##n,       \
                                     flags);                                   \
      return;                                                                  \
    }                                                                          \
    sc_pool_job job = {.task.t_##name = task, .ctx = ctx};                     \
    pthreadpool_parallelize_##name(pool, sc_guarded_##name, &job,              \
                                   SC_POOL_NAMES_##n, flags);                  \
  }

SC_POOL_VARIANTS(SC_POOL_DEFINE)
