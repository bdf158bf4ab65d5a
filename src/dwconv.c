/*
 * The portable driver of the depthwise kernels (see dwconv.h): fits, packing,
 * workspace, and the run loop that maps padded rows and columns and hands
 * rows to the ISA's micro-kernels over the thread pool. Compiled without ISA
 * flags; the vector code lives in the micro-kernels the config points to.
 */
#include <math.h>
#include <string.h>

#include "dwconv.h"
#include "padding.h"
#include "problem.h"
#include "tasks.h"


static bool dw_fits(const sc_conv_kernel *k, const sc_problem *p,
                    simdconv_layout layout) {
  (void)k;
  /* Transposed depthwise layers: the deconv_dwconv family (src/deconv_dw.c). */
  return p->dtype == SC_DTYPE_F32 && !p->transposed && p->layout == layout &&
         p->Cg == 1 && p->groups == p->C &&
         p->R <= SC_DW_MAX_R && p->K <= (size_t)INT32_MAX - SC_DW_KPAD &&
         p->stride_w <= (size_t)INT32_MAX && p->dil_w <= (size_t)INT32_MAX &&
         p->pad_left <= (size_t)INT32_MAX;
}

/* A single-channel image with several output channels (a grayscale stem,
 * groups == C == 1) is an ordinary convolution, which the igemm tiles run
 * faster in NHWC: on Zen 4, 3x3 over 256x256, 1.6x at K = 16, 1.8x at
 * K = 64, a 7x7 stride-2 stem of 64 1.8x (AVX2 1.0-2.0x from K = 2). One
 * output channel stays here (1.07-1.28x the igemm's 1-of-16 lanes); NCHW
 * too (the igemm pays transposes there: 0.4-0.7x). */
static bool dw_single_channel_stem(const sc_problem *p) {
  return p->groups == 1 && p->K > 1;
}

bool sc_dw_fits_nhwc(const sc_conv_kernel *k, const sc_problem *p) {
  return dw_fits(k, p, SIMDCONV_LAYOUT_NHWC) && !dw_single_channel_stem(p);
}

static void dw_describe(const sc_conv_kernel *k, sc_kernel_desc *d,
                        simdconv_layout layout, const char *constraints) {
  const sc_dw_config *cfg = k->config;
  *d = (sc_kernel_desc){
      .tile_m = 1,
      .tile_n = cfg->vw,
      .layouts = 1u << layout,
      .constraints = constraints,
  };
}

void sc_dw_describe_nhwc(const sc_conv_kernel *k, sc_kernel_desc *d) {
  dw_describe(k, d, SIMDCONV_LAYOUT_NHWC,
              "depthwise NHWC (groups == C, any channel multiplier; C == 1 "
              "only for K == 1), kernel height <= 64");
}

void sc_dw_describe_nchw(const sc_conv_kernel *k, sc_kernel_desc *d) {
  dw_describe(k, d, SIMDCONV_LAYOUT_NCHW,
              "depthwise NCHW (groups == C, any channel multiplier), "
              "kernel height <= 64, a row band that fits its stack ring");
}

/* The searches (dw_find_nhwc, dw_find_nchw, the flat planes') stop at the
 * first match and count on a last entry that matches every shape. */
static bool dw_catch_all(size_t R, size_t S, size_t sh, size_t sw, size_t dh,
                         size_t dw) {
  return R == 0 && S == 0 && sh == 0 && sw == 0 && dh == 0 && dw == 0;
}

const char *sc_dw_check(const sc_conv_kernel *k) {
  const sc_dw_config *cfg = k->config;
  if (cfg == NULL || cfg->vw < 1 || SC_DW_KPAD % cfg->vw != 0)
    return "depthwise vector width must divide SC_DW_KPAD";
  const sc_dw_nhwc_list *h = cfg->nhwc;
  if (h == NULL || h->count == 0)
    return "depthwise kernel without NHWC row functions";
  const sc_dw_nhwc_entry *eh = &h->entries[h->count - 1];
  if (!dw_catch_all(eh->R, eh->S, eh->sh, eh->sw, eh->dh, eh->dw) ||
      eh->kg1_only || eh->mr < 1 || eh->mr > SC_DW_MAX_MR)
    return "the last NHWC row function must take every shape";
  const sc_dw_nchw_list *c = cfg->nchw;
  if (k->fits == sc_dw_fits_nchw) {
    if (c == NULL || c->count == 0)
      return "NCHW depthwise kernel without NCHW row functions";
    const sc_dw_nchw_entry *ec = &c->entries[c->count - 1];
    if (!dw_catch_all(ec->R, ec->S, ec->sh, ec->sw, ec->dh, ec->dw) ||
        ec->zeros_only || ec->mr < 1 || ec->mr > SC_DW_MAX_MR)
      return "the last NCHW row function must take every shape";
  }
  const sc_dw_flat_list *f = cfg->flat;
  if (f != NULL && (f->count == 0 || f->entries[f->count - 1].R != 0 ||
                    f->entries[f->count - 1].S != 0))
    return "the last flat-plane function must take every kernel";
  return NULL;
}

size_t sc_dw_packed_size(const sc_conv_kernel *k, const sc_problem *p) {
  (void)k;
  const size_t kp = sc_round_up(p->K, SC_DW_KPAD);
  size_t taps, floats, bytes;
  if (!sc_mul_ok(p->R, p->S, &taps) || __builtin_add_overflow(taps, 1, &taps) ||
      !sc_mul_ok(taps, kp, &floats) || !sc_mul_ok(floats, sizeof(float), &bytes))
    return SIZE_MAX;
  if (p->Kg > 1 && __builtin_add_overflow(bytes, kp * sizeof(int32_t), &bytes))
    return SIZE_MAX;
  return bytes;
}

void sc_dw_pack(const sc_conv_kernel *k, const sc_problem *p,
                const float *w_krsc, const float *bias, void *packed) {
  (void)k;
  const size_t kp = sc_round_up(p->K, SC_DW_KPAD), taps = p->R * p->S;
  float *out = packed;
  memset(out, 0, (taps + 1) * kp * sizeof(float));
  for (size_t c = 0; c < p->K; c++)
    out[c] = bias ? bias[c] : 0.0f;
  float *w = out + kp;
  for (size_t c = 0; c < p->K; c++)
    for (size_t t = 0; t < taps; t++)
      w[t * kp + c] = w_krsc[c * taps + t];
  if (p->Kg > 1) {
    int32_t *in_channel = (int32_t *)(w + taps * kp);
    for (size_t c = 0; c < kp; c++)
      in_channel[c] = (int32_t)((c < p->K ? c : p->K - 1) / p->Kg);
  }
}

static ptrdiff_t dw_map(size_t o, size_t stride, size_t t, size_t dil,
                        size_t pad, size_t n, simdconv_padding_mode mode) {
  return sc_pad_map((ptrdiff_t)(o * stride + t * dil) - (ptrdiff_t)pad,
                    (ptrdiff_t)n, mode);
}

static size_t dw_threads(pthreadpool_t pool) {
  return pool ? pthreadpool_get_threads_count(pool) : 1;
}

/* Units per task along a second dimension of `units`: all of them unless
 * the first dimension has fewer than 8 tasks per thread to share out. */
static size_t dw_task_tile(pthreadpool_t pool, size_t first, size_t units,
                           size_t align) {
  const size_t want = 8 * dw_threads(pool);
  if (want == 1 || first >= want)
    return units;
  const size_t split = (want + first - 1) / first;
  return sc_round_up((units + split - 1) / split, align);
}

/* The bounds of the clamp fused into every store: the activation's for
 * CLAMP, else -inf and +inf (the identity, NaN included). */
static float dw_clamp_lo(const sc_problem *p) {
  return p->activation == SIMDCONV_ACT_CLAMP ? p->act_min : -INFINITY;
}

static float dw_clamp_hi(const sc_problem *p) {
  return p->activation == SIMDCONV_ACT_CLAMP ? p->act_max : INFINITY;
}

/* The first NHWC row function that fits the problem (kg1: as if Kg were 1). */
static const sc_dw_nhwc_entry *dw_find_nhwc(const sc_dw_config *cfg,
                                            const sc_problem *p, bool kg1) {
  for (size_t i = 0; i < cfg->nhwc->count; i++) {
    const sc_dw_nhwc_entry *e = &cfg->nhwc->entries[i];
    if ((e->R == 0 || e->R == p->R) && (e->S == 0 || e->S == p->S) &&
        (e->sh == 0 || e->sh == p->stride_h) &&
        (e->sw == 0 || e->sw == p->stride_w) &&
        (e->dh == 0 || e->dh == p->dil_h) &&
        (e->dw == 0 || e->dw == p->dil_w) && (!e->kg1_only || kg1))
      return e;
  }
  return NULL; /* unreachable: the last entry matches everything */
}

/* ---- NHWC ----------------------------------------------------------------- */

typedef struct dw_nhwc_task {
  const sc_run_args *args;
  sc_dw_nhwc_params params;
  sc_dw_nhwc_fn fn;
  size_t mr;
} dw_nhwc_task;

/* Task (image n, output rows [oh0, oh0 + nrows), channels [k0, k0 + nk)). */
static void dw_nhwc_rows(void *ctx, size_t n, size_t oh0, size_t k0,
                         size_t nrows, size_t nk) {
  const dw_nhwc_task *t = ctx;
  const sc_problem *p = t->args->problem;
  const sc_shape *s = t->args->shape;
  const float *x = t->args->input + n * s->H * s->W * p->C;
  const float *rows[SC_DW_MAX_MR * SC_DW_MAX_R + SC_DW_PREFETCH_ROWS + 1];
  for (size_t oh = oh0; oh < oh0 + nrows; oh += t->mr) {
    const size_t m_count = oh0 + nrows - oh < t->mr ? oh0 + nrows - oh : t->mr;
    ptrdiff_t last = -1; /* the block's last input row */
    for (size_t m = 0; m < m_count; m++)
      for (size_t r = 0; r < p->R; r++) {
        const ptrdiff_t ih = dw_map(oh + m, p->stride_h, r, p->dil_h,
                                    p->pad_top, s->H, p->padding_mode);
        rows[m * p->R + r] = ih < 0 ? NULL : x + (size_t)ih * s->W * p->C;
        if (ih > last)
          last = ih;
      }
    /* The rows after it that the next block reads first (zero padding
     * beyond the image: none). */
    for (size_t i = 0; i < t->params.prefetch_rows; i++) {
      const size_t ih = (size_t)(last + 1) + i;
      rows[m_count * p->R + i] = ih < s->H ? x + ih * s->W * p->C : NULL;
    }
    /* The image's next full block of output rows, if any (the next task's
     * at the task's end: tasks are one block each but when few). */
    rows[m_count * p->R + t->params.prefetch_rows] =
        oh + 2 * t->mr <= s->OH
            ? t->args->output + (n * s->OH + oh + t->mr) * s->OW * p->K
            : NULL;
    t->fn(&t->params, rows, m_count,
          t->args->output + (n * s->OH + oh) * s->OW * p->K, k0, nk);
  }
}

/* Next-block rows to prefetch (sc_dw_nhwc_params.prefetch_rows): the
 * mr * stride rows a block of mr output rows advances by, when the image's
 * input outgrows the L2 budget. A smaller one is in L2 when the layer
 * before has just written it: prefetched anyway, MobileNetV2's 28x28, 14x14
 * and 7x7 layers ran 1.14-1.27x from memory but 0.85-0.94x from L2 (Zen 4);
 * again with prefetcht2 on every line (dw_nhwc_prefetch_next): dw192_28
 * and dw576_14 1.21-1.23x from memory, 0.93x from cache, dw960_7 1.05x
 * and 0.86x, dw5x5_s2_28 1.10x and 0.89x. The larger images' prefetch,
 * Zen 4, old and new library in one process, from memory, 21 rounds:
 * MobileNetV2 dw96_s2_112 1.21x, dw144_s2_56 1.10x, dw144_56 and dw32_112
 * 1.07x, ConvNeXt dw7x7_56 1.02x (2 threads 1.02-1.11x, AVX2 1.04-1.21x). */
static size_t dw_prefetch_rows(const sc_problem *p, const sc_shape *s,
                               size_t mr) {
  const size_t dims[] = {s->H, s->W, p->C, sizeof(float)};
  size_t bytes, rows;
  if (!sc_product_ok(dims, 4, &bytes) || bytes <= sc_l2_budget() ||
      !sc_mul_ok(mr, p->stride_h, &rows))
    return 0;
  return rows < SC_DW_PREFETCH_ROWS ? rows : SC_DW_PREFETCH_ROWS;
}

static void dw_run_nhwc(const sc_run_args *args, const sc_dw_config *cfg) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const size_t kp = sc_round_up(p->K, SC_DW_KPAD);
  const float *bias = args->packed;
  ptrdiff_t *colmap = args->workspace;
  for (size_t ow = 0; ow < s->OW; ow++)
    for (size_t q = 0; q < p->S; q++)
      colmap[ow * p->S + q] = dw_map(ow, p->stride_w, q, p->dil_w, p->pad_left,
                                     s->W, p->padding_mode);
  dw_nhwc_task t = {
      .args = args,
      .params = {
          .C = p->C, .K = p->K, .Kg = p->Kg, .Kp = kp,
          .R = p->R, .S = p->S, .sw = p->stride_w, .dw = p->dil_w,
          .pad_left = p->pad_left, .W = s->W, .OW = s->OW,
          .zeros_mode = p->padding_mode == SIMDCONV_PAD_ZEROS,
          .colmap = colmap,
          .bias = bias,
          .w = bias + kp,
          .in_channel = p->Kg > 1 ? (const int32_t *)(bias + kp + kp * p->R * p->S) : NULL,
          .act = sc_act_params_from_problem(p),
          .lo = dw_clamp_lo(p),
          .hi = dw_clamp_hi(p),
          .residual = args->residual,
          .res_out = args->output,
          .alpha = args->alpha,
      },
  };
  sc_pad_interior(s->W, s->OW, p->S, p->stride_w, p->dil_w, p->pad_left,
                  &t.params.ow_lo, &t.params.ow_hi);
  const sc_dw_nhwc_entry *e = dw_find_nhwc(cfg, p, p->Kg == 1);
  t.fn = e->fn;
  t.mr = e->mr;
  t.params.prefetch_rows = dw_prefetch_rows(p, s, e->mr);
  /* The output too for 5x5 and larger kernels, whose blocks take long
   * enough to hide it: Zen 4, old and new library in one process, ConvNeXt
   * dw7x7_56 from memory 1.16x at 1 thread, 1.19x at 2, AVX2 1.15x, with
   * the image in L3 0.99x; the 3x3 layers' blocks lost 4-12% to it. */
  t.params.prefetch_out = t.params.prefetch_rows != 0 && p->R * p->S >= 25;
  /* Whole rows per task unless there are too few row blocks to share out. */
  const size_t blocks = s->N * ((s->OH + t.mr - 1) / t.mr);
  const size_t want = 8 * dw_threads(args->pool);
  size_t tile_k = p->K;
  if (want > 1 && blocks < want) {
    const size_t split = (want + blocks - 1) / blocks;
    tile_k = sc_round_up((p->K + split - 1) / split, 16);
    if (tile_k < 32)
      tile_k = 32;
    if (tile_k > p->K)
      tile_k = p->K;
  }
  sc_parallelize_3d_tile_2d(args->pool, dw_nhwc_rows, &t, s->N, s->OH,
                            p->K, t.mr, tile_k, args->pool_final);
}

/* ---- NCHW ----------------------------------------------------------------- */

/* The prepared-rows geometry for output strips of up to `ow` outputs: false
 * when not even one vector of outputs fits the ring. */
static bool dw_rows_geometry(const sc_problem *p, size_t vw, size_t mr,
                             size_t ow, sc_dw_nchw_params *g) {
  const size_t jn = (mr - 1) * p->stride_h + (p->R - 1) * p->dil_h + 1;
  /* Keyed by input row, with room to prepare the next block's rows while
   * the current block's are still read; else one slot per (m, r). */
  const size_t keyed = jn + mr * p->stride_h;
  const bool use_keyed = keyed <= SC_DW_ROWS_MAX_SLOTS;
  const size_t slots = use_keyed ? keyed : mr * p->R;
  const size_t qmax = (p->S - 1) * p->dil_w / p->stride_w;
  if (qmax > SC_DW_ROWS_RING_FLOATS || slots * p->stride_w > SC_DW_ROWS_RING_FLOATS)
    return false;
  const size_t avail = SC_DW_ROWS_RING_FLOATS / (slots * p->stride_w);
  /* A phase holds what the vectors of a strip read: up to the last vector's
   * start + qmax + a vector. */
  size_t ws = ow < vw ? vw : sc_round_up(ow, vw);
  size_t lp = sc_round_up(ws - vw + qmax + vw, 16);
  while (lp > avail && ws > vw) {
    ws -= vw;
    lp = sc_round_up(ws - vw + qmax + vw, 16);
  }
  if (lp > avail)
    return false;
  g->ws = ws < ow ? ws : ow;
  g->jn = jn;
  g->lp = lp;
  g->nslots = slots;
  g->keyed = use_keyed;
  return true;
}

static const sc_dw_nchw_entry *dw_find_nchw(const sc_dw_config *cfg,
                                            const sc_problem *p) {
  for (size_t i = 0; i < cfg->nchw->count; i++) {
    const sc_dw_nchw_entry *e = &cfg->nchw->entries[i];
    if ((e->R == 0 || e->R == p->R) && (e->S == 0 || e->S == p->S) &&
        (e->sh == 0 || e->sh == p->stride_h) &&
        (e->sw == 0 || e->sw == p->stride_w) &&
        (e->dh == 0 || e->dh == p->dil_h) &&
        (e->dw == 0 || e->dw == p->dil_w) &&
        (!e->zeros_only || p->padding_mode == SIMDCONV_PAD_ZEROS))
      return e;
  }
  return NULL; /* unreachable: the last entry matches everything */
}

/* NCHW rows wide enough for the direct row kernels: narrower ones run as
 * flat planes or through tiles when those fit. */
static bool dw_nchw_wide(const sc_dw_config *cfg, const sc_problem *p,
                         const sc_shape *s) {
  return s->OW >= SC_DW_ROWS_MIN_VECTORS * cfg->vw ||
         (dw_find_nchw(cfg, p)->zeros_only && 2 * s->OW >= 3 * cfg->vw);
}

/* Bytes of flat-plane masks when the problem runs as flat planes, else 0:
 * rows narrower than SC_DW_FLAT_MAX_VECTORS, stride 1, zero padding,
 * OW == W, masks within bounds. */
static size_t dw_flat_bytes(const sc_dw_config *cfg, const sc_problem *p,
                            const sc_shape *s) {
  if (cfg->flat == NULL || p->layout != SIMDCONV_LAYOUT_NCHW ||
      p->stride_h != 1 || p->stride_w != 1 ||
      p->padding_mode != SIMDCONV_PAD_ZEROS || s->OW != s->W ||
      p->R * p->S > SC_DW_FLAT_MAX_TAPS ||
      s->OW >= SC_DW_FLAT_MAX_VECTORS * cfg->vw)
    return 0;
  const size_t nvec = (s->OH * s->OW + cfg->vw - 1) / cfg->vw;
  if (nvec > SC_DW_FLAT_MAX_MASK_BYTES / (p->R * p->S * sizeof(uint16_t)))
    return 0;
  return nvec * p->R * p->S * sizeof(uint16_t);
}

/* NHWC: colmap[OW][S] of ptrdiff_t. NCHW: the flat planes' masks, else none
 * (the rows are prepared on the stack). */
size_t sc_dw_workspace_size(const sc_conv_kernel *k, const sc_problem *p,
                            const sc_shape *s) {
  size_t n;
  if (p->layout != SIMDCONV_LAYOUT_NHWC)
    return dw_flat_bytes(k->config, p, s);
  if (!sc_mul_ok(s->OW, p->S, &n) || !sc_mul_ok(n, sizeof(ptrdiff_t), &n))
    return SIZE_MAX;
  return n;
}

bool sc_dw_fits_nchw(const sc_conv_kernel *k, const sc_problem *p) {
  if (!dw_fits(k, p, SIMDCONV_LAYOUT_NCHW))
    return false;
  const sc_dw_config *cfg = k->config;
  sc_dw_nchw_params g;
  return dw_rows_geometry(p, cfg->vw, dw_find_nchw(cfg, p)->mr, 1, &g);
}

typedef struct dw_nchw_task {
  sc_dw_nchw_params params;
  sc_dw_nchw_fn fn;
} dw_nchw_task;

static void dw_nchw_rows(void *ctx, size_t plane, size_t oh0, size_t nrows) {
  const dw_nchw_task *t = ctx;
  t->fn(&t->params, plane, oh0, nrows);
}

typedef struct dw_tile_task {
  sc_dw_nchw_tile_params tp;
  sc_dw_nchw_band_fn band;
} dw_tile_task;

static void dw_tile_rows(void *ctx, size_t n, size_t kb, size_t oh0,
                         size_t nrows) {
  const dw_tile_task *t = ctx;
  t->band(&t->tp, n, kb * t->tp.tile.C, oh0, nrows);
}

/* NCHW through NHWC tiles; false when the tiles do not fit the band
 * function's buffers (then the direct NCHW kernels run). */
static bool dw_run_nchw_tiles(const sc_run_args *args,
                              const sc_dw_config *cfg) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  if (cfg->nchw_band == NULL || cfg->nhwc == NULL)
    return false;
  const sc_dw_nhwc_entry *e = dw_find_nhwc(cfg, p, true);
  const size_t vw = cfg->vw, mr = e->mr;
  const size_t jn = (mr - 1) * p->stride_h + (p->R - 1) * p->dil_h + 1;
  /* Small planes with zero padding: the whole plane, unpadded. */
  const bool flat = p->padding_mode == SIMDCONV_PAD_ZEROS &&
                    s->H * s->W <= SC_DW_TILE_RING_FLOATS / vw &&
                    s->OW * mr <= SC_DW_TILE_OUT_FLOATS / vw;
  /* Otherwise the widest strip whose input rows fit the ring and outputs
   * the output tile. */
  size_t ws = s->OW;
  if (!flat) {
    if (jn > SC_DW_TILE_MAX_JN)
      return false;
    const size_t span_max = SC_DW_TILE_RING_FLOATS / (jn * vw);
    const size_t halo = (p->S - 1) * p->dil_w + 1;
    if (span_max < halo)
      return false;
    ws = (span_max - halo) / p->stride_w + 1;
    if (ws > SC_DW_TILE_OUT_FLOATS / (mr * vw))
      ws = SC_DW_TILE_OUT_FLOATS / (mr * vw);
    if (ws > s->OW)
      ws = s->OW;
    if (ws < 4 && ws < s->OW)
      return false;
  }
  const size_t kp = sc_round_up(p->K, SC_DW_KPAD);
  const float *bias = args->packed;
  dw_tile_task t = {
      .tp = {
          .problem = p, .shape = s, .input = args->input,
          .output = args->output, .fn = e->fn, .mr = mr, .ws = ws, .jn = jn,
          .tile = {
              .C = vw, .K = vw, .Kg = 1, .Kp = kp, .R = p->R, .S = p->S,
              .sw = p->stride_w, .dw = p->dil_w, .pad_left = 0,
              .zeros_mode = 1, .bias = bias, .w = bias + kp,
              .act = sc_act_params_from_problem(p),
              .lo = dw_clamp_lo(p),
              .hi = dw_clamp_hi(p),
              .alpha = args->alpha,
          },
          .residual = args->residual,
      },
      .band = cfg->nchw_band,
  };
  if (flat) {
    sc_dw_nhwc_params *tile = &t.tp.tile;
    t.tp.flat = 1;
    tile->W = s->W;
    tile->OW = s->OW;
    tile->pad_left = p->pad_left;
    sc_pad_interior(s->W, s->OW, p->S, p->stride_w, p->dil_w, p->pad_left,
                    &tile->ow_lo, &tile->ow_hi);
  }
  /* Whole images per task unless there are too few channel blocks. */
  const size_t blocks = s->N * ((p->K + vw - 1) / vw);
  const size_t band = dw_task_tile(args->pool, blocks, s->OH, mr);
  sc_parallelize_3d_tile_1d(args->pool, dw_tile_rows, &t, s->N,
                            (p->K + vw - 1) / vw, s->OH, band,
                            args->pool_final);
  return true;
}

/* The problem-independent fields of the NCHW parameters. */
static void dw_nchw_params_init(const sc_run_args *args,
                                sc_dw_nchw_params *g) {
  const sc_problem *p = args->problem;
  const size_t kp = sc_round_up(p->K, SC_DW_KPAD);
  const float *bias = args->packed;
  g->problem = p;
  g->shape = args->shape;
  g->input = args->input;
  g->output = args->output;
  g->bias = bias;
  g->w = bias + kp;
  g->Kp = kp;
  g->act = sc_act_params_from_problem(p);
  g->lo = dw_clamp_lo(p);
  g->hi = dw_clamp_hi(p);
  g->residual = args->residual;
  g->alpha = args->alpha;
}

typedef struct dw_flat_task {
  sc_dw_nchw_params params;
  sc_dw_flat_fn fn;
  ptrdiff_t off[SC_DW_FLAT_MAX_TAPS];
} dw_flat_task;

static void dw_flat_vectors(void *ctx, size_t plane0, size_t v0,
                            size_t nplanes, size_t nv) {
  const dw_flat_task *t = ctx;
  t->fn(&t->params, plane0, nplanes, v0, nv);
}

/* The lane bits of every flat vector and tap (see DW_NCHW_FLAT): lane i of
 * vector v reads a real input for tap (r, s) when its output q = v*vw + i
 * exists and row q/OW + r*dil_h - pad_top, column q%OW + s*dil_w - pad_left
 * lie in the input (OW == W). */
static void dw_flat_masks(const sc_problem *p, const sc_shape *s, size_t vw,
                          uint16_t *masks) {
  const size_t nq = s->OH * s->OW, nvec = (nq + vw - 1) / vw, T = p->R * p->S;
  memset(masks, 0, nvec * T * sizeof *masks);
  uint16_t *m = masks; /* the vector of output q = oh*OW + ow */
  size_t i = 0;         /* its lane: q % vw */
  for (size_t oh = 0; oh < s->OH; oh++)
    for (size_t ow = 0; ow < s->OW; ow++) {
      const uint16_t lane = (uint16_t)(1u << i);
      for (size_t r = 0; r < p->R; r++) {
        const ptrdiff_t ih = (ptrdiff_t)(oh + r * p->dil_h) - (ptrdiff_t)p->pad_top;
        if (ih < 0 || ih >= (ptrdiff_t)s->H)
          continue;
        for (size_t c = 0; c < p->S; c++) {
          const ptrdiff_t iw =
              (ptrdiff_t)(ow + c * p->dil_w) - (ptrdiff_t)p->pad_left;
          if (iw >= 0 && iw < (ptrdiff_t)s->W)
            m[r * p->S + c] |= lane;
        }
      }
      if (++i == vw) {
        i = 0;
        m += T;
      }
    }
}

/* NCHW through flat planes, the masks in the workspace. */
static void dw_run_nchw_flat(const sc_run_args *args, const sc_dw_config *cfg) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const size_t nvec = (s->OH * s->OW + cfg->vw - 1) / cfg->vw;
  const sc_dw_flat_entry *e = cfg->flat->entries;
  while (!((e->R == 0 && e->S == 0) || (e->R == p->R && e->S == p->S)))
    e++; /* the last entry matches every kernel */
  dw_flat_task t = {.fn = e->fn};
  dw_nchw_params_init(args, &t.params);
  dw_flat_masks(p, s, cfg->vw, args->workspace);
  t.params.masks = args->workspace;
  /* Tap (r, s) of flat output q reads flat input q + off[r*S + s]. */
  for (size_t r = 0; r < p->R; r++)
    for (size_t c = 0; c < p->S; c++)
      t.off[r * p->S + c] =
          ((ptrdiff_t)(r * p->dil_h) - (ptrdiff_t)p->pad_top) * (ptrdiff_t)s->W +
          (ptrdiff_t)(c * p->dil_w) - (ptrdiff_t)p->pad_left;
  t.params.off = t.off;
  /* Tasks of several planes (per-plane set-up is a large part of a small
   * plane's work), about 8 per thread; split the planes' vectors only when
   * there are too few planes. */
  const size_t planes = s->N * p->K, want = 8 * dw_threads(args->pool);
  const size_t tile_p = planes / want > 1 ? planes / want : 1;
  sc_parallelize_2d_tile_2d(
      args->pool, dw_flat_vectors, &t, planes, nvec, tile_p,
      dw_task_tile(args->pool, planes, nvec, SC_DW_FLAT_MAX_MV), args->pool_final);
}

static void dw_run_nchw(const sc_run_args *args, const sc_dw_config *cfg) {
  const sc_problem *p = args->problem;
  const sc_shape *s = args->shape;
  const sc_dw_nchw_entry *e = dw_find_nchw(cfg, p);
  dw_nchw_task t = {.params = {.mr = e->mr}, .fn = e->fn};
  dw_nchw_params_init(args, &t.params);
  /* Feasible: fits() checked the geometry for the narrowest strip. */
  dw_rows_geometry(p, cfg->vw, e->mr, s->OW, &t.params);
  const size_t planes = s->N * p->K;
  sc_parallelize_2d_tile_1d(
      args->pool, dw_nchw_rows, &t, planes, s->OH,
      dw_task_tile(args->pool, planes, s->OH, e->mr), args->pool_final);
}

void sc_dw_run(const sc_run_args *args) {
  const sc_dw_config *cfg = args->kernel->config;
  const sc_problem *p = args->problem;
  if (p->layout == SIMDCONV_LAYOUT_NHWC)
    dw_run_nhwc(args, cfg);
  else if (dw_flat_bytes(cfg, p, args->shape) > 0)
    dw_run_nchw_flat(args, cfg);
  else if (dw_nchw_wide(cfg, p, args->shape) || !dw_run_nchw_tiles(args, cfg))
    dw_run_nchw(args, cfg);
}

/* For the transposed-convolution driver (src/deconv_dw.c), which runs each
 * output phase as a stride-1 depthwise convolution. */
const sc_dw_nhwc_entry *sc_dw_find_nhwc(const sc_dw_config *cfg,
                                        const sc_problem *p, bool kg1) {
  return dw_find_nhwc(cfg, p, kg1);
}
