/*
 * CPU feature detection, done once at load time.
 *
 * x86-64: CPUID for the instruction sets and XGETBV for the OS's promise to
 * save YMM and ZMM state across context switches (without it, using the
 * registers corrupts state even though CPUID reports the ISA).
 * AArch64: Advanced SIMD is architecturally mandatory; HWCAP confirms it and
 * tells whether the dot-product instructions (SDOT/UDOT) exist.
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

/* Bit `bit` of `word` as the feature flag `flag`, else 0. */
static uint32_t sc_bit(uint32_t word, unsigned bit, uint32_t flag) {
  return (word >> bit) & 1 ? flag : 0;
}

static uint32_t sc_probe(void) {
  unsigned a, b, c, d;
  uint32_t has = 0;
  if (__get_cpuid(0, &a, &b, &c, &d) && b == 0x68747541u &&
      d == 0x69746e65u && c == 0x444d4163u) /* "Auth" "enti" "cAMD" */
    has |= SC_CPU_AMD;
  if (!__get_cpuid(1, &a, &b, &c, &d))
    return has;
  has |= sc_bit(c, 12, SC_CPU_FMA);
  const bool avx = (c >> 28) & 1, osxsave = (c >> 27) & 1;
  if (osxsave && avx) {
    const uint64_t xcr0 = sc_xgetbv0();
    if ((xcr0 & 0x6) == 0x6) { /* XMM | YMM */
      has |= SC_CPU_OS_YMM;
      if ((xcr0 & 0xe0) == 0xe0) /* opmask | ZMM_Hi256 | Hi16_ZMM */
        has |= SC_CPU_OS_ZMM;
    }
  }
  if (__get_cpuid_max(0, NULL) < 7)
    return has;
  __cpuid_count(7, 0, a, b, c, d);
  return has | sc_bit(b, 5, SC_CPU_AVX2) | sc_bit(b, 16, SC_CPU_AVX512F) |
         sc_bit(b, 17, SC_CPU_AVX512DQ) | sc_bit(b, 30, SC_CPU_AVX512BW) |
         sc_bit(b, 31, SC_CPU_AVX512VL) | sc_bit(c, 11, SC_CPU_AVX512VNNI);
}
#elif defined(__aarch64__)
#include <sys/auxv.h>
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

static uint32_t sc_probe(void) {
  /* Fused multiply-add is part of AArch64 FP/SIMD. */
  const unsigned long hw = getauxval(AT_HWCAP);
  uint32_t has = SC_CPU_FMA;
  if (hw & HWCAP_ASIMD)
    has |= SC_CPU_NEON | ((hw & HWCAP_ASIMDDP) ? SC_CPU_ASIMDDP : 0);
  return has;
}
#else
static uint32_t sc_probe(void) { return 0; }
#endif

#if defined(_SC_LEVEL1_DCACHE_SIZE) || defined(_SC_LEVEL2_CACHE_SIZE)
/* sysconf(name) as a byte count, 0 when unknown. */
static size_t sc_cache_bytes(int name) {
  const long bytes = sysconf(name);
  return bytes > 0 ? (size_t)bytes : 0;
}
#endif

void sc_cpu_probe(sc_cpu_features *features) {
  features->has = sc_probe();
  features->wprefetch = -1;
  features->gshuffle = -1;
#ifdef _SC_LEVEL1_DCACHE_SIZE
  features->l1d_bytes = sc_cache_bytes(_SC_LEVEL1_DCACHE_SIZE);
#else
  features->l1d_bytes = 0;
#endif
#ifdef _SC_LEVEL2_CACHE_SIZE
  features->l2_bytes = sc_cache_bytes(_SC_LEVEL2_CACHE_SIZE);
#else
  features->l2_bytes = 0;
#endif
}
