/*
 * simdconv-ab: two builds of simdconv side by side in one process, the
 * honest A/B on a shared, noisy machine. Both shared libraries are loaded
 * with dlopen (RTLD_LOCAL | RTLD_DEEPBIND: each resolves its own symbols),
 * every layer of a layer file runs on both with the same data, their calls
 * alternate (A B B A ...) over rotating buffer sets (cold caches, as in
 * simdconv-bench), and each library's median is compared. The outputs must
 * be the same bits: a change that is only meant to be faster must not
 * change a result.
 *
 *   simdconv-ab OLD.so NEW.so [--layers FILE] [--filter REGEX]
 *               [--layout nhwc|nchw|both] [--threads N] [--rounds N]
 *               [--isa NAME] [--rotate-mib X] [--pool-wait spin|yield]
 *               [--residual ALPHA [--in-place]]
 *
 * --residual times simdconv_run_residual() with a residual of the output's
 * shape (--in-place: the output itself, accumulated into, as a runtime's
 * skip connection often is); both libraries must export it.
 *
 * --pool-wait sets both objects' options.pool_wait (default yield, the
 * library's default; a library older than the option ignores it and
 * yields, so spin is an A/B of two libraries that both know it).
 *
 * Prints per layer and layout the GFLOP/s of both and the ratio NEW / OLD,
 * then the geometric mean of the ratios; exits 1 when outputs differ.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthreadpool.h>

#include "bench_data.h"
#include "layers.h"

/* The API calls used, from one library. */
typedef struct lib {
  const char *path;
  void *handle;
  simdconv_status (*create)(const simdconv_desc *, const float *,
                            const float *, const simdconv_options *,
                            simdconv_conv **);
  void (*destroy)(simdconv_conv *);
  simdconv_status (*workspace_size)(const simdconv_conv *, size_t, size_t,
                                    size_t, size_t *);
  simdconv_status (*run)(const simdconv_conv *, size_t, size_t, size_t,
                         const float *, float *, void *, size_t,
                         pthreadpool_t);
  simdconv_status (*run_residual)(const simdconv_conv *, size_t, size_t,
                                  size_t, const float *, const float *,
                                  float, float *, void *, size_t,
                                  pthreadpool_t);
  simdconv_status (*isa_from_name)(const char *, simdconv_isa *);
} lib;

static void *sym(lib *l, const char *name) {
  void *p = dlsym(l->handle, name);
  if (p == NULL) {
    fprintf(stderr, "simdconv-ab: %s: no %s\n", l->path, name);
    exit(2);
  }
  return p;
}

static void lib_open(lib *l, const char *path, bool residual) {
  l->path = path;
  l->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (l->handle == NULL) {
    fprintf(stderr, "simdconv-ab: %s\n", dlerror());
    exit(2);
  }
  *(void **)&l->create = sym(l, "simdconv_create");
  *(void **)&l->destroy = sym(l, "simdconv_destroy");
  *(void **)&l->workspace_size = sym(l, "simdconv_workspace_size");
  *(void **)&l->run = sym(l, "simdconv_run");
  if (residual)
    *(void **)&l->run_residual = sym(l, "simdconv_run_residual");
  *(void **)&l->isa_from_name = sym(l, "simdconv_isa_from_name");
}

typedef struct ab_options {
  const char *layers, *filter, *isa;
  int layouts; /* bit (1 << simdconv_layout) */
  size_t threads, rounds;
  double rotate_mib;
  int residual; /* 0: none, 1: a separate buffer, 2: in place */
  float alpha;
  simdconv_pool_wait pool_wait;
} ab_options;

/* One buffer set: input, output (and residual) and an object of each
 * library. */
typedef struct ab_set {
  float *x, *y[2], *r;
  simdconv_conv *conv[2];
} ab_set;

typedef struct ab_layer {
  const bench_layer *l;
  int residual;
  float alpha;
  simdconv_desc desc;
  size_t nx, ny, nsets, ws_bytes;
  ab_set *sets;
  void *ws;
} ab_layer;

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Sets, objects and the shared workspace; false when a library refuses the
 * layer. */
static bool ab_prepare(ab_layer *a, lib *libs, const ab_options *o,
                       simdconv_isa isa) {
  const bench_layer *l = a->l;
  const size_t nw = layer_weight_elems(l);
  float *w = bench_alloc_floats(nw), *b = bench_alloc_floats(l->K);
  uint64_t seed = 0x61622d74657374ull;
  bench_fill_uniform(w, nw, &seed);
  bench_fill_uniform(b, l->K, &seed);
  a->nx = layer_input_elems(l);
  a->ny = layer_output_elems(l);
  const double set_bytes =
      4.0 * (double)(a->nx + (a->residual == 1 ? 3 : 2) * a->ny + 2 * nw);
  const double want = o->rotate_mib >= 0 ? o->rotate_mib * 1048576.0
                                         : 2.0 * (double)bench_llc_bytes();
  a->nsets = (size_t)ceil(want / set_bytes);
  a->nsets = a->nsets < 1 ? 1 : a->nsets > 64 ? 64 : a->nsets;
  a->sets = calloc(a->nsets, sizeof *a->sets);
  const simdconv_options opt = {.isa = isa, .pool_wait = o->pool_wait};
  bool ok = true;
  a->ws_bytes = 0;
  for (size_t s = 0; s < a->nsets && ok; s++) {
    ab_set *set = &a->sets[s];
    set->x = bench_alloc_floats(a->nx);
    bench_fill_uniform(set->x, a->nx, &seed);
    if (a->residual == 1) {
      set->r = bench_alloc_floats(a->ny);
      bench_fill_uniform(set->r, a->ny, &seed);
    }
    const uint64_t y_seed = seed; /* in place: the same residual for both */
    for (int i = 0; i < 2 && ok; i++) {
      set->y[i] = bench_alloc_floats(a->ny);
      uint64_t s_i = y_seed;
      if (a->residual == 2)
        bench_fill_uniform(set->y[i], a->ny, &s_i);
      size_t bytes = 0;
      ok = libs[i].create(&a->desc, w, b, &opt, &set->conv[i]) ==
               SIMDCONV_OK &&
           libs[i].workspace_size(set->conv[i], l->N, l->H, l->W, &bytes) ==
               SIMDCONV_OK;
      if (bytes > a->ws_bytes)
        a->ws_bytes = bytes;
    }
  }
  a->ws = a->ws_bytes ? bench_alloc(a->ws_bytes) : NULL;
  bench_free(w);
  bench_free(b);
  return ok;
}

static void ab_release(ab_layer *a, lib *libs) {
  for (size_t s = 0; s < a->nsets; s++) {
    for (int i = 0; i < 2; i++) {
      if (a->sets[s].conv[i] != NULL)
        libs[i].destroy(a->sets[s].conv[i]);
      bench_free(a->sets[s].y[i]);
    }
    bench_free(a->sets[s].x);
    bench_free(a->sets[s].r);
  }
  free(a->sets);
  bench_free(a->ws);
}

static double ab_run(const ab_layer *a, lib *l, int i, size_t s,
                     pthreadpool_t pool) {
  const ab_set *set = &a->sets[s];
  const double t0 = bench_now();
  const simdconv_status st =
      a->residual == 0
          ? l->run(set->conv[i], a->l->N, a->l->H, a->l->W, set->x,
                   set->y[i], a->ws, a->ws_bytes, pool)
          : l->run_residual(set->conv[i], a->l->N, a->l->H, a->l->W, set->x,
                            a->residual == 2 ? set->y[i] : set->r, a->alpha,
                            set->y[i], a->ws, a->ws_bytes, pool);
  const double t = bench_now() - t0;
  if (st != SIMDCONV_OK) {
    fprintf(stderr, "simdconv-ab: %s: run failed (%d) on %s\n", l->path,
            (int)st, a->l->name);
    exit(2);
  }
  return t;
}

/* Times one layer: rounds of A B B A over the sets; returns false when the
 * outputs differ. */
static bool ab_layer_time(ab_layer *a, lib *libs, const ab_options *o,
                          pthreadpool_t pool, double *ratio_out) {
  for (size_t s = 0; s < a->nsets; s++) /* warm-up, and the bit check */
    for (int i = 0; i < 2; i++)
      ab_run(a, &libs[i], i, s, pool);
  size_t first;
  const size_t diff = bitwise_diff(a->sets[0].y[0], a->sets[0].y[1], a->ny,
                                   &first);
  const size_t n = 2 * o->rounds;
  double *t[2] = {malloc(n * sizeof(double)), malloc(n * sizeof(double))};
  size_t s = 0;
  for (size_t r = 0; r < o->rounds; r++)
    for (int k = 0; k < 4; k++) {
      const int i = (k == 0 || k == 3) ? 0 : 1; /* A B B A */
      t[i][2 * r + (k >= 2)] = ab_run(a, &libs[i], i, s, pool);
      s = (s + 1) % a->nsets;
    }
  const double flops = layer_flops(a->l);
  const double ma = median(t[0], n), mb = median(t[1], n);
  *ratio_out = ma / mb;
  printf("%-40s %-4s %8.1f %8.1f %6.3f %s\n", a->l->name,
         a->desc.layout == SIMDCONV_LAYOUT_NHWC ? "nhwc" : "nchw",
         flops / ma * 1e-9, flops / mb * 1e-9, ma / mb,
         diff ? "OUTPUTS DIFFER" : "same bits");
  if (diff)
    fprintf(stderr, "simdconv-ab: %s: %zu outputs differ, first %zu\n",
            a->l->name, diff, first);
  free(t[0]);
  free(t[1]);
  return diff == 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: simdconv-ab OLD.so NEW.so [--layers FILE] [--filter REGEX] "
          "[--layout nhwc|nchw|both] [--threads N] [--rounds N] [--isa NAME]"
          " [--rotate-mib X] [--pool-wait spin|yield]"
          " [--residual ALPHA [--in-place]]\n");
  return 2;
}

static int parse(int argc, char **argv, ab_options *o) {
  *o = (ab_options){BENCH_DEFAULT_LAYERS, NULL, NULL,
                    1 << SIMDCONV_LAYOUT_NHWC, 1, 15, -1.0, 0, 1.0f,
                    SIMDCONV_POOL_YIELD};
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--in-place") == 0) {
      o->residual = 2;
      continue;
    }
    if (v == NULL)
      return usage();
    if (strcmp(a, "--layers") == 0)
      o->layers = v;
    else if (strcmp(a, "--filter") == 0)
      o->filter = v;
    else if (strcmp(a, "--isa") == 0)
      o->isa = v;
    else if (strcmp(a, "--layout") == 0)
      o->layouts = strcmp(v, "both") == 0   ? 3
                   : strcmp(v, "nchw") == 0 ? 1 << SIMDCONV_LAYOUT_NCHW
                                            : 1 << SIMDCONV_LAYOUT_NHWC;
    else if (strcmp(a, "--threads") == 0)
      o->threads = strtoul(v, NULL, 10);
    else if (strcmp(a, "--rounds") == 0)
      o->rounds = strtoul(v, NULL, 10);
    else if (strcmp(a, "--rotate-mib") == 0)
      o->rotate_mib = strtod(v, NULL);
    else if (strcmp(a, "--pool-wait") == 0) {
      if (!bench_pool_wait_parse(v, &o->pool_wait))
        return usage();
    }
    else if (strcmp(a, "--residual") == 0) {
      o->alpha = strtof(v, NULL);
      o->residual = o->residual ? o->residual : 1;
    }
    else
      return usage();
    i++;
  }
  return o->rounds > 0 && o->threads > 0 ? 0 : usage();
}

int main(int argc, char **argv) {
  ab_options o;
  if (argc < 3 || parse(argc, argv, &o) != 0)
    return usage();
  lib libs[2] = {{0}, {0}};
  lib_open(&libs[0], argv[1], o.residual != 0);
  lib_open(&libs[1], argv[2], o.residual != 0);
  if (libs[0].create == libs[1].create) {
    fprintf(stderr, "simdconv-ab: both paths load the same library\n");
    return 2;
  }
  simdconv_isa isa = SIMDCONV_ISA_AUTO;
  if (o.isa != NULL && libs[0].isa_from_name(o.isa, &isa) != SIMDCONV_OK)
    return usage();
  bench_layer *layers;
  size_t nl;
  char err[256];
  if (layers_load(o.layers, &layers, &nl, err, sizeof err) != 0) {
    fprintf(stderr, "simdconv-ab: %s\n", err);
    return 2;
  }
  regex_t re;
  if (o.filter && regcomp(&re, o.filter, REG_EXTENDED | REG_NOSUB) != 0)
    return usage();
  pthreadpool_t pool = o.threads > 1 ? pthreadpool_create(o.threads) : NULL;
  printf("# A = %s\n# B = %s\n# %zu thread(s), %zu rounds of A B B A, "
         "medians; ratio = A time / B time (> 1: B faster)%s\n",
         argv[1], argv[2], o.threads, o.rounds,
         o.residual == 2   ? "; residual in place"
         : o.residual == 1 ? "; residual in its own buffer"
                           : "");
  printf("%-40s %-4s %8s %8s %6s\n", "layer", "", "A GF/s", "B GF/s", "B/A");
  double logsum = 0;
  size_t count = 0;
  bool same = true;
  for (size_t li = 0; li < nl; li++) {
    if (o.filter && regexec(&re, layers[li].name, 0, NULL, 0) != 0)
      continue;
    for (int lay = 0; lay < 2; lay++) {
      if (!(o.layouts & (1 << lay)))
        continue;
      ab_layer a = {.l = &layers[li],
                    .residual = o.residual,
                    .alpha = o.alpha,
                    .desc = layer_desc(&layers[li], (simdconv_layout)lay)};
      double ratio;
      if (ab_prepare(&a, libs, &o, isa)) {
        same &= ab_layer_time(&a, libs, &o, pool, &ratio);
        logsum += log(ratio);
        count++;
      } else {
        printf("%-40s skipped: a library refused the layer\n",
               layers[li].name);
      }
      ab_release(&a, libs);
    }
  }
  printf("geomean B/A over %zu layer runs: %.3f; outputs %s\n", count,
         count ? exp(logsum / (double)count) : 0.0,
         same ? "identical" : "DIFFER");
  if (pool)
    pthreadpool_destroy(pool);
  if (o.filter)
    regfree(&re);
  free(layers);
  return same ? 0 : 1;
}
