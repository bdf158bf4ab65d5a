/*
 * Per-kernel microbenchmarks (simdconv-bench --kernels), made from the
 * kernel registry as XNNPACK's bench/f32-igemm.cc is made from its kernel
 * list: every registered kernel this CPU runs, forced onto it
 * (simdconv_options.kernel), on GEMM-like shapes sized from its family and
 * tile so that its operands stay in L1 or in L2, one thread, warm caches
 * (the point is the micro-kernel, not the memory system; the layer suite
 * measures that). Names: kernel/<kernel>/<shape>/<L1|L2>. Counters: FLOP
 * (rate), pct_peak (of the kernel's ISA), bytes (operands per run),
 * footprint (input + weights + output bytes). Each shape is first checked
 * bitwise against the scalar kernel; a mismatch fails the benchmark.
 */
#define _POSIX_C_SOURCE 200809L
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_data.h"
#include "gbench_shim.h"
#include "kernels.h"

#define SCALAR_KERNEL "f32_conv_direct__scalar"

typedef struct kbench {
  simdconv_kernel_info k;
  simdconv_desc desc;
  size_t H, W;
  double peak;    /* GFLOP/s of the kernel's ISA, one core */
  char name[160];
  size_t *failures;
} kbench;

/* The shape of a benchmark: a layer and the cache level it fits. */
typedef struct kshape {
  const char *tag; /* "1x1", "3x3" */
  const char *level;
  size_t C, K, H, W, R;
  simdconv_layout layout;
  size_t groups;
  size_t stride; /* transposed with this stride (2: DCGAN's 4x4); 0: forward */
} kshape;

/* Multiply-adds x 2; a transposed layer's are counted from the input side
 * (every input pixel times every tap), as the layer suite counts them. */
static double flops_of(const simdconv_desc *d, size_t H, size_t W, size_t OH,
                       size_t OW) {
  const double pixels = d->transposed ? (double)H * (double)W
                                      : (double)OH * (double)OW;
  const double cg = (double)(d->in_channels / d->groups);
  const double kg = (double)(d->out_channels / d->groups);
  const double fan = d->transposed ? (double)d->in_channels * kg
                                   : (double)d->out_channels * cg;
  return 2.0 * pixels * fan * (double)d->kernel_h * (double)d->kernel_w;
}

/* Creates the object forced onto the kernel; NULL when it cannot take the
 * shape. */
static simdconv_conv *create(const simdconv_desc *d, const char *kernel,
                             const float *w, const float *b) {
  simdconv_options o = {.kernel = kernel};
  simdconv_conv *conv = NULL;
  return simdconv_create(d, w, b, &o, &conv) == SIMDCONV_OK ? conv : NULL;
}

typedef struct kdata {
  float *x, *w, *b, *y, *ys;
  void *ws;
  size_t ws_bytes, nx, ny;
} kdata;

static void kdata_free(kdata *t) {
  bench_free(t->x);
  bench_free(t->w);
  bench_free(t->b);
  bench_free(t->y);
  bench_free(t->ys);
  bench_free(t->ws);
}

/* Tensors for the shape, filled with test data. */
static void kdata_make(const kbench *kb, size_t OH, size_t OW, kdata *t) {
  const simdconv_desc *d = &kb->desc;
  const size_t nw = d->out_channels * (d->in_channels / d->groups) *
                    d->kernel_h * d->kernel_w;
  t->nx = d->in_channels * kb->H * kb->W;
  t->ny = d->out_channels * OH * OW;
  t->x = bench_alloc_floats(t->nx);
  t->w = bench_alloc_floats(nw);
  t->b = bench_alloc_floats(d->out_channels);
  t->y = bench_alloc_floats(t->ny);
  t->ys = bench_alloc_floats(t->ny);
  uint64_t seed = 0x6b65726e656cull;
  bench_fill_uniform(t->x, t->nx, &seed);
  bench_fill_uniform(t->w, nw, &seed);
  bench_fill_uniform(t->b, d->out_channels, &seed);
}

/* The kernel's output equals the scalar kernel's, bit for bit. */
static bool same_as_scalar(const kbench *kb, kdata *t) {
  simdconv_conv *ref = create(&kb->desc, SCALAR_KERNEL, t->w, t->b);
  if (ref == NULL)
    return false;
  size_t bytes = 0;
  simdconv_workspace_size(ref, 1, kb->H, kb->W, &bytes);
  void *ws = bytes ? bench_alloc(bytes) : NULL;
  const bool ran = simdconv_run(ref, 1, kb->H, kb->W, t->x, t->ys, ws, bytes,
                                NULL) == SIMDCONV_OK;
  bench_free(ws);
  simdconv_destroy(ref);
  return ran && memcmp(t->y, t->ys, t->ny * sizeof(float)) == 0;
}

static void kbench_body(gb_state *st, void *ctx) {
  kbench *kb = ctx;
  size_t OH, OW;
  simdconv_output_shape(&kb->desc, kb->H, kb->W, &OH, &OW);
  kdata t = {0};
  kdata_make(kb, OH, OW, &t);
  simdconv_conv *conv = create(&kb->desc, kb->k.name, t.w, t.b);
  if (conv == NULL) {
    gb_skip_with_error(st, "the kernel refused the shape");
    kdata_free(&t);
    ++*kb->failures;
    return;
  }
  simdconv_workspace_size(conv, 1, kb->H, kb->W, &t.ws_bytes);
  t.ws = t.ws_bytes ? bench_alloc(t.ws_bytes) : NULL;
  simdconv_status s = simdconv_run(conv, 1, kb->H, kb->W, t.x, t.y, t.ws,
                                   t.ws_bytes, NULL);
  if (s != SIMDCONV_OK || !same_as_scalar(kb, &t)) {
    gb_skip_with_error(st, "VALIDATION FAILED: not the scalar kernel's bits");
    ++*kb->failures;
  }
  const double t0 = bench_now();
  while (gb_keep_running(st))
    simdconv_run(conv, 1, kb->H, kb->W, t.x, t.y, t.ws, t.ws_bytes, NULL);
  const double elapsed = bench_now() - t0;
  const double it = (double)gb_iterations(st);
  const double flops = flops_of(&kb->desc, kb->H, kb->W, OH, OW);
  const size_t nw = kb->desc.out_channels *
                    (kb->desc.in_channels / kb->desc.groups) *
                    kb->desc.kernel_h * kb->desc.kernel_w;
  const double bytes = 4.0 * (double)(t.nx + t.ny + nw);
  gb_set_counter(st, "FLOP", flops * it, GB_COUNTER_RATE);
  if (kb->peak > 0 && elapsed > 0)
    gb_set_counter(st, "pct_peak", 100.0 * flops * it / elapsed / 1e9 /
                                       kb->peak,
                   GB_COUNTER_DEFAULT);
  gb_set_counter(st, "bytes", bytes * it, GB_COUNTER_RATE);
  gb_set_counter(st, "footprint", bytes, GB_COUNTER_DEFAULT);
  gb_set_label(st, kb->k.family);
  simdconv_destroy(conv);
  kdata_free(&t);
}

/* The shapes of a kernel's family: operands of ~16-40 KiB (L1) and of
 * ~0.1-0.8 MiB (L2). igemm layers have K = NR output channels (one block,
 * which every igemm kernel's constraints accept) and a multiple of MR
 * pixels, so every call is a full tile. */
static size_t family_shapes(const simdconv_kernel_info *k, kshape *out) {
  const size_t m = k->tile_m, n = k->tile_n;
  /* Transposed 4x4 stride 2 pad 1: each output phase row has W pixels (a
   * multiple of MR), every output 2x2 taps. */
  if (strcmp(k->family, "deconv_igemm") == 0) {
    out[0] = (kshape){"4x4s2", "L1", 32, n, 4, 2 * m, 4,
                      SIMDCONV_LAYOUT_NHWC, 1, 2};
    out[1] = (kshape){"4x4s2", "L2", 64, n, 8, 8 * m, 4,
                      SIMDCONV_LAYOUT_NHWC, 1, 2};
    return 2;
  }
  if (strcmp(k->family, "deconv_dwconv") == 0) {
    out[0] = (kshape){"4x4s2", "L1", 2 * n, 2 * n, 10, 10, 4,
                      SIMDCONV_LAYOUT_NHWC, 2 * n, 2};
    out[1] = (kshape){"4x4s2", "L2", 8 * n, 8 * n, 28, 28, 4,
                      SIMDCONV_LAYOUT_NHWC, 8 * n, 2};
    return 2;
  }
  if (strcmp(k->family, "igemm") == 0) {
    out[0] = (kshape){"1x1", "L1", 64, n, 1, 8 * m, 1, SIMDCONV_LAYOUT_NHWC,
                      1, 0};
    out[1] = (kshape){"1x1", "L2", 256, n, 1, 32 * m, 1,
                      SIMDCONV_LAYOUT_NHWC, 1, 0};
    out[2] = (kshape){"3x3", "L2", 64, n, 8, 4 * m, 3, SIMDCONV_LAYOUT_NHWC,
                      1, 0};
    return 3;
  }
  if (strcmp(k->family, "gemm_nchw") == 0) {
    out[0] = (kshape){"1x1", "L1", 32, 2 * m, 1, 8 * n, 1,
                      SIMDCONV_LAYOUT_NCHW, 1, 0};
    out[1] = (kshape){"1x1", "L2", 64, 8 * m, 4, 16 * n, 1,
                      SIMDCONV_LAYOUT_NCHW, 1, 0};
    return 2;
  }
  const simdconv_layout l = k->layouts & (1u << SIMDCONV_LAYOUT_NHWC)
                                ? SIMDCONV_LAYOUT_NHWC
                                : SIMDCONV_LAYOUT_NCHW;
  if (strcmp(k->family, "dwconv") == 0) {
    out[0] = (kshape){"3x3", "L1", 2 * n, 2 * n, 10, 10, 3, l, 2 * n, 0};
    out[1] = (kshape){"3x3", "L2", 8 * n, 8 * n, 28, 28, 3, l, 8 * n, 0};
    return 2;
  }
  out[0] = (kshape){"3x3", "L1", 8, 8, 10, 10, 3, l, 1, 0};
  return 1;
}

static simdconv_desc shape_desc(const kshape *s) {
  simdconv_desc d;
  simdconv_desc_init(&d, s->C, s->K, s->R, s->R);
  /* Transposed: the crop that makes the output stride x the input. */
  const size_t pad = s->stride ? (s->R - s->stride) / 2 : s->R / 2;
  d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = pad;
  d.transposed = s->stride != 0;
  d.stride_h = d.stride_w = s->stride ? s->stride : 1;
  d.layout = s->layout;
  d.weight_layout = SIMDCONV_WEIGHTS_OHWI;
  d.groups = s->groups;
  return d;
}

size_t bench_kernels_register(const double *peak_gflops, const char *filter,
                              size_t *failures) {
  regex_t re;
  if (filter != NULL && regcomp(&re, filter, REG_EXTENDED | REG_NOSUB))
    return 0;
  const size_t nk = simdconv_kernel_count();
  kbench *all = bench_alloc(nk * 4 * sizeof *all);
  size_t n = 0;
  for (size_t i = 0; i < nk; i++) {
    simdconv_kernel_info k;
    if (simdconv_kernel_get(i, &k) != SIMDCONV_OK || !k.usable ||
        strncmp(k.name, "f32_", 4) != 0) /* fp32 objects; int8: --int8 */
      continue;
    kshape shapes[4];
    const size_t ns = family_shapes(&k, shapes);
    for (size_t s = 0; s < ns; s++) {
      kbench *kb = &all[n];
      *kb = (kbench){.k = k, .desc = shape_desc(&shapes[s]),
                     .H = shapes[s].H, .W = shapes[s].W,
                     .peak = peak_gflops[k.isa], .failures = failures};
      snprintf(kb->name, sizeof kb->name,
               "kernel/%s/%s_c%zu_k%zu_%zux%zu/%s", k.name, shapes[s].tag,
               shapes[s].C, shapes[s].K, shapes[s].H, shapes[s].W,
               shapes[s].level);
      if (filter != NULL && regexec(&re, kb->name, 0, NULL, 0) != 0)
        continue;
      gb_register(kb->name, kbench_body, kb);
      n++;
    }
  }
  if (filter != NULL)
    regfree(&re);
  return n; /* `all` lives until the process exits: ctx of the benchmarks */
}
