/*
 * The one place that decides the ISA.
 *
 * At load time (a constructor, also reachable through pthread_once should
 * another library's constructor call us first) the CPU is probed, the
 * SIMDCONV_ISA cap is read from the environment and the active ISA is fixed:
 * the best ISA that is built, supported and not above the cap. Nothing here
 * changes afterwards; every table is const.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sleef.h>

#include "activation.h"
#include "conv_internal.h"

/* sleef.h declares the FMA scalar variants only when the translation unit is
 * built with FMA (FP_FAST_FMA); this core is not, but the library exports
 * them and they are called only when the CPU has FMA. */
#ifndef FP_FAST_FMA
float Sleef_finz_expf1_u10purecfma(float);
float Sleef_finz_tanhf1_u10purecfma(float);
float Sleef_finz_erfcf1_u15purecfma(float);
#endif

typedef struct sc_dispatch_state {
  sc_cpu_features cpu;
  simdconv_isa cap;
  simdconv_isa active;
  sc_scalar_math math;
} sc_dispatch_state;

static sc_dispatch_state sc_state;
static pthread_once_t sc_once = PTHREAD_ONCE_INIT;

static const char *const sc_isa_names[SIMDCONV_ISA_COUNT] = {
    [SIMDCONV_ISA_AUTO] = "auto",     [SIMDCONV_ISA_SCALAR] = "scalar",
    [SIMDCONV_ISA_AVX2] = "avx2",     [SIMDCONV_ISA_AVX512] = "avx512",
    [SIMDCONV_ISA_NEON] = "neon",
};

/* Rank for the cap: an ISA is allowed when its rank is <= the cap's. NEON
 * ranks with AVX2 so a cap of "avx2" means "first SIMD level" everywhere. */
static const int sc_isa_rank[SIMDCONV_ISA_COUNT] = {
    [SIMDCONV_ISA_AUTO] = 99, [SIMDCONV_ISA_SCALAR] = 0,
    [SIMDCONV_ISA_AVX2] = 1,  [SIMDCONV_ISA_AVX512] = 2,
    [SIMDCONV_ISA_NEON] = 1,
};

/* Best first: the order in which the active ISA is chosen. */
static const simdconv_isa sc_isa_preference[] = {
    SIMDCONV_ISA_AVX512, SIMDCONV_ISA_AVX2, SIMDCONV_ISA_NEON,
    SIMDCONV_ISA_SCALAR,
};

static simdconv_status sc_isa_check_in(const sc_dispatch_state *s,
                                       simdconv_isa isa);

static bool sc_isa_valid(simdconv_isa isa) {
  return (unsigned)isa < SIMDCONV_ISA_COUNT;
}

const sc_isa_table *sc_isa_table_get(simdconv_isa isa) {
  switch (isa) {
  case SIMDCONV_ISA_SCALAR:
    return &sc_scalar_table;
#if SIMDCONV_HAVE_AVX2
  case SIMDCONV_ISA_AVX2:
    return &sc_avx2_table;
#endif
#if SIMDCONV_HAVE_AVX512
  case SIMDCONV_ISA_AVX512:
    return &sc_avx512_table;
#endif
#if SIMDCONV_HAVE_NEON
  case SIMDCONV_ISA_NEON:
    return &sc_neon_table;
#endif
  default:
    return NULL;
  }
}

static bool sc_cpu_supports(const sc_cpu_features *f, simdconv_isa isa) {
  switch (isa) {
  case SIMDCONV_ISA_SCALAR:
    return true;
  case SIMDCONV_ISA_AVX2:
    return f->avx2 && f->fma && f->os_ymm;
  case SIMDCONV_ISA_AVX512:
    return f->avx2 && f->fma && f->avx512f && f->avx512bw && f->avx512dq &&
           f->avx512vl && f->os_zmm;
  case SIMDCONV_ISA_NEON:
    return f->neon;
  default:
    return false;
  }
}

static simdconv_isa sc_parse_cap(const char *value) {
  simdconv_isa isa;
  if (value == NULL || simdconv_isa_from_name(value, &isa) != SIMDCONV_OK)
    return SIMDCONV_ISA_AUTO;
  return isa;
}

/* Wrappers give every variant the same plain type: sleef.h marks them CONST,
 * which some compilers read as a qualifier on the return type. */
static float sc_expf_fma(float x) { return Sleef_finz_expf1_u10purecfma(x); }
static float sc_tanhf_fma(float x) { return Sleef_finz_tanhf1_u10purecfma(x); }
static float sc_erfcf_fma(float x) { return Sleef_finz_erfcf1_u15purecfma(x); }
static float sc_expf_nofma(float x) { return Sleef_cinz_expf1_u10purec(x); }
static float sc_tanhf_nofma(float x) { return Sleef_cinz_tanhf1_u10purec(x); }
static float sc_erfcf_nofma(float x) { return Sleef_cinz_erfcf1_u15purec(x); }

static void sc_choose_scalar_math(sc_scalar_math *m, bool fma) {
  if (fma)
    *m = (sc_scalar_math){sc_expf_fma, sc_tanhf_fma, sc_erfcf_fma};
  else
    *m = (sc_scalar_math){sc_expf_nofma, sc_tanhf_nofma, sc_erfcf_nofma};
}

static void sc_dispatch_init_once(void) {
  sc_dispatch_state *s = &sc_state;
  sc_cpu_probe(&s->cpu);
  s->cap = sc_parse_cap(getenv("SIMDCONV_ISA"));
  s->active = SIMDCONV_ISA_SCALAR;
  for (size_t i = 0; i < sizeof sc_isa_preference / sizeof *sc_isa_preference;
       i++) {
    if (sc_isa_check_in(s, sc_isa_preference[i]) == SIMDCONV_OK) {
      s->active = sc_isa_preference[i];
      break;
    }
  }
  sc_choose_scalar_math(&s->math, s->cpu.fma);
}

static const sc_dispatch_state *sc_dispatch(void) {
  pthread_once(&sc_once, sc_dispatch_init_once);
  return &sc_state;
}

__attribute__((constructor)) static void sc_dispatch_at_load(void) {
  (void)sc_dispatch();
}

const sc_cpu_features *sc_cpu(void) { return &sc_dispatch()->cpu; }

const sc_scalar_math *sc_scalar_math_get(void) { return &sc_dispatch()->math; }

const char *simdconv_isa_name(simdconv_isa isa) {
  return sc_isa_valid(isa) ? sc_isa_names[isa] : NULL;
}

simdconv_status simdconv_isa_from_name(const char *name, simdconv_isa *isa) {
  if (name == NULL || isa == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  for (int i = 0; i < SIMDCONV_ISA_COUNT; i++) {
    if (strcmp(name, sc_isa_names[i]) == 0) {
      *isa = (simdconv_isa)i;
      return SIMDCONV_OK;
    }
  }
  return SIMDCONV_ERR_INVALID_ENUM;
}

uint32_t simdconv_isas_built(void) {
  uint32_t mask = 0;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (sc_isa_table_get((simdconv_isa)i) != NULL)
      mask |= 1u << i;
  return mask;
}

uint32_t simdconv_isas_supported(void) {
  uint32_t mask = 0;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (sc_cpu_supports(&sc_dispatch()->cpu, (simdconv_isa)i))
      mask |= 1u << i;
  return mask;
}

simdconv_isa simdconv_isa_cap(void) { return sc_dispatch()->cap; }

simdconv_isa simdconv_active_isa(void) { return sc_dispatch()->active; }

static simdconv_status sc_isa_check_in(const sc_dispatch_state *s,
                                       simdconv_isa isa) {
  if (!sc_isa_valid(isa))
    return SIMDCONV_ERR_INVALID_ENUM;
  if (isa == SIMDCONV_ISA_AUTO)
    return SIMDCONV_OK;
  if (sc_isa_table_get(isa) == NULL)
    return SIMDCONV_ERR_ISA_NOT_BUILT;
  if (!sc_cpu_supports(&s->cpu, isa))
    return SIMDCONV_ERR_ISA_NOT_SUPPORTED;
  if (sc_isa_rank[isa] > sc_isa_rank[s->cap])
    return SIMDCONV_ERR_ISA_DISABLED;
  return SIMDCONV_OK;
}

simdconv_status simdconv_isa_check(simdconv_isa isa) {
  return sc_isa_check_in(sc_dispatch(), isa);
}

void simdconv_list_kernels(void (*fn)(const char *, simdconv_isa, void *),
                           void *ctx) {
  if (fn == NULL)
    return;
  for (size_t i = 0; i < sizeof sc_isa_preference / sizeof *sc_isa_preference;
       i++) {
    const sc_isa_table *t = sc_isa_table_get(sc_isa_preference[i]);
    for (size_t j = 0; t != NULL && j < t->count; j++)
      fn(t->kernels[j]->name, t->isa, ctx);
  }
}
