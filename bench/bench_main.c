/*
 * simdconv-bench: the layer benchmark suite. Options, the output header
 * (machine, peaks, methodology) and the registration of every case; the
 * bodies are in runner.c, the implementations in backend_*.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gbench_shim.h"
#include "instance.h"
#include "int8.h"
#include "kernels.h"
#include "membw.h"
#include "residual.h"
#include "peak.h"
#include "runner.h"

#ifndef BENCH_DEFAULT_LAYERS
#define BENCH_DEFAULT_LAYERS "bench/layers.csv,bench/deconv_layers.csv"
#endif
#ifndef BENCH_RESIDUAL_LAYERS
#define BENCH_RESIDUAL_LAYERS "bench/residual_layers.csv"
#endif

/* Layers above this many MFLOP run the scalar ISA only with --scalar. */
#define SCALAR_DEFAULT_MAX_MFLOP 50.0

typedef struct options {
  const char *layers_path;
  const char *filter;
  bool scalar_all;
  double rotate_mib; /* < 0: twice the last-level cache */
  size_t validate_max_out;
  double peak[SIMDCONV_ISA_COUNT]; /* > 0: given with --peak, not measured */
  bool kernels; /* the per-kernel microbenchmarks instead of the layers */
  bool residual; /* the fused residual benchmarks instead of the layers */
  bool int8;     /* the int8 benchmarks instead of the fp32 layers */
} options;

static const bench_backend_entry *const g_entries[] = {
    &bench_simdconv_entry,
#if BENCH_HAVE_ONEDNN
    &bench_onednn_entry,
#endif
#if BENCH_HAVE_XNNPACK
    &bench_xnnpack_entry,
#endif
};
#define NENTRIES (sizeof g_entries / sizeof g_entries[0])

#define MAX_VARIANTS 32
static bench_variant g_variants[MAX_VARIANTS];
static size_t g_nvariants;
static const bench_variant *g_simdconv[MAX_VARIANTS];

static bench_layer *g_layers;
static bench_threads g_threads[2];
static bench_config g_cfg;
static bench_case *g_cases;
static size_t g_ncases;
static pthreadpool_t g_pool;
static size_t g_kernel_failures;
static size_t g_residual_failures;
static size_t g_int8_failures;

void bench_app_print_help(void) {
  printf(
      "\nsimdconv-bench options (besides Google Benchmark's):\n"
      "  --layers=FILE[,FILE...]\n"
      "                      layer files (CSV: name,N,C,H,W,K,R,S,sh,sw,ph,pw,"
      "dh,dw,g;\n"
      "                      transposed: ...,ph,pw,oph,opw,dh,dw,g, layers "
      "named\n"
      "                      deconv/NET/LAYER; '#' comments); default %s\n"
      "  --filter=REGEX      only benchmarks whose name matches (POSIX "
      "extended\n"
      "                      regex), e.g. 'avx512/nhwc/t1/resnet50/'; names "
      "are\n"
      "                      simdconv/ISA/LAYOUT/tT/NET/LAYER, "
      "onednn/FMT/tT/NET/LAYER,\n"
      "                      (transposed: .../tT/deconv/NET/LAYER),\n"
      "                      xnnpack/nhwc/tT/NET/LAYER and create/CONFIG/"
      "NET/LAYER\n"
      "  --scalar            benchmark the scalar ISA on every layer (default:"
      " only\n"
      "                      layers <= %.0f MFLOP; it is always validated)\n"
      "  --rotate-mib=X      rotate buffer sets until they total X MiB "
      "(default: twice\n"
      "                      the last-level cache; 0: no rotation)\n"
      "  --validate-size=N   validate on problems reduced to OH, OW <= N "
      "(default 8)\n"
      "  --pool-wait=spin|yield\n"
      "                      simdconv objects' options.pool_wait: what the pool's\n"
      "                      workers do after a run (default spin, as XNNPACK's\n"
      "                      operators and oneDNN's OpenMP threads do)\n"
      "  --peak=ISA:GFLOPS[,ISA:GFLOPS...]\n"
      "                      use these single-core peaks instead of measuring"
      " them\n"
      "                      (stable %% of peak across runs), e.g. "
      "avx512:117,avx2:117\n"
      "  --kernels           instead of the layers: every registered kernel "
      "alone\n"
      "                      (forced), on GEMM-like shapes in L1 and in L2, "
      "one thread,\n"
      "                      warm caches: kernel/<kernel>/<shape>/<L1|L2>\n"
      "  --residual          instead of the layers: the fused residual add on"
      " the\n"
      "                      residual layers (%s\n"
      "                      unless --layers): plain, fused, fused_inplace, "
      "unfused,\n"
      "                      onednn_sum: residual/<layer>/tT/<variant>\n"
      "  --int8              instead of the fp32 layers: the int8 convolution"
      " on the\n"
      "                      layers, simdconv on every ISA and layout, its fp32"
      " kernel,\n"
      "                      oneDNN u8s8, XNNPACK qu8 and qc8: "
      "int8/<layer>/tT/<variant>\n",
      BENCH_DEFAULT_LAYERS, SCALAR_DEFAULT_MAX_MFLOP, BENCH_RESIDUAL_LAYERS);
}

/* Matches "--name=value" or "--name value"; advances *i for the latter. */
static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) != 0) return NULL;
  if (argv[*i][n] == '=') return argv[*i] + n + 1;
  if (argv[*i][n] == '\0' && *i + 1 < argc) return argv[++*i];
  return NULL;
}

/* "isa:gflops[,isa:gflops...]" */
static int parse_peaks(const char *text, double *peak) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", text);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    char *colon = strchr(tok, ':');
    if (colon == NULL) return -1;
    *colon = '\0';
    simdconv_isa isa;
    char *end = NULL;
    double v = strtod(colon + 1, &end);
    if (simdconv_isa_from_name(tok, &isa) != SIMDCONV_OK ||
        isa == SIMDCONV_ISA_AUTO || end == colon + 1 || *end != '\0' ||
        !(v > 0))
      return -1;
    peak[isa] = v;
  }
  return 0;
}

static int parse_options(int argc, char **argv, options *o) {
  *o = (options){NULL, NULL, false, -1.0, 8, {0}, false, false, false};
  for (int i = 1; i < argc; i++) {
    const char *v;
    char *end = NULL;
    if ((v = opt_value(argc, argv, &i, "--layers")) != NULL) {
      o->layers_path = v;
    } else if ((v = opt_value(argc, argv, &i, "--filter")) != NULL) {
      o->filter = v;
    } else if (strcmp(argv[i], "--scalar") == 0) {
      o->scalar_all = true;
    } else if (strcmp(argv[i], "--kernels") == 0) {
      o->kernels = true;
    } else if (strcmp(argv[i], "--residual") == 0) {
      o->residual = true;
    } else if (strcmp(argv[i], "--int8") == 0) {
      o->int8 = true;
    } else if ((v = opt_value(argc, argv, &i, "--rotate-mib")) != NULL) {
      o->rotate_mib = strtod(v, &end);
      if (end == v || *end != '\0' || o->rotate_mib < 0) goto bad;
    } else if ((v = opt_value(argc, argv, &i, "--validate-size")) != NULL) {
      unsigned long n = strtoul(v, &end, 10);
      if (end == v || *end != '\0' || n == 0 || n > 64) goto bad;
      o->validate_max_out = n;
    } else if ((v = opt_value(argc, argv, &i, "--peak")) != NULL) {
      if (parse_peaks(v, o->peak) != 0) goto bad;
    } else if ((v = opt_value(argc, argv, &i, "--pool-wait")) != NULL) {
      if (!bench_pool_wait_parse(v, &bench_pool_wait)) goto bad;
    } else {
      goto bad;
    }
    continue;
  bad:
    fprintf(stderr, "simdconv-bench: bad or unknown option '%s' (--help)\n",
            argv[i]);
    return 2;
  }
  if (o->layers_path == NULL)
    o->layers_path = o->residual ? BENCH_RESIDUAL_LAYERS : BENCH_DEFAULT_LAYERS;
  return 0;
}

static void add_variant(const bench_variant *v, void *ctx) {
  (void)ctx;
  if (g_nvariants == MAX_VARIANTS) return;
  g_variants[g_nvariants++] = *v;
}

static void context_f(const char *key, const char *fmt, double value) {
  char buf[64];
  snprintf(buf, sizeof buf, fmt, value);
  gb_add_context(key, buf);
}

/* Measures the peaks (unless given) and prints them; fills
 * g_cfg.peak_gflops. */
static void measure_peaks(const options *o) {
  char line[256] = "";
  size_t len = 0;
  double best = 0.0;
  bool given = false;
  for (int isa = 1; isa < SIMDCONV_ISA_COUNT; isa++) {
    double p = o->peak[isa];
    if (p > 0)
      given = true;
    else
      p = bench_measure_peak((simdconv_isa)isa);
    g_cfg.peak_gflops[isa] = p;
    if (p <= 0) continue;
    const char *name = simdconv_isa_name((simdconv_isa)isa);
    char key[48];
    snprintf(key, sizeof key, "peak_gflops_%s", name);
    context_f(key, "%.2f", p);
    len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %.1f",
                            len ? ", " : "", name, p);
    if (p > best) best = p;
  }
  g_cfg.peak_gflops[SIMDCONV_ISA_AUTO] = best;
  context_f("peak_gflops_machine", "%.2f", best);
  gb_add_context("peak_source", given ? "--peak (measured where not given)"
                                      : "measured");
  fprintf(stderr,
          "peak GFLOP/s per core (%s): %s; machine peak %.1f (baselines' "
          "%% of peak uses it); t%zu runs use peak x %zu\n",
          given ? "--peak, measured where not given"
                : "measured: FMA chains, best of 20",
          line, best, g_threads[g_cfg.nthreads - 1].count,
          g_threads[g_cfg.nthreads - 1].count);
}

/* The copy bandwidth at each thread count, of buffers twice the last-level
 * cache (from memory, as the rotated layers read theirs): the reference of
 * the report's depthwise GB/s. */
static void measure_copy_bandwidth(void) {
  const size_t bytes = 2 * bench_llc_bytes(); /* 32 MiB when unknown */
  char line[128] = "";
  size_t len = 0;
  for (size_t t = 0; t < g_cfg.nthreads; t++) {
    const double gbps = bench_copy_gbps(g_threads[t].pool, bytes, 10);
    char key[48];
    snprintf(key, sizeof key, "memcpy_gbps_t%zu", g_threads[t].count);
    context_f(key, "%.2f", gbps);
    len += (size_t)snprintf(line + len, sizeof line - len, "%st%zu %.1f",
                            len ? ", " : "", g_threads[t].count, gbps);
  }
  fprintf(stderr,
          "memcpy GB/s (read + written, %.0f MiB buffers, best of 10): %s\n",
          (double)bytes / 1048576.0, line);
}

static bool scalar_allowed(const options *o, const bench_variant *v,
                           const bench_layer *l) {
  if (o->scalar_all || v->backend != bench_simdconv_entry.backend ||
      v->option != SIMDCONV_ISA_SCALAR)
    return true;
  return layer_flops(l) <= SCALAR_DEFAULT_MAX_MFLOP * 1e6;
}

/* Builds the case list in run order: per layer, the timed runs (per thread
 * count, per variant), then the creation benchmarks. */
static int make_cases(const options *o) {
  regex_t re;
  if (o->filter != NULL && regcomp(&re, o->filter, REG_EXTENDED | REG_NOSUB)) {
    fprintf(stderr, "simdconv-bench: bad --filter regex '%s'\n", o->filter);
    return 2;
  }
  size_t cap = g_cfg.nlayers * g_nvariants * (g_cfg.nthreads + 1);
  g_cases = bench_alloc(cap * sizeof *g_cases);
  for (size_t li = 0; li < g_cfg.nlayers; li++) {
    const bench_layer *l = &g_layers[li];
    for (size_t pass = 0; pass <= g_cfg.nthreads; pass++) {
      bool create = pass == g_cfg.nthreads;
      for (size_t vi = 0; vi < g_nvariants; vi++) {
        const bench_variant *v = &g_variants[vi];
        if (v->backend->unsupported && v->backend->unsupported(v, l)) continue;
        if (!scalar_allowed(o, v, l)) continue;
        bench_case *c = &g_cases[g_ncases];
        memset(c, 0, sizeof *c);
        c->kind = create ? BENCH_CASE_CREATE : BENCH_CASE_RUN;
        c->variant = v;
        c->layer_index = li;
        c->thread_index = create ? 0 : pass;
        if (create)
          snprintf(c->name, sizeof c->name, "create/%s/%s", v->name, l->name);
        else
          snprintf(c->name, sizeof c->name, "%s/t%zu/%s", v->name,
                   g_threads[pass].count, l->name);
        if (o->filter != NULL && regexec(&re, c->name, 0, NULL, 0) != 0)
          continue;
        g_ncases++;
      }
    }
  }
  if (o->filter != NULL) regfree(&re);
  if (simdconv_isa_check(SIMDCONV_ISA_SCALAR) != SIMDCONV_OK)
    return 0;
  if (o->scalar_all)
    fprintf(stderr, "scalar ISA: benchmarked on every layer (--scalar)\n");
  else
    fprintf(stderr,
            "scalar ISA: slow, so benchmarked only on layers <= %.0f MFLOP "
            "(--scalar for all); validated on every layer\n",
            SCALAR_DEFAULT_MAX_MFLOP);
  return 0;
}

int bench_app_setup(int argc, char **argv) {
  options o;
  int rc = parse_options(argc, argv, &o);
  if (rc != 0) return rc;

  char err[256];
  if (layers_load(o.layers_path, &g_layers, &g_cfg.nlayers, err, sizeof err)) {
    fprintf(stderr, "simdconv-bench: %s\n", err);
    return 2;
  }
  g_cfg.layers = g_layers;

  /* Thread counts: one (no pool) and every core (pthreadpool_create(0)). */
  g_threads[0] = (bench_threads){1, NULL};
  g_cfg.nthreads = 1;
  g_pool = pthreadpool_create(0);
  if (g_pool != NULL && pthreadpool_get_threads_count(g_pool) > 1) {
    g_threads[1] =
        (bench_threads){pthreadpool_get_threads_count(g_pool), g_pool};
    g_cfg.nthreads = 2;
  }
  g_cfg.threads = g_threads;

  fprintf(stderr, "simdconv-bench: %zu layers from %s\n", g_cfg.nlayers,
          o.layers_path);
  gb_add_context("layers_file", o.layers_path);
  context_f("threads_all", "%.0f", (double)g_threads[g_cfg.nthreads - 1].count);

  for (size_t e = 0; e < NENTRIES; e++) {
    const bench_backend_entry *be = g_entries[e];
    if (be->init != NULL && be->init(err) != 0) {
      fprintf(stderr, "%s: skipped: %s\n", be->backend->name, err);
      continue;
    }
    char desc[256] = "";
    if (be->describe) be->describe(desc, sizeof desc);
    fprintf(stderr, "%s: %s\n", be->backend->name, desc);
    char key[48];
    snprintf(key, sizeof key, "backend_%s", be->backend->name);
    gb_add_context(key, desc);
    be->variants(add_variant, NULL);
  }
  for (size_t i = 0; i < g_nvariants; i++)
    if (g_variants[i].backend == bench_simdconv_entry.backend)
      g_simdconv[g_cfg.nsimdconv++] = &g_variants[i];
  g_cfg.simdconv_variants = g_simdconv;
#if !BENCH_HAVE_ONEDNN
  fprintf(stderr, "onednn: not built (libdnnl-dev not found at setup)\n");
#endif
#if !BENCH_HAVE_XNNPACK
  fprintf(stderr, "xnnpack: not built (libxnnpack-dev not found at setup)\n");
#endif

  measure_peaks(&o);

  g_cfg.rotate_bytes = o.rotate_mib >= 0
                           ? (size_t)(o.rotate_mib * 1048576.0)
                           : 2 * bench_llc_bytes();
  g_cfg.validate_max_out = o.validate_max_out;
  context_f("rotate_bytes", "%.0f", (double)g_cfg.rotate_bytes);
  measure_copy_bandwidth();
  gb_add_context("pool_wait",
                 bench_pool_wait == SIMDCONV_POOL_SPIN ? "spin" : "yield");
  fprintf(stderr,
          "threads: simdconv objects created with pool_wait %s (--pool-wait): "
          "after a run the pool's workers %s\n",
          bench_pool_wait == SIMDCONV_POOL_SPIN ? "SPIN" : "YIELD",
          bench_pool_wait == SIMDCONV_POOL_SPIN
              ? "spin on, as XNNPACK's (same pool) and oneDNN's OpenMP "
                "workers do"
              : "sleep at once (the library's default)");
  fprintf(stderr,
          "buffers: each timed loop rotates sets of {input, output, packed "
          "weights} totalling >= %.1f MiB (%s), at most %d sets\n",
          (double)g_cfg.rotate_bytes / 1048576.0,
          o.rotate_mib >= 0 ? "--rotate-mib" : "2 x last-level cache",
          BENCH_MAX_SETS);
  fprintf(stderr,
          "validation: every configuration first runs a reduced problem "
          "(batch <= 2, OH,OW <= %zu, same channels/kernel/stride/dilation/"
          "groups/padding) against the fp64 oracle; simdconv must also "
          "agree bitwise across ISAs, layouts and threads, on the reduced "
          "and on the full-size problem\n",
          g_cfg.validate_max_out);

  if (o.residual) {
    const size_t n = bench_residual_register(
        g_layers, g_cfg.nlayers, g_threads, g_cfg.nthreads,
        g_cfg.rotate_bytes, o.filter, &g_residual_failures);
    fprintf(stderr, "%zu residual benchmarks registered\n", n);
    return n > 0 ? 0 : 2;
  }
  if (o.int8) {
    const size_t n = bench_int8_register(g_layers, g_cfg.nlayers, g_threads,
                                         g_cfg.nthreads, g_cfg.rotate_bytes,
                                         o.filter, &g_int8_failures);
    fprintf(stderr, "%zu int8 benchmarks registered\n", n);
    return n > 0 ? 0 : 2;
  }
  if (o.kernels) {
    const size_t n = bench_kernels_register(g_cfg.peak_gflops, o.filter,
                                            &g_kernel_failures);
    fprintf(stderr, "%zu kernel benchmarks registered\n", n);
    return n > 0 ? 0 : 2;
  }
  runner_init(&g_cfg);
  rc = make_cases(&o);
  if (rc != 0) return rc;
  if (g_ncases == 0) {
    fprintf(stderr, "simdconv-bench: no benchmark matches --filter '%s'\n",
            o.filter ? o.filter : "");
    return 2;
  }
  for (size_t i = 0; i < g_ncases; i++) runner_register(&g_cases[i]);
  fprintf(stderr, "%zu benchmarks registered\n", g_ncases);
  fflush(stderr);
  return 0;
}

int bench_app_finish(void) {
  const size_t residual_ok = bench_residual_finish();
  if (residual_ok + g_residual_failures > 0)
    fprintf(stderr, "residual validation: %zu passed, %zu failed\n",
            residual_ok, g_residual_failures);
  const size_t int8_ok = bench_int8_finish();
  if (int8_ok + g_int8_failures > 0)
    fprintf(stderr, "int8 validation: %zu passed, %zu failed\n", int8_ok,
            g_int8_failures);
  size_t failures = runner_finish() + g_kernel_failures +
                    g_residual_failures + g_int8_failures;
  bench_free(g_cases);
  free(g_layers);
  if (g_pool != NULL) pthreadpool_destroy(g_pool);
  return failures ? 1 : 0;
}
