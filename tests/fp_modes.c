/* Caller FP environments for the tests and the fuzz target (fp_modes.h). */
#define _GNU_SOURCE /* feenableexcept */
#include "fp_modes.h"

#include <fenv.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const fpm_names[FPM_COUNT] = {
    [FPM_DEFAULT] = "default",   [FPM_RZ] = "round toward zero",
    [FPM_RU] = "round up",       [FPM_RD] = "round down",
#if defined(__aarch64__)
    [FPM_FTZ] = "FZ",            [FPM_FTZ_RZ] = "FZ + round toward zero",
#else
    [FPM_FTZ] = "FTZ",           [FPM_FTZ_RZ] = "FTZ + round toward zero",
#endif
    [FPM_DAZ] = "DAZ",           [FPM_FTZ_DAZ] = "FTZ + DAZ",
    [FPM_TRAPS] = "exceptions unmasked",
    [FPM_X87] = "x87 control word alone: round toward zero, single precision",
};

const char *fpm_name(fpm_mode m) {
  return (unsigned)m < FPM_COUNT ? fpm_names[m] : "?";
}

#if defined(__x86_64__) || defined(__i386__)

static uint32_t mxcsr_get(void) {
  uint32_t v;
  __asm__ volatile("stmxcsr %0" : "=m"(v));
  return v;
}

static void mxcsr_or(uint32_t bits) {
  uint32_t v = mxcsr_get() | bits;
  __asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static uint16_t x87_cw_get(void) {
  uint16_t cw;
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  return cw;
}

static void x87_cw_set(uint16_t cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }

#define FPM_FTZ_BIT 0x8000u
#define FPM_DAZ_BIT 0x0040u

size_t fpm_modes(fpm_mode out[FPM_COUNT]) {
  size_t n = 0;
  for (int m = 0; m < FPM_COUNT; m++)
    out[n++] = (fpm_mode)m;
  return n;
}

uint64_t fpm_state(void) {
  return (uint64_t)x87_cw_get() << 32 | (mxcsr_get() & ~0x3fu);
}

static void fpm_set_flush(fpm_mode m) {
  switch (m) {
  case FPM_FTZ:
  case FPM_FTZ_RZ:
    mxcsr_or(FPM_FTZ_BIT);
    break;
  case FPM_DAZ:
    mxcsr_or(FPM_DAZ_BIT);
    break;
  case FPM_FTZ_DAZ:
    mxcsr_or(FPM_FTZ_BIT | FPM_DAZ_BIT);
    break;
  case FPM_TRAPS:
    feenableexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW | FE_UNDERFLOW);
    break;
  case FPM_X87:
    /* RC = 11 (toward zero), PC = 00 (24-bit significand). */
    x87_cw_set((uint16_t)((x87_cw_get() & ~0x0f00u) | 0x0c00u));
    break;
  default:
    break;
  }
}

#elif defined(__aarch64__)

static uint64_t fpcr_get(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  return v;
}

size_t fpm_modes(fpm_mode out[FPM_COUNT]) {
  static const fpm_mode a64[] = {FPM_DEFAULT, FPM_RZ,  FPM_RU,
                                 FPM_RD,      FPM_FTZ, FPM_FTZ_RZ};
  for (size_t i = 0; i < sizeof a64 / sizeof *a64; i++)
    out[i] = a64[i];
  return sizeof a64 / sizeof *a64;
}

uint64_t fpm_state(void) { return fpcr_get(); }

static void fpm_set_flush(fpm_mode m) {
  if (m == FPM_FTZ || m == FPM_FTZ_RZ) {
    const uint64_t v = fpcr_get() | (uint64_t)1 << 24;
    __asm__ volatile("msr fpcr, %0" : : "r"(v));
  }
}

#else

size_t fpm_modes(fpm_mode out[FPM_COUNT]) {
  static const fpm_mode other[] = {FPM_DEFAULT, FPM_RZ, FPM_RU, FPM_RD};
  for (size_t i = 0; i < 4; i++)
    out[i] = other[i];
  return 4;
}

uint64_t fpm_state(void) { return (uint64_t)(unsigned)fegetround(); }

static void fpm_set_flush(fpm_mode m) { (void)m; }

#endif

void fpm_set(fpm_mode m) {
  static const int rounding[FPM_COUNT] = {
      [FPM_RZ] = FE_TOWARDZERO, [FPM_RU] = FE_UPWARD,
      [FPM_RD] = FE_DOWNWARD,   [FPM_FTZ_RZ] = FE_TOWARDZERO};
  /* glibc's default environment: x87 control word 0x37f and MXCSR 0x1f80,
   * or FPCR 0. */
  fesetenv(FE_DFL_ENV);
  if (rounding[m] != 0 && fesetround(rounding[m]) != 0) {
    fprintf(stderr, "fesetround failed for %s\n", fpm_name(m));
    abort();
  }
  fpm_set_flush(m);
}

/* ---- every thread of a pool ------------------------------------------- */

#define FPM_MAX_THREADS 64

typedef struct fpm_pool_job {
  atomic_size_t arrived;
  size_t threads;
  fpm_mode mode;
  uint64_t states[FPM_MAX_THREADS];
} fpm_pool_job;

/* Task i waits until all tasks have started, so no thread can take a second
 * one: each thread of the pool runs exactly one (pthreadpool gives task i
 * to thread i first; stealing cannot happen while all are busy). */
static void fpm_pool_task(void *arg, size_t i) {
  fpm_pool_job *job = arg;
  atomic_fetch_add(&job->arrived, 1);
  while (atomic_load(&job->arrived) < job->threads)
    sched_yield(); /* on a loaded machine the other thread needs a core */
  job->states[i] = fpm_state();
  fpm_set(job->mode);
}

size_t fpm_pool_exchange(pthreadpool_t pool, fpm_mode m, uint64_t *states,
                         size_t max) {
  fpm_pool_job job = {.mode = m};
  job.threads = pthreadpool_get_threads_count(pool);
  if (job.threads > FPM_MAX_THREADS)
    abort();
  atomic_init(&job.arrived, 0);
  /* The workers then sleep rather than spin: the tests share the cores. */
  pthreadpool_parallelize_1d(pool, fpm_pool_task, &job, job.threads,
                             PTHREADPOOL_FLAG_YIELD_WORKERS);
  const size_t n = job.threads < max ? job.threads : max;
  for (size_t i = 0; i < n; i++)
    states[i] = job.states[i];
  return n;
}
