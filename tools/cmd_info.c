/*
 * simdconv info: what the CPU offers, which ISAs the library was built with
 * and may use, and its registered kernels.
 */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
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
  X("avx512dq") X("avx512vl") X("avx512vnni")

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

/* "nchw,nhwc" for a layout mask. */
static const char *layouts_name(uint32_t layouts) {
  switch (layouts) {
  case 1u << SIMDCONV_LAYOUT_NCHW: return "nchw";
  case 1u << SIMDCONV_LAYOUT_NHWC: return "nhwc";
  default: return "nchw,nhwc";
  }
}

/* One line per registered kernel, in dispatch order: name, ISA, family,
 * tile, layouts, the CPU features it needs beyond its ISA's, whether this
 * CPU runs it, its constraints. */
static void print_kernel_catalogue(void) {
  printf("%-30s %-7s %-13s %-6s %-10s %-11s %-6s %s\n", "kernel", "isa",
         "family", "tile", "layouts", "cpu", "usable", "constraints");
  for (size_t i = 0; i < simdconv_kernel_count(); i++) {
    simdconv_kernel_info k;
    if (simdconv_kernel_get(i, &k) != SIMDCONV_OK)
      cli_fatal("simdconv_kernel_get(%zu) failed", i);
    char tile[24];
    snprintf(tile, sizeof tile, "%zux%zu", k.tile_m, k.tile_n);
    printf("%-30s %-7s %-13s %-6s %-10s %-11s %-6s %s\n", k.name,
           simdconv_isa_name(k.isa), k.family, tile, layouts_name(k.layouts),
           k.cpu_features[0] ? k.cpu_features : "-", k.usable ? "yes" : "no",
           k.constraints);
  }
}

/* The kernels grouped by ISA, in dispatch order, and the registry check. */
static void print_kernels(void) {
  const size_t n = simdconv_kernel_count();
  printf("kernels (%zu, dispatch order; '" CLI_NAME
         " info --kernels' describes them):\n", n);
  simdconv_isa isa = SIMDCONV_ISA_AUTO;
  for (size_t i = 0; i < n; i++) {
    simdconv_kernel_info k;
    if (simdconv_kernel_get(i, &k) != SIMDCONV_OK)
      cli_fatal("simdconv_kernel_get(%zu) failed", i);
    if (k.isa != isa)
      printf("  %s:\n", simdconv_isa_name(k.isa));
    isa = k.isa;
    printf("    %s%s%s%s\n", k.name, k.cpu_features[0] ? " (needs " : "",
           k.cpu_features, k.cpu_features[0] ? k.usable ? ")" : ", absent)"
                                                  : "");
  }
  const char *violation = simdconv_registry_check();
  field("registry:");
  printf(" %s\n", violation ? violation : "ok (checked at load)");
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

typedef struct info_options {
  bool kernels;
} info_options;

static const cli_flag info_flags[] = {
    {"--kernels", NULL, NULL, offsetof(info_options, kernels), true, NULL,
     "list every registered kernel, one per line (name, ISA, family, tile, "
     "layouts, usable here, constraints)"},
};

int cli_cmd_info(int argc, char **argv) {
  info_options o = {false};
  if (!cli_parse_flags(info_flags, 1, argc - 1, argv + 1, &o)) {
    printf("usage: " CLI_NAME " info [--kernels]\n\nPrints the CPU features "
           "seen, the ISAs built into the library, those this\nCPU supports, "
           "the SIMDCONV_ISA cap, the active ISA and the registered kernels."
           "\n\noptions:\n");
    cli_print_flags(info_flags, 1);
    return CLI_EXIT_OK;
  }
  if (o.kernels) {
    print_kernel_catalogue();
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
  const char *kenv = getenv("SIMDCONV_KERNEL");
  size_t kindex;
  field("SIMDCONV_KERNEL:");
  if (!kenv)
    printf(" unset\n");
  else if (simdconv_kernel_find(kenv, &kindex) != SIMDCONV_OK)
    printf(" '%s' (not a kernel of this build: ignored)\n", kenv);
  else
    printf(" '%s' (run by objects whose layer it computes)\n", kenv);
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
