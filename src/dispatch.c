/*
 * The one place that decides the ISA.
 *
 * At load time (a constructor, also reachable through pthread_once should
 * another library's constructor call us first) the CPU is probed, the
 * SIMDCONV_ISA cap is read from the environment and the active ISA is fixed:
 * the best ISA that is built, supported and not above the cap, in the order
 * of src/isas.def. The kernel registry is checked once (src/registry.c).
 * Nothing here changes afterwards; every table is const.
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
  const sc_conv_kernel *env_kernel; /* SIMDCONV_KERNEL, or NULL */
  sc_scalar_math math;
} sc_dispatch_state;

static sc_dispatch_state sc_state;
static pthread_once_t sc_once = PTHREAD_ONCE_INIT;

/* The tables of the built ISAs: SC_ISA_BUILT_<name> is 1 or 0 (set by
 * src/meson.build for every row of isas.def). */
#define SC_ISA(ID, name, rank, FALLBACK, cpu)                                  \
  extern const sc_isa_table sc_table_##name;
#include "isas.def"
#undef SC_ISA
#define SC_TABLE_OF(name) SC_TABLE_PICK(SC_ISA_BUILT_##name, name)
#define SC_TABLE_PICK(built, name) SC_TABLE_PICK_(built, name)
#define SC_TABLE_PICK_(built, name) SC_TABLE_IF_##built(name)
#define SC_TABLE_IF_0(name) NULL
#define SC_TABLE_IF_1(name) (&sc_table_##name)

/* Best first, as listed in isas.def. */
static const sc_isa_desc sc_isas[] = {
#define SC_ISA(ID, name, rank, FALLBACK, cpu)                                  \
  {SIMDCONV_ISA_##ID, #name, rank, SIMDCONV_ISA_##FALLBACK, cpu,               \
   SC_TABLE_OF(name)},
#include "isas.def"
#undef SC_ISA
};
#define SC_ISA_ROWS (sizeof sc_isas / sizeof *sc_isas)

static simdconv_status sc_isa_check_in(const sc_dispatch_state *s,
                                       simdconv_isa isa);

const sc_isa_desc *sc_isa_desc_get(simdconv_isa isa) {
  for (size_t i = 0; i < SC_ISA_ROWS; i++)
    if (sc_isas[i].isa == isa)
      return &sc_isas[i];
  return NULL;
}

const sc_isa_table *sc_isa_table_get(simdconv_isa isa) {
  const sc_isa_desc *d = sc_isa_desc_get(isa);
  return d != NULL ? d->table : NULL;
}

static bool sc_cpu_supports(const sc_cpu_features *f, simdconv_isa isa) {
  const sc_isa_desc *d = sc_isa_desc_get(isa);
  return d != NULL && (f->has & d->cpu) == d->cpu;
}

static simdconv_isa sc_parse_cap(const char *value) {
  simdconv_isa isa;
  if (value == NULL || simdconv_isa_from_name(value, &isa) != SIMDCONV_OK)
    return SIMDCONV_ISA_AUTO;
  return isa;
}

/* A registered kernel's name, else NULL (unset or unknown: ignored, as an
 * unparseable SIMDCONV_ISA is). */
static const sc_conv_kernel *sc_parse_kernel(const char *value) {
  size_t index;
  if (value == NULL || simdconv_kernel_find(value, &index) != SIMDCONV_OK)
    return NULL;
  return sc_registry_kernel(index);
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

/* A tuning switch (SIMDCONV_WPREFETCH, SIMDCONV_GSHUFFLE): "0" or "1",
 * else -1 (the host's choice). */
static int sc_parse_switch(const char *v) {
  if (v == NULL || (v[0] != '0' && v[0] != '1') || v[1] != '\0')
    return -1;
  return v[0] - '0';
}

static void sc_dispatch_init_once(void) {
  sc_dispatch_state *s = &sc_state;
  sc_cpu_probe(&s->cpu);
  s->cap = sc_parse_cap(getenv("SIMDCONV_ISA"));
  s->active = SIMDCONV_ISA_SCALAR;
  for (size_t i = 0; i < SC_ISA_ROWS; i++) {
    if (sc_isa_check_in(s, sc_isas[i].isa) == SIMDCONV_OK) {
      s->active = sc_isas[i].isa;
      break;
    }
  }
  sc_choose_scalar_math(&s->math, (s->cpu.has & SC_CPU_FMA) != 0);
  (void)sc_registry_violation(); /* the tables are checked at load */
  s->env_kernel = sc_parse_kernel(getenv("SIMDCONV_KERNEL"));
  s->cpu.wprefetch = sc_parse_switch(getenv("SIMDCONV_WPREFETCH"));
  s->cpu.gshuffle = sc_parse_switch(getenv("SIMDCONV_GSHUFFLE"));
}

static const sc_dispatch_state *sc_dispatch(void) {
  pthread_once(&sc_once, sc_dispatch_init_once);
  return &sc_state;
}

__attribute__((constructor)) static void sc_dispatch_at_load(void) {
  (void)sc_dispatch();
}

const sc_cpu_features *sc_cpu(void) { return &sc_dispatch()->cpu; }

const sc_conv_kernel *sc_env_kernel(void) { return sc_dispatch()->env_kernel; }

const sc_scalar_math *sc_scalar_math_get(void) { return &sc_dispatch()->math; }

const char *simdconv_isa_name(simdconv_isa isa) {
  if (isa == SIMDCONV_ISA_AUTO)
    return "auto";
  const sc_isa_desc *d = sc_isa_desc_get(isa);
  return d != NULL ? d->name : NULL;
}

simdconv_status simdconv_isa_from_name(const char *name, simdconv_isa *isa) {
  if (name == NULL || isa == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  for (int i = 0; i < SIMDCONV_ISA_COUNT; i++) {
    const char *known = simdconv_isa_name((simdconv_isa)i);
    if (known != NULL && strcmp(name, known) == 0) {
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
  if (isa == SIMDCONV_ISA_AUTO)
    return SIMDCONV_OK;
  if (sc_isa_desc_get(isa) == NULL)
    return SIMDCONV_ERR_INVALID_ENUM;
  if (sc_isa_table_get(isa) == NULL)
    return SIMDCONV_ERR_ISA_NOT_BUILT;
  if (!sc_cpu_supports(&s->cpu, isa))
    return SIMDCONV_ERR_ISA_NOT_SUPPORTED;
  if (s->cap != SIMDCONV_ISA_AUTO &&
      sc_isa_desc_get(isa)->rank > sc_isa_desc_get(s->cap)->rank)
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
  for (size_t i = 0; i < sc_registry_count(); i++) {
    const sc_conv_kernel *k = sc_registry_kernel(i);
    fn(k->name, k->isa, ctx);
  }
}
