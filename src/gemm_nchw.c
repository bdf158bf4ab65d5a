/*
 * The portable driver of the NCHW 1x1 GEMM kernels (see src/igemm.h,
 * sc_gemm_nchw_*): a 1x1 convolution without padding on NCHW data is a GEMM
 * straight on the planes, y[k][pixels] = w[k][c] * x[c][pixels], computed
 * in tiles of MR output channels x NR pixels by an ISA's micro-kernel
 * (src/ukernels/gemm_nchw_ukernel.h). Strided layers first gather the used
 * pixels. Compiled without ISA flags.
 *
 * Scalar twin: f32_conv_direct__scalar. Each output is computed whole by
 * one micro-kernel call, in canonical order, whatever the thread count.
 */
#include <stdint.h>

#include "igemm.h"
#include "problem.h"
#include "tasks.h"

static const sc_gemm_nchw_config *gemm_config(const sc_conv_kernel *k) {
  return k->config;
}

/* Input channels per group above which a stride-1 NCHW 1x1 layer runs
 * faster through the igemm family (input transposed to NHWC, output tiles
 * stored transposed): with more channels the transposes cost less than the
 * GEMM's one broadcast per FMA. Measured here, AVX-512 and AVX2, cold
 * caches: C >= 96 1.2-2.1x faster through igemm (256->64 56x56: 26 -> 45
 * GFLOP/s), C <= 64 1.06-4.5x faster here (16->96 112x112: 12 -> 47);
 * strided layers gather their pixels and stay here (256->512 s2: 1.22x). */
#define GEMM_NCHW_MAX_CG 64

bool sc_gemm_nchw_fits(const sc_conv_kernel *k, const sc_problem *p) {
  (void)k;
  const bool strided = p->stride_h > 1 || p->stride_w > 1;
  return p->dtype == SC_DTYPE_F32 && !p->transposed &&
         p->layout == SIMDCONV_LAYOUT_NCHW && p->R == 1 && p->S == 1 &&
         p->pad_top == 0 && p->pad_bottom == 0 && p->pad_left == 0 &&
         p->pad_right == 0 && !sc_is_depthwise(p) &&
         (p->Cg <= GEMM_NCHW_MAX_CG || strided);
}

void sc_gemm_nchw_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  const sc_gemm_nchw_config *cfg = gemm_config(k);
  *d = (sc_kernel_desc){
      .tile_m = cfg->mr,
      .tile_n = cfg->nr,
      .layouts = 1u << SIMDCONV_LAYOUT_NCHW,
      .constraints = "NCHW 1x1 without padding, not depthwise, at most 64 "
                     "input channels per group unless strided",
  };
}

const char *sc_gemm_nchw_check(const sc_conv_kernel *k) {
  const sc_gemm_nchw_config *cfg = gemm_config(k);
  if (cfg == NULL || cfg->ukernel == NULL || cfg->mr < 1 || cfg->nr < 1)
    return "gemm_nchw config without micro-kernel or tile";
  return NULL;
}

size_t sc_gemm_nchw_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  const size_t mr = gemm_config(k)->mr;
  const size_t dims[] = {p->groups, sc_div_up(p->Kg, mr), mr, sizeof(float)};
  size_t bytes;
  if (!sc_product_ok(dims, 4, &bytes) ||
      !sc_mul_ok(bytes, p->Cg + 1, &bytes))
    return SIZE_MAX;
  return bytes;
}

/* Per group, per block of MR output channels: bias[MR], then w[Cg][MR]. */
void sc_gemm_nchw_pack(const sc_conv_kernel *k, const sc_problem *p,
                       const float *w_krsc, const float *bias, void *packed) {
  const size_t mr = gemm_config(k)->mr, cg = p->Cg;
  float *out = packed;
  for (size_t g = 0; g < p->groups; g++)
    for (size_t b = 0; b < p->Kg; b += mr) {
      const size_t k0 = g * p->Kg + b;
      const size_t nk = p->Kg - b < mr ? p->Kg - b : mr;
      for (size_t i = 0; i < mr; i++)
        *out++ = i < nk && bias != NULL ? bias[k0 + i] + 0.0f : 0.0f;
      for (size_t c = 0; c < cg; c++)
        for (size_t i = 0; i < mr; i++)
          *out++ = i < nk ? w_krsc[(k0 + i) * cg + c] : 0.0f;
    }
}

static bool gemm_nchw_strided(const sc_problem *p) {
  return p->stride_h != 1 || p->stride_w != 1;
}

/* Strided: the used pixels of every image, gathered (N*C*OH*OW floats). */
size_t sc_gemm_nchw_workspace_size(const sc_conv_kernel *k,
                                   const sc_problem *p, const sc_shape *s) {
  (void)k;
  if (!gemm_nchw_strided(p))
    return 0;
  const size_t dims[] = {s->N, p->C, s->OH, s->OW, sizeof(float)};
  size_t bytes;
  return sc_product_ok(dims, 5, &bytes) ? bytes : SIZE_MAX;
}

typedef struct gemm_nchw_ctx {
  const sc_gemm_nchw_config *cfg;
  const sc_problem *p;
  const float *packed;
  const float *x;       /* N x C x pixels */
  float *y;             /* N x K x pixels */
  size_t pixels;        /* OH*OW */
  size_t block;         /* floats per packed MR block */
  size_t nblocks;       /* MR blocks per group */
  sc_gemm_nchw_params params;
} gemm_nchw_ctx;

/* The first block of a task streams its input from memory, one run of NR
 * pixels from each of Cg planes per panel: more streams than the hardware
 * prefetchers follow, so the driver prefetches the input of the panel this
 * many panels ahead. Measured, cold caches, AVX-512 (AVX2): 64->64 56x56
 * 46.6 -> 67.3 GFLOP/s (47.7 -> 61.0), 32->16 112x112 26.4 -> 38.8,
 * 64->256 56x56 82.6 -> 103.9; 1-8 panels ahead all helped, 4 best;
 * prefetching for the later blocks too (input then in L2) lost it again. */
#define GEMM_NCHW_PREFETCH_PANELS 4

/* Image n, group g, output pixels [p0, p0+np), output channels [k0, k0+nk)
 * of the group (k0 a multiple of MR), block by block of MR channels: the
 * task's Cg x np input stays in L2 across the blocks, and each block writes
 * runs of np pixels to its MR output rows. */
static void gemm_nchw_task(void *arg, size_t n, size_t g, size_t p0, size_t k0,
                           size_t np, size_t nk) {
  const gemm_nchw_ctx *ctx = arg;
  const sc_problem *p = ctx->p;
  const size_t mr = ctx->cfg->mr, nr = ctx->cfg->nr, hw = ctx->pixels;
  const float *x = ctx->x + (n * p->C + g * p->Cg) * hw;
  float *y = ctx->y + (n * p->K + g * p->Kg) * hw;
  const float *wg = ctx->packed + g * ctx->nblocks * ctx->block;
  for (size_t k = k0; k < k0 + nk; k += mr) {
    const size_t m = k0 + nk - k < mr ? k0 + nk - k : mr;
    const float *w = wg + k / mr * ctx->block;
    for (size_t pix = p0; pix < p0 + np; pix += nr) {
      const size_t ahead = pix + GEMM_NCHW_PREFETCH_PANELS * nr;
      if (k == k0 && ahead < p0 + np)
        for (size_t c = 0; c < p->Cg; c++)
          __builtin_prefetch(x + c * hw + ahead);
      ctx->cfg->ukernel(m, p0 + np - pix < nr ? p0 + np - pix : nr, p->Cg, w,
                        x + pix, hw, y + k * hw + pix, hw, &ctx->params);
    }
  }
}

typedef struct gather_ctx {
  const float *x;
  float *xs;
  size_t H, W, OH, OW, sh, sw;
} gather_ctx;

/* Row (plane, oh) of the strided gather. */
static void gather_task(void *arg, size_t plane, size_t oh) {
  const gather_ctx *t = arg;
  const float *src = t->x + (plane * t->H + oh * t->sh) * t->W;
  float *dst = t->xs + (plane * t->OH + oh) * t->OW;
  for (size_t ow = 0; ow < t->OW; ow++)
    dst[ow] = src[ow * t->sw];
}

void sc_gemm_nchw_run(const sc_run_args *args) {
  const sc_gemm_nchw_config *cfg = gemm_config(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  gemm_nchw_ctx ctx = {
      .cfg = cfg,
      .p = p,
      .packed = args->packed,
      .x = args->input,
      .y = args->output,
      .pixels = s->OH * s->OW,
      .block = cfg->mr * (p->Cg + 1),
      .nblocks = sc_div_up(p->Kg, cfg->mr),
      .params = {.act = sc_act_params_from_problem(p),
                 .residual = args->residual,
                 .output = args->output,
                 .alpha = args->alpha},
  };
  if (gemm_nchw_strided(p)) {
    gather_ctx t = {args->input, args->workspace, s->H, s->W, s->OH, s->OW,
                    p->stride_h, p->stride_w};
    sc_parallelize_2d(args->pool, gather_task, &t, s->N * p->C,
                      s->OH, SC_POOL_PHASE);
    ctx.x = args->workspace;
  }
  /* Tasks of pt panels of NR pixels (their Cg x pt*NR input within the L2
   * budget) x all the MR blocks of a group; split further while
   * there are too few tasks for the threads. */
  const size_t mr = cfg->mr, nr = cfg->nr;
  const size_t panels = sc_div_up(ctx.pixels, nr);
  size_t kt = ctx.nblocks;
  size_t pt = sc_l2_budget() / (nr * sizeof(float) * (p->Cg ? p->Cg : 1));
  pt = pt < 1 ? 1 : pt > panels ? panels : pt;
  const size_t threads = pthreadpool_get_threads_count(args->pool);
  if (threads > 1) {
    const size_t outer = s->N * p->groups;
    sc_split_tasks(threads, outer, panels, &pt, ctx.nblocks, &kt);
  }
  sc_parallelize_4d_tile_2d(args->pool, gemm_nchw_task, &ctx, s->N,
                            p->groups, ctx.pixels, p->Kg, pt * nr,
                            kt * mr, args->pool_final);
}
