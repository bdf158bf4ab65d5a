/* XNNPACK (Debian's 2022 snapshot) as a benchmark baseline: its NHWC fp32
 * convolution operator (deconvolution for a transposed layer: its
 * "output_padding" arguments are the crop, its "adjustment" the output
 * padding), run on the same pthreadpool as simdconv. One
 * operator per plan; setup (which binds the buffers and builds XNNPACK's
 * indirection buffer) happens in bind, outside the timed loop. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <xnnpack.h>

#include "backend.h"

typedef struct xn_plan {
  xnn_operator_t op;
  bench_layer layer;
} xn_plan;

static void *xn_plan_create(const bench_variant *v, const bench_tensors *t,
                            const bench_threads *th, bool cold, char *err) {
  (void)v;
  (void)th;
  (void)cold;
  const bench_layer *l = &t->layer;
  size_t cg = l->C / l->g, kg = l->K / l->g;
  /* XNNPACK wants [groups][K/groups][R][S][C/groups], i.e. OHWI. */
  float *w = bench_alloc_floats(layer_weight_elems(l));
  oihw_to_ohwi(t->weights, w, l->K, cg, l->R, l->S);
  xn_plan *p = calloc(1, sizeof *p);
  if (p == NULL) {
    bench_free(w);
    snprintf(err, BENCH_ERR_LEN, "out of memory");
    return NULL;
  }
  p->layer = *l;
  enum xnn_status s =
      l->transposed
          ? xnn_create_deconvolution2d_nhwc_f32(
                (uint32_t)l->ph, (uint32_t)l->pw, (uint32_t)l->ph,
                (uint32_t)l->pw, (uint32_t)l->R, (uint32_t)l->S,
                (uint32_t)l->sh, (uint32_t)l->sw, (uint32_t)l->dh,
                (uint32_t)l->dw, (uint32_t)l->g, cg, kg, l->C, l->K, w,
                t->bias, -INFINITY, INFINITY, 0, &p->op)
          : xnn_create_convolution2d_nhwc_f32(
                (uint32_t)l->ph, (uint32_t)l->pw, (uint32_t)l->ph,
                (uint32_t)l->pw, (uint32_t)l->R, (uint32_t)l->S,
                (uint32_t)l->sh, (uint32_t)l->sw, (uint32_t)l->dh,
                (uint32_t)l->dw, (uint32_t)l->g, cg, kg, l->C, l->K, w,
                t->bias, -INFINITY, INFINITY, 0, &p->op);
  bench_free(w); /* XNNPACK packs the weights into its own memory */
  if (s != xnn_status_success) {
    snprintf(err, BENCH_ERR_LEN, "xnn_create_%sconvolution2d_nhwc_f32: "
             "status %d", l->transposed ? "de" : "", (int)s);
    free(p);
    return NULL;
  }
  return p;
}

static void xn_plan_destroy(void *plan) {
  xn_plan *p = plan;
  if (p == NULL) return;
  xnn_delete_operator(p->op);
  free(p);
}

static size_t xn_zero(void *plan) {
  (void)plan;
  return 0;
}

static const char *xn_impl_name(void *plan) {
  return ((xn_plan *)plan)->layer.transposed ? "xnn_deconvolution2d_nhwc_f32"
                                             : "xnn_convolution2d_nhwc_f32";
}

/* XNNPACK's adjustment (output padding) must be below the stride. */
static const char *xn_unsupported(const bench_variant *v,
                                  const bench_layer *l) {
  (void)v;
  return l->transposed && (l->oph >= l->sh || l->opw >= l->sw)
             ? "output padding not below the stride"
             : NULL;
}

static void *xn_bind(void *plan, const float *in, float *out, void *ws,
                     size_t ws_bytes, const bench_threads *th, char *err) {
  (void)ws;
  (void)ws_bytes;
  xn_plan *p = plan;
  const bench_layer *l = &p->layer;
  enum xnn_status s =
      l->transposed
          ? xnn_setup_deconvolution2d_nhwc_f32(p->op, l->N, l->H, l->W,
                                               (uint32_t)l->oph,
                                               (uint32_t)l->opw, in, out,
                                               th->pool)
          : xnn_setup_convolution2d_nhwc_f32(p->op, l->N, l->H, l->W, in,
                                             out, th->pool);
  if (s != xnn_status_success) {
    snprintf(err, BENCH_ERR_LEN, "xnn_setup_%sconvolution2d_nhwc_f32: "
             "status %d", l->transposed ? "de" : "", (int)s);
    return NULL;
  }
  return p; /* the operator is the binding: each plan is bound once */
}

static void xn_unbind(void *binding) { (void)binding; }

static int xn_run(void *binding, const bench_threads *th, char *err) {
  enum xnn_status s = xnn_run_operator(((xn_plan *)binding)->op, th->pool);
  if (s == xnn_status_success) return 0;
  snprintf(err, BENCH_ERR_LEN, "xnn_run_operator: status %d", (int)s);
  return -1;
}

static const bench_backend xn_backend = {
    .name = "xnnpack",
    .unsupported = xn_unsupported,
    .plan_create = xn_plan_create,
    .plan_destroy = xn_plan_destroy,
    .workspace_bytes = xn_zero,
    .packed_bytes = xn_zero,
    .impl_name = xn_impl_name,
    .bind = xn_bind,
    .unbind = xn_unbind,
    .run = xn_run,
    .fetch = NULL,
};

static int xn_init(char *err) {
  enum xnn_status s = xnn_initialize(NULL);
  if (s == xnn_status_success) return 0;
  snprintf(err, BENCH_ERR_LEN, "xnn_initialize: status %d%s", (int)s,
           s == xnn_status_unsupported_hardware ? " (unsupported hardware)"
                                                : "");
  return -1;
}

static void xn_variants(void (*add)(const bench_variant *v, void *ctx),
                        void *ctx) {
  bench_variant v = {0};
  v.backend = &xn_backend;
  v.layout = SIMDCONV_LAYOUT_NHWC;
  v.peak_isa = SIMDCONV_ISA_AUTO; /* the machine's best */
  snprintf(v.name, sizeof v.name, "xnnpack/nhwc");
  add(&v, ctx);
}

static void xn_describe(char *out, size_t len) {
  snprintf(out, len,
           "XNNPACK (system library, 2022 snapshot): "
           "xnn_create_convolution2d_nhwc_f32, same pthreadpool as simdconv");
}

const bench_backend_entry bench_xnnpack_entry = {
    .backend = &xn_backend,
    .init = xn_init,
    .variants = xn_variants,
    .describe = xn_describe,
};
