/*
 * The kernel registry: every kernel of every built ISA, walked in the order
 * of src/isas.def (best ISA first) and, within an ISA, in its dispatch order
 * (src/<isa>/kernels.def). Tests, the CLI and the benchmark enumerate it
 * through simdconv_kernel_count() / simdconv_kernel_get(), and an object can
 * be forced onto one kernel by name (simdconv_options.kernel).
 *
 * Checked once, at load (from the dispatcher): every kernel sits in its own
 * ISA's table, is named <dtype>_<op>_<tile>__<isa> (dtype f32 or q8, its
 * family's), once, has every function its family's driver calls, needs no
 * CPU feature beyond its ISA's but one of the known extensions, and its
 * config keeps the family's rules (sc_conv_kernel.check); the scalar table
 * has a direct kernel per data type, which fits every problem of that type,
 * and ends with the fp32 one. A violation is a bug that registry::tables_keep_their_rules
 * (tests/test_kernels.c) reports; simdconv info prints it.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "conv_internal.h"

static const simdconv_isa sc_isa_order[] = {
#define SC_ISA(ID, name, rank, FALLBACK, cpu) SIMDCONV_ISA_##ID,
#include "isas.def"
#undef SC_ISA
};
#define SC_ISA_ROWS (sizeof sc_isa_order / sizeof *sc_isa_order)

size_t sc_registry_count(void) {
  size_t n = 0;
  for (size_t i = 0; i < SC_ISA_ROWS; i++) {
    const sc_isa_table *t = sc_isa_table_get(sc_isa_order[i]);
    n += t != NULL ? t->count : 0;
  }
  return n;
}

const sc_conv_kernel *sc_registry_kernel(size_t index) {
  for (size_t i = 0; i < SC_ISA_ROWS; i++) {
    const sc_isa_table *t = sc_isa_table_get(sc_isa_order[i]);
    if (t == NULL)
      continue;
    if (index < t->count)
      return t->kernels[index];
    index -= t->count;
  }
  return NULL;
}

/* ---- the check at load ---------------------------------------------------- */

static char sc_violation[256];

static bool sc_violates(const sc_conv_kernel *k, const char *what) {
  snprintf(sc_violation, sizeof sc_violation, "%s: %s",
           k != NULL && k->name != NULL ? k->name : "(unnamed kernel)", what);
  return true;
}

/* The name prefix of each data type's kernels. */
static const char *const sc_dtype_prefix[] = {
    [SC_DTYPE_F32] = "f32_",
    [SC_DTYPE_Q8] = "q8_",
};

/* The name is <dtype>_<op>_<tile>__<isa>: the prefix of its family's data
 * type, <isa> being the table's ISA. */
static bool sc_name_ok(const sc_conv_kernel *k) {
  const char *isa = simdconv_isa_name(k->isa);
  const char *sep = strstr(k->name, "__");
  const char *prefix = sc_dtype_prefix[sc_family_dtype(k->family)];
  return isa != NULL && strncmp(k->name, prefix, strlen(prefix)) == 0 &&
         sep != NULL && strcmp(sep + 2, isa) == 0;
}

/* The CPU features a kernel may add to its ISA's, with their names. */
static const struct {
  uint32_t bit;
  const char *name;
} sc_cpu_extensions[] = {
    {SC_CPU_AVX512VNNI, "avx512vnni"},
    {SC_CPU_ASIMDDP, "asimddp"},
};
#define SC_CPU_EXTENSIONS (sizeof sc_cpu_extensions / sizeof *sc_cpu_extensions)

/* The name of k->cpu ("" for none), or NULL when it is not one known
 * extension. */
static const char *sc_cpu_name(const sc_conv_kernel *k) {
  if (k->cpu == 0)
    return "";
  for (size_t i = 0; i < SC_CPU_EXTENSIONS; i++)
    if (k->cpu == sc_cpu_extensions[i].bit)
      return sc_cpu_extensions[i].name;
  return NULL;
}

bool sc_kernel_cpu_ok(const sc_conv_kernel *k) {
  return (sc_cpu()->has & k->cpu) == k->cpu;
}

/* Every function the kernel's family driver calls. */
static bool sc_kernel_complete(const sc_conv_kernel *k) {
  if ((unsigned)k->family >= SC_FAMILY_COUNT || k->fits == NULL ||
      k->packed_size == NULL || k->run == NULL || k->describe == NULL)
    return false;
  return sc_family_dtype(k->family) == SC_DTYPE_Q8 ? k->pack_q8 != NULL
                                                   : k->pack != NULL;
}

static bool sc_name_unique(size_t index) {
  const char *name = sc_registry_kernel(index)->name;
  for (size_t j = 0; j < index; j++)
    if (strcmp(sc_registry_kernel(j)->name, name) == 0)
      return false;
  return true;
}

static bool sc_kernel_violates(const sc_isa_table *t, size_t index) {
  const sc_conv_kernel *k = sc_registry_kernel(index);
  const char *why;
  if (k == NULL || k->name == NULL)
    return sc_violates(k, "no name");
  if (k->isa != t->isa)
    return sc_violates(k, "listed in another ISA's table");
  if (!sc_kernel_complete(k))
    return sc_violates(k, "incomplete: a driver function or its family is missing");
  if (!sc_name_ok(k))
    return sc_violates(k, "name is not <dtype>_<op>_<tile>__<its isa>, "
                          "dtype its family's (f32 or q8)");
  if (!sc_name_unique(index))
    return sc_violates(k, "registered twice");
  if (sc_cpu_name(k) == NULL)
    return sc_violates(k, "needs CPU features that are not one known "
                          "extension of its ISA");
  if (k->check != NULL && (why = k->check(k)) != NULL)
    return sc_violates(k, why);
  return false;
}

/* Fills sc_violation with the first violation; false when there is none. */
static bool sc_registry_violates(void) {
  size_t index = 0;
  for (size_t i = 0; i < SC_ISA_ROWS; i++) {
    const sc_isa_table *t = sc_isa_table_get(sc_isa_order[i]);
    for (size_t j = 0; t != NULL && j < t->count; j++, index++)
      if (sc_kernel_violates(t, index))
        return true;
  }
  const sc_isa_table *scalar = sc_isa_table_get(SIMDCONV_ISA_SCALAR);
  if (scalar == NULL || scalar->count == 0 ||
      scalar->kernels[scalar->count - 1]->family != SC_FAMILY_DIRECT)
    return sc_violates(NULL, "the scalar table must end with the direct kernel");
  bool q8_direct = false;
  for (size_t j = 0; j < scalar->count; j++)
    q8_direct |= scalar->kernels[j]->family == SC_FAMILY_Q8_DIRECT &&
                 scalar->kernels[j]->cpu == 0;
  if (!q8_direct)
    return sc_violates(NULL, "the scalar table needs the int8 direct kernel");
  return false;
}

static const char *sc_registry_result;
static pthread_once_t sc_registry_once = PTHREAD_ONCE_INIT;

static void sc_registry_check_once(void) {
  sc_registry_result = sc_registry_violates() ? sc_violation : NULL;
}

const char *sc_registry_violation(void) {
  pthread_once(&sc_registry_once, sc_registry_check_once);
  return sc_registry_result;
}

/* ---- public --------------------------------------------------------------- */

static const char *const sc_family_names[SC_FAMILY_COUNT] = {
    [SC_FAMILY_DIRECT] = "direct",
    [SC_FAMILY_IGEMM] = "igemm",
    [SC_FAMILY_GEMM_NCHW] = "gemm_nchw",
    [SC_FAMILY_DWCONV] = "dwconv",
    [SC_FAMILY_DECONV_IGEMM] = "deconv_igemm",
    [SC_FAMILY_DECONV_DWCONV] = "deconv_dwconv",
    [SC_FAMILY_Q8_DIRECT] = "q8_direct",
    [SC_FAMILY_Q8_IGEMM] = "q8_igemm",
    [SC_FAMILY_Q8_DWCONV] = "q8_dwconv",
};

/* Position of kernel `index` in its ISA's table. */
static size_t sc_rank_in_table(size_t index) {
  const sc_conv_kernel *k = sc_registry_kernel(index);
  size_t rank = 0;
  while (rank < index && sc_registry_kernel(index - rank - 1)->isa == k->isa)
    rank++;
  return rank;
}

size_t simdconv_kernel_count(void) { return sc_registry_count(); }

simdconv_status simdconv_kernel_get(size_t index, simdconv_kernel_info *info) {
  if (info == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  const sc_conv_kernel *k = sc_registry_kernel(index);
  if (k == NULL)
    return SIMDCONV_ERR_UNKNOWN_KERNEL;
  sc_kernel_desc d = {0};
  k->describe(k, &d);
  *info = (simdconv_kernel_info){
      .name = k->name,
      .isa = k->isa,
      .family = sc_family_names[k->family],
      .tile_m = d.tile_m,
      .tile_n = d.tile_n,
      .layouts = d.layouts,
      .constraints = d.constraints,
      .rank = sc_rank_in_table(index),
      .cpu_features = sc_cpu_name(k) != NULL ? sc_cpu_name(k) : "(unknown)",
      .usable = simdconv_isa_check(k->isa) == SIMDCONV_OK && sc_kernel_cpu_ok(k),
  };
  return SIMDCONV_OK;
}

simdconv_status simdconv_kernel_find(const char *name, size_t *index) {
  if (name == NULL || index == NULL)
    return SIMDCONV_ERR_NULL_POINTER;
  for (size_t i = 0; i < sc_registry_count(); i++)
    if (strcmp(sc_registry_kernel(i)->name, name) == 0) {
      *index = i;
      return SIMDCONV_OK;
    }
  return SIMDCONV_ERR_UNKNOWN_KERNEL;
}

const char *simdconv_registry_check(void) { return sc_registry_violation(); }
