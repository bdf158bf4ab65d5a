/*
 * CPU feature detection, done once at load time.
 *
 * x86-64: CPUID for the instruction sets and XGETBV for the OS's promise to
 * save YMM and ZMM state across context switches (without it, using the
 * registers corrupts state even though CPUID reports the ISA).
 * AArch64: Advanced SIMD is architecturally mandatory; HWCAP confirms it.
 * The L2 size (for the drivers' cache blocking) comes from the C library,
 * which reads CPUID or the kernel's cache description.
 */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "conv_internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static uint64_t sc_xgetbv0(void) {
  uint32_t lo, hi;
  /* XGETBV with ECX = 0 reads XCR0; emitted as bytes so no -mxsave is needed. */
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((uint64_t)hi << 32) | lo;
}

static void sc_probe(sc_cpu_features *f) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return;
  const bool osxsave = (c >> 27) & 1;
  f->fma = (c >> 12) & 1;
  const bool avx = (c >> 28) & 1;
  if (osxsave) {
    const uint64_t xcr0 = sc_xgetbv0();
    f->os_ymm = avx && (xcr0 & 0x6) == 0x6;          /* XMM | YMM */
    f->os_zmm = f->os_ymm && (xcr0 & 0xe0) == 0xe0; /* opmask | ZMM_Hi256 | Hi16_ZMM */
  }
  if (__get_cpuid_max(0, NULL) < 7)
    return;
  __cpuid_count(7, 0, a, b, c, d);
  f->avx2 = (b >> 5) & 1;
  f->avx512f = (b >> 16) & 1;
  f->avx512dq = (b >> 17) & 1;
  f->avx512bw = (b >> 30) & 1;
  f->avx512vl = (b >> 31) & 1;
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif

static void sc_probe(sc_cpu_features *f) {
  f->neon = (getauxval(AT_HWCAP) & HWCAP_ASIMD) != 0;
  f->fma = f->neon; /* fused multiply-add is part of AArch64 FP/SIMD */
}
#else
static void sc_probe(sc_cpu_features *f) { (void)f; }
#endif

static size_t sc_l2_bytes(void) {
#ifdef _SC_LEVEL2_CACHE_SIZE
  const long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return bytes > 0 ? (size_t)bytes : 0;
#else
  return 0;
#endif
}

void sc_cpu_probe(sc_cpu_features *features) {
  sc_probe(features);
  features->l2_bytes = sc_l2_bytes();
}
