/* ISA selection: the active ISA is the best one built, supported and not
 * above the SIMDCONV_ISA cap; kernels are listed per built ISA.
 *
 * Environment:
 *   SIMDCONV_ISA         the library's cap (tests/meson.build runs this
 *                        binary again with several values);
 *   SIMDCONV_EXPECT_ISA  if set and non-empty, the name the active ISA must
 *                        have (CI sets it when running under emulated CPUs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "test_util.h"

static bool avail(simdconv_isa isa) {
  const uint32_t bit = 1u << isa;
  return (simdconv_isas_built() & bit) && (simdconv_isas_supported() & bit);
}

static const char *env(const char *name) {
  const char *e = getenv(name);
  return e != NULL && *e != '\0' ? e : NULL;
}

/* The cap compares SIMD levels, as simdconv.h documents: NEON is the first
 * SIMD level like AVX2, so SIMDCONV_ISA=avx2 leaves NEON usable on AArch64. */
static int isa_level(simdconv_isa isa) {
  switch (isa) {
  case SIMDCONV_ISA_SCALAR: return 0;
  case SIMDCONV_ISA_AVX2:
  case SIMDCONV_ISA_NEON: return 1;
  case SIMDCONV_ISA_AVX512: return 2;
  default: return 99;
  }
}

Test(dispatch, active_is_best_below_cap) {
  const simdconv_isa cap = simdconv_isa_cap();
  simdconv_isa best = SIMDCONV_ISA_SCALAR;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (avail((simdconv_isa)i) &&
        (cap == SIMDCONV_ISA_AUTO || isa_level((simdconv_isa)i) <= isa_level(cap)))
      best = (simdconv_isa)i;
  const simdconv_isa active = simdconv_active_isa();
  cr_assert(active == best,
            "active ISA %s, expected %s (built 0x%x, supported 0x%x, cap %s)",
            tu_isa_str(active), tu_isa_str(best), simdconv_isas_built(),
            simdconv_isas_supported(), tu_isa_str(cap));
  cr_assert(simdconv_isa_check(active) == SIMDCONV_OK);
  fprintf(stderr,
          "[simdconv-tests] built 0x%x supported 0x%x cap %s active %s\n",
          simdconv_isas_built(), simdconv_isas_supported(), tu_isa_str(cap),
          tu_isa_str(active));
}

/* Without SIMDCONV_ISA the best ISA of the machine is active: AVX-512 on a
 * Zen 4 when it is built. */
Test(dispatch, default_is_best_of_machine) {
  if (env("SIMDCONV_ISA") != NULL) {
    fprintf(stderr,
            "[simdconv-tests] dispatch::default_is_best_of_machine: "
            "SIMDCONV_ISA=%s is set; checking the cap instead\n",
            env("SIMDCONV_ISA"));
    return;
  }
  cr_assert(simdconv_isa_cap() == SIMDCONV_ISA_AUTO,
            "cap %s without SIMDCONV_ISA", tu_isa_str(simdconv_isa_cap()));
  /* The highest SIMD level this build and CPU have (no two ISAs of one
   * level are ever both available: AVX2 and NEON share level 1). */
  simdconv_isa best = SIMDCONV_ISA_SCALAR;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++)
    if (avail((simdconv_isa)i) && isa_level((simdconv_isa)i) > isa_level(best))
      best = (simdconv_isa)i;
  const simdconv_isa active = simdconv_active_isa();
  cr_assert(active == best, "active %s, %s available", tu_isa_str(active),
            tu_isa_str(best));
}

Test(dispatch, cap_follows_environment) {
  const char *e = env("SIMDCONV_ISA");
  simdconv_isa want = SIMDCONV_ISA_AUTO;
  if (e != NULL && simdconv_isa_from_name(e, &want) != SIMDCONV_OK)
    want = SIMDCONV_ISA_AUTO; /* unparseable: no cap */
  const simdconv_isa cap = simdconv_isa_cap();
  cr_assert(cap == want, "SIMDCONV_ISA=%s: cap %s, expected %s",
            e ? e : "(unset)", tu_isa_str(cap), tu_isa_str(want));
  simdconv_desc d;
  simdconv_desc_init(&d, 2, 2, 1, 1);
  const float w[4] = {1, 2, 3, 4};
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    const simdconv_isa isa = (simdconv_isa)i;
    if (!avail(isa))
      continue;
    const bool above = cap != SIMDCONV_ISA_AUTO &&
                       isa_level((simdconv_isa)i) > isa_level(cap);
    const simdconv_status want_st =
        above ? SIMDCONV_ERR_ISA_DISABLED : SIMDCONV_OK;
    const simdconv_status st = simdconv_isa_check(isa);
    cr_assert(st == want_st, "isa_check(%s) with cap %s: got %d (%s)",
              tu_isa_str(isa), tu_isa_str(cap), (int)st,
              simdconv_status_string(st));
    const simdconv_options o = {.isa = isa};
    simdconv_conv *conv = NULL;
    const simdconv_status cs = simdconv_create(&d, w, NULL, &o, &conv);
    cr_assert(cs == want_st, "create on %s with cap %s: got %d (%s)",
              tu_isa_str(isa), tu_isa_str(cap), (int)cs,
              simdconv_status_string(cs));
    simdconv_destroy(conv);
  }
  if (e != NULL)
    fprintf(stderr, "[simdconv-tests] SIMDCONV_ISA=%s: cap %s, active %s\n",
            e, tu_isa_str(cap), tu_isa_str(simdconv_active_isa()));
}

Test(dispatch, expected_isa_from_ci) {
  const char *e = env("SIMDCONV_EXPECT_ISA");
  if (e == NULL) {
    fprintf(stderr, "[simdconv-tests] SIMDCONV_EXPECT_ISA unset: active ISA "
            "%s not pinned\n", tu_isa_str(simdconv_active_isa()));
    return;
  }
  const char *active = simdconv_isa_name(simdconv_active_isa());
  cr_assert(active != NULL && strcmp(active, e) == 0,
            "SIMDCONV_EXPECT_ISA=%s but the active ISA is %s", e,
            active ? active : "(null)");
}

Test(dispatch, supported_matches_cpu) {
  const uint32_t sup = simdconv_isas_supported();
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") &&
                    __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl");
  cr_assert(((sup >> SIMDCONV_ISA_AVX2) & 1) == avx2,
            "avx2 supported bit %u, CPU says %d",
            (sup >> SIMDCONV_ISA_AVX2) & 1, (int)avx2);
  cr_assert(((sup >> SIMDCONV_ISA_AVX512) & 1) == avx512,
            "avx512 supported bit %u, CPU says %d",
            (sup >> SIMDCONV_ISA_AVX512) & 1, (int)avx512);
  cr_assert(!((sup >> SIMDCONV_ISA_NEON) & 1), "NEON supported on x86-64");
#elif defined(__aarch64__)
  cr_assert((sup >> SIMDCONV_ISA_NEON) & 1, "NEON not supported on AArch64");
  cr_assert(!((sup >> SIMDCONV_ISA_AVX2) & 1) &&
            !((sup >> SIMDCONV_ISA_AVX512) & 1));
#endif
  cr_assert(sup & (1u << SIMDCONV_ISA_SCALAR));
  cr_assert((sup & 1u) == 0, "bit 0 (auto) set in isas_supported");
}

typedef struct kernel_list {
  size_t n;
  char names[256][96];
  simdconv_isa isas[256];
  bool overflow;
} kernel_list;

static void collect(const char *name, simdconv_isa isa, void *ctx) {
  kernel_list *l = ctx;
  if (l->n >= 256 || name == NULL || strlen(name) >= 96) {
    l->overflow = true;
    return;
  }
  strcpy(l->names[l->n], name);
  l->isas[l->n] = isa;
  l->n++;
}

static bool listed(const kernel_list *l, const char *name) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->names[i], name) == 0)
      return true;
  return false;
}

Test(dispatch, kernels_listed) {
  static kernel_list l;
  simdconv_list_kernels(collect, &l);
  cr_assert(!l.overflow, "a kernel name is NULL or too long, or > 256");
  cr_assert(l.n >= 1, "no kernel listed");
  const uint32_t built = simdconv_isas_built();
  for (size_t i = 0; i < l.n; i++) {
    const char *name = l.names[i];
    const char *isa = simdconv_isa_name(l.isas[i]);
    cr_assert(isa != NULL && l.isas[i] != SIMDCONV_ISA_AUTO,
              "kernel %s has ISA %d", name, (int)l.isas[i]);
    cr_assert(built & (1u << l.isas[i]), "kernel %s of an ISA not built",
              name);
    char suffix[32];
    snprintf(suffix, sizeof suffix, "__%s", isa);
    const size_t ln = strlen(name), ls = strlen(suffix);
    const size_t lp = strncmp(name, "q8_", 3) == 0 ? 3 : 4; /* int8: q8_ */
    cr_assert((strncmp(name, "f32_", 4) == 0 || lp == 3) && ln > lp + ls &&
                  strcmp(name + ln - ls, suffix) == 0,
              "kernel name %s does not follow {f32,q8}_*%s", name, suffix);
    if (i > 0)
      cr_assert(l.isas[i] <= l.isas[i - 1],
                "kernels not listed best ISA first: %s after %s", name,
                l.names[i - 1]);
    for (size_t j = 0; j < i; j++)
      cr_assert(strcmp(l.names[j], name) != 0, "kernel %s listed twice",
                name);
  }
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    if (!(built & (1u << i)))
      continue;
    size_t k = 0;
    for (size_t j = 0; j < l.n; j++)
      k += l.isas[j] == (simdconv_isa)i;
    cr_assert(k >= 1, "ISA %s is built but lists no kernel",
              tu_isa_str((simdconv_isa)i));
    fprintf(stderr, "[simdconv-tests] %s: %zu kernels\n",
            tu_isa_str((simdconv_isa)i), k);
  }
  for (size_t i = 0; i < l.n; i++)
    fprintf(stderr, "[simdconv-tests]   %s\n", l.names[i]);

  /* Every object runs one of the listed kernels, of its ISA or a lower
   * one's. */
  simdconv_isa isas[SIMDCONV_ISA_COUNT];
  const size_t n = tu_isas(isas);
  for (size_t i = 0; i < n; i++) {
    for (size_t t = 0; t < tu_table_len; t += 4) {
      tu_spec s;
      tu_spec_from_tcfg(&s, &tu_table[t], (simdconv_layout)(t & 1),
                        SIMDCONV_WEIGHTS_OIHW, 0, t);
      tu_case c;
      tu_case_init(&c, &s);
      simdconv_conv *conv = tu_create(&c, isas[i]);
      simdconv_conv_info info;
      cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
      cr_assert(listed(&l, info.kernel), "object on %s runs %s, not listed",
                tu_isa_str(isas[i]), info.kernel);
      bool ok = false;
      for (size_t j = 0; j < l.n; j++)
        if (strcmp(l.names[j], info.kernel) == 0)
          ok = l.isas[j] <= isas[i];
      cr_assert(ok, "object on %s runs %s, of a higher ISA",
                tu_isa_str(isas[i]), info.kernel);
      cr_assert(info.packed_bytes >= c.nw * sizeof(float),
                "packed_bytes %zu < %zu bytes of weights", info.packed_bytes,
                c.nw * sizeof(float));
      simdconv_destroy(conv);
      tu_case_free(&c);
    }
  }
}

Test(dispatch, default_objects_use_active_isa) {
  simdconv_desc d;
  simdconv_desc_init(&d, 3, 4, 3, 3);
  float w[108];
  for (int i = 0; i < 108; i++)
    w[i] = (float)i;
  simdconv_conv *conv = NULL;
  cr_assert(simdconv_create(&d, w, NULL, NULL, &conv) == SIMDCONV_OK);
  simdconv_conv_info info;
  cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
  cr_assert(info.isa == simdconv_active_isa(),
            "NULL options: object on %s, active %s", tu_isa_str(info.isa),
            tu_isa_str(simdconv_active_isa()));
  simdconv_destroy(conv);
  const simdconv_options o = {.isa = SIMDCONV_ISA_AUTO, .allocator = NULL};
  cr_assert(simdconv_create(&d, w, NULL, &o, &conv) == SIMDCONV_OK);
  cr_assert(simdconv_get_info(conv, &info) == SIMDCONV_OK);
  cr_assert(info.isa == simdconv_active_isa(),
            "ISA_AUTO: object on %s, active %s", tu_isa_str(info.isa),
            tu_isa_str(simdconv_active_isa()));
  simdconv_destroy(conv);
}
