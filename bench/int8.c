/*
 * simdconv-bench --int8: the int8 convolution on the layer suite
 * (layers.csv), next to the int8 convolutions of oneDNN and XNNPACK and to
 * simdconv's own fp32 one, in one run:
 *
 *   int8/<layer>/tT/simdconv_<isa>_<layout>   simdconv_run_q8, uint8 input,
 *                                             per-channel weight scales
 *   int8/<layer>/tT/simdconv_f32_nhwc         simdconv_run (fp32), best ISA
 *   int8/<layer>/tT/onednn_u8s8               oneDNN, u8 src, s8 weights,
 *                                             u8 dst, formats "any"
 *                                             (reordered outside the timed
 *                                             loop), per-channel output
 *                                             scales and src / dst zero
 *                                             points as attributes
 *   int8/<layer>/tT/xnnpack_qu8               XNNPACK qu8: uint8, one weight
 *                                             scale (weights + 128 with
 *                                             kernel zero point 128)
 *   int8/<layer>/tT/xnnpack_qc8               XNNPACK qc8: int8 in and out,
 *                                             per-channel weight scales
 *
 * Data: uniform bytes and weights, a bias the size of the sums, input zero
 * point 128 (uint8) or 0 (int8), an output scale that spreads the outputs.
 * Validation first, on set 0: every simdconv variant equal byte for byte to
 * simdconv_reference_q8 on the reduced layer (layer_reduced) and to the
 * best ISA's NHWC output on the full layer (bitwise across ISAs, layouts
 * and threads); each peer within one step of simdconv on the same
 * quantization (the "exact" counter is the fraction of equal bytes:
 * docs/numerics.md part IV says why they differ). Cold caches as in the
 * layer suite: every run takes the next of enough sets of {input, output,
 * packed weights} to fill twice the last-level cache.
 *
 * Counters: GOP (rate: 2 * N*K*OH*OW*(C/g)*R*S per run, as FLOP for fp32),
 * pct_peak (of the int8 peak of the kernel's instruction, bench/peak_q8.h,
 * times the threads; peers and fp32 use the machine's int8 peak), exact.
 */
#define _POSIX_C_SOURCE 200809L
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "gbench_shim.h"
#include "int8.h"
#include "instance.h"
#include "peak.h"
#include "peak_q8.h"

#if BENCH_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#define Q8_DNNL_THREADS(n) omp_set_num_threads((int)(n))
#else
#define Q8_DNNL_THREADS(n) ((void)(n))
#endif
#endif
#if BENCH_HAVE_XNNPACK
#include <xnnpack.h>
#endif

typedef enum q8_impl {
  Q8_SIMDCONV,
  Q8_SIMDCONV_F32,
  Q8_ONEDNN,
  Q8_XNN_QU8,
  Q8_XNN_QC8
} q8_impl;

typedef struct q8_variant {
  q8_impl impl;
  simdconv_isa isa;       /* simdconv: the object's ISA */
  simdconv_layout layout; /* of the plain input and output */
  bench_q8_quant quant;
  char name[48];
} q8_variant;

/* One set: input and output in the variant's layout, and its plan. */
typedef struct q8_set {
  void *x, *y;
  void *plan; /* simdconv_conv, xnn_operator_t, or NULL (oneDNN) */
#if BENCH_HAVE_ONEDNN
  /* oneDNN: the set's src (x reordered, untimed), dst and weights in the
   * primitive's formats, rotated as the other variants' buffers and
   * packed weights are (the layer suite's onednn plans rotate too). */
  dnnl_memory_t dn_src, dn_dst, dn_w;
  void *dn_wbuf;
#endif
} q8_set;

typedef struct q8_bench {
  const bench_layer *l;
  bench_threads th;
  const q8_variant *v;
  char name[192];
  size_t *failures;
  double peak; /* int8 GOP/s of one core for this variant */
  /* Prepared on first use, released by q8_release(). */
  q8_set *sets;
  size_t nsets, next;
  void *ws;
  size_t ws_bytes;
  double exact; /* fraction of bytes equal to simdconv's */
  char impl[96];
  bool ready, failed;
#if BENCH_HAVE_ONEDNN
  dnnl_primitive_t prim;
  dnnl_primitive_desc_t pd;
  dnnl_memory_t dn_uw, dn_b, dn_scratch; /* user weights, bias, scratch */
  const dnnl_memory_desc_t *src_md, *dst_md, *w_md;
#endif
} q8_bench;

static size_t g_rotate_bytes;
static size_t g_validated;
static q8_bench *g_current;
/* A layer's data of each quantization (simdconv and oneDNN: u8 per
 * channel, XNNPACK qu8: u8 per tensor, qc8: s8 per channel), and
 * simdconv's best-ISA NHWC output on it: the reference. */
static bench_q8_tensors g_data[BENCH_Q8_QUANTS];
static uint8_t *g_anchor[BENCH_Q8_QUANTS];
static const bench_layer *g_data_layer; /* whose data g_data holds */
static float *g_f32_input;              /* NHWC, for the fp32 variant */
static bench_tensors g_f32;

/* ---- data ------------------------------------------------------------------ */

static simdconv_desc q8_desc(const bench_layer *l, simdconv_layout layout) {
  return layer_desc(l, layout);
}

/* The data of every quantization and their anchors. */
static void q8_data_free(void) {
  for (int qt = 0; qt < BENCH_Q8_QUANTS; qt++) {
    bench_q8_tensors_free(&g_data[qt]);
    bench_free(g_anchor[qt]);
    g_anchor[qt] = NULL;
  }
}

/* x (NCHW bytes) in the given layout, into dst. */
static void q8_to_layout(const uint8_t *x, uint8_t *dst, const bench_layer *l,
                         size_t C, size_t H, size_t W,
                         simdconv_layout layout) {
  const size_t HW = H * W;
  for (size_t n = 0; n < l->N; n++)
    for (size_t c = 0; c < C; c++)
      for (size_t p = 0; p < HW; p++)
        dst[layout == SIMDCONV_LAYOUT_NHWC ? (n * HW + p) * C + c
                                           : (n * C + c) * HW + p] =
            x[(n * C + c) * HW + p];
}

/* y (layout) to NHWC bytes. */
static void q8_to_nhwc(const uint8_t *y, uint8_t *dst, const bench_layer *l,
                       simdconv_layout layout) {
  const size_t HW = l->OH * l->OW, K = l->K;
  if (layout == SIMDCONV_LAYOUT_NHWC) {
    memcpy(dst, y, l->N * HW * K);
    return;
  }
  for (size_t n = 0; n < l->N; n++)
    for (size_t k = 0; k < K; k++)
      for (size_t p = 0; p < HW; p++)
        dst[(n * HW + p) * K + k] = y[(n * K + k) * HW + p];
}

static simdconv_conv *q8_simdconv_create(const bench_layer *l,
                                         const bench_q8_tensors *d,
                                         simdconv_layout layout,
                                         simdconv_isa isa) {
  const simdconv_desc desc = q8_desc(l, layout);
  const simdconv_options o = {.isa = isa, .pool_wait = bench_pool_wait};
  simdconv_conv *c = NULL;
  return simdconv_create_q8(&desc, &d->q, d->w, d->bias, &o, &c) ==
                 SIMDCONV_OK
             ? c
             : NULL;
}

/* The data of a layer, made on first use; the anchors: simdconv on the
 * active ISA, NHWC, one thread. */
static bool q8_layer_data(const bench_layer *l) {
  if (g_data_layer == l)
    return true;
  q8_data_free();
  bench_free(g_f32_input);
  if (g_data_layer != NULL)
    tensors_free(&g_f32);
  g_data_layer = l;
  tensors_make(&g_f32, l);
  g_f32_input = bench_alloc_floats(layer_input_elems(l));
  nchw_to_nhwc(g_f32.input, g_f32_input, l->N, l->C, l->H, l->W);
  for (int qt = 0; qt < BENCH_Q8_QUANTS; qt++) {
    bench_q8_tensors *d = &g_data[qt];
    bench_q8_tensors_make(d, l, (bench_q8_quant)qt);
    uint8_t *x = bench_alloc(layer_input_elems(l));
    q8_to_layout(d->x, x, l, l->C, l->H, l->W, SIMDCONV_LAYOUT_NHWC);
    g_anchor[qt] = bench_alloc(layer_output_elems(l));
    simdconv_conv *c =
        q8_simdconv_create(l, d, SIMDCONV_LAYOUT_NHWC, SIMDCONV_ISA_AUTO);
    const bool ok = c != NULL && simdconv_run_q8(c, l->N, l->H, l->W, x,
                                                 g_anchor[qt], NULL, 0,
                                                 NULL) ==
                                     SIMDCONV_OK;
    simdconv_destroy(c);
    bench_free(x);
    if (!ok)
      return false;
  }
  return true;
}

/* ---- oneDNN ------------------------------------------------------------------ */

#if BENCH_HAVE_ONEDNN
static dnnl_engine_t g_dn_engine;
static dnnl_stream_t g_dn_stream;

static dnnl_status_t q8_dn_reorder(dnnl_memory_t src, dnnl_memory_t dst) {
  const dnnl_memory_desc_t *smd = NULL, *dmd = NULL;
  dnnl_memory_get_memory_desc(src, &smd);
  dnnl_memory_get_memory_desc(dst, &dmd);
  dnnl_primitive_desc_t rpd = NULL;
  dnnl_primitive_t r = NULL;
  dnnl_status_t s = dnnl_reorder_primitive_desc_create(
      &rpd, smd, g_dn_engine, dmd, g_dn_engine, NULL);
  if (s == dnnl_success)
    s = dnnl_primitive_create(&r, rpd);
  if (s == dnnl_success) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    s = dnnl_primitive_execute(r, g_dn_stream, 2, args);
  }
  if (s == dnnl_success)
    s = dnnl_stream_wait(g_dn_stream);
  if (r)
    dnnl_primitive_destroy(r);
  if (rpd)
    dnnl_primitive_desc_destroy(rpd);
  return s;
}

static void q8_md(dnnl_memory_desc_t *md, size_t n, size_t c, size_t h,
                  size_t w, dnnl_data_type_t dt, dnnl_format_tag_t tag) {
  dnnl_dims_t dims = {(dnnl_dim_t)n, (dnnl_dim_t)c, (dnnl_dim_t)h,
                      (dnnl_dim_t)w};
  dnnl_memory_desc_init_by_tag(md, 4, dims, dt, tag);
}

/* The primitive (formats "any"), its weights, bias and scratchpad; each
 * set gets its src and dst in the primitive's formats (q8_dn_set), as
 * onednn/any does in the layer suite. */
static bool q8_dn_create(q8_bench *b, const bench_q8_tensors *d, char *why) {
  const bench_layer *l = b->l;
  Q8_DNNL_THREADS(b->th.count); /* oneDNN sizes its work split now */
  dnnl_memory_desc_t src_md, dst_md, w_md, uw_md, b_md;
  q8_md(&src_md, l->N, l->C, l->H, l->W, dnnl_u8, dnnl_format_tag_any);
  q8_md(&dst_md, l->N, l->K, l->OH, l->OW, dnnl_u8, dnnl_format_tag_any);
  dnnl_dims_t bd = {(dnnl_dim_t)l->K};
  dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_x);
  dnnl_dims_t wd5 = {(dnnl_dim_t)l->g, (dnnl_dim_t)(l->K / l->g),
                     (dnnl_dim_t)(l->C / l->g), (dnnl_dim_t)l->R,
                     (dnnl_dim_t)l->S};
  dnnl_dims_t wd4 = {(dnnl_dim_t)l->K, (dnnl_dim_t)l->C, (dnnl_dim_t)l->R,
                     (dnnl_dim_t)l->S};
  if (l->g == 1) {
    dnnl_memory_desc_init_by_tag(&w_md, 4, wd4, dnnl_s8, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&uw_md, 4, wd4, dnnl_s8, dnnl_oihw);
  } else {
    dnnl_memory_desc_init_by_tag(&w_md, 5, wd5, dnnl_s8, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&uw_md, 5, wd5, dnnl_s8, dnnl_goihw);
  }
  dnnl_dims_t strides = {(dnnl_dim_t)l->sh, (dnnl_dim_t)l->sw};
  dnnl_dims_t dil = {(dnnl_dim_t)l->dh - 1, (dnnl_dim_t)l->dw - 1};
  dnnl_dims_t pad = {(dnnl_dim_t)l->ph, (dnnl_dim_t)l->pw};
  dnnl_convolution_desc_t cd;
  dnnl_primitive_attr_t attr = NULL;
  float *scales = bench_alloc(l->K * sizeof(float));
  for (size_t k = 0; k < l->K; k++)
    scales[k] = (float)((double)d->q.input_scale * d->w_scales[k] /
                        d->q.output_scale);
  const int32_t src_zp = d->q.input_zero_point, dst_zp = d->q.output_zero_point;
  dnnl_status_t s = dnnl_dilated_convolution_forward_desc_init(
      &cd, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &w_md,
      &b_md, &dst_md, strides, dil, pad, pad);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_create(&attr);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_set_scratchpad_mode(attr,
                                                dnnl_scratchpad_mode_user);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_set_output_scales(attr, (dnnl_dim_t)l->K, 1 << 1,
                                              scales);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_SRC, 1, 0,
                                            &src_zp);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_set_zero_points(attr, DNNL_ARG_DST, 1, 0,
                                            &dst_zp);
  if (s == dnnl_success)
    s = dnnl_primitive_desc_create(&b->pd, &cd, attr, g_dn_engine, NULL);
  if (s == dnnl_success)
    s = dnnl_primitive_create(&b->prim, b->pd);
  if (attr)
    dnnl_primitive_attr_destroy(attr);
  bench_free(scales);
  if (s != dnnl_success) {
    snprintf(why, 256, "oneDNN int8 convolution: status %d", (int)s);
    return false;
  }
  const char *impl = NULL;
  dnnl_primitive_desc_query(b->pd, dnnl_query_impl_info_str, 0, &impl);
  snprintf(b->impl, sizeof b->impl, "%s", impl ? impl : "?");
  b->w_md = dnnl_primitive_desc_query_md(b->pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *sp =
      dnnl_primitive_desc_query_md(b->pd, dnnl_query_scratchpad_md, 0);
  b->src_md = dnnl_primitive_desc_query_md(b->pd, dnnl_query_src_md, 0);
  b->dst_md = dnnl_primitive_desc_query_md(b->pd, dnnl_query_dst_md, 0);
  /* The bias in the sum's domain, as oneDNN adds it before the scale. */
  float *bias = bench_alloc_floats(l->K);
  for (size_t k = 0; k < l->K; k++)
    bias[k] = (float)d->bias[k];
  dnnl_memory_t ub = NULL;
  s = dnnl_memory_create(&b->dn_uw, &uw_md, g_dn_engine, d->w);
  if (s == dnnl_success)
    s = dnnl_memory_create(&ub, &b_md, g_dn_engine, bias);
  if (s == dnnl_success)
    s = dnnl_memory_create(&b->dn_b, &b_md, g_dn_engine, DNNL_MEMORY_ALLOCATE);
  if (s == dnnl_success)
    s = q8_dn_reorder(ub, b->dn_b);
  b->ws_bytes = sp ? dnnl_memory_desc_get_size(sp) : 0;
  b->ws = bench_alloc(b->ws_bytes);
  if (s == dnnl_success && b->ws_bytes > 0)
    s = dnnl_memory_create(&b->dn_scratch, sp, g_dn_engine, b->ws);
  if (ub)
    dnnl_memory_destroy(ub);
  bench_free(bias);
  if (s != dnnl_success)
    snprintf(why, 256, "oneDNN int8 memory or reorder: status %d", (int)s);
  return s == dnnl_success;
}

/* Reorders a plain NHWC u8 tensor into (or out of) a primitive-format
 * memory. */
static bool q8_dn_move(const q8_bench *b, void *plain, dnnl_memory_t prim,
                       bool to_prim, size_t C, size_t H, size_t W) {
  dnnl_memory_desc_t md;
  q8_md(&md, b->l->N, C, H, W, dnnl_u8, dnnl_nhwc);
  dnnl_memory_t m = NULL;
  dnnl_status_t s = dnnl_memory_create(&m, &md, g_dn_engine, plain);
  if (s == dnnl_success)
    s = to_prim ? q8_dn_reorder(m, prim) : q8_dn_reorder(prim, m);
  if (m)
    dnnl_memory_destroy(m);
  return s == dnnl_success;
}

/* A set's src (its x, reordered), dst and weights (reordered from the
 * user's, with whatever compensation oneDNN's format carries) in the
 * primitive's formats. */
static bool q8_dn_set(const q8_bench *b, q8_set *set) {
  const bench_layer *l = b->l;
  Q8_DNNL_THREADS(b->th.count); /* the set-up's reorders too */
  return dnnl_memory_create(&set->dn_src, b->src_md, g_dn_engine,
                            DNNL_MEMORY_ALLOCATE) == dnnl_success &&
         dnnl_memory_create(&set->dn_dst, b->dst_md, g_dn_engine,
                            DNNL_MEMORY_ALLOCATE) == dnnl_success &&
         (set->dn_wbuf = bench_alloc(dnnl_memory_desc_get_size(b->w_md))) &&
         dnnl_memory_create(&set->dn_w, b->w_md, g_dn_engine,
                            set->dn_wbuf) == dnnl_success &&
         q8_dn_reorder(b->dn_uw, set->dn_w) == dnnl_success &&
         q8_dn_move(b, set->x, set->dn_src, true, l->C, l->H, l->W);
}

static bool q8_dn_run(q8_bench *b, q8_set *set) {
  Q8_DNNL_THREADS(b->th.count);
  dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, set->dn_src},
                             {DNNL_ARG_WEIGHTS, set->dn_w},
                             {DNNL_ARG_BIAS, b->dn_b},
                             {DNNL_ARG_DST, set->dn_dst},
                             {DNNL_ARG_SCRATCHPAD, b->dn_scratch}};
  return dnnl_primitive_execute(b->prim, g_dn_stream,
                                b->dn_scratch ? 5 : 4, args) ==
             dnnl_success &&
         dnnl_stream_wait(g_dn_stream) == dnnl_success;
}

static void q8_dn_release(q8_bench *b) {
  for (size_t i = 0; i < b->nsets; i++) {
    dnnl_memory_t set_mems[] = {b->sets[i].dn_src, b->sets[i].dn_dst,
                                b->sets[i].dn_w};
    for (size_t j = 0; j < 3; j++)
      if (set_mems[j])
        dnnl_memory_destroy(set_mems[j]);
    bench_free(b->sets[i].dn_wbuf); /* dn_w's handle, which it does not own */
    b->sets[i].dn_wbuf = NULL;
  }
  dnnl_memory_t *mems[] = {&b->dn_uw, &b->dn_b, &b->dn_scratch};
  for (size_t i = 0; i < 3; i++)
    if (*mems[i]) {
      dnnl_memory_destroy(*mems[i]);
      *mems[i] = NULL;
    }
  if (b->prim)
    dnnl_primitive_destroy(b->prim);
  if (b->pd)
    dnnl_primitive_desc_destroy(b->pd);
  b->prim = NULL;
  b->pd = NULL;
}
#endif

/* ---- XNNPACK ----------------------------------------------------------------- */

#if BENCH_HAVE_XNNPACK
/* One operator per set (XNNPACK binds its buffers at setup). */
static void *q8_xnn_create(const q8_bench *b, const bench_q8_tensors *d,
                           q8_set *set) {
  const bench_layer *l = b->l;
  const size_t cg = l->C / l->g, kg = l->K / l->g, nw = layer_weight_elems(l);
  uint8_t *w = bench_alloc(nw); /* OHWI, +128 for qu8 */
  for (size_t k = 0; k < l->K; k++)
    for (size_t c = 0; c < cg; c++)
      for (size_t t = 0; t < l->R * l->S; t++) {
        const int8_t v = d->w[(k * cg + c) * l->R * l->S + t];
        w[(k * l->R * l->S + t) * cg + c] =
            b->v->impl == Q8_XNN_QU8 ? (uint8_t)(v + 128) : (uint8_t)v;
      }
  xnn_operator_t op = NULL;
  enum xnn_status s;
  const simdconv_qparams *q = &d->q;
  if (b->v->impl == Q8_XNN_QU8)
    s = xnn_create_convolution2d_nhwc_qu8(
        (uint32_t)l->ph, (uint32_t)l->pw, (uint32_t)l->ph, (uint32_t)l->pw,
        (uint32_t)l->R, (uint32_t)l->S, (uint32_t)l->sh, (uint32_t)l->sw,
        (uint32_t)l->dh, (uint32_t)l->dw, (uint32_t)l->g, cg, kg, l->C, l->K,
        (uint8_t)q->input_zero_point, q->input_scale, 128,
        q->weight_scales[0], w, d->bias, (uint8_t)q->output_zero_point,
        q->output_scale, 0, 255, 0, &op);
  else
    s = xnn_create_convolution2d_nhwc_qc8(
        (uint32_t)l->ph, (uint32_t)l->pw, (uint32_t)l->ph, (uint32_t)l->pw,
        (uint32_t)l->R, (uint32_t)l->S, (uint32_t)l->sh, (uint32_t)l->sw,
        (uint32_t)l->dh, (uint32_t)l->dw, (uint32_t)l->g, cg, kg, l->C, l->K,
        (int8_t)q->input_zero_point, q->input_scale, q->weight_scales,
        (const int8_t *)w, d->bias, (int8_t)q->output_zero_point,
        q->output_scale, -128, 127, 0, &op);
  bench_free(w);
  if (s != xnn_status_success)
    return NULL;
  s = b->v->impl == Q8_XNN_QU8
          ? xnn_setup_convolution2d_nhwc_qu8(op, l->N, l->H, l->W, set->x,
                                             set->y, b->th.pool)
          : xnn_setup_convolution2d_nhwc_qc8(op, l->N, l->H, l->W, set->x,
                                             set->y, b->th.pool);
  if (s != xnn_status_success) {
    xnn_delete_operator(op);
    return NULL;
  }
  return op;
}
#endif

/* ---- sets, runs, validation ---------------------------------------------------- */

static void q8_release(q8_bench *b) {
  for (size_t s = 0; s < b->nsets; s++) {
    q8_set *set = &b->sets[s];
    if (b->v->impl == Q8_SIMDCONV || b->v->impl == Q8_SIMDCONV_F32)
      simdconv_destroy(set->plan);
#if BENCH_HAVE_XNNPACK
    if ((b->v->impl == Q8_XNN_QU8 || b->v->impl == Q8_XNN_QC8) && set->plan)
      xnn_delete_operator(set->plan);
#endif
    if (b->v->impl != Q8_SIMDCONV_F32)
      bench_free(set->x); /* fp32 sets share g_f32_input */
    bench_free(set->y);
  }
#if BENCH_HAVE_ONEDNN
  if (b->v->impl == Q8_ONEDNN && b->sets != NULL)
    q8_dn_release(b);
#endif
  free(b->sets);
  bench_free(b->ws);
  b->sets = NULL;
  b->nsets = 0;
  b->ws = NULL;
  b->ready = false;
}

/* One run of set s. */
static bool q8_run(q8_bench *b, size_t s) {
  const bench_layer *l = b->l;
  q8_set *set = &b->sets[s];
  switch (b->v->impl) {
  case Q8_SIMDCONV:
    return simdconv_run_q8(set->plan, l->N, l->H, l->W, set->x, set->y,
                           b->ws, b->ws_bytes, b->th.pool) == SIMDCONV_OK;
  case Q8_SIMDCONV_F32:
    return simdconv_run(set->plan, l->N, l->H, l->W, set->x, set->y, b->ws,
                        b->ws_bytes, b->th.pool) == SIMDCONV_OK;
#if BENCH_HAVE_ONEDNN
  case Q8_ONEDNN:
    return q8_dn_run(b, set);
#endif
#if BENCH_HAVE_XNNPACK
  case Q8_XNN_QU8:
  case Q8_XNN_QC8:
    return xnn_run_operator(set->plan, b->th.pool) == xnn_status_success;
#endif
  default:
    return false;
  }
}

/* The sets: each holds the layer's input in the variant's layout. */
static bool q8_make_sets(q8_bench *b, char *why) {
  const bench_layer *l = b->l;
  const bench_q8_tensors *d = &g_data[b->v->quant];
  const bool f32 = b->v->impl == Q8_SIMDCONV_F32;
  const size_t esize = f32 ? sizeof(float) : 1;
  const size_t nx = layer_input_elems(l), ny = layer_output_elems(l);
  const size_t set_bytes = (nx + ny) * esize + layer_weight_elems(l) * esize;
  b->nsets = g_rotate_bytes / set_bytes + 1;
  b->nsets = b->nsets > BENCH_MAX_SETS ? BENCH_MAX_SETS : b->nsets;
  b->sets = calloc(b->nsets, sizeof *b->sets);
  for (size_t s = 0; s < b->nsets; s++) {
    q8_set *set = &b->sets[s];
    set->y = bench_alloc(ny * esize);
    if (f32) {
      set->x = g_f32_input;
      const simdconv_desc desc = q8_desc(l, SIMDCONV_LAYOUT_NHWC);
      /* The int8 objects' pool_wait: with the default (workers yield) its
       * two-thread runs waited for the workers to wake, MobileNetV2
       * dw960_7 0.55x its one-thread speed. */
      const simdconv_options o = {.pool_wait = bench_pool_wait};
      simdconv_conv *c = NULL;
      if (simdconv_create(&desc, g_f32.weights, g_f32.bias, &o, &c) ==
          SIMDCONV_OK)
        set->plan = c;
    } else {
      set->x = bench_alloc(nx);
      q8_to_layout(d->x, set->x, l, l->C, l->H, l->W, b->v->layout);
    }
    if (b->v->impl == Q8_SIMDCONV)
      set->plan = q8_simdconv_create(l, d, b->v->layout, b->v->isa);
#if BENCH_HAVE_XNNPACK
    if (b->v->impl == Q8_XNN_QU8 || b->v->impl == Q8_XNN_QC8)
      set->plan = q8_xnn_create(b, d, set);
#endif
    if (set->plan == NULL && b->v->impl != Q8_ONEDNN) {
      snprintf(why, 256, "creation failed");
      return false;
    }
  }
  if (b->v->impl == Q8_SIMDCONV || f32) {
    simdconv_conv_info info;
    simdconv_get_info(b->sets[0].plan, &info);
    snprintf(b->impl, sizeof b->impl, "%s", info.kernel);
    simdconv_workspace_size(b->sets[0].plan, l->N, l->H, l->W, &b->ws_bytes);
    b->ws = bench_alloc(b->ws_bytes);
  }
  if (b->v->impl == Q8_XNN_QU8 || b->v->impl == Q8_XNN_QC8)
    snprintf(b->impl, sizeof b->impl, "xnn_convolution2d_nhwc_%s",
             b->v->impl == Q8_XNN_QU8 ? "qu8" : "qc8");
#if BENCH_HAVE_ONEDNN
  if (b->v->impl == Q8_ONEDNN) {
    if (!q8_dn_create(b, d, why))
      return false;
    for (size_t s = 0; s < b->nsets; s++)
      if (!q8_dn_set(b, &b->sets[s])) {
        snprintf(why, 256, "oneDNN src / dst");
        return false;
      }
  }
#endif
  return true;
}

/* simdconv on the reduced layer: every byte the oracle's. */
static bool q8_check_reduced(const q8_bench *b, const bench_q8_tensors *d,
                             char *why) {
  const bench_layer r = layer_reduced(b->l, 8);
  const simdconv_desc desc = q8_desc(&r, b->v->layout);
  const size_t nx = layer_input_elems(&r), ny = layer_output_elems(&r);
  uint8_t *x = bench_alloc(nx), *y = bench_alloc(ny), *ref = bench_alloc(ny);
  for (size_t i = 0; i < nx; i++)
    x[i] = d->x[i % layer_input_elems(b->l)];
  const simdconv_options o = {.isa = b->v->isa,
                              .pool_wait = bench_pool_wait};
  simdconv_conv *c = NULL;
  bool ok = simdconv_create_q8(&desc, &d->q, d->w, d->bias, &o, &c) ==
                SIMDCONV_OK &&
            simdconv_run_q8(c, r.N, r.H, r.W, x, y, NULL, 0, b->th.pool) ==
                SIMDCONV_OK &&
            simdconv_reference_q8(&desc, &d->q, r.N, r.H, r.W, x, d->w,
                                  d->bias, ref, NULL) == SIMDCONV_OK &&
            memcmp(y, ref, ny) == 0;
  if (!ok)
    snprintf(why, 256, "differs from simdconv_reference_q8 on the reduced "
             "layer");
  simdconv_destroy(c);
  bench_free(x);
  bench_free(y);
  bench_free(ref);
  return ok;
}

/* Set 0's output against simdconv's anchor: bitwise for simdconv, within
 * one step for the peers (b->exact: the fraction of equal bytes). */
static bool q8_validate(q8_bench *b, char *why) {
  const bench_layer *l = b->l;
  const bench_q8_tensors *d = &g_data[b->v->quant];
  const size_t ny = layer_output_elems(l);
  if (b->v->impl == Q8_SIMDCONV && !q8_check_reduced(b, d, why))
    return false;
  if (!q8_run(b, 0)) {
    snprintf(why, 256, "run failed");
    return false;
  }
  if (b->v->impl == Q8_SIMDCONV_F32)
    return true; /* checked by the layer suite */
  uint8_t *y = bench_alloc(ny);
#if BENCH_HAVE_ONEDNN
  if (b->v->impl == Q8_ONEDNN)
    q8_dn_move(b, y, b->sets[0].dn_dst, false, l->K, l->OH, l->OW);
  else
#endif
    q8_to_nhwc(b->sets[0].y, y, l, b->v->layout);
  const bool s8 = b->v->quant == BENCH_Q8_S8_CHANNEL;
  const uint8_t *anchor = g_anchor[b->v->quant];
  size_t equal = 0, far = 0;
  for (size_t i = 0; i < ny; i++) {
    const int a = s8 ? (int8_t)y[i] : y[i];
    const int r = s8 ? (int8_t)anchor[i] : anchor[i];
    equal += a == r;
    far += abs(a - r) > 1;
  }
  bench_free(y);
  b->exact = (double)equal / (double)ny;
  if (b->v->impl == Q8_SIMDCONV && equal != ny) {
    snprintf(why, 256, "%zu bytes differ from the best ISA's NHWC output",
             ny - equal);
    return false;
  }
  if (far != 0) {
    snprintf(why, 256, "%zu bytes more than one step from simdconv's", far);
    return false;
  }
  return true;
}

static bool q8_prepare(q8_bench *b, char *why) {
  if (g_current != NULL && g_current != b)
    q8_release(g_current);
  g_current = b;
  if (b->ready || b->failed)
    return b->ready;
  bool ok = q8_layer_data(b->l);
  if (!ok)
    snprintf(why, 256, "simdconv's reference run failed");
  ok = ok && q8_make_sets(b, why) && q8_validate(b, why);
  b->ready = ok;
  b->failed = !ok;
  g_validated += ok;
  return ok;
}

static void q8_body(gb_state *st, void *ctx) {
  q8_bench *b = ctx;
  char why[256] = "";
  if (!q8_prepare(b, why)) {
    char msg[320];
    snprintf(msg, sizeof msg, "VALIDATION FAILED: %s", why);
    fprintf(stderr, "%s: %s\n", b->name, msg);
    gb_skip_with_error(st, msg);
    ++*b->failures;
    return;
  }
  while (gb_keep_running(st)) {
    const double t0 = bench_now();
    q8_run(b, b->next);
    gb_set_iteration_time(st, bench_now() - t0);
    b->next = (b->next + 1) % b->nsets;
  }
  bench_threads_quiesce(&b->th);
  const double it = (double)gb_iterations(st), ops = layer_flops(b->l);
  gb_set_counter(st, "GOP", ops * it, GB_COUNTER_RATE);
  if (b->peak > 0)
    gb_set_counter(st, "pct_peak",
                   ops * it * 100.0 / (b->peak * 1e9 * (double)b->th.count),
                   GB_COUNTER_RATE);
  gb_set_counter(st, "exact", b->exact, GB_COUNTER_DEFAULT);
  gb_set_counter(st, "sets", (double)b->nsets, GB_COUNTER_DEFAULT);
  gb_set_label(st, b->impl);
}

/* ---- the int8 peaks ------------------------------------------------------------- */

/* Whether this CPU runs the registered kernel `name`. */
static bool q8_kernel_usable(const char *name) {
  size_t i;
  simdconv_kernel_info k;
  return simdconv_kernel_find(name, &i) == SIMDCONV_OK &&
         simdconv_kernel_get(i, &k) == SIMDCONV_OK && k.usable;
}

double bench_measure_q8_peak(simdconv_isa isa, const char **what) {
  *what = NULL;
#if BENCH_HAVE_PEAK_Q8
  /* The instruction of the int8 igemm kernel the planner runs there: an
   * AVX-512 CPU without VNNI runs the AVX2 kernel. */
  if (isa == SIMDCONV_ISA_AVX512 &&
      q8_kernel_usable("q8_igemm_vnni_7x32__avx512")) {
    *what = "vpdpbusd zmm";
    return bench_measure_probe(bench_q8_probe_vnni);
  }
  if ((isa == SIMDCONV_ISA_AVX512 || isa == SIMDCONV_ISA_AVX2) &&
      simdconv_isa_check(isa) == SIMDCONV_OK) {
    *what = "vpmaddwd+vpaddd ymm";
    return bench_measure_probe(bench_q8_probe_avx2);
  }
#else
  (void)isa;
  (void)q8_kernel_usable;
#endif
  return 0.0;
}

/* ---- registration -------------------------------------------------------------- */

#define Q8_MAX_VARIANTS 16
static q8_variant g_variants[Q8_MAX_VARIANTS];
static size_t g_nvariants;
static double g_peak[SIMDCONV_ISA_COUNT];

static void q8_add_variant(q8_impl impl, simdconv_isa isa,
                           simdconv_layout layout, bench_q8_quant qt,
                           const char *name) {
  if (g_nvariants < Q8_MAX_VARIANTS)
    g_variants[g_nvariants++] =
        (q8_variant){.impl = impl, .isa = isa, .layout = layout, .quant = qt};
  snprintf(g_variants[g_nvariants - 1].name, 48, "%s", name);
}

/* simdconv on every usable ISA in both layouts, its fp32 kernel, and the
 * peers compiled in. */
static void q8_variants(void) {
  char name[48];
  for (int i = SIMDCONV_ISA_COUNT - 1; i >= SIMDCONV_ISA_SCALAR; i--)
    for (int lay = SIMDCONV_LAYOUT_NHWC; lay >= SIMDCONV_LAYOUT_NCHW; lay--) {
      if (simdconv_isa_check((simdconv_isa)i) != SIMDCONV_OK)
        continue;
      snprintf(name, sizeof name, "simdconv_%s_%s",
               simdconv_isa_name((simdconv_isa)i),
               lay == SIMDCONV_LAYOUT_NHWC ? "nhwc" : "nchw");
      q8_add_variant(Q8_SIMDCONV, (simdconv_isa)i, (simdconv_layout)lay,
                     BENCH_Q8_U8_CHANNEL, name);
    }
  q8_add_variant(Q8_SIMDCONV_F32, SIMDCONV_ISA_AUTO, SIMDCONV_LAYOUT_NHWC,
                 BENCH_Q8_U8_CHANNEL, "simdconv_f32_nhwc");
#if BENCH_HAVE_ONEDNN
  if (g_dn_engine != NULL)
    q8_add_variant(Q8_ONEDNN, SIMDCONV_ISA_AUTO, SIMDCONV_LAYOUT_NHWC,
                   BENCH_Q8_U8_CHANNEL, "onednn_u8s8");
#endif
#if BENCH_HAVE_XNNPACK
  if (xnn_initialize(NULL) == xnn_status_success) {
    q8_add_variant(Q8_XNN_QU8, SIMDCONV_ISA_AUTO, SIMDCONV_LAYOUT_NHWC,
                   BENCH_Q8_U8_TENSOR, "xnnpack_qu8");
    q8_add_variant(Q8_XNN_QC8, SIMDCONV_ISA_AUTO, SIMDCONV_LAYOUT_NHWC,
                   BENCH_Q8_S8_CHANNEL, "xnnpack_qc8");
  }
#endif
}

/* The int8 peak of each ISA, printed; [AUTO] is the machine's best. */
static void q8_peaks(void) {
  char line[256] = "";
  size_t len = 0;
  for (int i = SIMDCONV_ISA_SCALAR; i < SIMDCONV_ISA_COUNT; i++) {
    const char *what = NULL;
    g_peak[i] = bench_measure_q8_peak((simdconv_isa)i, &what);
    if (g_peak[i] > g_peak[SIMDCONV_ISA_AUTO])
      g_peak[SIMDCONV_ISA_AUTO] = g_peak[i];
    if (g_peak[i] > 0) {
      len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %.1f (%s)",
                              len ? ", " : "",
                              simdconv_isa_name((simdconv_isa)i), g_peak[i],
                              what);
      char key[48], val[32];
      snprintf(key, sizeof key, "peak_gops_int8_%s",
               simdconv_isa_name((simdconv_isa)i));
      snprintf(val, sizeof val, "%.2f", g_peak[i]);
      gb_add_context(key, val);
    }
  }
  fprintf(stderr, "int8 peak GOP/s per core (measured, best of 20): %s\n",
          len ? line : "none measured on this CPU");
}

size_t bench_int8_register(const bench_layer *layers, size_t nlayers,
                           const bench_threads *threads, size_t nthreads,
                           size_t rotate_bytes, const char *filter,
                           size_t *failures) {
  regex_t re;
  if (filter != NULL && regcomp(&re, filter, REG_EXTENDED | REG_NOSUB))
    return 0;
  g_rotate_bytes = rotate_bytes;
#if BENCH_HAVE_ONEDNN
  if (dnnl_engine_create(&g_dn_engine, dnnl_cpu, 0) != dnnl_success ||
      dnnl_stream_create(&g_dn_stream, g_dn_engine,
                         dnnl_stream_default_flags) != dnnl_success)
    g_dn_engine = NULL;
#endif
  q8_variants();
  q8_peaks();
  q8_bench *all = calloc(nlayers * nthreads * g_nvariants, sizeof *all);
  size_t n = 0;
  for (size_t li = 0; li < nlayers; li++)
    for (size_t ti = 0; ti < nthreads; ti++)
      for (size_t vi = 0; vi < g_nvariants; vi++) {
        const q8_variant *v = &g_variants[vi];
        if (v->impl == Q8_SIMDCONV && v->isa == SIMDCONV_ISA_SCALAR &&
            layer_flops(&layers[li]) > 50e6)
          continue; /* the scalar kernel only on small layers */
        q8_bench *b = &all[n];
        *b = (q8_bench){.l = &layers[li], .th = threads[ti], .v = v,
                        .failures = failures};
        b->peak = v->impl == Q8_SIMDCONV ? g_peak[v->isa]
                                         : g_peak[SIMDCONV_ISA_AUTO];
        snprintf(b->name, sizeof b->name, "int8/%s/t%zu/%s", layers[li].name,
                 threads[ti].count, v->name);
        if (filter != NULL && regexec(&re, b->name, 0, NULL, 0) != 0)
          continue;
        gb_register_manual(b->name, q8_body, b);
        n++;
      }
  if (filter != NULL)
    regfree(&re);
  return n; /* `all` lives until the process exits */
}

size_t bench_int8_finish(void) {
  if (g_current != NULL)
    q8_release(g_current);
  g_current = NULL;
  q8_data_free();
  bench_free(g_f32_input);
  if (g_data_layer != NULL)
    tensors_free(&g_f32);
  g_data_layer = NULL;
  return g_validated;
}
