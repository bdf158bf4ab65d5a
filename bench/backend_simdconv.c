/* simdconv as a benchmark backend: one variant per ISA this CPU runs
 * (simdconv_isa_check() == SIMDCONV_OK) and per layout. Each object gets a
 * counting allocator, and a run that allocates (it should not: the caller
 * supplies the workspace) is reported as a failed run. */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend.h"

typedef struct sc_plan {
  simdconv_conv *conv;
  bench_layer layer;
  simdconv_conv_info info;
  atomic_size_t allocs; /* allocations made through the allocator */
} sc_plan;

static void *sc_alloc(void *ctx, size_t size, size_t alignment) {
  atomic_fetch_add(&((sc_plan *)ctx)->allocs, 1);
  void *p = NULL;
  if (alignment < sizeof(void *)) alignment = sizeof(void *);
  return posix_memalign(&p, alignment, size ? size : 1) == 0 ? p : NULL;
}

static void sc_free(void *ctx, void *ptr) {
  (void)ctx;
  free(ptr);
}

typedef struct sc_binding {
  sc_plan *plan;
  const float *in;
  float *out;
  void *ws;
  size_t ws_bytes;
} sc_binding;

static void *sc_plan_create(const bench_variant *v, const bench_tensors *t,
                            const bench_threads *th, bool cold, char *err) {
  (void)th;
  (void)cold;
  simdconv_desc d = layer_desc(&t->layer, v->layout);
  sc_plan *p = calloc(1, sizeof *p);
  if (p == NULL) {
    snprintf(err, BENCH_ERR_LEN, "out of memory");
    return NULL;
  }
  atomic_init(&p->allocs, 0);
  simdconv_allocator alloc = {sc_alloc, sc_free, p};
  simdconv_options opt = {.isa = (simdconv_isa)v->option,
                          .allocator = &alloc,
                          .pool_wait = bench_pool_wait};
  p->layer = t->layer;
  simdconv_status s = simdconv_create(&d, t->weights, t->bias, &opt, &p->conv);
  if (s == SIMDCONV_OK) s = simdconv_get_info(p->conv, &p->info);
  if (s != SIMDCONV_OK) {
    snprintf(err, BENCH_ERR_LEN, "simdconv_create: %s",
             simdconv_status_string(s));
    simdconv_destroy(p->conv);
    free(p);
    return NULL;
  }
  return p;
}

static void sc_plan_destroy(void *plan) {
  sc_plan *p = plan;
  if (p == NULL) return;
  simdconv_destroy(p->conv);
  free(p);
}

static size_t sc_workspace_bytes(void *plan) {
  sc_plan *p = plan;
  size_t bytes = 0;
  if (simdconv_workspace_size(p->conv, p->layer.N, p->layer.H, p->layer.W,
                              &bytes) != SIMDCONV_OK)
    return 0;
  return bytes;
}

static size_t sc_packed_bytes(void *plan) {
  return ((sc_plan *)plan)->info.packed_bytes;
}

static const char *sc_impl_name(void *plan) {
  const char *k = ((sc_plan *)plan)->info.kernel;
  return k ? k : "?";
}

static void *sc_bind(void *plan, const float *in, float *out, void *ws,
                     size_t ws_bytes, const bench_threads *th, char *err) {
  (void)th;
  sc_binding *b = malloc(sizeof *b);
  if (b == NULL) {
    snprintf(err, BENCH_ERR_LEN, "out of memory");
    return NULL;
  }
  *b = (sc_binding){plan, in, out, ws, ws_bytes};
  return b;
}

static void sc_unbind(void *binding) { free(binding); }

static int sc_run(void *binding, const bench_threads *th, char *err) {
  const sc_binding *b = binding;
  sc_plan *p = b->plan;
  size_t allocs = atomic_load_explicit(&p->allocs, memory_order_relaxed);
  simdconv_status s = simdconv_run(p->conv, p->layer.N, p->layer.H,
                                   p->layer.W, b->in, b->out, b->ws,
                                   b->ws_bytes, th->pool);
  if (s != SIMDCONV_OK) {
    snprintf(err, BENCH_ERR_LEN, "simdconv_run: %s",
             simdconv_status_string(s));
    return -1;
  }
  if (atomic_load_explicit(&p->allocs, memory_order_relaxed) != allocs) {
    snprintf(err, BENCH_ERR_LEN,
             "simdconv_run allocated memory although given a workspace of "
             "simdconv_workspace_size() bytes");
    return -1;
  }
  return 0;
}

static const bench_backend sc_backend = {
    .name = "simdconv",
    .unsupported = NULL,
    .plan_create = sc_plan_create,
    .plan_destroy = sc_plan_destroy,
    .workspace_bytes = sc_workspace_bytes,
    .packed_bytes = sc_packed_bytes,
    .impl_name = sc_impl_name,
    .bind = sc_bind,
    .unbind = sc_unbind,
    .run = sc_run,
    .fetch = NULL,
};

static void sc_variants(void (*add)(const bench_variant *v, void *ctx),
                        void *ctx) {
  static const simdconv_layout layouts[] = {SIMDCONV_LAYOUT_NCHW,
                                            SIMDCONV_LAYOUT_NHWC};
  for (int isa = 1; isa < SIMDCONV_ISA_COUNT; isa++) {
    if (simdconv_isa_check((simdconv_isa)isa) != SIMDCONV_OK) continue;
    for (size_t i = 0; i < 2; i++) {
      bench_variant v = {0};
      v.backend = &sc_backend;
      v.layout = layouts[i];
      v.option = isa;
      v.peak_isa = (simdconv_isa)isa;
      v.bitwise = true;
      snprintf(v.name, sizeof v.name, "simdconv/%s/%s",
               simdconv_isa_name((simdconv_isa)isa),
               layouts[i] == SIMDCONV_LAYOUT_NCHW ? "nchw" : "nhwc");
      add(&v, ctx);
    }
  }
}

static void sc_describe(char *out, size_t len) {
  snprintf(out, len, "simdconv %s, active ISA %s, ISA cap %s",
           simdconv_version_string(), simdconv_isa_name(simdconv_active_isa()),
           simdconv_isa_name(simdconv_isa_cap()));
}

const bench_backend_entry bench_simdconv_entry = {
    .backend = &sc_backend,
    .init = NULL,
    .variants = sc_variants,
    .describe = sc_describe,
};
