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
 *               [--residual ALPHA [--in-place] | --int8]
 *
 * --residual times simdconv_run_residual() with a residual of the output's
 * shape (--in-place: the output itself, accumulated into, as a runtime's
 * skip connection often is); both libraries must export it.
 *
 * --int8 times the int8 convolution instead (simdconv_create_q8 /
 * simdconv_run_q8): uint8 input and output, int8 weights with a scale per
 * output channel, the data and quantization of simdconv-bench --int8
 * (bench_q8_tensors_make), random input bytes per set; the outputs are
 * compared byte for byte and the rates are GOP/s. Both libraries must
 * export the int8 API (looked up only with --int8); it has no residual
 * form.
 *
 * --pool-wait sets both objects' options.pool_wait (default yield, the
 * library's default; a library older than the option ignores it and
 * yields, so spin is an A/B of two libraries that both know it).
 *
 * Prints per layer and layout the GFLOP/s (int8: GOP/s) of both and the
 * ratio NEW / OLD, then the geometric mean of the ratios; exits 1 when
 * outputs differ.
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
  simdconv_status (*create_q8)(const simdconv_desc *,
                               const simdconv_qparams *, const int8_t *,
                               const int32_t *, const simdconv_options *,
                               simdconv_conv **);
  simdconv_status (*run_q8)(const simdconv_conv *, size_t, size_t, size_t,
                            const void *, void *, void *, size_t,
                            pthreadpool_t);
  simdconv_status (*isa_from_name)(const char *, simdconv_isa *);
} lib;

typedef struct ab_options {
  const char *layers, *filter, *isa;
  int layouts; /* bit (1 << simdconv_layout) */
  size_t threads, rounds;
  double rotate_mib;
  int residual; /* 0: none, 1: a separate buffer, 2: in place */
  float alpha;
  simdconv_pool_wait pool_wait;
  bool int8;
} ab_options;

static void *sym(lib *l, const char *name) {
  void *p = dlsym(l->handle, name);
  if (p == NULL) {
    fprintf(stderr, "simdconv-ab: %s: no %s\n", l->path, name);
    exit(2);
  }
  return p;
}

/* The calls the options use: an old library without the int8 API (or
 * run_residual) still serves the float mode. */
static void lib_open(lib *l, const char *path, const ab_options *o) {
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
  if (o->residual)
    *(void **)&l->run_residual = sym(l, "simdconv_run_residual");
  if (o->int8) {
    *(void **)&l->create_q8 = sym(l, "simdconv_create_q8");
    *(void **)&l->run_q8 = sym(l, "simdconv_run_q8");
  }
  *(void **)&l->isa_from_name = sym(l, "simdconv_isa_from_name");
}

/* One buffer set: input, output (and residual) and an object of each
 * library; float or uint8 elements as the mode says. */
typedef struct ab_set {
  void *x, *y[2], *r;
  simdconv_conv *conv[2];
} ab_set;

typedef struct ab_layer ab_layer;

/* What the float and the int8 runs do differently. */
typedef struct ab_mode {
  size_t esize;          /* bytes of an element of input and output */
  const char *head[2];   /* the rate columns' heads */
  const char *elements;  /* what the bit check counts */
  const char *note;      /* for the header line */
  /* The layer's weights (and bias, quantization), in *a, from *seed. */
  void (*weights)(ab_layer *a, uint64_t *seed);
  /* n random elements. */
  void (*fill)(void *p, size_t n, uint64_t *seed);
  simdconv_status (*create)(const ab_layer *a, const lib *l,
                            const simdconv_options *opt, simdconv_conv **c);
  simdconv_status (*run)(const ab_layer *a, const lib *l, int i,
                         const ab_set *set, pthreadpool_t pool);
  /* Elements of two outputs that differ, *first the first of them. */
  size_t (*diff)(const void *a, const void *b, size_t n, size_t *first);
} ab_mode;

struct ab_layer {
  const bench_layer *l;
  const ab_mode *mode;
  int residual;
  float alpha;
  simdconv_desc desc;
  float *w, *b;        /* float mode, until the objects are made */
  bench_q8_tensors q8; /* int8 mode, likewise */
  size_t nx, ny, nsets, ws_bytes;
  ab_set *sets;
  void *ws;
};

/* ---- the float mode ---------------------------------------------------- */

static void f32_weights(ab_layer *a, uint64_t *seed) {
  const size_t nw = layer_weight_elems(a->l);
  a->w = bench_alloc_floats(nw);
  a->b = bench_alloc_floats(a->l->K);
  bench_fill_uniform(a->w, nw, seed);
  bench_fill_uniform(a->b, a->l->K, seed);
}

static void f32_fill(void *p, size_t n, uint64_t *seed) {
  bench_fill_uniform(p, n, seed);
}

static simdconv_status f32_create(const ab_layer *a, const lib *l,
                                  const simdconv_options *opt,
                                  simdconv_conv **c) {
  return l->create(&a->desc, a->w, a->b, opt, c);
}

static simdconv_status f32_run(const ab_layer *a, const lib *l, int i,
                               const ab_set *set, pthreadpool_t pool) {
  const bench_layer *bl = a->l;
  if (a->residual == 0)
    return l->run(set->conv[i], bl->N, bl->H, bl->W, set->x, set->y[i],
                  a->ws, a->ws_bytes, pool);
  return l->run_residual(set->conv[i], bl->N, bl->H, bl->W, set->x,
                         a->residual == 2 ? set->y[i] : set->r, a->alpha,
                         set->y[i], a->ws, a->ws_bytes, pool);
}

static size_t f32_diff(const void *a, const void *b, size_t n,
                       size_t *first) {
  return bitwise_diff(a, b, n, first);
}

static const ab_mode ab_f32 = {.esize = sizeof(float),
                               .head = {"A GF/s", "B GF/s"},
                               .elements = "outputs",
                               .note = "",
                               .weights = f32_weights,
                               .fill = f32_fill,
                               .create = f32_create,
                               .run = f32_run,
                               .diff = f32_diff};

/* ---- the int8 mode ----------------------------------------------------- */

/* simdconv-bench --int8's data of the layer; the seed is for the inputs. */
static void q8_weights(ab_layer *a, uint64_t *seed) {
  (void)seed;
  bench_q8_tensors_make(&a->q8, a->l, BENCH_Q8_U8_CHANNEL);
}

static simdconv_status q8_create(const ab_layer *a, const lib *l,
                                 const simdconv_options *opt,
                                 simdconv_conv **c) {
  return l->create_q8(&a->desc, &a->q8.q, a->q8.w, a->q8.bias, opt, c);
}

static simdconv_status q8_run(const ab_layer *a, const lib *l, int i,
                              const ab_set *set, pthreadpool_t pool) {
  return l->run_q8(set->conv[i], a->l->N, a->l->H, a->l->W, set->x,
                   set->y[i], a->ws, a->ws_bytes, pool);
}

static const ab_mode ab_q8 = {
    .esize = 1,
    .head = {"A GOP/s", "B GOP/s"},
    .elements = "bytes",
    .note = "; int8: uint8 in and out, per-channel weight scales",
    .weights = q8_weights,
    .fill = bench_fill_bytes,
    .create = q8_create,
    .run = q8_run,
    .diff = bytewise_diff};

static const ab_mode *ab_mode_of(const ab_options *o) {
  return o->int8 ? &ab_q8 : &ab_f32;
}

/* ---- sets, runs, timing ------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Sets enough to fill --rotate-mib (default: twice the last-level cache),
 * each holding its input, both outputs (and a residual) and both objects'
 * packed weights, in bytes of the mode's elements; 1 to 64. */
static size_t ab_nsets(const ab_layer *a, const ab_options *o) {
  const size_t elems = a->nx + (a->residual == 1 ? 3 : 2) * a->ny +
                       2 * layer_weight_elems(a->l);
  const double set_bytes = (double)a->mode->esize * (double)elems;
  const double want = o->rotate_mib >= 0 ? o->rotate_mib * 1048576.0
                                         : 2.0 * (double)bench_llc_bytes();
  const size_t n = (size_t)ceil(want / set_bytes);
  return n < 1 ? 1 : n > 64 ? 64 : n;
}

/* One set's buffers and objects; false when a library refuses the layer. */
static bool ab_set_make(ab_layer *a, ab_set *set, lib *libs,
                        const simdconv_options *opt, uint64_t *seed) {
  const ab_mode *m = a->mode;
  set->x = bench_alloc(a->nx * m->esize);
  m->fill(set->x, a->nx, seed);
  if (a->residual == 1) {
    set->r = bench_alloc(a->ny * m->esize);
    m->fill(set->r, a->ny, seed);
  }
  const uint64_t y_seed = *seed; /* in place: the same residual for both */
  bool ok = true;
  for (int i = 0; i < 2 && ok; i++) {
    set->y[i] = bench_alloc(a->ny * m->esize);
    uint64_t s_i = y_seed;
    if (a->residual == 2)
      m->fill(set->y[i], a->ny, &s_i);
    size_t bytes = 0;
    ok = m->create(a, &libs[i], opt, &set->conv[i]) == SIMDCONV_OK &&
         libs[i].workspace_size(set->conv[i], a->l->N, a->l->H, a->l->W,
                                &bytes) == SIMDCONV_OK;
    if (bytes > a->ws_bytes)
      a->ws_bytes = bytes;
  }
  return ok;
}

static void ab_weights_free(ab_layer *a) {
  bench_free(a->w);
  bench_free(a->b);
  a->w = a->b = NULL;
  bench_q8_tensors_free(&a->q8);
}

/* Sets, objects and the shared workspace; false when a library refuses the
 * layer. */
static bool ab_prepare(ab_layer *a, lib *libs, const ab_options *o,
                       simdconv_isa isa) {
  uint64_t seed = 0x61622d74657374ull;
  a->mode->weights(a, &seed);
  a->nx = layer_input_elems(a->l);
  a->ny = layer_output_elems(a->l);
  a->nsets = ab_nsets(a, o);
  a->sets = calloc(a->nsets, sizeof *a->sets);
  const simdconv_options opt = {.isa = isa, .pool_wait = o->pool_wait};
  bool ok = true;
  a->ws_bytes = 0;
  for (size_t s = 0; s < a->nsets && ok; s++)
    ok = ab_set_make(a, &a->sets[s], libs, &opt, &seed);
  a->ws = a->ws_bytes ? bench_alloc(a->ws_bytes) : NULL;
  ab_weights_free(a);
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
  const double t0 = bench_now();
  const simdconv_status st = a->mode->run(a, l, i, &a->sets[s], pool);
  const double t = bench_now() - t0;
  if (st != SIMDCONV_OK) {
    fprintf(stderr, "simdconv-ab: %s: run failed (%d) on %s\n", l->path,
            (int)st, a->l->name);
    exit(2);
  }
  return t;
}

/* The layer's line: rates of A and B from their median times, the ratio
 * and the bit check. */
static void ab_print(const ab_layer *a, double ma, double mb, size_t diff,
                     size_t first) {
  const double ops = layer_flops(a->l);
  printf("%-40s %-4s %8.1f %8.1f %6.3f %s\n", a->l->name,
         a->desc.layout == SIMDCONV_LAYOUT_NHWC ? "nhwc" : "nchw",
         ops / ma * 1e-9, ops / mb * 1e-9, ma / mb,
         diff ? "OUTPUTS DIFFER" : "same bits");
  if (diff)
    fprintf(stderr, "simdconv-ab: %s: %zu %s differ, first %zu\n",
            a->l->name, diff, a->mode->elements, first);
}

/* Times one layer: rounds of A B B A over the sets; returns false when the
 * outputs differ. */
static bool ab_layer_time(ab_layer *a, lib *libs, const ab_options *o,
                          pthreadpool_t pool, double *ratio_out) {
  for (size_t s = 0; s < a->nsets; s++) /* warm-up, and the bit check */
    for (int i = 0; i < 2; i++)
      ab_run(a, &libs[i], i, s, pool);
  size_t first = 0;
  const size_t diff = a->mode->diff(a->sets[0].y[0], a->sets[0].y[1], a->ny,
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
  const double ma = median(t[0], n), mb = median(t[1], n);
  *ratio_out = ma / mb;
  ab_print(a, ma, mb, diff, first);
  free(t[0]);
  free(t[1]);
  return diff == 0;
}

/* ---- options and main -------------------------------------------------- */

static int usage(void) {
  fprintf(stderr,
          "usage: simdconv-ab OLD.so NEW.so [--layers FILE] [--filter REGEX] "
          "[--layout nhwc|nchw|both] [--threads N] [--rounds N] [--isa NAME]"
          " [--rotate-mib X] [--pool-wait spin|yield]"
          " [--residual ALPHA [--in-place] | --int8]\n");
  return 2;
}

/* The options that take a value; false for an unknown one. */
static bool parse_value(const char *a, const char *v, ab_options *o) {
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
  else if (strcmp(a, "--pool-wait") == 0)
    return bench_pool_wait_parse(v, &o->pool_wait);
  else if (strcmp(a, "--residual") == 0) {
    o->alpha = strtof(v, NULL);
    o->residual = o->residual ? o->residual : 1;
  } else
    return false;
  return true;
}

static int parse(int argc, char **argv, ab_options *o) {
  *o = (ab_options){BENCH_DEFAULT_LAYERS, NULL, NULL,
                    1 << SIMDCONV_LAYOUT_NHWC, 1, 15, -1.0, 0, 1.0f,
                    SIMDCONV_POOL_YIELD, false};
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--in-place") == 0)
      o->residual = 2;
    else if (strcmp(a, "--int8") == 0)
      o->int8 = true;
    else if (v == NULL || !parse_value(a, v, o))
      return usage();
    else
      i++;
  }
  if (o->int8 && o->residual) {
    fprintf(stderr, "simdconv-ab: --residual and --in-place have no int8 "
                    "form: not with --int8\n");
    return usage();
  }
  return o->rounds > 0 && o->threads > 0 ? 0 : usage();
}

static void ab_header(char **argv, const ab_options *o, const ab_mode *m) {
  printf("# A = %s\n# B = %s\n# %zu thread(s), %zu rounds of A B B A, "
         "medians; ratio = A time / B time (> 1: B faster)%s%s\n",
         argv[1], argv[2], o->threads, o->rounds,
         o->residual == 2   ? "; residual in place"
         : o->residual == 1 ? "; residual in its own buffer"
                            : "",
         m->note);
  printf("%-40s %-4s %8s %8s %6s\n", "layer", "", m->head[0], m->head[1],
         "B/A");
}

/* The layers the filter keeps, in the layouts asked for: their lines and
 * the geometric mean; false when any outputs differ. */
static bool ab_all(const bench_layer *layers, size_t nl, const regex_t *re,
                   lib *libs, const ab_options *o, simdconv_isa isa,
                   pthreadpool_t pool) {
  const ab_mode *mode = ab_mode_of(o);
  double logsum = 0;
  size_t count = 0;
  bool same = true;
  for (size_t li = 0; li < nl; li++) {
    if (re && regexec(re, layers[li].name, 0, NULL, 0) != 0)
      continue;
    for (int lay = 0; lay < 2; lay++) {
      if (!(o->layouts & (1 << lay)))
        continue;
      ab_layer a = {.l = &layers[li],
                    .mode = mode,
                    .residual = o->residual,
                    .alpha = o->alpha,
                    .desc = layer_desc(&layers[li], (simdconv_layout)lay)};
      double ratio;
      if (ab_prepare(&a, libs, o, isa)) {
        same &= ab_layer_time(&a, libs, o, pool, &ratio);
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
  return same;
}

int main(int argc, char **argv) {
  ab_options o;
  if (argc < 3)
    return usage();
  if (parse(argc, argv, &o) != 0)
    return 2; /* parse printed the usage */
  lib libs[2] = {{0}, {0}};
  lib_open(&libs[0], argv[1], &o);
  lib_open(&libs[1], argv[2], &o);
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
  ab_header(argv, &o, ab_mode_of(&o));
  const bool same =
      ab_all(layers, nl, o.filter ? &re : NULL, libs, &o, isa, pool);
  if (pool)
    pthreadpool_destroy(pool);
  if (o.filter)
    regfree(&re);
  free(layers);
  return same ? 0 : 1;
}
