/*
 * The canonical floating-point environment, entered by every thread that
 * computes for the library and left as it was found.
 *
 * The promise "same bits on every ISA, thread count and run" needs every
 * fp32 operation rounded the same way everywhere, whatever the caller did to
 * its thread: round to nearest even, no flush-to-zero, no denormals-are-zero,
 * every exception masked (a caller's unmasked FE_INVALID would otherwise trap
 * on 0 * Inf). Frameworks do change it (torch.set_flush_denormal, FTZ/DAZ in
 * TensorFlow and ONNX Runtime threads, fesetround), and pthreadpool's workers
 * keep whatever they inherited, so a guard on the calling thread alone is not
 * enough: sc_parallelize_* (src/parallel.c) guards every worker's task too.
 *
 * The registers:
 * - x86-64: MXCSR, the only control state of SSE/AVX arithmetic. The x87
 *   control word does not matter: nothing in the library (nor the libm
 *   functions the oracle calls) executes x87 arithmetic; test_fpenv checks
 *   this by changing it alone.
 * - AArch64: FPCR (rounding mode, FZ, DN, trap enables and the FEAT_AFP
 *   bits); its canonical value is 0, the Linux default.
 * - elsewhere: the C99 <fenv.h> environment (rounding mode and exceptions).
 *
 * sc_fpenv_enter() reads the register once and writes it only when it is not
 * canonical, so the common case costs one read. sc_fpenv_leave() restores the
 * caller's control bits; on x86 the sticky status flags raised meanwhile are
 * kept (they are status, not control, and the C library's own functions
 * raise them too).
 *
 * The asm statements clobber memory: no load or store, and no call to a
 * function that reads or writes memory, moves across them. Guard an opaque
 * call (a kernel, a task, a noinline helper), not inline arithmetic.
 */
#ifndef SIMDCONV_FPENV_H
#define SIMDCONV_FPENV_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)

/* MXCSR: all six exceptions masked (bits 7-12), round to nearest (RC = 0),
 * FTZ (bit 15) and DAZ (bit 6) clear. Bits 0-5 are the sticky flags. */
#define SC_MXCSR_CANONICAL 0x1f80u
#define SC_MXCSR_FLAGS 0x3fu

typedef struct sc_fpenv {
  uint32_t saved;
  bool changed;
} sc_fpenv;

static inline uint32_t sc_mxcsr_read(void) {
  uint32_t v;
  __asm__ volatile("stmxcsr %0" : "=m"(v) : : "memory");
  return v;
}

static inline void sc_mxcsr_write(uint32_t v) {
  __asm__ volatile("ldmxcsr %0" : : "m"(v) : "memory");
}

static inline void sc_fpenv_enter(sc_fpenv *e) {
  e->saved = sc_mxcsr_read();
  e->changed = (e->saved & ~SC_MXCSR_FLAGS) != SC_MXCSR_CANONICAL;
  if (e->changed)
    sc_mxcsr_write(SC_MXCSR_CANONICAL | (e->saved & SC_MXCSR_FLAGS));
}

static inline void sc_fpenv_leave(const sc_fpenv *e) {
  if (e->changed)
    sc_mxcsr_write((e->saved & ~SC_MXCSR_FLAGS) |
                   (sc_mxcsr_read() & SC_MXCSR_FLAGS));
}

#elif defined(__aarch64__)

typedef struct sc_fpenv {
  uint64_t saved;
} sc_fpenv;

static inline uint64_t sc_fpcr_read(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v) : : "memory");
  return v;
}

static inline void sc_fpcr_write(uint64_t v) {
  __asm__ volatile("msr fpcr, %0" : : "r"(v) : "memory");
}

static inline void sc_fpenv_enter(sc_fpenv *e) {
  e->saved = sc_fpcr_read();
  if (e->saved != 0)
    sc_fpcr_write(0);
}

static inline void sc_fpenv_leave(const sc_fpenv *e) {
  if (e->saved != 0)
    sc_fpcr_write(e->saved);
}

#else /* portable fallback: rounding mode and exception traps only */

#include <fenv.h>

typedef struct sc_fpenv {
  fenv_t saved;
} sc_fpenv;

static inline void sc_fpenv_enter(sc_fpenv *e) {
  fegetenv(&e->saved);
  fesetenv(FE_DFL_ENV);
}

static inline void sc_fpenv_leave(const sc_fpenv *e) {
  fesetenv(&e->saved);
}

#endif

#endif /* SIMDCONV_FPENV_H */
