/* oneDNN (Debian's 2.6) as a benchmark baseline: fp32 convolution forward
 * inference (deconvolution for a transposed layer), algorithm direct, with src/dst in oneDNN's preferred format
 * ("any", reordered once outside the timed loop) or plain NCHW / NHWC.
 * The weights are always "any" and reordered once in plan_create (oneDNN's
 * counterpart of simdconv's packing); the scratchpad is the caller's
 * workspace (scratchpad mode user), so a run allocates nothing. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>

#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#define ONEDNN_SET_THREADS(n) omp_set_num_threads((int)(n))
#define ONEDNN_THREADING "OpenMP, threads set with omp_set_num_threads()"
#else
#define ONEDNN_SET_THREADS(n) ((void)(n))
#define ONEDNN_THREADING "non-OpenMP runtime: thread count NOT controlled"
#endif

#include "backend.h"

enum {
  FMT_ANY = BENCH_ONEDNN_ANY,
  FMT_NCHW = BENCH_ONEDNN_NCHW,
  FMT_NHWC = BENCH_ONEDNN_NHWC,
};

static dnnl_engine_t g_engine;
static dnnl_stream_t g_stream;

typedef struct dn_plan {
  bench_layer layer;
  int fmt;
  simdconv_layout layout;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t prim;
  dnnl_memory_t weights, bias;
  size_t packed_bytes, scratch_bytes;
  char impl[128];
} dn_plan;

typedef struct dn_binding {
  dn_plan *plan;
  dnnl_memory_t src, dst, scratch;
  dnnl_memory_t user_dst; /* NULL when dst is the user's buffer itself */
  dnnl_exec_arg_t args[5];
  int nargs;
} dn_binding;

#define DN_CHECK(call, what)                                              \
  do {                                                                    \
    dnnl_status_t st_ = (call);                                           \
    if (st_ != dnnl_success) {                                            \
      snprintf(err, BENCH_ERR_LEN, "%s failed: dnnl status %d", what,    \
               (int)st_);                                                 \
      goto fail;                                                          \
    }                                                                     \
  } while (0)

static void act_md(dnnl_memory_desc_t *md, size_t n, size_t c, size_t h,
                   size_t w, dnnl_format_tag_t tag) {
  dnnl_dims_t dims = {(dnnl_dim_t)n, (dnnl_dim_t)c, (dnnl_dim_t)h,
                      (dnnl_dim_t)w};
  dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32, tag);
}

static dnnl_format_tag_t plain_tag(simdconv_layout layout) {
  return layout == SIMDCONV_LAYOUT_NCHW ? dnnl_nchw : dnnl_nhwc;
}

/* dst := src with a one-off reorder primitive. */
static dnnl_status_t reorder(dnnl_memory_t src, dnnl_memory_t dst) {
  const dnnl_memory_desc_t *smd = NULL, *dmd = NULL;
  dnnl_memory_get_memory_desc(src, &smd);
  dnnl_memory_get_memory_desc(dst, &dmd);
  dnnl_primitive_desc_t rpd = NULL;
  dnnl_primitive_t r = NULL;
  dnnl_status_t s = dnnl_reorder_primitive_desc_create(&rpd, smd, g_engine,
                                                       dmd, g_engine, NULL);
  if (s == dnnl_success) s = dnnl_primitive_create(&r, rpd);
  if (s == dnnl_success) {
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
    s = dnnl_primitive_execute(r, g_stream, 2, args);
  }
  if (s == dnnl_success) s = dnnl_stream_wait(g_stream);
  if (r) dnnl_primitive_destroy(r);
  if (rpd) dnnl_primitive_desc_destroy(rpd);
  return s;
}

/* The operation: a convolution, or for a transposed layer a deconvolution,
 * whose right padding is oneDNN's crop minus the output padding. */
typedef union dn_op_desc {
  dnnl_convolution_desc_t conv;
  dnnl_deconvolution_desc_t deconv;
} dn_op_desc;

static dnnl_status_t dn_op_desc_init(dn_op_desc *od, const bench_layer *l,
                                     const dnnl_memory_desc_t *src,
                                     const dnnl_memory_desc_t *w,
                                     const dnnl_memory_desc_t *b,
                                     const dnnl_memory_desc_t *dst) {
  /* oneDNN counts dilation from 0 (0 = dense); padding per side. */
  dnnl_dims_t strides = {(dnnl_dim_t)l->sh, (dnnl_dim_t)l->sw};
  dnnl_dims_t dilates = {(dnnl_dim_t)l->dh - 1, (dnnl_dim_t)l->dw - 1};
  dnnl_dims_t pad = {(dnnl_dim_t)l->ph, (dnnl_dim_t)l->pw};
  if (!l->transposed)
    return dnnl_dilated_convolution_forward_desc_init(
        &od->conv, dnnl_forward_inference, dnnl_convolution_direct, src, w, b,
        dst, strides, dilates, pad, pad);
  dnnl_dims_t pad_r = {(dnnl_dim_t)l->ph - (dnnl_dim_t)l->oph,
                       (dnnl_dim_t)l->pw - (dnnl_dim_t)l->opw};
  return dnnl_dilated_deconvolution_forward_desc_init(
      &od->deconv, dnnl_forward_inference, dnnl_deconvolution_direct, src, w,
      b, dst, strides, dilates, pad, pad_r);
}

/* A negative right padding (output padding beyond the crop) is not taken. */
static const char *dn_unsupported(const bench_variant *v,
                                  const bench_layer *l) {
  (void)v;
  return l->transposed && (l->oph > l->ph || l->opw > l->pw)
             ? "output padding larger than the padding"
             : NULL;
}

/* The --residual post-ops: dst = relu(conv + 1.0 * dst). */
static dnnl_status_t dn_post_ops(dnnl_primitive_attr_t attr, int option) {
  if (!(option & (BENCH_ONEDNN_SUM | BENCH_ONEDNN_RELU)))
    return dnnl_success;
  dnnl_post_ops_t po = NULL;
  dnnl_status_t s = dnnl_post_ops_create(&po);
  if (s == dnnl_success && (option & BENCH_ONEDNN_SUM))
    s = dnnl_post_ops_append_sum(po, 1.0f);
  if (s == dnnl_success && (option & BENCH_ONEDNN_RELU))
    s = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
  if (s == dnnl_success)
    s = dnnl_primitive_attr_set_post_ops(attr, po);
  if (po)
    dnnl_post_ops_destroy(po);
  return s;
}

static void dn_plan_destroy(void *plan) {
  dn_plan *p = plan;
  if (p == NULL) return;
  if (p->weights) dnnl_memory_destroy(p->weights);
  if (p->bias) dnnl_memory_destroy(p->bias);
  if (p->prim) dnnl_primitive_destroy(p->prim);
  if (p->pd) dnnl_primitive_desc_destroy(p->pd);
  free(p);
}

static void *dn_plan_create(const bench_variant *v, const bench_tensors *t,
                            const bench_threads *th, bool cold, char *err) {
  const bench_layer *l = &t->layer;
  dn_plan *p = calloc(1, sizeof *p);
  dnnl_primitive_attr_t attr = NULL;
  dnnl_memory_t user_w = NULL, user_b = NULL;
  int cache_capacity = -1;
  if (p == NULL) {
    snprintf(err, BENCH_ERR_LEN, "out of memory");
    return NULL;
  }
  p->layer = *l;
  p->fmt = v->option & BENCH_ONEDNN_FORMAT_MASK;
  p->layout = v->layout;
  ONEDNN_SET_THREADS(th->count); /* oneDNN sizes its work split now */

  dnnl_format_tag_t tag = p->fmt == FMT_ANY    ? dnnl_format_tag_any
                          : p->fmt == FMT_NCHW ? dnnl_nchw
                                               : dnnl_nhwc;
  dnnl_memory_desc_t src_md, dst_md, w_md, user_w_md, b_md;
  act_md(&src_md, l->N, l->C, l->H, l->W, tag);
  act_md(&dst_md, l->N, l->K, l->OH, l->OW, tag);
  dnnl_dims_t bdims = {(dnnl_dim_t)l->K};
  dnnl_memory_desc_init_by_tag(&b_md, 1, bdims, dnnl_f32, dnnl_x);
  if (l->g == 1) {
    dnnl_dims_t wd = {(dnnl_dim_t)l->K, (dnnl_dim_t)l->C, (dnnl_dim_t)l->R,
                      (dnnl_dim_t)l->S};
    dnnl_memory_desc_init_by_tag(&w_md, 4, wd, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&user_w_md, 4, wd, dnnl_f32, dnnl_oihw);
  } else {
    /* OIHW with K = g * K/g is exactly goihw */
    dnnl_dims_t wd = {(dnnl_dim_t)l->g, (dnnl_dim_t)(l->K / l->g),
                      (dnnl_dim_t)(l->C / l->g), (dnnl_dim_t)l->R,
                      (dnnl_dim_t)l->S};
    dnnl_memory_desc_init_by_tag(&w_md, 5, wd, dnnl_f32, dnnl_format_tag_any);
    dnnl_memory_desc_init_by_tag(&user_w_md, 5, wd, dnnl_f32, dnnl_goihw);
  }
  dn_op_desc cd;
  DN_CHECK(dn_op_desc_init(&cd, l, &src_md, &w_md, &b_md, &dst_md),
           "dnnl_dilated_(de)convolution_forward_desc_init");
  DN_CHECK(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
  DN_CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr,
                                                   dnnl_scratchpad_mode_user),
           "dnnl_primitive_attr_set_scratchpad_mode");
  DN_CHECK(dn_post_ops(attr, v->option), "post-ops");
  if (cold) {
    /* An empty primitive cache: creation compiles its JIT kernels again. */
    dnnl_get_primitive_cache_capacity(&cache_capacity);
    dnnl_set_primitive_cache_capacity(0);
  }
  DN_CHECK(dnnl_primitive_desc_create(&p->pd, &cd, attr, g_engine, NULL),
           "dnnl_primitive_desc_create ((de)convolution)");
  DN_CHECK(dnnl_primitive_create(&p->prim, p->pd), "dnnl_primitive_create");
  if (cache_capacity >= 0) {
    dnnl_set_primitive_cache_capacity(cache_capacity);
    cache_capacity = -1;
  }
  const char *impl = NULL;
  dnnl_primitive_desc_query(p->pd, dnnl_query_impl_info_str, 0, &impl);
  snprintf(p->impl, sizeof p->impl, "%s", impl ? impl : "?");

  const dnnl_memory_desc_t *pw_md =
      dnnl_primitive_desc_query_md(p->pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *sp_md =
      dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
  p->scratch_bytes = sp_md ? dnnl_memory_desc_get_size(sp_md) : 0;
  p->packed_bytes = dnnl_memory_desc_get_size(pw_md);
  DN_CHECK(dnnl_memory_create(&user_w, &user_w_md, g_engine, t->weights),
           "dnnl_memory_create (user weights)");
  DN_CHECK(dnnl_memory_create(&p->weights, pw_md, g_engine,
                              DNNL_MEMORY_ALLOCATE),
           "dnnl_memory_create (weights)");
  DN_CHECK(reorder(user_w, p->weights), "weights reorder");
  DN_CHECK(dnnl_memory_create(&user_b, &b_md, g_engine, t->bias),
           "dnnl_memory_create (user bias)");
  DN_CHECK(dnnl_memory_create(&p->bias, &b_md, g_engine, DNNL_MEMORY_ALLOCATE),
           "dnnl_memory_create (bias)");
  DN_CHECK(reorder(user_b, p->bias), "bias copy");
  p->packed_bytes += l->K * sizeof(float);
  dnnl_memory_destroy(user_w);
  dnnl_memory_destroy(user_b);
  dnnl_primitive_attr_destroy(attr);
  return p;
fail:
  if (cache_capacity >= 0) dnnl_set_primitive_cache_capacity(cache_capacity);
  if (user_w) dnnl_memory_destroy(user_w);
  if (user_b) dnnl_memory_destroy(user_b);
  if (attr) dnnl_primitive_attr_destroy(attr);
  dn_plan_destroy(p);
  return NULL;
}

static size_t dn_workspace_bytes(void *plan) {
  return ((dn_plan *)plan)->scratch_bytes;
}

static size_t dn_packed_bytes(void *plan) {
  return ((dn_plan *)plan)->packed_bytes;
}

static const char *dn_impl_name(void *plan) { return ((dn_plan *)plan)->impl; }

static void dn_unbind(void *binding) {
  dn_binding *b = binding;
  if (b == NULL) return;
  if (b->src) dnnl_memory_destroy(b->src);
  if (b->dst) dnnl_memory_destroy(b->dst);
  if (b->user_dst) dnnl_memory_destroy(b->user_dst);
  if (b->scratch) dnnl_memory_destroy(b->scratch);
  free(b);
}

static void *dn_bind(void *plan, const float *in, float *out, void *ws,
                     size_t ws_bytes, const bench_threads *th, char *err) {
  dn_plan *p = plan;
  const bench_layer *l = &p->layer;
  dnnl_memory_t user_src = NULL;
  dn_binding *b = calloc(1, sizeof *b);
  if (b == NULL) {
    snprintf(err, BENCH_ERR_LEN, "out of memory");
    return NULL;
  }
  b->plan = p;
  ONEDNN_SET_THREADS(th->count);
  dnnl_memory_desc_t user_src_md, user_dst_md;
  act_md(&user_src_md, l->N, l->C, l->H, l->W, plain_tag(p->layout));
  act_md(&user_dst_md, l->N, l->K, l->OH, l->OW, plain_tag(p->layout));
  const dnnl_memory_desc_t *src_md =
      dnnl_primitive_desc_query_md(p->pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *dst_md =
      dnnl_primitive_desc_query_md(p->pd, dnnl_query_dst_md, 0);

  if (dnnl_memory_desc_equal(src_md, &user_src_md)) {
    DN_CHECK(dnnl_memory_create(&b->src, src_md, g_engine, (void *)in),
             "dnnl_memory_create (src)");
  } else {
    DN_CHECK(dnnl_memory_create(&user_src, &user_src_md, g_engine, (void *)in),
             "dnnl_memory_create (user src)");
    DN_CHECK(dnnl_memory_create(&b->src, src_md, g_engine,
                                DNNL_MEMORY_ALLOCATE),
             "dnnl_memory_create (src)");
    DN_CHECK(reorder(user_src, b->src), "src reorder");
    dnnl_memory_destroy(user_src);
    user_src = NULL;
  }
  if (dnnl_memory_desc_equal(dst_md, &user_dst_md)) {
    DN_CHECK(dnnl_memory_create(&b->dst, dst_md, g_engine, out),
             "dnnl_memory_create (dst)");
  } else {
    DN_CHECK(dnnl_memory_create(&b->dst, dst_md, g_engine,
                                DNNL_MEMORY_ALLOCATE),
             "dnnl_memory_create (dst)");
    DN_CHECK(dnnl_memory_create(&b->user_dst, &user_dst_md, g_engine, out),
             "dnnl_memory_create (user dst)");
  }
  b->args[b->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SRC, b->src};
  b->args[b->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, p->weights};
  b->args[b->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, p->bias};
  b->args[b->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_DST, b->dst};
  if (p->scratch_bytes > 0) {
    if (ws == NULL || ws_bytes < p->scratch_bytes) {
      snprintf(err, BENCH_ERR_LEN, "scratchpad too small");
      goto fail;
    }
    const dnnl_memory_desc_t *sp_md =
        dnnl_primitive_desc_query_md(p->pd, dnnl_query_scratchpad_md, 0);
    DN_CHECK(dnnl_memory_create(&b->scratch, sp_md, g_engine, ws),
             "dnnl_memory_create (scratchpad)");
    b->args[b->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, b->scratch};
  }
  return b;
fail:
  if (user_src) dnnl_memory_destroy(user_src);
  dn_unbind(b);
  return NULL;
}

static int dn_run(void *binding, const bench_threads *th, char *err) {
  dn_binding *b = binding;
  ONEDNN_SET_THREADS(th->count);
  dnnl_status_t s =
      dnnl_primitive_execute(b->plan->prim, g_stream, b->nargs, b->args);
  if (s == dnnl_success) s = dnnl_stream_wait(g_stream);
  if (s == dnnl_success) return 0;
  snprintf(err, BENCH_ERR_LEN, "dnnl_primitive_execute: status %d", (int)s);
  return -1;
}

static int dn_fetch(void *binding, char *err) {
  dn_binding *b = binding;
  if (b->user_dst == NULL) return 0;
  dnnl_status_t s = reorder(b->dst, b->user_dst);
  if (s == dnnl_success) return 0;
  snprintf(err, BENCH_ERR_LEN, "dst reorder: status %d", (int)s);
  return -1;
}

static const bench_backend dn_backend = {
    .name = "onednn",
    .unsupported = dn_unsupported,
    .plan_create = dn_plan_create,
    .plan_destroy = dn_plan_destroy,
    .workspace_bytes = dn_workspace_bytes,
    .packed_bytes = dn_packed_bytes,
    .impl_name = dn_impl_name,
    .bind = dn_bind,
    .unbind = dn_unbind,
    .run = dn_run,
    .fetch = dn_fetch,
};

static int dn_init(char *err) {
  dnnl_status_t s = dnnl_engine_create(&g_engine, dnnl_cpu, 0);
  if (s == dnnl_success)
    s = dnnl_stream_create(&g_stream, g_engine, dnnl_stream_default_flags);
  if (s == dnnl_success) return 0;
  snprintf(err, BENCH_ERR_LEN, "oneDNN engine/stream creation: status %d",
           (int)s);
  return -1;
}

static void dn_variants(void (*add)(const bench_variant *v, void *ctx),
                        void *ctx) {
  static const char *const names[] = {"onednn/any", "onednn/nchw",
                                      "onednn/nhwc"};
  for (int fmt = FMT_ANY; fmt <= FMT_NHWC; fmt++) {
    bench_variant v = {0};
    v.backend = &dn_backend;
    v.option = fmt;
    /* "any" reorders once from NCHW, outside the timed loop */
    v.layout = fmt == FMT_NHWC ? SIMDCONV_LAYOUT_NHWC : SIMDCONV_LAYOUT_NCHW;
    v.peak_isa = SIMDCONV_ISA_AUTO; /* the machine's best */
    snprintf(v.name, sizeof v.name, "%s", names[fmt]);
    add(&v, ctx);
  }
}

static const char *isa_string(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
  }
}

static void dn_describe(char *out, size_t len) {
  const dnnl_version_t *ver = dnnl_version();
  snprintf(out, len, "oneDNN %d.%d.%d (%s), max CPU ISA %s, %s", ver->major,
           ver->minor, ver->patch, ver->hash ? ver->hash : "?",
           isa_string(dnnl_get_effective_cpu_isa()), ONEDNN_THREADING);
}

const bench_backend_entry bench_onednn_entry = {
    .backend = &dn_backend,
    .init = dn_init,
    .variants = dn_variants,
    .describe = dn_describe,
};
