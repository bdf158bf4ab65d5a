/*
 * simdconv info: what the CPU offers, which ISAs the library was built with
 * and may use, and its registered kernels.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Starts a line "label:          "; the values follow, each after a space. */
static void field(const char *label) { printf("%-16s", label); }

/* ------------------------------------------------------------------------ */
/* CPU features (display only; the library probes on its own)               */
/* ------------------------------------------------------------------------ */

#if defined(__x86_64__) || defined(__i386__)

/* __builtin_cpu_supports needs a string literal, hence the X-macro. GCC's
 * and clang's implementation also check the OS saves the AVX state. */
#define X86_FEATURES(X)                                                      \
  X("sse4.2") X("avx") X("avx2") X("fma") X("avx512f") X("avx512bw")         \
  X("avx512dq") X("avx512vl")

static void print_cpu_features(void) {
  __builtin_cpu_init();
  field("CPU features:");
#define PRESENT(f) if (__builtin_cpu_supports(f)) printf(" %s", f);
  X86_FEATURES(PRESENT)
  printf("\n");
  field("  missing:");
  int missing = 0;
#define MISSING(f) if (!__builtin_cpu_supports(f)) missing += printf(" %s", f);
  X86_FEATURES(MISSING)
  printf("%s  (__builtin_cpu_supports)\n", missing ? "" : " none");
}

#else

/* Elsewhere: the "Features" (or "flags") line of /proc/cpuinfo, filtered to
 * the features that matter to simdconv. */
static void print_cpu_features(void) {
  static const char *const wanted[] = {"fp", "asimd", "asimdhp", "asimddp",
                                       "sve", "sve2"};
  field("CPU features:");
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[4096];
  bool found = false;
  while (f && !found && fgets(line, sizeof line, f)) {
    if (strncmp(line, "Features", 8) != 0 && strncmp(line, "flags", 5) != 0)
      continue;
    char *colon = strchr(line, ':');
    if (!colon) continue;
    found = true;
    for (char *tok = strtok(colon + 1, " \t\n"); tok;
         tok = strtok(NULL, " \t\n"))
      for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        if (strcmp(tok, wanted[i]) == 0) printf(" %s", tok);
  }
  if (f) fclose(f);
  printf("%s  (/proc/cpuinfo)\n", found ? "" : " unknown");
}

#endif

/* The L2 size the library's cache blocking starts from (src/cpu.c asks the
 * C library the same way; src/igemm.c says how it is used). */
static void print_l2(void) {
  field("L2 per core:");
#ifdef _SC_LEVEL2_CACHE_SIZE
  const long bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (bytes > 0) {
    printf(" %ld KiB (sizes the igemm tasks)\n", bytes / 1024);
    return;
  }
#endif
  printf(" unknown (the igemm tasks use a default)\n");
}

/* ------------------------------------------------------------------------ */
/* Kernels                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct kernel_entry {
  const char *name;
  simdconv_isa isa;
} kernel_entry;

typedef struct kernel_list {
  kernel_entry *items;
  size_t count, capacity;
} kernel_list;

static void collect_kernel(const char *name, simdconv_isa isa, void *ctx) {
  kernel_list *list = ctx;
  if (list->count == list->capacity) {
    size_t cap = list->capacity ? 2 * list->capacity : 16;
    kernel_entry *items = realloc(list->items, cap * sizeof *items);
    if (!items) cli_fatal("out of memory");
    list->items = items;
    list->capacity = cap;
  }
  list->items[list->count++] = (kernel_entry){name, isa};
}

/* Prints the kernels grouped by ISA, the groups in order of first
 * appearance (the dispatch order, best ISA first). */
static void print_kernels(void) {
  kernel_list list = {NULL, 0, 0};
  simdconv_list_kernels(collect_kernel, &list);
  printf("kernels (%zu, dispatch order):\n", list.count);
  uint32_t done = 0;
  for (size_t i = 0; i < list.count; i++) {
    simdconv_isa isa = list.items[i].isa;
    uint32_t bit = (unsigned)isa < 32 ? 1u << isa : 0;
    if (done & bit) continue;
    done |= bit;
    const char *isa_name = simdconv_isa_name(isa);
    printf("  %s:\n", isa_name ? isa_name : "(unknown ISA)");
    for (size_t j = i; j < list.count; j++)
      if (list.items[j].isa == isa) printf("    %s\n", list.items[j].name);
  }
  free(list.items);
}

/* ------------------------------------------------------------------------ */
/* The command                                                              */
/* ------------------------------------------------------------------------ */

static void print_isa_mask(const char *label, uint32_t mask) {
  char buf[128];
  cli_isa_mask_format(mask, " ", buf, sizeof buf);
  field(label);
  printf(" %s\n", buf);
}

int cli_cmd_info(int argc, char **argv) {
  if (!cli_parse_flags(NULL, 0, argc - 1, argv + 1, NULL)) {
    printf("usage: " CLI_NAME " info\n\nPrints the CPU features seen, the "
           "ISAs built into the library, those this\nCPU supports, the "
           "SIMDCONV_ISA cap, the active ISA and the registered kernels.\n");
    return CLI_EXIT_OK;
  }
  field("library:");
  printf(" simdconv %s (header %d.%d.%d)\n",
         simdconv_version_string(), SIMDCONV_VERSION_MAJOR,
         SIMDCONV_VERSION_MINOR, SIMDCONV_VERSION_PATCH);
  print_cpu_features();
  print_l2();
  print_isa_mask("ISAs built:", simdconv_isas_built());
  print_isa_mask("ISAs supported:", simdconv_isas_supported());

  const char *env = getenv("SIMDCONV_ISA");
  simdconv_isa cap = simdconv_isa_cap();
  simdconv_isa parsed;
  field("SIMDCONV_ISA:");
  if (!env)
    printf(" unset");
  else if (simdconv_isa_from_name(env, &parsed) != SIMDCONV_OK)
    printf(" '%s' (not an ISA name: ignored)", env);
  else
    printf(" '%s'", env);
  printf(" -> cap %s%s\n", simdconv_isa_name(cap),
         cap == SIMDCONV_ISA_AUTO ? " (no cap)" : "");
  field("active ISA:");
  printf(" %s\n", simdconv_isa_name(simdconv_active_isa()));

  printf("usable ISAs:\n");
  for (int i = 1; i < SIMDCONV_ISA_COUNT; i++) {
    simdconv_status st = simdconv_isa_check((simdconv_isa)i);
    printf("  %-8s %s\n", simdconv_isa_name((simdconv_isa)i),
           st == SIMDCONV_OK ? "yes" : simdconv_status_string(st));
  }
  print_kernels();
  return CLI_EXIT_OK;
}
