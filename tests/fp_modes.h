/*
 * Floating-point environments a caller may run the library in, for the tests
 * and the fuzz target: setting one on the calling thread or on every thread
 * of a pthreadpool, and reading the control state back.
 *
 * The library promises to compute in the canonical environment (round to
 * nearest even, no FTZ/DAZ/FZ, exceptions masked) whatever these are, and to
 * leave them as they were (docs/reliability.md, "Floating-point environment").
 */
#ifndef SIMDCONV_FP_MODES_H
#define SIMDCONV_FP_MODES_H

#include <stddef.h>
#include <stdint.h>

#include <pthreadpool.h>

typedef enum fpm_mode {
  FPM_DEFAULT = 0, /* as the thread was created: the canonical environment */
  FPM_RZ,          /* fesetround(FE_TOWARDZERO) */
  FPM_RU,          /* fesetround(FE_UPWARD) */
  FPM_RD,          /* fesetround(FE_DOWNWARD) */
  FPM_FTZ,         /* x86: MXCSR.FTZ; AArch64: FPCR.FZ */
  FPM_DAZ,         /* x86 only: MXCSR.DAZ */
  FPM_FTZ_DAZ,     /* x86: FTZ and DAZ (torch.set_flush_denormal(True)) */
  FPM_FTZ_RZ,      /* flush to zero and round toward zero together */
  FPM_TRAPS,       /* x86 only: every exception but inexact unmasked */
  FPM_X87,         /* x86 only: the x87 control word alone set to round
                      toward zero and single precision; MXCSR canonical */
  FPM_COUNT
} fpm_mode;

const char *fpm_name(fpm_mode m);

/* The modes this architecture has, FPM_DEFAULT first; returns the count. */
size_t fpm_modes(fpm_mode out[FPM_COUNT]);

/* Puts the calling thread in the default environment, then sets m. */
void fpm_set(fpm_mode m);

/* The calling thread's FP control state: x86 the x87 control word and
 * MXCSR's control bits (its sticky flags excluded: computing sets them),
 * AArch64 FPCR. */
uint64_t fpm_state(void);

/* On each thread of pool (pool NULL: the caller alone), the caller first:
 * stores its control state in states[] (up to max of them; states may be
 * NULL when max is 0), then sets mode m. Every thread runs exactly one task
 * (the tasks wait for each other). Returns the number of states stored. */
size_t fpm_pool_exchange(pthreadpool_t pool, fpm_mode m, uint64_t *states,
                         size_t max);

#endif
