/*
 * The pixel-lane transposed-convolution driver (see src/deconv_pix.h): the
 * packing of each phase class's sub-kernel in blocks of KBMAX output
 * channels, the HCW copy of each image, and the run loop that hands tiles
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
#include "bounds.h"
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
  return p->dtype == SC_DTYPE_F32 && p->transposed && p->Kg <= c->max_kg &&
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
  return dc_packed_size(k, p, dp_class_floats);
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

/* ---- plan and workspace -------------------------------------------------- */

/* Rows (pixels) of output phase f on an axis of `out` outputs, stride st. */
static size_t dp_phase_len(size_t out, size_t st, size_t f) {
  return sc_div_up(out - f, st);
}

/* The tiles of `unit` outputs over every phase of an axis: the sum over
 * f < min(st, out) of div_up(dp_phase_len(out, st, f), unit), in O(1):
 * with out = q*st + r, the first r phases hold q + 1 outputs and the rest
 * q (a size query must not walk up to 2^31 phases). */
static size_t dp_tiles(size_t out, size_t st, size_t unit) {
  if (out <= st)
    return out; /* one output per phase */
  const size_t q = out / st, r = out % st;
  return r * sc_div_up(q + 1, unit) + (st - r) * sc_div_up(q, unit);
}

/* The tiling of the blocks of kb output channels: micro-kernel, and the
 * row tiles of every row phase together. */
typedef struct dp_plan {
  const sc_dpix_ukernel *uk;
  size_t kb, rtiles;
} dp_plan;

/* A run's geometry: the plans of full blocks and of each group's last
 * block, and the HCW copy's zero margins (top T, left L rows and columns
 * before the image; Hp x Wp pixels in all). padded: the margins hold every
 * read of every tile (past the image, past a phase's last row or pixel:
 * rows and lanes that are not stored), so the micro-kernels never mask;
 * else (a margin would make the copy larger than the workspace bound
 * allows) no margins, and border taps load under masks. */
typedef struct dp_geom {
  dp_plan plan[2];
  size_t T, L, Hp, Wp;
  bool padded;
} dp_geom;

/* The micro-kernel for blocks of kb channels: the shape that pads the
 * layer's phases to the fewest vectors (the wide one on ties). */
static dp_plan dp_plan_make(const sc_dpix_config *cfg, const sc_problem *p,
                            const sc_shape *s, size_t kb) {
  /* The padded outputs of every (row phase, column phase) pair: rows
   * rounded to mr times pixel vectors rounded to nv, a separable sum. */
  double cost[2];
  for (size_t u = 0; u < 2; u++) {
    const sc_dpix_ukernel *uk = &cfg->uk[kb - 1][u];
    cost[u] = (double)(uk->mr * dp_tiles(s->OH, p->stride_h, uk->mr)) *
              (double)(uk->nv * dp_tiles(s->OW, p->stride_w, cfg->vl * uk->nv));
  }
  dp_plan pl = {&cfg->uk[kb - 1][cost[1] < cost[0]], kb, 0};
  pl.rtiles = dp_tiles(s->OH, p->stride_h, pl.uk->mr);
  return pl;
}

/* The input rows (columns) that the tiles of `unit` outputs of every phase
 * read on one axis, as margins before (*lo) and after (*hi) the n inputs. */
static void dp_reach(const dc_axis *a, size_t out, size_t n, size_t unit,
                     size_t *lo, size_t *hi) {
  const size_t phases = a->stride < out ? a->stride : out;
  /* Only phases with taps read: one per class (dc_class_phase()). */
  for (size_t c = 0; c < a->ncls; c++) {
    const size_t f = dc_class_phase(a, c);
    if (f >= phases)
      continue;
    const dc_taps t = dc_axis_taps(a, f);
    const size_t len = sc_round_up(dp_phase_len(out, a->stride, f), unit);
    const ptrdiff_t last =
        t.base + (ptrdiff_t)(len - 1 + (t.count - 1) * a->ddil);
    if (t.base < 0 && (size_t)-t.base > *lo)
      *lo = (size_t)-t.base;
    if (last >= (ptrdiff_t)n && (size_t)last - n + 1 > *hi)
      *hi = (size_t)last - n + 1;
  }
}

static void dp_geom_make(const sc_conv_kernel *k, const sc_problem *p,
                         const sc_shape *s, dp_geom *g) {
  const sc_dpix_config *cfg = dp_cfg(k);
  const size_t last = p->Kg - (dp_nblocks(k, p) - 1) * cfg->kbmax;
  const dc_axis ah = dc_axis_h(p), aw = dc_axis_w(p);
  size_t T = 0, B = 0, L = 0, R = 0, hp, wp, bytes, bound;
  g->plan[0] = dp_plan_make(cfg, p, s, cfg->kbmax);
  g->plan[1] = dp_plan_make(cfg, p, s, last);
  for (size_t i = 0; i < 2; i++) {
    dp_reach(&ah, s->OH, s->H, g->plan[i].uk->mr, &T, &B);
    dp_reach(&aw, s->OW, s->W, g->plan[i].uk->nv * cfg->vl, &L, &R);
  }
  size_t d[4] = {p->C, 0, 0, sizeof(float)};
  g->padded = cfg->margins && !__builtin_add_overflow(s->H, T, &hp) &&
              !__builtin_add_overflow(hp, B, &hp) &&
              !__builtin_add_overflow(s->W, L, &wp) &&
              !__builtin_add_overflow(wp, R, &wp) &&
              (d[1] = hp, d[2] = wp, sc_product_ok(d, 4, &bytes)) &&
              sc_workspace_bound(p, s, &bound) && bytes <= bound / 2;
  g->T = g->padded ? T : 0;
  g->L = g->padded ? L : 0;
  g->Hp = g->padded ? hp : s->H;
  g->Wp = g->padded ? wp : s->W;
}

/* The HCW copy of the image being computed, with its margins. */
size_t sc_dpix_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                              const sc_shape *s) {
  dp_geom g;
  dp_geom_make(k, p, s, &g);
  const size_t dims[] = {p->C, g.Hp, g.Wp, sizeof(float)};
  size_t bytes;
  return sc_product_ok(dims, 4, &bytes) ? bytes : SIZE_MAX;
}

/* ---- compute ------------------------------------------------------------ */

typedef struct dp_ctx {
  const sc_dpix_config *cfg;
  const sc_problem *p;
  const sc_shape *s;
  const float *packed;
  const dc_packed *hdr;
  const float *x;  /* the HCW copy of image n0 at its first real pixel */
  size_t n0;       /* the image being computed */
  float *y;
  size_t nblocks;
  size_t ncph; /* column phases: min(stride, output width) */
  dp_geom geom;
  const sc_scalar_math *math;
  sc_dpix_params params;
} dp_ctx;

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
  const size_t b = gb % c->nblocks, g = gb / c->nblocks, n = c->n0;
  const dp_plan *pl = &c->geom.plan[b + 1 == c->nblocks];
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
      .x = c->x + g * p->Cg * c->geom.Wp,
      .cstride = c->geom.Wp,
      .rstride = p->C * c->geom.Wp,
      .inbounds = c->geom.padded,
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

typedef struct dp_copy_ctx {
  const sc_dpix_config *cfg;
  const sc_problem *p;
  const sc_shape *s;
  const dp_geom *g;
  const float *src; /* one image, the problem's layout */
  float *dst;       /* HCW: dst[((ih + T) * C + c) * Wp + iw + L] */
} dp_copy_ctx;

/* Row r of the HCW copy (input row r - T): a W x C transpose (NHWC) or C
 * row copies (NCHW) between zero margins; zeros above and below the
 * image. */
static void dp_copy_row(void *arg, size_t r) {
  const dp_copy_ctx *t = arg;
  const dp_geom *g = t->g;
  const size_t C = t->p->C, H = t->s->H, W = t->s->W, Wp = g->Wp;
  float *dst = t->dst + r * C * Wp;
  if (r < g->T || r - g->T >= H) {
    memset(dst, 0, C * Wp * sizeof(float));
    return;
  }
  const size_t ih = r - g->T;
  if (t->p->layout == SIMDCONV_LAYOUT_NHWC)
    t->cfg->transpose(W, C, t->src + ih * W * C, C, dst + g->L, Wp);
  else
    dc_hcw_row_copy(t->src, C, H, W, ih, dst + g->L, Wp);
  if (Wp != W)
    for (size_t c = 0; c < C; c++) {
      memset(dst + c * Wp, 0, g->L * sizeof(float));
      memset(dst + c * Wp + g->L + W, 0, (Wp - W - g->L) * sizeof(float));
    }
}

void sc_dpix_run(const sc_run_args *args) {
  const sc_dpix_config *cfg = dp_cfg(args->kernel);
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  dp_ctx c = {
      .cfg = cfg,
      .p = p,
      .s = s,
      .packed = args->packed,
      .hdr = args->packed,
      .y = args->output,
      .nblocks = dp_nblocks(args->kernel, p),
      .ncph = p->stride_w < s->OW ? p->stride_w : s->OW,
      .math = sc_scalar_math_get(),
      .params = {.act = sc_act_params_from_problem(p),
                 .residual = args->residual,
                 .output = args->output,
                 .alpha = args->alpha},
  };
  dp_geom_make(args->kernel, p, s, &c.geom);
  c.x = (const float *)args->workspace +
        (c.geom.T * p->C * c.geom.Wp + c.geom.L);
  const size_t rtiles = c.geom.plan[0].rtiles > c.geom.plan[1].rtiles
                            ? c.geom.plan[0].rtiles
                            : c.geom.plan[1].rtiles;
  const size_t blocks = p->groups * c.nblocks;
  const size_t image = p->C * s->H * s->W;
  for (size_t n = 0; n < s->N; n++) {
    dp_copy_ctx cc = {cfg, p, s, &c.geom, args->input + n * image,
                      args->workspace};
    sc_parallelize_1d(args->pool, dp_copy_row, &cc, c.geom.Hp,
                      SC_POOL_PHASE);
    c.n0 = n;
    sc_parallelize_2d(args->pool, dp_task, &c, blocks, rtiles,
                      sc_pool_flags(args, n + 1 == s->N));
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
