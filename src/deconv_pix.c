/*
 * The pixel-lane transposed-convolution driver (see src/deconv_pix.h): the
 * packing of each phase class's sub-kernel in blocks of KBMAX output
 * channels, the CHW copy of NHWC images, and the run loop that hands tiles
 * of MR phase rows x NV pixel vectors of one output phase to an ISA's
 * micro-kernel. Compiled without ISA flags.
 *
 * Scalar twin: f32_conv_direct__scalar (direct_sum_transposed). Each
 * output is computed whole by one micro-kernel call, in canonical order, so
 * results are the same for any thread count, tiling and layout.
 */
#include <stdint.h>
#include <string.h>

#include "activation.h"
#include "deconv.h"
#include "deconv_phase.h"
#include "deconv_pix.h"
#include "problem.h"
#include "tasks.h"

static const sc_dpix_config *dp_cfg(const sc_conv_kernel *k) {
  return k->config;
}

bool sc_dpix_fits(const sc_conv_kernel *k, const sc_problem *p) {
  const sc_dpix_config *c = dp_cfg(k);
  /* The scatter's 32-bit lane offsets: pixel stride x (VL - 1). */
  const size_t ps = p->layout == SIMDCONV_LAYOUT_NHWC ? p->stride_w * p->K
                                                      : p->stride_w;
  return p->transposed && p->Kg <= c->max_kg &&
         p->padding_mode == SIMDCONV_PAD_ZEROS && p->stride_w <= INT32_MAX &&
         ps <= INT32_MAX / 64;
}

/* ---- packed weights ----------------------------------------------------- */

/* Packed: the dc_packed header and bias (src/deconv_phase.h), then per class
 * (ch, cw), group and block of KBMAX output channels: w[tap][Cg][KBMAX],
 * taps (jh, jw) in canonical order (kernel row first(ch) - jh*step_h,
 * column first(cw) - jw*step_w), channels past the group's end zero. */

static size_t dp_nblocks(const sc_conv_kernel *k, const sc_problem *p) {
  return sc_div_up(p->Kg, dp_cfg(k)->kbmax);
}

static size_t dp_class_floats(const sc_conv_kernel *k, const sc_problem *p,
                              size_t taps) {
  const size_t dims[] = {taps, p->Cg, dp_cfg(k)->kbmax, dp_nblocks(k, p),
                         p->groups};
  size_t f;
  return sc_product_ok(dims, 5, &f) ? f : SIZE_MAX;
}

size_t sc_dpix_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  size_t total;
  return dc_packed_layout(k, p, dp_class_floats, NULL, &total) ? total
                                                                : SIZE_MAX;
}

static void dp_pack_class(const sc_conv_kernel *k, const sc_problem *p,
                          const float *w_krsc, const float *bias, size_t ch,
                          size_t cw, float *out) {
  (void)bias;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const size_t kb = dp_cfg(k)->kbmax, th = dc_class_taps(&ah, ch),
               tw = dc_class_taps(&aw, cw);
  for (size_t g = 0; g < p->groups; g++)
    for (size_t b = 0; b < dp_nblocks(k, p); b++) {
      const size_t k0 = g * p->Kg + b * kb;
      const size_t nc = p->Kg - b * kb < kb ? p->Kg - b * kb : kb;
      for (size_t jh = 0; jh < th; jh++)
        for (size_t jw = 0; jw < tw; jw++) {
          const size_t r = dc_class_first(&ah, ch) - jh * ah.step;
          const size_t s = dc_class_first(&aw, cw) - jw * aw.step;
          for (size_t c = 0; c < p->Cg; c++, out += kb)
            for (size_t j = 0; j < kb; j++)
              out[j] = j < nc ? w_krsc[(((k0 + j) * p->R + r) * p->S + s) *
                                           p->Cg + c]
                              : 0.0f;
        }
    }
}

void sc_dpix_pack(const sc_conv_kernel *k, const sc_problem *p,
                  const float *w_krsc, const float *bias, void *packed) {
  dc_pack_classes(k, p, w_krsc, bias, packed, dp_class_floats,
                  dp_pack_class);
}

/* ---- workspace ---------------------------------------------------------- */

/* NHWC: one CHW image (C*H*W floats); NCHW images are read in place. */
size_t sc_dpix_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                              const sc_shape *s) {
  (void)k;
  if (p->layout == SIMDCONV_LAYOUT_NCHW)
    return 0;
  const size_t dims[] = {p->C, s->H, s->W, sizeof(float)};
  size_t bytes;
  return sc_product_ok(dims, 4, &bytes) ? bytes : SIZE_MAX;
}

/* ---- compute ------------------------------------------------------------ */

/* The tiling of the blocks of kb output channels: micro-kernel, rows per
 * tile, and the row tiles of every row phase together. */
typedef struct dp_plan {
  const sc_dpix_ukernel *uk;
  size_t kb, rtiles;
} dp_plan;

typedef struct dp_ctx {
  const sc_dpix_config *cfg;
  const sc_problem *p;
  const sc_shape *s;
  const float *packed;
  const dc_packed *hdr;
  const float *x;  /* the CHW image (NCHW: the first of the batch) */
  size_t image_in; /* floats between input images (0: one CHW copy) */
  size_t n0;       /* the image of task index 0 */
  float *y;
  size_t nblocks;
  size_t nrph, ncph; /* row and column phases: min(stride, output size) */
  dp_plan plan[2];   /* full blocks, the group's last block */
  const sc_scalar_math *math;
  sc_dpix_params params;
} dp_ctx;

/* Rows (pixels) of output phase f on an axis of `out` outputs, stride st. */
static size_t dp_phase_len(size_t out, size_t st, size_t f) {
  return sc_div_up(out - f, st);
}

/* The micro-kernel for blocks of kb channels: the shape that pads the
 * layer's phases to the fewest vector rows (the wide one on ties). */
static dp_plan dp_plan_make(const dp_ctx *c, size_t kb) {
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const size_t vl = c->cfg->vl;
  size_t best = 0, cost[2] = {0, 0};
  for (size_t u = 0; u < 2; u++) {
    const sc_dpix_ukernel *uk = &c->cfg->uk[kb - 1][u];
    for (size_t fh = 0; fh < c->nrph; fh++)
      for (size_t fw = 0; fw < c->ncph; fw++) {
        const size_t rows = dp_phase_len(s->OH, p->stride_h, fh);
        const size_t vecs = sc_div_up(dp_phase_len(s->OW, p->stride_w, fw), vl);
        cost[u] += sc_round_up(rows, uk->mr) * sc_round_up(vecs, uk->nv);
      }
  }
  best = cost[1] < cost[0] ? 1 : 0;
  dp_plan pl = {&c->cfg->uk[kb - 1][best], kb, 0};
  for (size_t fh = 0; fh < c->nrph; fh++)
    pl.rtiles += sc_div_up(dp_phase_len(s->OH, p->stride_h, fh), pl.uk->mr);
  return pl;
}

/* Outputs of a phase without taps: act(bias + 0.0f [+ residual]). */
static void dp_bias_only(const dp_ctx *c, const sc_dpix_tile *t, size_t kb,
                         const float *bias) {
  const sc_dpix_params *ip = &c->params;
  for (size_t k = 0; k < kb; k++)
    for (size_t i = 0; i < t->mr; i++)
      for (size_t j = 0; j < t->npix; j++) {
        float *y = t->y + k * t->ys_k + i * t->ys_r + j * t->ys_p;
        *y = dc_bias_output(c->math, c->p, bias[k],
                            ip->residual != NULL
                                ? ip->residual + (y - ip->output)
                                : NULL,
                            ip->alpha);
      }
}

/* Task (gb = n * groups * nblocks + g * nblocks + b, rt): row tile rt of
 * every column phase, output channels of block b of group g, image n. */
static void dp_task(void *arg, size_t gb, size_t rt) {
  const dp_ctx *c = arg;
  const sc_problem *p = c->p;
  const sc_shape *s = c->s;
  const size_t b = gb % c->nblocks, g = gb / c->nblocks % p->groups,
               n = gb / c->nblocks / p->groups + c->n0;
  const dp_plan *pl = &c->plan[b + 1 == c->nblocks];
  if (rt >= pl->rtiles)
    return;
  const size_t mr = pl->uk->mr, vw = pl->uk->nv * c->cfg->vl;
  /* The row phase and its tile. */
  size_t fh = 0, nrows;
  for (;; fh++) {
    nrows = dp_phase_len(s->OH, p->stride_h, fh);
    if (rt < sc_div_up(nrows, mr))
      break;
    rt -= sc_div_up(nrows, mr);
  }
  const size_t oh0 = fh + rt * mr * p->stride_h;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  const dc_taps tr = dc_axis_taps(&ah, oh0);
  const size_t k0 = g * p->Kg + b * c->cfg->kbmax;
  const bool nhwc = p->layout == SIMDCONV_LAYOUT_NHWC;
  const float *bias = c->packed + c->hdr->bias + k0;
  sc_dpix_tile t = {
      .x = c->x + n * c->image_in + g * p->Cg * s->H * s->W,
      .plane = s->H * s->W,
      .H = s->H,
      .W = s->W,
      .kc = p->Cg,
      .th = tr.count,
      .ddh = ah.ddil,
      .ddw = aw.ddil,
      .ih0 = tr.base,
      .mr = nrows - rt * mr < mr ? nrows - rt * mr : mr,
      .bias = bias,
      .ys_k = nhwc ? 1 : s->OH * s->OW,
      .ys_r = p->stride_h * s->OW * (nhwc ? p->K : 1),
      .ys_p = p->stride_w * (nhwc ? p->K : 1),
  };
  for (size_t fw = 0; fw < c->ncph; fw++) {
    const dc_taps tc = dc_axis_taps(&aw, fw);
    const size_t npix = dp_phase_len(s->OW, p->stride_w, fw);
    t.tw = tc.count;
    if (tr.count != 0 && tc.count != 0)
      t.w = c->packed + c->hdr->cls[tr.cls * c->hdr->ncls_w + tc.cls] +
            (g * c->nblocks + b) * tr.count * tc.count * p->Cg *
                c->cfg->kbmax;
    for (size_t j0 = 0; j0 < npix; j0 += vw) {
      const size_t ow0 = fw + j0 * p->stride_w;
      t.iw0 = tc.base + (ptrdiff_t)j0;
      t.npix = npix - j0 < vw ? npix - j0 : vw;
      t.y = c->y + (nhwc ? ((n * s->OH + oh0) * s->OW + ow0) * p->K + k0
                         : ((n * p->K + k0) * s->OH + oh0) * s->OW + ow0);
      if (tr.count == 0 || tc.count == 0)
        dp_bias_only(c, &t, pl->kb, bias);
      else
        pl->uk->fn(&t, &c->params);
    }
  }
}

/* Pixels per task of the CHW copy. */
#define DP_TRANSPOSE_PIXELS 256

typedef struct dp_transpose_ctx {
  const sc_dpix_config *cfg;
  size_t C, pixels;
  const float *src; /* pixels x C */
  float *dst;       /* C x pixels */
} dp_transpose_ctx;

/* The CHW copy of pixels [i * 256, ...) of an NHWC image. */
static void dp_transpose_task(void *arg, size_t i) {
  const dp_transpose_ctx *t = arg;
  const size_t p0 = i * DP_TRANSPOSE_PIXELS;
  const size_t np = t->pixels - p0 < DP_TRANSPOSE_PIXELS ? t->pixels - p0
                                                         : DP_TRANSPOSE_PIXELS;
  t->cfg->transpose(np, t->C, t->src + p0 * t->C, t->C, t->dst + p0,
                    t->pixels);
}

void sc_dpix_run(const sc_run_args *args) {
  const sc_dpix_config *cfg = dp_cfg(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const bool nhwc = p->layout == SIMDCONV_LAYOUT_NHWC;
  dp_ctx c = {
      .cfg = cfg,
      .p = p,
      .s = s,
      .packed = args->packed,
      .hdr = args->packed,
      .x = nhwc ? args->workspace : args->input,
      .image_in = nhwc ? 0 : p->C * s->H * s->W,
      .y = args->output,
      .nblocks = dp_nblocks(args->kernel, p),
      .nrph = p->stride_h < s->OH ? p->stride_h : s->OH,
      .ncph = p->stride_w < s->OW ? p->stride_w : s->OW,
      .math = sc_scalar_math_get(),
      .params = {.act = sc_act_params_from_problem(p),
                 .residual = args->residual,
                 .output = args->output,
                 .alpha = args->alpha},
  };
  const size_t last = p->Kg - (c.nblocks - 1) * cfg->kbmax;
  c.plan[0] = dp_plan_make(&c, cfg->kbmax);
  c.plan[1] = dp_plan_make(&c, last);
  const size_t rtiles = c.plan[0].rtiles > c.plan[1].rtiles
                            ? c.plan[0].rtiles
                            : c.plan[1].rtiles;
  const size_t blocks = p->groups * c.nblocks;
  if (!nhwc) {
    sc_parallelize_2d(args->pool, dp_task, &c, s->N * blocks, rtiles,
                      SC_POOL_FINAL);
    return;
  }
  const size_t image = p->C * s->H * s->W;
  for (size_t n = 0; n < s->N; n++) {
    dp_transpose_ctx tc = {cfg, p->C, s->H * s->W, args->input + n * image,
                           args->workspace};
    sc_parallelize_1d(args->pool, dp_transpose_task, &tc,
                      sc_div_up(tc.pixels, DP_TRANSPOSE_PIXELS),
                      SC_POOL_PHASE);
    c.n0 = n;
    sc_parallelize_2d(args->pool, dp_task, &c, blocks, rtiles,
                      n + 1 == s->N ? SC_POOL_FINAL : SC_POOL_PHASE);
  }
}

/* ---- the registry's view ------------------------------------------------ */

void sc_dpix_describe(const sc_conv_kernel *k, sc_kernel_desc *d) {
  *d = (sc_kernel_desc){
      .tile_m = dp_cfg(k)->vl,
      .tile_n = dp_cfg(k)->kbmax,
      .layouts = (1u << SIMDCONV_LAYOUT_NCHW) | (1u << SIMDCONV_LAYOUT_NHWC),
      .constraints = dp_cfg(k)->constraints,
  };
}

const char *sc_dpix_check(const sc_conv_kernel *k) {
  const sc_dpix_config *c = dp_cfg(k);
  if (c == NULL || c->constraints == NULL || c->transpose == NULL)
    return "deconv pix config without constraints or transpose";
  if (strncmp(k->name, "f32_deconv_pix_", 15) != 0)
    return "pixel-lane deconv kernel not named f32_deconv_pix_<VL>x<KB>";
  if (c->vl == 0 || c->vl > 16 || c->kbmax == 0 ||
      c->kbmax > SC_DPIX_KBMAX || c->max_kg == 0)
    return "deconv pix needs 1 <= VL <= 16, 1 <= KBMAX <= 4, max_kg >= 1";
  for (size_t kb = 1; kb <= c->kbmax; kb++)
    for (size_t u = 0; u < 2; u++)
      if (c->uk[kb - 1][u].fn == NULL || c->uk[kb - 1][u].mr == 0 ||
          c->uk[kb - 1][u].nv == 0)
        return "deconv pix needs both micro-kernel shapes for every block "
               "width";
  return NULL;
}
