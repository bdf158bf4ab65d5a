/*
 * simdconv-bench --residual: the fused residual add on the residual layers
 * of ResNet-50 and MobileNetV2 (residual_layers.csv), NHWC, next to what it
 * replaces, in one run:
 *
 *   residual/<layer>/tT/plain          simdconv_run, no residual: the cost
 *                                      the fused add should not exceed by
 *                                      more than a few percent
 *   residual/<layer>/tT/fused          simdconv_run_residual, the residual
 *                                      in its own buffer
 *   residual/<layer>/tT/fused_inplace  simdconv_run_residual with the
 *                                      residual in the output buffer (MLAS's
 *                                      Beta = 1)
 *   residual/<layer>/tT/unfused        the convolution without activation,
 *                                      then a separate pass y = act(y + r)
 *   residual/<layer>/tT/onednn_sum     oneDNN, NHWC, a sum post-op (and
 *                                      ReLU), the residual in dst
 *
 * act is ReLU for the resnet50/ rows and none for the mobilenetv2/ ones
 * (linear bottlenecks). Cold caches as in the layer suite: every run takes
 * the next of enough sets of {input, residual, output, packed weights} to
 * fill twice the last-level cache. The in-place variants need the residual
 * in the output before each run: all sets are refilled at the start of
 * each rotation (untimed; manual timing of the run alone), so a run still
 * finds its output cold. Validation first: fused against the fp64 oracle
 * (simdconv_reference_residual), fused_inplace and unfused bitwise equal to
 * fused (fmaf(1, r, acc) is acc + r exactly), oneDNN within the oracle's
 * bound.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gbench_shim.h"
#include "instance.h"
#include "residual.h"

typedef enum res_mode {
  RES_PLAIN,
  RES_FUSED,
  RES_FUSED_INPLACE,
  RES_UNFUSED,
  RES_ONEDNN_SUM,
  RES_MODES
} res_mode;

static const char *const res_mode_names[RES_MODES] = {
    "plain", "fused", "fused_inplace", "unfused", "onednn_sum"};

/* One set: NHWC input, residual and output, and the objects. */
typedef struct res_set {
  float *x, *r, *y;
  simdconv_conv *conv;  /* with the layer's activation */
  simdconv_conv *noact; /* without (the unfused variant's convolution) */
} res_set;

typedef struct res_bench {
  const bench_layer *l;
  bench_threads th;
  res_mode mode;
  bool relu;
  char name[192];
  size_t *failures;
  /* Prepared on first use, released by res_release(). */
  res_set *sets;
  size_t nsets, next;
  void *ws;
  size_t ws_bytes;
  bench_instance dn; /* oneDNN's sets (onednn_sum) */
  bench_variant dn_variant;
  bool ready, failed;
} res_bench;

static size_t g_rotate_bytes;
static size_t g_validated; /* benchmarks that passed validation */
static res_bench *g_current; /* the bench whose sets are allocated */

static simdconv_desc res_desc(const res_bench *b, bool act) {
  simdconv_desc d = layer_desc(b->l, SIMDCONV_LAYOUT_NHWC);
  if (act && b->relu) {
    d.activation = SIMDCONV_ACT_CLAMP;
    d.act_min = 0.0f;
  }
  return d;
}

static void res_release(res_bench *b) {
  for (size_t s = 0; s < b->nsets; s++) {
    simdconv_destroy(b->sets[s].conv);
    simdconv_destroy(b->sets[s].noact);
    bench_free(b->sets[s].x);
    bench_free(b->sets[s].r);
    bench_free(b->sets[s].y);
  }
  free(b->sets);
  bench_free(b->ws);
  if (b->mode == RES_ONEDNN_SUM && b->ready)
    instance_destroy(&b->dn);
  b->sets = NULL;
  b->nsets = 0;
  b->ws = NULL;
  b->ready = false;
}

static simdconv_conv *res_create(const simdconv_desc *d,
                                 const bench_tensors *t) {
  const simdconv_options o = {.pool_wait = bench_pool_wait};
  simdconv_conv *c = NULL;
  return simdconv_create(d, t->weights, t->bias, &o, &c) == SIMDCONV_OK
             ? c
             : NULL;
}

/* The sets: each holds the layer's NHWC input and a residual. */
static bool res_make_sets(res_bench *b, const bench_tensors *t) {
  const bench_layer *l = b->l;
  const size_t nx = layer_input_elems(l), ny = layer_output_elems(l);
  const size_t set_bytes =
      (nx + 2 * ny + layer_weight_elems(l) + l->K) * sizeof(float);
  b->nsets = g_rotate_bytes / set_bytes + 1;
  b->nsets = b->nsets > BENCH_MAX_SETS ? BENCH_MAX_SETS : b->nsets;
  b->sets = calloc(b->nsets, sizeof *b->sets);
  const simdconv_desc d = res_desc(b, true), dn = res_desc(b, false);
  uint64_t seed = 0x7265736964ull;
  for (size_t s = 0; s < b->nsets; s++) {
    res_set *set = &b->sets[s];
    set->x = bench_alloc_floats(nx);
    set->r = bench_alloc_floats(ny);
    set->y = bench_alloc_floats(ny);
    nchw_to_nhwc(t->input, set->x, l->N, l->C, l->H, l->W);
    bench_fill_uniform(set->r, ny, &seed);
    set->conv = res_create(&d, t);
    set->noact = b->mode == RES_UNFUSED ? res_create(&dn, t) : NULL;
    if (set->conv == NULL || (b->mode == RES_UNFUSED && set->noact == NULL))
      return false;
  }
  size_t bytes = 0;
  simdconv_workspace_size(b->sets[0].conv, l->N, l->H, l->W, &bytes);
  b->ws_bytes = bytes;
  b->ws = bench_alloc(bytes);
  return true;
}

/* y = act(y + r), the unfused variant's second pass; ReLU as the
 * library's clamp evaluates it (maxps: NaN and -0.0 pass through). */
static void res_add_pass(float *y, const float *r, size_t n, bool relu) {
  for (size_t i = 0; i < n; i++) {
    const float v = y[i] + r[i];
    y[i] = relu && 0.0f > v ? 0.0f : v;
  }
}

/* One run of set s; false on a failed call. */
static bool res_run(res_bench *b, size_t s) {
  const bench_layer *l = b->l;
  res_set *set = &b->sets[s];
  const size_t ny = layer_output_elems(l);
  switch (b->mode) {
  case RES_PLAIN:
    return simdconv_run(set->conv, l->N, l->H, l->W, set->x, set->y, b->ws,
                        b->ws_bytes, b->th.pool) == SIMDCONV_OK;
  case RES_FUSED:
    return simdconv_run_residual(set->conv, l->N, l->H, l->W, set->x, set->r,
                                 1.0f, set->y, b->ws, b->ws_bytes,
                                 b->th.pool) == SIMDCONV_OK;
  case RES_FUSED_INPLACE:
    return simdconv_run_residual(set->conv, l->N, l->H, l->W, set->x, set->y,
                                 1.0f, set->y, b->ws, b->ws_bytes,
                                 b->th.pool) == SIMDCONV_OK;
  case RES_UNFUSED:
    if (simdconv_run(set->noact, l->N, l->H, l->W, set->x, set->y, b->ws,
                     b->ws_bytes, b->th.pool) != SIMDCONV_OK)
      return false;
    res_add_pass(set->y, set->r, ny, b->relu);
    return true;
  case RES_ONEDNN_SUM: {
    char err[BENCH_ERR_LEN];
    return instance_run(&b->dn, s, err) == 0;
  }
  default:
    return false;
  }
}

/* The output buffers that must hold the residual before a run. */
static void res_refill(res_bench *b) {
  const size_t ny = layer_output_elems(b->l);
  if (b->mode == RES_FUSED_INPLACE)
    for (size_t s = 0; s < b->nsets; s++)
      memcpy(b->sets[s].y, b->sets[s].r, ny * sizeof(float));
  if (b->mode == RES_ONEDNN_SUM)
    for (size_t s = 0; s < b->dn.nsets; s++)
      memcpy(b->dn.out[s], b->sets[s % b->nsets].r, ny * sizeof(float));
}

/* Checks set 0's output: the oracle's bound, and for simdconv the fused
 * variant's bits. */
static bool res_validate(res_bench *b, const bench_tensors *t, char *why) {
  const bench_layer *l = b->l;
  const size_t ny = layer_output_elems(l);
  res_refill(b);
  if (!res_run(b, 0)) {
    snprintf(why, 256, "run failed");
    return false;
  }
  float *y = bench_alloc_floats(ny), *fused = bench_alloc_floats(ny);
  memcpy(y, b->mode == RES_ONEDNN_SUM ? b->dn.out[0] : b->sets[0].y,
         ny * sizeof(float));
  /* The oracle, in NHWC: input and residual as the runs see them. */
  const simdconv_desc d = res_desc(b, true);
  double *ref = bench_alloc(ny * sizeof(double));
  double *bound = bench_alloc(ny * sizeof(double));
  simdconv_reference_residual(&d, l->N, l->H, l->W, b->sets[0].x,
                              t->weights, t->bias,
                              b->mode == RES_PLAIN ? NULL : b->sets[0].r,
                              1.0f, ref, bound);
  simdconv_compare_stats st;
  simdconv_compare(y, ref, bound, ny, &st);
  bool ok = st.violations == 0;
  if (!ok)
    snprintf(why, 256, "%zu outputs outside the oracle's bound",
             st.violations);
  if (ok && b->mode != RES_ONEDNN_SUM && b->mode != RES_PLAIN) {
    simdconv_run_residual(b->sets[0].conv, l->N, l->H, l->W, b->sets[0].x,
                          b->sets[0].r, 1.0f, fused, b->ws, b->ws_bytes,
                          NULL);
    size_t first;
    const size_t diff = bitwise_diff(y, fused, ny, &first);
    ok = diff == 0;
    if (!ok)
      snprintf(why, 256, "%zu outputs differ from the fused variant's", diff);
  }
  bench_free(ref);
  bench_free(bound);
  bench_free(y);
  bench_free(fused);
  return ok;
}

static bool res_prepare(res_bench *b, char *why) {
  if (g_current != NULL && g_current != b)
    res_release(g_current);
  g_current = b;
  if (b->ready || b->failed)
    return b->ready;
  bench_tensors t;
  tensors_make(&t, b->l);
  bool ok = res_make_sets(b, &t);
  if (ok && b->mode == RES_ONEDNN_SUM) {
#if BENCH_HAVE_ONEDNN
    b->dn_variant = (bench_variant){
        .backend = bench_onednn_entry.backend,
        .layout = SIMDCONV_LAYOUT_NHWC,
        .option = BENCH_ONEDNN_NHWC | BENCH_ONEDNN_SUM |
                  (b->relu ? BENCH_ONEDNN_RELU : 0)};
    snprintf(b->dn_variant.name, sizeof b->dn_variant.name,
             "onednn/nhwc+sum");
    ok = instance_create(&b->dn, &b->dn_variant, &t, &b->th, g_rotate_bytes,
                         why) == 0;
    /* its sets' inputs are the layer's input: the same as ours */
#else
    ok = false;
    snprintf(why, 256, "oneDNN not built");
#endif
  }
  if (!ok && why[0] == '\0')
    snprintf(why, 256, "set-up failed");
  b->ready = ok && res_validate(b, &t, why);
  g_validated += b->ready;
  tensors_free(&t);
  b->failed = !b->ready;
  return b->ready;
}

static void res_body(gb_state *st, void *ctx) {
  res_bench *b = ctx;
  char why[256] = "";
  if (!res_prepare(b, why)) {
    char msg[320];
    snprintf(msg, sizeof msg, "VALIDATION FAILED: %s", why);
    fprintf(stderr, "%s: %s\n", b->name, msg);
    gb_skip_with_error(st, msg);
    ++*b->failures;
    return;
  }
  const size_t nsets = b->mode == RES_ONEDNN_SUM ? b->dn.nsets : b->nsets;
  double total = 0;
  while (gb_keep_running(st)) {
    if (b->next == 0)
      res_refill(b);
    const double t0 = bench_now();
    res_run(b, b->next);
    const double t = bench_now() - t0;
    gb_set_iteration_time(st, t);
    total += t;
    b->next = (b->next + 1) % nsets;
  }
  bench_threads_quiesce(&b->th);
  const double it = (double)gb_iterations(st);
  gb_set_counter(st, "FLOP", layer_flops(b->l) * it, GB_COUNTER_RATE);
  gb_set_counter(st, "sets", (double)nsets, GB_COUNTER_DEFAULT);
  (void)total;
}

size_t bench_residual_register(const bench_layer *layers, size_t nlayers,
                               const bench_threads *threads, size_t nthreads,
                               size_t rotate_bytes, const char *filter,
                               size_t *failures) {
  regex_t re;
  if (filter != NULL && regcomp(&re, filter, REG_EXTENDED | REG_NOSUB))
    return 0;
  g_rotate_bytes = rotate_bytes;
  res_bench *all = calloc(nlayers * nthreads * RES_MODES, sizeof *all);
  size_t n = 0;
  for (size_t li = 0; li < nlayers; li++)
    for (size_t ti = 0; ti < nthreads; ti++)
      for (int m = 0; m < RES_MODES; m++) {
#if !BENCH_HAVE_ONEDNN
        if (m == RES_ONEDNN_SUM)
          continue;
#endif
        res_bench *b = &all[n];
        *b = (res_bench){.l = &layers[li], .th = threads[ti],
                         .mode = (res_mode)m, .failures = failures,
                         .relu = strncmp(layers[li].name, "resnet", 6) == 0};
        snprintf(b->name, sizeof b->name, "residual/%s/t%zu/%s",
                 layers[li].name, threads[ti].count, res_mode_names[m]);
        if (filter != NULL && regexec(&re, b->name, 0, NULL, 0) != 0)
          continue;
        gb_register_manual(b->name, res_body, b);
        n++;
      }
  if (filter != NULL)
    regfree(&re);
  return n; /* `all` lives until the process exits */
}

size_t bench_residual_finish(void) {
  if (g_current != NULL)
    res_release(g_current);
  g_current = NULL;
  return g_validated;
}
